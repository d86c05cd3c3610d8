#include "proto/agreement.hpp"

#include "proto/codec.hpp"
#include "proto/json_fields.hpp"
#include "proto/strict_json.hpp"
#include "proto/transcript.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <map>

namespace shuttle::proto {

namespace json = boost::json;

namespace {

constexpr std::string_view item_fields[] = {"what", "who", "by", "check"};

std::string& field(agreement_item& item, std::string_view name) {
  if (name == "what") return item.what;
  if (name == "who") return item.who;
  if (name == "by") return item.by;
  return item.check;
}

// The statements of one kind in an export, each parsed strictly.
template <class S>
result<std::vector<S>> read_statements(object_reader& r, std::string_view name) {
  const json::value* v = r.find(name);
  if (!v) return make_error(errc::missing_field, std::string(name));
  const auto* list = v->if_array();
  if (!list) return make_error(errc::wrong_type, std::string(name));
  if (list->size() > max_agreement_statements) return make_error(errc::too_large, std::string(name));
  std::vector<S> out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto s = parse_statement<S>((*list)[i], std::string(name) + "[" + std::to_string(i) + "]");
    if (!s) return s.error();
    out.push_back(std::move(*s));
  }
  return out;
}

template <class S>
json::array write_statements(const std::vector<S>& list) {
  json::array out;
  for (const auto& s : list) out.push_back(parse_strict_json(to_json(s), max_statement_json_bytes).value());
  return out;
}

// The audit entry recording `s` (its event, its signer as actor, the
// agreement as subject, its statement hash), or nothing.
template <class S>
const audit_entry* recorded(const audit_export& audit, const S& s, audit_event event) {
  const hash h = statement_hash(s);
  for (const auto& e : audit.entries) {
    if (e.event == event && e.statement == h && e.actor == s.header.signer && e.subject == s.message_id) return &e;
  }
  return nullptr;
}

const audit_entry* first_entry(const audit_export& audit, audit_event event, const id& subject) {
  for (const auto& e : audit.entries) {
    if (e.event == event && e.subject == subject) return &e;
  }
  return nullptr;
}

// Each signature or mark: signed, of this case and agreement, by someone
// named, recorded in the trail. Returns the person who signed it.
template <class S>
result<agreement_person> check_statement(const agreement_export& x, const S& s, const hash& h, audit_event event,
                                         const std::string& where, const audit_entry*& entry) {
  if (auto v = verify_signature(s); !v) return make_error(errc::bad_signature, where);
  if (s.header.case_id != x.case_id) return make_error(errc::wrong_case, where);
  if (s.message_id != x.message_id) return make_error(errc::bad_value, where + ": another agreement");
  if (s.agreement_hash != h) return make_error(errc::hash_mismatch, where + ": signed another text");
  const auto person = std::find_if(x.people.begin(), x.people.end(),
                                   [&](const agreement_person& p) { return p.identity == s.header.signer; });
  if (person == x.people.end()) return make_error(errc::bad_value, where + ": signed by someone the export does not name");
  entry = recorded(x.audit, s, event);
  if (!entry) return make_error(errc::broken_chain, where + ": not in the relay's audit trail");
  return *person;
}

}  // namespace

std::string agreement_body(const agreement_document& d) {
  json::array items;
  for (const auto& item : d.items) {
    json::object o;
    o["what"] = item.what;
    o["who"] = item.who;
    o["by"] = item.by;
    o["check"] = item.check;
    items.push_back(std::move(o));
  }
  json::object o;
  o["v"] = 1;
  o["items"] = std::move(items);
  return json::serialize(o);
}

result<agreement_document> parse_agreement_body(std::string_view body) {
  auto value = parse_strict_json(body, max_agreement_body_bytes);
  if (!value) return value.error();
  object_reader r(*value, "");
  if (const json::value* v = r.find("v"); !v || !v->is_int64() || v->get_int64() != 1) {
    return make_error(v ? errc::unsupported_version : errc::missing_field, "v");
  }
  const json::value* items = r.find("items");
  if (!items) return make_error(errc::missing_field, "items");
  const auto* list = items->if_array();
  if (!list) return make_error(errc::wrong_type, "items");
  if (list->empty() || list->size() > max_agreement_items) return make_error(errc::bad_value, "items");
  agreement_document d;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string path = "items[" + std::to_string(i) + "]";
    object_reader ir((*list)[i], path);
    agreement_item item;
    for (const auto name : item_fields) {
      auto text = read_person_text(ir.find(name), max_agreement_field_bytes, ir.path_of(name));
      if (!text) return text.error();
      field(item, name) = std::move(*text);
    }
    if (auto done = ir.finish(); !done) return done.error();
    d.items.push_back(std::move(item));
  }
  if (auto done = r.finish(); !done) return done.error();
  return d;
}

hash agreement_hash(const id& case_id, const id& message_id, std::string_view body) {
  transcript t("shuttle/v1/agreement");
  t.add(case_id).add(message_id).add(body);
  return blake2b_256(t.data());
}

std::string to_json(const agreement_export& x) {
  json::object o;
  o["v"] = 1;
  o["type"] = "agreement_export";
  object_writer w(o);
  w("case", x.case_id)("message", x.message_id);
  o["body"] = x.body;
  json::array people;
  for (const auto& p : x.people) {
    json::object po;
    object_writer{po}("identity", p.identity)("role", p.person_role);
    if (p.name) po["name"] = *p.name;
    people.push_back(std::move(po));
  }
  o["people"] = std::move(people);
  o["signatures"] = write_statements(x.signatures);
  o["marks"] = write_statements(x.marks);
  o["audit"] = parse_strict_json(to_json(x.audit), max_audit_export_json_bytes).value();
  return json::serialize(o);
}

result<agreement_export> parse_agreement_export(std::string_view json_text) {
  auto value = parse_strict_json(json_text, max_agreement_export_json_bytes);
  if (!value) return value.error();
  agreement_export x;
  object_reader r(*value, "");
  if (const json::value* v = r.find("v"); !v || !v->is_int64() || v->get_int64() != 1) {
    return make_error(v ? errc::unsupported_version : errc::missing_field, "v");
  }
  if (const json::value* t = r.find("type"); !t || !t->is_string() || t->get_string() != "agreement_export") {
    return make_error(t ? errc::wrong_statement : errc::missing_field, "type");
  }
  r("case", x.case_id)("message", x.message_id);
  const json::value* body = r.find("body");
  if (!body) return make_error(errc::missing_field, "body");
  if (!body->is_string()) return make_error(errc::wrong_type, "body");
  x.body = std::string(body->get_string());
  const json::value* people = r.find("people");
  if (!people) return make_error(errc::missing_field, "people");
  const auto* list = people->if_array();
  if (!list) return make_error(errc::wrong_type, "people");
  if (list->size() > max_agreement_statements) return make_error(errc::too_large, "people");
  for (std::size_t i = 0; i < list->size(); ++i) {
    agreement_person p;
    object_reader pr((*list)[i], "people[" + std::to_string(i) + "]");
    pr("identity", p.identity)("role", p.person_role);
    if (const json::value* n = pr.find("name")) {
      if (!n->is_string() || !is_display_name(n->get_string())) return make_error(errc::bad_value, pr.path_of("name"));
      p.name = std::string(n->get_string());
    }
    if (auto done = pr.finish(); !done) return done.error();
    x.people.push_back(std::move(p));
  }
  auto signatures = read_statements<agreement_signature>(r, "signatures");
  if (!signatures) return signatures.error();
  x.signatures = std::move(*signatures);
  auto marks = read_statements<agreement_mark>(r, "marks");
  if (!marks) return marks.error();
  x.marks = std::move(*marks);
  const json::value* audit = r.find("audit");
  if (!audit) return make_error(errc::missing_field, "audit");
  auto parsed_audit = parse_audit_export(json::serialize(*audit));
  if (!parsed_audit) return parsed_audit.error();
  x.audit = std::move(*parsed_audit);
  if (auto done = r.finish(); !done) return done.error();
  return x;
}

result<verified_agreement> verify_agreement_export(const agreement_export& x, const public_key& relay_key) {
  if (auto a = verify_audit_export(x.audit, relay_key); !a) return a.error();
  if (x.audit.case_id != x.case_id) return make_error(errc::wrong_case, "audit");
  auto document = parse_agreement_body(x.body);
  if (!document) return document.error();
  verified_agreement out;
  out.document = std::move(*document);
  out.agreement_hash = agreement_hash(x.case_id, x.message_id, x.body);
  if (!first_entry(x.audit, audit_event::submitted, x.message_id)) {
    return make_error(errc::broken_chain, "the agreement is not in the relay's audit trail");
  }
  const audit_entry* bound = first_entry(x.audit, audit_event::agreement_bound, x.message_id);
  if (!bound) return make_error(errc::bad_value, "the relay's audit trail does not record the agreement as binding");
  out.bound_at = bound->at;
  for (std::size_t i = 0; i < x.signatures.size(); ++i) {
    const audit_entry* entry = nullptr;
    auto who = check_statement(x, x.signatures[i], out.agreement_hash, audit_event::agreement_signed,
                               "signatures[" + std::to_string(i) + "]", entry);
    if (!who) return who.error();
    out.signers.push_back({std::move(*who), entry->at});
  }
  const auto signed_by = [&](role r) {
    return std::any_of(out.signers.begin(), out.signers.end(), [&](const auto& s) { return s.person.person_role == r; });
  };
  if (!signed_by(role::harmed) || !signed_by(role::responsible) || !signed_by(role::facilitator)) {
    return make_error(errc::bad_value, "signatures: not signed by both parties and a facilitator");
  }
  std::map<std::uint64_t, std::pair<std::uint64_t, verified_agreement::mark>> newest;  // item: (seq, mark)
  for (std::size_t i = 0; i < x.marks.size(); ++i) {
    const auto& m = x.marks[i];
    const std::string where = "marks[" + std::to_string(i) + "]";
    const audit_entry* entry = nullptr;
    auto who = check_statement(x, m, out.agreement_hash, audit_event::item_marked, where, entry);
    if (!who) return who.error();
    if (who->person_role != role::facilitator) {
      return make_error(errc::bad_value, where + ": marked by someone not a facilitator");
    }
    if (m.item > out.document.items.size()) return make_error(errc::bad_value, where + ": no such item");
    // A later mark of an item replaces an earlier one, in the trail's order.
    auto [slot, fresh] = newest.try_emplace(m.item);
    if (fresh || entry->seq > slot->second.first) slot->second = {entry->seq, {m.item, m.done, std::move(*who), entry->at}};
  }
  for (auto& [item, mark] : newest) out.marks.push_back(std::move(mark.second));
  return out;
}

}  // namespace shuttle::proto

#include "proto/audit.hpp"

#include "proto/codec.hpp"
#include "proto/enum_words.hpp"
#include "proto/json_fields.hpp"
#include "proto/strict_json.hpp"

#include <boost/json/serialize.hpp>
#include <sodium.h>


namespace shuttle::proto {

namespace json = boost::json;

namespace {
constexpr enum_words<audit_event, 28> event_words{{
    "case_opened", "invited",  "enrolled", "key_published", "attested", "submitted", "approved", "returned",
    "released",    "delivered", "opened",  "declined",      "revoked",  "withdrawn", "closed",   "purged",
    "decline_told", "granted",  "grant_ended", "quiet_hours_set", "stage_set", "paused", "resumed", "consented",
    "agreement_signed", "agreement_bound", "item_marked", "checkin_scheduled",
}};
}  // namespace

std::string_view to_string(audit_event e) { return event_words.word(e); }
bool parse_enum(std::string_view word, audit_event& out) { return event_words.parse(word, out); }

result<void> read_value(const json::value& v, audit_event& out, const std::string& path) {
  const auto* s = v.if_string();
  if (!s) return make_error(errc::wrong_type, path);
  if (!parse_enum(std::string_view(s->data(), s->size()), out)) return make_error(errc::bad_value, path);
  return {};
}

hash audit_entry_hash(const audit_entry& e) {
  transcript t("shuttle/v1/audit-entry");
  t.add(e.prev).add_u64(e.seq).add_u64(e.at).add(e.case_id).add(to_string(e.event));
  t.add(e.actor).add(e.subject).add(e.statement);
  return blake2b_256(t.data());
}

bytes checkpoint_transcript(const audit_checkpoint& c) {
  transcript t("shuttle/v1/audit-checkpoint");
  t.add(c.case_id).add_u64(c.seq).add(c.head).add_u64(c.at).add(c.relay_key);
  return t.data();
}

result<void> verify_checkpoint(const audit_checkpoint& c) {
  const bytes t = checkpoint_transcript(c);
  if (crypto_sign_verify_detached(c.sig.data(), t.data(), t.size(), c.relay_key.data()) != 0) {
    return make_error(errc::bad_signature, "checkpoint");
  }
  return {};
}

std::string to_json(const audit_export& x) {
  json::object o;
  o["v"] = 1;
  o["type"] = "audit_export";
  object_writer w(o);
  w("case", x.case_id);
  json::array entries;
  for (const auto& e : x.entries) {
    json::object eo;
    object_writer ew(eo);
    ew("seq", e.seq)("at", e.at)("case", e.case_id);
    eo["event"] = to_string(e.event);
    ew("actor", e.actor)("subject", e.subject)("statement", e.statement)("prev", e.prev)("hash", e.entry_hash);
    entries.push_back(std::move(eo));
  }
  o["entries"] = std::move(entries);
  json::object co;
  object_writer{co}("case", x.checkpoint.case_id)("seq", x.checkpoint.seq)("head", x.checkpoint.head)(
      "at", x.checkpoint.at)("relay_key", x.checkpoint.relay_key)("sig", x.checkpoint.sig);
  o["checkpoint"] = std::move(co);
  return json::serialize(o);
}

result<audit_export> parse_audit_export(std::string_view json_text) {
  auto value = parse_strict_json(json_text, max_audit_export_json_bytes);
  if (!value) return value.error();
  audit_export x;
  object_reader r(*value, "");
  if (const json::value* v = r.find("v"); !v || !v->is_int64() || v->get_int64() != 1) {
    return make_error(v ? errc::unsupported_version : errc::missing_field, "v");
  }
  if (const json::value* t = r.find("type"); !t || !t->is_string() || t->get_string() != "audit_export") {
    return make_error(t ? errc::wrong_statement : errc::missing_field, "type");
  }
  r("case", x.case_id);
  const json::value* entries = r.find("entries");
  if (!entries) return make_error(errc::missing_field, "entries");
  const auto* list = entries->if_array();
  if (!list) return make_error(errc::wrong_type, "entries");
  if (list->size() > max_audit_export_entries) return make_error(errc::too_large, "entries");
  x.entries.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    audit_entry e;
    object_reader er((*list)[i], "entries[" + std::to_string(i) + "]");
    er("seq", e.seq)("at", e.at)("case", e.case_id)("event", e.event)("actor", e.actor)("subject", e.subject)(
        "statement", e.statement)("prev", e.prev)("hash", e.entry_hash);
    if (auto done = er.finish(); !done) return done.error();
    x.entries.push_back(e);
  }
  const json::value* cp = r.find("checkpoint");
  if (!cp) return make_error(errc::missing_field, "checkpoint");
  object_reader cr(*cp, "checkpoint");
  cr("case", x.checkpoint.case_id)("seq", x.checkpoint.seq)("head", x.checkpoint.head)("at", x.checkpoint.at)(
      "relay_key", x.checkpoint.relay_key)("sig", x.checkpoint.sig);
  if (auto done = cr.finish(); !done) return done.error();
  if (auto done = r.finish(); !done) return done.error();
  return x;
}

result<void> verify_audit_chain(const id& case_id, const std::vector<audit_entry>& entries) {
  hash prev{};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const audit_entry& e = entries[i];
    const std::string where = "entry " + std::to_string(i + 1);
    if (e.seq != i + 1) return make_error(errc::broken_chain, where + ": out of sequence");
    if (e.case_id != case_id) return make_error(errc::broken_chain, where + ": another case's entry");
    if (e.prev != prev) return make_error(errc::broken_chain, where + ": does not follow its predecessor");
    if (audit_entry_hash(e) != e.entry_hash) return make_error(errc::broken_chain, where + ": altered");
    prev = e.entry_hash;
  }
  return {};
}

result<void> verify_checkpoint_of(const std::vector<audit_entry>& entries, const audit_checkpoint& c,
                                  const public_key& relay_key) {
  const hash head = c.seq == 0 ? hash{} : c.seq <= entries.size() ? entries[c.seq - 1].entry_hash : hash{};
  if (c.seq > entries.size() || c.head != head) {
    return make_error(errc::broken_chain, "the checkpoint of entry " + std::to_string(c.seq) + " does not match the chain");
  }
  if (c.relay_key != relay_key) return make_error(errc::bad_signature, "checkpoint signed by another relay");
  return verify_checkpoint(c);
}

result<void> verify_audit_export(const audit_export& x, const public_key& relay_key) {
  if (auto ok = verify_audit_chain(x.case_id, x.entries); !ok) return ok;
  const audit_checkpoint& c = x.checkpoint;
  if (c.case_id != x.case_id || c.seq != x.entries.size()) {
    return make_error(errc::broken_chain, "the checkpoint does not cover the last entry");
  }
  return verify_checkpoint_of(x.entries, c, relay_key);
}

}  // namespace shuttle::proto

// The outcome agreement (proto/SPEC.md 5.17, 5.18, 6.6, 9 and 10): a
// facilitator drafts it as items, each party and facilitator signs the hash
// of the document their own device opened, the facilitators mark its items
// once it binds, and it leaves as an export anyone can verify offline.
#include "client-lib/account_parts.hpp"
#include "client-lib/statements.hpp"

#include <algorithm>
#include <map>

namespace shuttle::client {

using namespace account_detail;

namespace {

bool signs_agreements(proto::role r) {
  return r == proto::role::harmed || r == proto::role::responsible || r == proto::role::facilitator;
}

}  // namespace

result<proto::id> account::draft_agreement(const proto::id& case_id, const proto::agreement_document& d) {
  const std::string body = proto::agreement_body(d);
  // The same rules every reader applies, before anything is sealed.
  if (auto ok = proto::parse_agreement_body(body); !ok) {
    return make_error(errc::invalid_argument, "The agreement cannot be written this way (" + ok.error().detail +
                                                  "): each item needs what, who, by when and how it is checked, "
                                                  "at most 2000 bytes each, and at most 64 items.");
  }
  draft dr;
  dr.kind = proto::message_kind::agreement;
  dr.content.content_type = std::string(proto::agreement_content_type);
  dr.content.body.assign(body.begin(), body.end());
  return send(case_id, dr);
}

result<std::optional<agreement_view>> account::agreement(const proto::id& case_id) {
  auto answer = authenticated([&] { return relay_.get(case_path(case_id, "/agreement")); });
  if (!answer) return missing(case_id, answer.error());
  auto state = parse_agreement_answer(*answer);
  if (!state) return state.error();
  if (!*state) return std::optional<agreement_view>{};
  const agreement_state& s = **state;
  // Opened as any letter (a party checks that a facilitator of the roster wrote it).
  auto letter = read(case_id, s.message);
  if (!letter) return letter.error();
  auto snap = snapshot(case_id);
  if (!snap) return snap.error();
  const roster& r = snap->trust;
  if (letter->summary.kind != proto::message_kind::agreement || !r.is_facilitator(letter->summary.sender)) {
    return make_error(errc::relay_refused, "the relay's agreement is not one a facilitator of this case wrote");
  }
  const document& doc = letter->content;
  agreement_view v;
  v.message = s.message;
  v.submitted_at = s.submitted_at;
  v.body.assign(doc.body.begin(), doc.body.end());
  auto parsed = proto::parse_agreement_body(v.body);
  if (doc.content_type != proto::agreement_content_type || !doc.attachments.empty() || !parsed) {
    return make_error(errc::relay_refused, "the agreement's document is not readable as an agreement");
  }
  v.document = std::move(*parsed);
  v.hash = proto::agreement_hash(case_id, s.message, v.body);

  auto view = view_of(case_id, *snap);
  if (!view) return view.error();
  v.people = view->people;
  auto person_of = [&](const proto::public_key& k) {
    const auto p = std::find_if(view->people.begin(), view->people.end(), [&](const person& x) { return x.identity == k; });
    return p == view->people.end() ? std::optional<person>{} : std::optional<person>{*p};
  };
  // A statement counts when it verifies, is of this case and this agreement,
  // and is signed by someone of the roster in a role that may make it.
  auto counts = [&](const auto& st, bool facilitators_only) {
    if (st.header.case_id != case_id || st.message_id != s.message) return false;
    if (!proto::validate(st) || !proto::verify_signature(st)) return false;
    const auto who = r.find(st.header.signer);
    return who && (facilitators_only ? r.is_facilitator(st.header.signer) : signs_agreements(who->role));
  };
  std::map<proto::role, std::size_t> agreed;
  for (const auto& sig : s.signatures) {
    if (!counts(sig, false)) continue;
    auto who = person_of(sig.header.signer);
    if (!who) continue;
    const bool same = sig.agreement_hash == v.hash;
    v.signatures.push_back({*who, same});
    v.signature_statements.push_back(sig);
    if (same) ++agreed[who->role];
    if (who->me) v.signed_by_me = true;
  }
  std::map<std::uint64_t, agreement_view::mark> newest;
  for (const auto& m : s.marks) {
    if (!counts(m, true) || m.agreement_hash != v.hash) continue;
    if (m.item > v.document.items.size()) {
      ++v.ignored_marks;
      continue;
    }
    auto by = person_of(m.header.signer);
    if (!by) continue;
    newest[m.item] = {m.item, m.done, *by};  // the relay lists them as stored: the last one holds
    v.mark_statements.push_back(m);
  }
  for (auto& [item, mark] : newest) v.marks.push_back(std::move(mark));
  for (const auto& p : view->people) {
    if (p.state != "active" || !signs_agreements(p.role)) continue;
    const bool signed_it = std::any_of(v.signatures.begin(), v.signatures.end(), [&](const auto& x) {
      return x.same_text && x.who.identity == p.identity;
    });
    if (!signed_it) v.waiting_for.push_back(p);
  }
  // You first, then the parties, then the facilitators.
  const auto rank = [](const person& p) { return p.me ? 0 : p.role == proto::role::facilitator ? 2 : 1; };
  std::stable_sort(v.waiting_for.begin(), v.waiting_for.end(),
                   [&](const person& a, const person& b) { return rank(a) < rank(b); });
  // Binding only when the relay says so and the signatures that count show it.
  if (s.bound_at) {
    const bool shown = agreed[proto::role::harmed] >= 1 && agreed[proto::role::responsible] >= 1 &&
                       agreed[proto::role::facilitator] >= std::max<std::uint64_t>(1, r.approvals_required()) &&
                       s.agreement_hash == v.hash;
    if (!shown) {
      return make_error(errc::relay_refused,
                        "the relay says the agreement binds, but the signatures it holds do not show it");
    }
    v.bound = true;
    v.bound_at = s.bound_at;
  }
  return std::optional<agreement_view>{std::move(v)};
}

result<bool> account::sign_agreement(const proto::id& case_id) {
  auto v = agreement(case_id);
  if (!v) return v.error();
  if (!*v) return make_error(errc::not_found, "There is no agreement in this case yet.");
  if ((*v)->bound) return make_error(errc::invalid_argument, "Everyone has already signed this agreement.");
  proto::agreement_signature s;
  s.header = header_for(case_id);
  s.message_id = (*v)->message;
  s.agreement_hash = (*v)->hash;
  auto signed_s = sign(std::move(s), keys_.identity());
  if (!signed_s) return signed_s.error();
  auto answer = authenticated([&] {
    return relay_.post(case_path(case_id, "/agreement/signatures"), json::object{{"signature", as_json(*signed_s)}});
  });
  if (!answer) return missing(case_id, answer.error());
  const auto* bound = answer->is_object() ? answer->as_object().if_contains("bound") : nullptr;
  if (!bound || !bound->is_bool()) return make_error(errc::relay_refused, "the relay's answer was not understood: bound");
  return bound->get_bool();
}

result<void> account::mark_agreement_item(const proto::id& case_id, std::uint64_t item, bool done) {
  auto v = agreement(case_id);
  if (!v) return v.error();
  if (!*v) return make_error(errc::not_found, "There is no agreement in this case yet.");
  if (!(*v)->bound) return make_error(errc::invalid_argument, "Items are marked once everyone has signed the agreement.");
  if (item < 1 || item > (*v)->document.items.size()) {
    return make_error(errc::invalid_argument,
                      "The agreement has items 1 to " + std::to_string((*v)->document.items.size()) + ".");
  }
  proto::agreement_mark m;
  m.header = header_for(case_id);
  m.message_id = (*v)->message;
  m.agreement_hash = (*v)->hash;
  m.item = item;
  m.done = done;
  auto signed_m = sign(std::move(m), keys_.identity());
  if (!signed_m) return signed_m.error();
  auto answer = authenticated([&] {
    return relay_.post(case_path(case_id, "/agreement/marks"), json::object{{"mark", as_json(*signed_m)}});
  });
  if (!answer) return missing(case_id, answer.error());
  return {};
}

result<std::string> account::export_agreement(const proto::id& case_id) {
  auto v = agreement(case_id);
  if (!v) return v.error();
  if (!*v) return make_error(errc::not_found, "There is no agreement in this case yet.");
  if (!(*v)->bound) return make_error(errc::invalid_argument, "The agreement is exported once everyone has signed it.");
  proto::agreement_export x;
  x.case_id = case_id;
  x.message_id = (*v)->message;
  x.body = (*v)->body;
  for (const auto& p : (*v)->people) {
    if (!p.attested && !p.me) continue;
    x.people.push_back({p.identity, p.role, p.role == proto::role::facilitator ? p.name : std::nullopt});
  }
  x.signatures = (*v)->signature_statements;
  x.marks = (*v)->mark_statements;
  auto audit_trail = audit(case_id);
  if (!audit_trail) return audit_trail.error();
  x.audit = std::move(*audit_trail);
  auto key = relay_key();
  if (!key) return key.error();
  // Checked here as anyone will check it, before it leaves this device.
  if (auto ok = proto::verify_agreement_export(x, *key); !ok) return ok.error();
  return proto::to_json(x);
}

}  // namespace shuttle::client

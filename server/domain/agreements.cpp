// The outcome agreement around its message (proto/SPEC.md 5.17, 5.18, 6.6
// and 12): who signed which hash, when it bound, and the facilitators' marks
// of its items. The relay cannot read the agreement; it keeps the signed
// statements, binds when every party and facilitator signed one hash, and
// records each step in the audit trail.
#include "server/domain/letters.hpp"

#include <algorithm>
#include <variant>

namespace shuttle::relay {

using namespace letters;

namespace {

// The case's agreement in force: its newest agreement message not taken back.
std::optional<message_record> current_agreement(reader& r, const proto::id& case_id) {
  std::optional<message_record> out;
  for (auto& m : r.messages(case_id)) {
    if (m.kind == proto::message_kind::agreement && m.state != message_state::revoked) out = std::move(m);
  }
  return out;
}

// Binding: every active party and facilitator signed, at least one of each
// role, all the same hash. Returns that hash.
std::optional<proto::hash> binding_hash(const std::vector<participant_record>& people,
                                        const std::vector<agreement_statement_record>& statements) {
  std::optional<proto::hash> agreed;
  bool harmed = false, responsible = false, facilitator = false;
  for (const auto& p : people) {
    if (p.state != proto::participant_state::active) continue;
    if (p.role != role::harmed && p.role != role::responsible && p.role != role::facilitator) continue;
    const auto signature = std::find_if(statements.begin(), statements.end(),
                                        [&](const auto& x) { return !x.mark && x.signer == p.identity; });
    if (signature == statements.end() || (agreed && *agreed != signature->agreement_hash)) return std::nullopt;
    agreed = signature->agreement_hash;
    (p.role == role::harmed ? harmed : p.role == role::responsible ? responsible : facilitator) = true;
  }
  if (!harmed || !responsible || !facilitator) return std::nullopt;
  return agreed;
}

// The agreement a signature or mark names, if it is the case's agreement in force.
template <class S>
std::variant<message_record, failure> agreement_named(reader& r, const S& s) {
  auto m = r.message(s.message_id);
  if (!m || m->case_id != s.header.case_id || m->kind != proto::message_kind::agreement ||
      m->state == message_state::revoked) {
    return not_found("No such agreement in this case.");
  }
  const auto current = current_agreement(r, s.header.case_id);
  if (!current || current->id != m->id) {
    return conflict("agreement_superseded", "A newer version of this agreement has been written since.");
  }
  return *m;
}

}  // namespace

outcome relay_service::agreement(const caller& c) {
  return store_.read([&](reader& r) -> outcome {
    answer a;
    const auto m = current_agreement(r, c.participant->case_id);
    if (!m) return a;
    json::object o;
    o["message"] = b64(m->id);
    o["submitted_at"] = m->submitted_at;
    json::array signatures, marks;
    for (const auto& s : r.agreement_statements(m->id)) (s.mark ? marks : signatures).push_back(stored(s.statement));
    o["signatures"] = std::move(signatures);
    o["marks"] = std::move(marks);
    if (const auto bound = r.agreement_bound(m->id)) {
      o["bound_at"] = bound->at;
      o["agreement_hash"] = b64(bound->agreement_hash);
    }
    a["agreement"] = std::move(o);
    return a;
  });
}

void relay_service::sign_agreement(const caller& c, proto::agreement_signature s, completion done) {
  case_statement(c, std::move(s), std::move(done),
                 [c](writer& w, effects& fx, const proto::agreement_signature& s, const std::string& json,
                     std::uint64_t now) -> outcome {
    const proto::id case_id = s.header.case_id;
    const auto people = w.participants(case_id);
    const participant_record* signer = active(people, c.account.id);
    if (!signer) return not_found("No such case.");
    if (is_supporter(signer->role)) {
      return forbidden("not_a_party", "The parties and the facilitators sign the agreement; a supporter does not.");
    }
    auto named = agreement_named(w, s);
    if (auto* f = std::get_if<failure>(&named)) return *f;
    const auto& m = std::get<message_record>(named);
    if (w.agreement_bound(m.id)) return conflict("agreement_bound", "This agreement is already signed by everyone.");
    auto statements = w.agreement_statements(m.id);
    if (std::any_of(statements.begin(), statements.end(),
                    [&](const auto& x) { return !x.mark && x.signer == signer->identity; })) {
      return conflict("already_signed", "You have already signed this agreement.");
    }
    agreement_statement_record record{m.id, false, signer->identity, s.agreement_hash, json, now};
    w.insert_agreement_statement(record);
    statements.push_back(std::move(record));
    audit(w, fx, s, audit_event::agreement_signed, m.id, now);
    const auto agreed = binding_hash(people, statements);
    if (agreed) {
      w.set_agreement_bound({m.id, *agreed, now});
      audit(w, fx, case_id, audit_event::agreement_bound, proto::public_key{}, m.id, proto::hash{}, now);
    }
    notify(w, fx, everyone_else_in(w, case_id, c.account.id), case_id, "agreement", m.id, now);
    answer a;
    a["message"] = b64(m.id);
    a["signatures"] = std::count_if(statements.begin(), statements.end(), [](const auto& x) { return !x.mark; });
    a["bound"] = agreed.has_value();
    return a;
  });
}

void relay_service::mark_agreement(const caller& c, proto::agreement_mark s, completion done) {
  case_statement(c, std::move(s), std::move(done),
                 [c](writer& w, effects& fx, const proto::agreement_mark& s, const std::string& json,
                     std::uint64_t now) -> outcome {
    const proto::id case_id = s.header.case_id;
    auto facilitator = active(w, case_id, c.account.id);
    if (!facilitator) return not_found("No such case.");
    auto named = agreement_named(w, s);
    if (auto* f = std::get_if<failure>(&named)) return *f;
    const auto& m = std::get<message_record>(named);
    const auto bound = w.agreement_bound(m.id);
    if (!bound) return conflict("agreement_not_bound", "Items are marked once everyone has signed the agreement.");
    if (bound->agreement_hash != s.agreement_hash) {
      return invalid("wrong_agreement_hash", "The mark names another text than the one everyone signed.");
    }
    w.insert_agreement_statement({m.id, true, facilitator->identity, s.agreement_hash, json, now});
    audit(w, fx, s, audit_event::item_marked, m.id, now);
    notify(w, fx, everyone_else_in(w, case_id, c.account.id), case_id, "agreement", m.id, now);
    answer a;
    a["message"] = b64(m.id);
    a["item"] = s.item;
    a["done"] = s.done;
    return a;
  });
}

}  // namespace shuttle::relay

// What a case's people set about it besides letters: a party's grant to its
// supporter, the label only facilitators read, the quiet hours that hold
// releases, the stage of the process and the person harmed's pause.
// proto/SPEC.md sections 5.12, 5.14, 5.15, 7 and 12 describe the rules.
#include "server/domain/relay_service.hpp"
#include "server/domain/rules.hpp"

#include <algorithm>
#include <set>

namespace shuttle::relay {

using namespace rules;
using proto::audit_event;
using proto::role;

namespace {

role support_role_of(role party) { return party == role::harmed ? role::harmed_support : role::responsible_support; }

}  // namespace

void relay_service::grant(const caller& c, proto::grant g, completion done) {
  case_statement(c, std::move(g), std::move(done),
                 [c](writer& w, effects& fx, const proto::grant& g, const std::string& json, std::uint64_t now) -> outcome {
    const proto::id case_id = g.header.case_id;
    auto party = active(w, case_id, c.account.id);
    if (!party) return not_found("No such case.");
    if (party->role != role::harmed && party->role != role::responsible) {
      return forbidden("not_a_party", "Only the harmed or the responsible party lets a supporter read.");
    }
    const auto people = w.participants(case_id);
    const auto* supporter = active_identity(people, g.subject);
    if (!supporter || supporter->role != support_role_of(party->role)) {
      return invalid("not_your_supporter", "That person is not an active supporter on your side of this case.");
    }
    // Letters are wrapped for a supporter's attested case key, so a grant
    // waits for a facilitator to have compared their safety number.
    const auto attestations = w.attestations(case_id);
    if (g.reads && std::none_of(attestations.begin(), attestations.end(),
                                [&](const attestation_record& a) { return a.subject == g.subject; })) {
      return conflict("not_attested", "Your supporter's keys have not been attested yet.");
    }
    w.set_grant({case_id, c.account.id, c.account.identity, g.subject, g.reads, json, now});
    audit(w, fx, g, g.reads ? audit_event::granted : audit_event::grant_ended, g.header.statement_id, now);
    answer a;
    a["grant"] = b64(g.header.statement_id);
    a["subject"] = b64(g.subject);
    a["reads"] = g.reads;
    return a;
  });
}

void relay_service::set_label(const caller& c, std::vector<std::pair<proto::public_key, bytes>> boxes,
                              completion done) {
  const std::uint64_t now = now_();
  write(
      [c, boxes = std::move(boxes), now](writer& w, effects&) -> outcome {
        const proto::id case_id = c.participant->case_id;
        if (auto f = require_open_case(w, case_id)) return *f;
        const auto people = w.participants(case_id);
        std::set<proto::public_key> readers;
        for (const auto& [reader, box] : boxes) {
          const auto* p = active_identity(people, reader);
          if (!p || p->role != role::facilitator || !readers.insert(reader).second) {
            return invalid("wraps_mismatch", "A label is sealed to the case's facilitators only, once each.");
          }
        }
        if (!readers.contains(c.account.identity)) {
          return invalid("wraps_mismatch", "A label is sealed to its author too.");
        }
        w.set_labels(case_id, boxes, now);
        answer a;
        a["case"] = b64(case_id);
        a["readers"] = readers.size();
        return a;
      },
      std::move(done));
}

void relay_service::set_quiet_hours(const caller& c, std::optional<quiet_hours> q, completion done) {
  const std::uint64_t now = now_();
  write(
      [c, q = std::move(q), now](writer& w, effects& fx) -> outcome {
        const proto::id case_id = c.participant->case_id;
        if (auto f = require_open_case(w, case_id)) return *f;
        w.set_quiet_hours(case_id, q);
        audit(w, fx, case_id, audit_event::quiet_hours_set, c.account.identity, case_id, proto::hash{}, now);
        answer a;
        a["case"] = b64(case_id);
        if (q) a["quiet_hours"] = quiet_hours_json(*q);
        return a;
      },
      std::move(done));
}

void relay_service::set_stage(const caller& c, proto::stage_statement s, completion done) {
  case_statement(c, std::move(s), std::move(done),
                 [account = c.account.id](writer& w, effects& fx, const proto::stage_statement& s, const std::string& json,
                                          std::uint64_t now) -> outcome {
    const proto::id case_id = s.header.case_id;
    // Any stage, forward or back: a process can return to preparation.
    w.set_stage(case_id, s.stage, json);
    audit(w, fx, s, audit_event::stage_set, case_id, now);
    notify(w, fx, everyone_else_in(w, case_id, account), case_id, "stage", std::nullopt, now);
    answer a;
    a["case"] = b64(case_id);
    a["stage"] = proto::to_string(s.stage);
    return a;
  });
}

void relay_service::pause(const caller& c, proto::pause p, completion done) {
  case_statement(c, std::move(p), std::move(done),
                 [c](writer& w, effects& fx, const proto::pause& p, const std::string& json, std::uint64_t now) -> outcome {
    const proto::id case_id = p.header.case_id;
    auto party = active(w, case_id, c.account.id);
    if (!party) return not_found("No such case.");
    if (party->role != role::harmed) {
      return forbidden("not_harmed_party", "Only the person harmed can pause the case or resume it.");
    }
    w.set_paused(case_id, p.paused, json);
    audit(w, fx, p, p.paused ? audit_event::paused : audit_event::resumed, case_id, now);
    notify(w, fx, everyone_else_in(w, case_id, c.account.id), case_id, p.paused ? "paused" : "resumed", std::nullopt,
           now);
    answer a;
    a["case"] = b64(case_id);
    a["paused"] = p.paused;
    return a;
  });
}

const consent_text* relay_service::consent_text_of(const proto::hash& h) const {
  for (const auto& t : options_.consent_texts) {
    if (t.hash == h) return &t;
  }
  return nullptr;
}

std::optional<failure> relay_service::current_consent(const proto::consent& s) const {
  if (consent_text_of(s.text_hash)) return std::nullopt;
  return conflict("consent_outdated", "The service's consent text has changed. Please read it again before agreeing.");
}

void relay_service::consent(const caller& c, proto::consent s, completion done) {
  if (options_.consent_texts.empty()) return done(invalid("bad_value", "This service asks for no consent in Shuttle."));
  if (auto f = current_consent(s)) return done(*f);
  case_statement(c, std::move(s), std::move(done),
                 [c](writer& w, effects& fx, const proto::consent& s, const std::string& json, std::uint64_t now) -> outcome {
    const proto::id case_id = s.header.case_id;
    if (!active(w, case_id, c.account.id)) return not_found("No such case.");
    w.set_consent({case_id, c.account.id, s.text_hash, json, now});
    audit(w, fx, s, audit_event::consented, case_id, now);
    answer a;
    a["case"] = b64(case_id);
    a["text_hash"] = b64(s.text_hash);
    return a;
  });
}

void relay_service::set_writing_aids(const caller& c, std::string purpose,
                                     std::vector<std::pair<proto::public_key, bytes>> boxes, completion done) {
  if (purpose != "names" && purpose != "prompts") return done(invalid("bad_value", "purpose: names or prompts"));
  const std::uint64_t now = now_();
  write(
      [c, purpose = std::move(purpose), boxes = std::move(boxes), now](writer& w, effects&) -> outcome {
        const proto::id case_id = c.participant->case_id;
        if (auto f = require_open_case(w, case_id)) return *f;
        const auto people = w.participants(case_id);
        std::set<proto::public_key> readers;
        for (const auto& [reader, box] : boxes) {
          const auto* p = active_identity(people, reader);
          if (!p || (p->role != role::harmed && p->role != role::responsible) || !readers.insert(reader).second) {
            return invalid("wraps_mismatch", "A writing aid is sealed to an active party of the case, once each.");
          }
        }
        for (const auto& [reader, box] : boxes) w.set_writing_aid(case_id, reader, purpose, box, now);
        answer a;
        a["case"] = b64(case_id);
        a["purpose"] = purpose;
        a["readers"] = readers.size();
        return a;
      },
      std::move(done));
}

}  // namespace shuttle::relay

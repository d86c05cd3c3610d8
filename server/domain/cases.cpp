// Cases: opening, the case as its participants see it, invitations, keys
// and attestations, closing, and a party's withdrawal. Every statement is
// verified with proto before it reaches storage; every write re-checks its
// rules inside its transaction.
#include "server/domain/letters.hpp"
#include "server/domain/people.hpp"

#include "proto/base64.hpp"
#include "server/limits.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

namespace shuttle::relay {

namespace json = boost::json;
using namespace people;
using letters::open_checkins;
using letters::revoke_one;
using letters::was_released;
using proto::message_state;
using proto::role;

void relay_service::open_case(const caller& c, proto::case_open open, proto::key_statement keys, completion done) {
  if (auto f = precheck(open, c)) return done(*f);
  if (auto f = precheck(keys, c)) return done(*f);
  if (keys.header.case_id != open.header.case_id) {
    return done(invalid("wrong_case", "The case key must be for the case being opened."));
  }
  const std::uint64_t now = now_();
  write(
      [open = std::move(open), keys = std::move(keys), account = c.account, now](writer& w, effects& fx) -> outcome {
        if (auto r = replay(w, open)) return *r;
        if (w.case_by_id(open.header.case_id) || w.statement(keys.header.statement_id)) {
          return conflict("id_in_use", "This case id is already in use.");
        }
        case_record opened;
        opened.id = open.header.case_id;
        opened.approvals_required = open.approvals_required;
        opened.open_statement = proto::to_json(open);
        opened.created_at = now;
        w.insert_case(opened, account.id);  // open, at the referral stage, not paused
        w.insert_participant({open.header.case_id, account.id, account.identity, proto::role::facilitator,
                              proto::participant_state::active, std::nullopt, now, std::nullopt});
        audit(w, fx, open, audit_event::case_opened, open.header.case_id, now);
        store_key(w, fx, keys, account.id, now);
        answer a;
        a["case"] = b64(open.header.case_id);
        a["state"] = "open";
        remember(w, open, a);
        return a;
      },
      std::move(done));
}

outcome relay_service::case_detail(const caller& c) {
  const proto::id case_id = c.participant->case_id;
  return store_.read([&](reader& r) -> outcome {
    auto cs = r.case_by_id(case_id);
    if (!cs) return not_found("No such case.");
    answer a;
    a["case"] = b64(cs->id);
    a["state"] = proto::to_string(cs->state);
    a["approvals_required"] = cs->approvals_required;
    a["case_open"] = stored(cs->open_statement);
    if (cs->close_statement) a["close"] = stored(*cs->close_statement);
    a["stage"] = proto::to_string(cs->stage);
    if (cs->stage_statement) a["stage_statement"] = stored(*cs->stage_statement);
    a["paused"] = cs->paused;
    if (cs->pause_statement) a["pause_statement"] = stored(*cs->pause_statement);
    json::array people;
    const auto consents = r.consents(case_id);
    for (const auto& p : r.participants(case_id)) {
      json::object o;
      o["identity"] = b64(p.identity);
      o["role"] = proto::to_string(p.role);
      o["state"] = proto::to_string(p.state);
      // Which consent text each person agreed to, and whether it is the current one.
      for (const auto& k : consents) {
        if (k.account != p.account) continue;
        o["consent"] = stored(k.statement);
        const auto* text = consent_text_of(k.text_hash);
        o["consent_current"] = text != nullptr;
        if (text) o["consent_language"] = text->language;
      }
      if (p.enrolment) o["enrolment"] = stored(*p.enrolment);
      if (p.role == proto::role::facilitator && p.display_name) o["name"] = *p.display_name;
      people.push_back(std::move(o));
    }
    a["participants"] = std::move(people);
    json::array grants;
    for (const auto& g : r.grants(case_id)) grants.push_back(stored(g.statement));
    a["grants"] = std::move(grants);
    if (cs->quiet && cs->quiet->start_minute != cs->quiet->end_minute) a["quiet_hours"] = quiet_hours_json(*cs->quiet);
    if (c.participant->role == proto::role::facilitator) {
      if (auto box = r.label(case_id, c.account.identity)) a["label"] = proto::base64url_encode(*box);
    }
    // A party's writing aids, sealed to it (SPEC 7).
    json::object aids;
    for (const char* purpose : {"names", "prompts"}) {
      if (auto box = r.writing_aid(case_id, c.account.identity, purpose)) aids[purpose] = proto::base64url_encode(*box);
    }
    if (!aids.empty()) a["writing_aids"] = std::move(aids);
    json::array keys;
    for (const auto& k : r.keys(case_id)) keys.push_back(stored(k.statement));
    a["key_statements"] = std::move(keys);
    json::array attestations;
    for (const auto& t : r.attestations(case_id)) attestations.push_back(stored(t.statement));
    a["attestations"] = std::move(attestations);
    return a;
  });
}

void relay_service::invite(const caller& c, proto::invitation inv, completion done) {
  if (auto f = precheck(inv, c)) return done(*f);
  const std::uint64_t now = now_();
  if (inv.expires_at <= now || inv.expires_at > now + max_invitation_lifetime_seconds) {
    return done(invalid("invitation_lifetime", "An invitation must expire within 30 days from now."));
  }
  write(
      [inv = std::move(inv), now](writer& w, effects& fx) -> outcome {
        if (auto r = replay(w, inv)) return *r;
        if (auto f = require_open_case(w, inv.header.case_id)) return *f;
        if (w.invitation(inv.header.statement_id)) return conflict("id_in_use", "This invitation id is already in use.");
        w.insert_invitation({inv.header.statement_id, inv.header.case_id, inv.role, inv.secret_hash, inv.expires_at,
                             inv.header.signer, proto::to_json(inv), std::nullopt});
        audit(w, fx, inv, audit_event::invited, inv.header.statement_id, now);
        answer a;
        a["invitation"] = b64(inv.header.statement_id);
        a["expires_at"] = inv.expires_at;
        remember(w, inv, a);
        return a;
      },
      std::move(done));
}

void relay_service::publish_key(const caller& c, proto::key_statement k, completion done) {
  if (auto f = precheck(k, c)) return done(*f);
  const std::uint64_t now = now_();
  write(
      [k = std::move(k), account = c.account.id, now](writer& w, effects& fx) -> outcome {
        if (auto r = replay(w, k)) return *r;
        if (auto f = require_open_case(w, k.header.case_id)) return *f;
        if (!active(w, k.header.case_id, account)) return not_found("No such case.");
        return store_key(w, fx, k, account, now);
      },
      std::move(done));
}

void relay_service::attest(const caller& c, proto::attestation att, completion done) {
  if (auto f = precheck(att, c)) return done(*f);
  const std::uint64_t now = now_();
  write(
      [att = std::move(att), account = c.account.id, now](writer& w, effects& fx) -> outcome {
        if (auto r = replay(w, att)) return *r;
        if (auto f = require_open_case(w, att.header.case_id)) return *f;
        auto k = w.key(att.key_statement_id);
        if (!k || k->case_id != att.header.case_id || k->identity != att.subject ||
            k->case_key != att.subject_case_key) {
          return invalid("attestation_mismatch", "The attestation does not name a key statement of this case.");
        }
        auto subject = w.account_by_identity(att.subject);
        auto p = subject ? w.participant(att.header.case_id, subject->id) : std::nullopt;
        if (!p || p->state != proto::participant_state::active || p->role != att.subject_role) {
          return invalid("attestation_mismatch", "The attested participant is not active here in that role.");
        }
        w.insert_attestation({att.header.statement_id, att.header.case_id, att.subject, att.key_statement_id,
                              att.header.signer, proto::to_json(att)},
                             subject->id, account);
        audit(w, fx, att, audit_event::attested, att.key_statement_id, now);
        // Everyone in the case learns that someone is confirmed in it (a
        // newcomer, or new keys): their clients show who takes part now, by
        // this signed statement, before the newcomer can read anything.
        notify(w, fx,
               accounts_in(w, att.header.case_id,
                           {proto::role::facilitator, proto::role::harmed, proto::role::responsible,
                            proto::role::harmed_support, proto::role::responsible_support},
                           account),
               att.header.case_id, "attested", std::nullopt, now);
        answer a;
        a["attestation"] = b64(att.header.statement_id);
        remember(w, att, a);
        return a;
      },
      std::move(done));
}

void relay_service::close_case(const caller& c, proto::close s, bool open_checkins_too, completion done) {
  if (auto f = precheck(s, c)) return done(*f);
  const std::uint64_t now = now_();
  write(
      [s = std::move(s), open_checkins_too, now](writer& w, effects& fx) -> outcome {
        if (auto r = replay(w, s)) return *r;
        if (auto f = require_open_case(w, s.header.case_id)) return *f;
        // A check-in still to come, or not answered yet, keeps the case open
        // unless the facilitator says to close it anyway (SPEC 5.19).
        if (!open_checkins_too && open_checkins(w, s.header.case_id) > 0) {
          return conflict("checkins_open",
                          "A check-in of this case is still open. Close it anyway only if you mean to.");
        }
        w.close_case(s.header.case_id, proto::to_json(s), now);
        audit(w, fx, s, audit_event::closed, s.header.case_id, now);
        const auto everyone = accounts_in(w, s.header.case_id,
                                          {proto::role::facilitator, proto::role::harmed, proto::role::responsible,
                                           proto::role::harmed_support, proto::role::responsible_support});
        notify(w, fx, everyone, s.header.case_id, "closed", std::nullopt, now);
        answer a;
        a["case"] = b64(s.header.case_id);
        a["state"] = "closed";
        remember(w, s, a);
        return a;
      },
      std::move(done), write_class::essential);
}

void relay_service::withdraw(const caller& c, proto::withdraw wd, completion done) {
  if (auto f = precheck(wd, c)) return done(*f);
  const std::uint64_t now = now_();
  write(
      [wd = std::move(wd), account = c.account.id, identity = c.account.identity, now](writer& w,
                                                                                         effects& fx) -> outcome {
        if (auto r = replay(w, wd)) return *r;
        const proto::id case_id = wd.header.case_id;
        auto p = active(w, case_id, account);
        if (!p) return not_found("No such case.");
        const proto::hash statement = proto::statement_hash(wd);
        std::uint64_t revoked = 0;
        for (const auto& m : w.messages(case_id)) {
          if (m.sender_account != account || m.state == message_state::revoked) continue;
          if (was_released(m) && !wd.revoke_released) continue;
          revoke_one(w, fx, m, identity, statement, now);
          ++revoked;
        }
        w.set_participant_state(case_id, account, proto::participant_state::withdrawn, now);
        audit(w, fx, wd, audit_event::withdrawn, wd.header.statement_id, now);
        // Facilitators are alerted; the other parties see the channel close.
        notify(w, fx,
               accounts_in(w, case_id,
                           {role::facilitator, role::harmed, role::responsible, role::harmed_support,
                            role::responsible_support}),
               case_id, "withdrawn", std::nullopt, now);
        w.delete_sessions_of(account);
        fx.ended_accounts.push_back(account);
        answer a;
        a["case"] = b64(case_id);
        a["participant_state"] = "withdrawn";
        a["revoked"] = revoked;
        remember(w, wd, a);
        return a;
      },
      std::move(done), write_class::essential);
}

}  // namespace shuttle::relay

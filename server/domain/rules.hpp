// What every write of the relay service shares (domain/ only): calm
// failures, replay of an exact resubmit, checks before the writer, the audit
// chain, and events for the people concerned.
#pragma once

#include "proto/audit.hpp"
#include "proto/base64.hpp"
#include "proto/codec.hpp"
#include "server/domain/outcome.hpp"
#include "server/domain/quiet_hours.hpp"
#include "server/domain/relay_service.hpp"
#include "server/store/repository.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <optional>
#include <string>
#include <vector>

namespace shuttle::relay::rules {

inline failure invalid(std::string code, std::string message) {
  return {failure_kind::invalid, std::move(code), std::move(message)};
}
inline failure forbidden(std::string code, std::string message) {
  return {failure_kind::forbidden, std::move(code), std::move(message)};
}
inline failure conflict(std::string code, std::string message) {
  return {failure_kind::conflict, std::move(code), std::move(message)};
}
inline failure gone(std::string code, std::string message) {
  return {failure_kind::gone, std::move(code), std::move(message)};
}
inline failure case_closed() { return conflict("case_closed", "This case is closed."); }
inline failure no_message() { return not_found("No such message."); }

template <std::size_t N>
boost::json::value b64(const fixed<N>& v) {
  return boost::json::value(proto::base64url_encode(v));
}

inline boost::json::value stored(const std::string& statement_text) { return boost::json::parse(statement_text); }

// An exact resubmit of a statement answers what it answered the first time;
// a different statement under a used id is a conflict.
//
// Here and below, `statement` is proto::statement_hash(s): the busiest
// routes hash on their request thread and hand it over, so the writer
// thread, which every write waits for, does not serialise and hash again.
template <class S>
outcome replayed(const statement_record& existing, const proto::hash& statement) {
  if (existing.type == S::type && existing.hash == statement) {
    return outcome(boost::json::parse(existing.answer).as_object());
  }
  return outcome(conflict("id_in_use", "Another statement already uses this id."));
}

template <class S>
std::optional<outcome> replay(reader& r, const S& s, const proto::hash& statement) {
  auto existing = r.statement(s.header.statement_id);
  if (!existing) return std::nullopt;
  return replayed<S>(*existing, statement);
}

// The same, hashing only when the id was used before.
template <class S>
std::optional<outcome> replay(reader& r, const S& s) {
  auto existing = r.statement(s.header.statement_id);
  if (!existing) return std::nullopt;
  return replayed<S>(*existing, proto::statement_hash(s));
}

template <class S>
void remember(writer& w, const S& s, const answer& a, const proto::hash& statement) {
  w.insert_statement({s.header.statement_id, std::string(S::type), statement, boost::json::serialize(a)},
                     s.header.case_id);
}

template <class S>
void remember(writer& w, const S& s, const answer& a) {
  remember(w, s, a, proto::statement_hash(s));
}

// Checks done before a statement reaches the writer: it verifies, it is the
// caller's own, and it belongs to the case of the route.
template <class S>
std::optional<failure> precheck(const S& s, const caller& c) {
  if (auto ok = proto::verify_signature(s); !ok) return failure::from(ok.error());
  if (s.header.signer != c.account.identity) {
    return forbidden("signer_mismatch", "A statement must be signed by the account that sends it.");
  }
  if (c.participant && s.header.case_id != c.participant->case_id) {
    return invalid("wrong_case", "The statement belongs to another case.");
  }
  return std::nullopt;
}

inline std::optional<failure> require_open_case(reader& r, const proto::id& case_id);

}  // namespace shuttle::relay::rules

namespace shuttle::relay {

template <class S, class Body>
void relay_service::case_statement(const caller& c, S s, completion done, Body body) {
  if (auto f = rules::precheck(s, c)) return done(*f);
  const std::uint64_t now = now_();
  std::string statement_json = proto::to_json(s);
  write(
      [s = std::move(s), statement_json = std::move(statement_json), now, body = std::move(body)](writer& w,
                                                                                                  effects& fx) -> outcome {
        if (auto r = rules::replay(w, s)) return *r;
        if (auto f = rules::require_open_case(w, s.header.case_id)) return *f;
        outcome o = body(w, fx, s, statement_json, now);
        if (o) rules::remember(w, s, *o);
        return o;
      },
      std::move(done));
}

}  // namespace shuttle::relay

namespace shuttle::relay::rules {

inline std::optional<failure> require_open_case(reader& r, const proto::id& case_id) {
  auto c = r.case_by_id(case_id);
  if (!c) return not_found("No such case.");
  if (c->state != proto::case_state::open) return case_closed();
  return std::nullopt;
}

// The active participant behind an account among a case's participants
// (already read inside the transaction), or null.
inline const participant_record* active(const std::vector<participant_record>& people, const proto::id& account) {
  for (const auto& p : people) {
    if (p.account == account && p.state == proto::participant_state::active) return &p;
  }
  return nullptr;
}

// The active participant with this identity key among a case's participants, or null.
inline const participant_record* active_identity(const std::vector<participant_record>& people,
                                                 const proto::public_key& identity) {
  for (const auto& p : people) {
    if (p.identity == identity && p.state == proto::participant_state::active) return &p;
  }
  return nullptr;
}

// The active participant behind an account in a case, re-read inside the
// transaction so a withdrawal a moment ago counts.
inline std::optional<participant_record> active(reader& r, const proto::id& case_id, const proto::id& account) {
  auto p = r.participant(case_id, account);
  if (!p || p->state != proto::participant_state::active) return std::nullopt;
  return p;
}

// Appends an entry to a case's audit chain, in the writer's transaction.
inline void audit(writer& w, effects& fx, const proto::id& case_id, proto::audit_event event,
                  const proto::public_key& actor, const proto::id& subject, const proto::hash& statement,
                  std::uint64_t now) {
  proto::audit_entry e;
  const auto head = w.audit_head(case_id);
  e.seq = head ? head->seq + 1 : 1;
  e.prev = head ? head->entry_hash : proto::hash{};
  e.at = now;
  e.case_id = case_id;
  e.event = event;
  e.actor = actor;
  e.subject = subject;
  e.statement = statement;
  e.entry_hash = proto::audit_entry_hash(e);
  w.insert_audit(e);
  fx.audited_cases.insert(case_id);
}

template <class S>
void audit(writer& w, effects& fx, const S& s, proto::audit_event event, const proto::id& subject, std::uint64_t now,
           const proto::hash& statement) {
  audit(w, fx, s.header.case_id, event, s.header.signer, subject, statement, now);
}

template <class S>
void audit(writer& w, effects& fx, const S& s, proto::audit_event event, const proto::id& subject, std::uint64_t now) {
  audit(w, fx, s, event, subject, now, proto::statement_hash(s));
}

// Records an event for each account and queues it for live subscribers.
inline void notify(writer& w, effects& fx, const std::vector<proto::id>& accounts, const proto::id& case_id,
                   std::string_view event, const std::optional<proto::id>& message, std::uint64_t now) {
  for (const auto& account : accounts) {
    event_record e{0, account, case_id, std::string(event), message, now};
    e.seq = w.insert_event(e);
    fx.events.push_back(std::move(e));
  }
}

// Accounts of the active participants of a case with one of these roles.
inline std::vector<proto::id> accounts_in(const std::vector<participant_record>& people,
                                          std::initializer_list<proto::role> roles,
                                          const std::optional<proto::id>& except = std::nullopt) {
  std::vector<proto::id> out;
  for (const auto& p : people) {
    if (p.state != proto::participant_state::active || (except && p.account == *except)) continue;
    for (auto role : roles) {
      if (p.role == role) out.push_back(p.account);
    }
  }
  return out;
}

inline std::vector<proto::id> accounts_in(reader& r, const proto::id& case_id, std::initializer_list<proto::role> roles,
                                          const std::optional<proto::id>& except = std::nullopt) {
  return accounts_in(r.participants(case_id), roles, except);
}

inline std::vector<proto::id> facilitators_of(reader& r, const proto::id& case_id) {
  return accounts_in(r, case_id, {proto::role::facilitator});
}

// Everyone in a case but the one who acted: a stage, a pause or a signature
// concerns them all, and the one who acted has its answer already.
inline std::vector<proto::id> everyone_else_in(reader& r, const proto::id& case_id, const proto::id& actor) {
  using proto::role;
  return accounts_in(r, case_id,
                     {role::facilitator, role::harmed, role::responsible, role::harmed_support, role::responsible_support},
                     actor);
}

inline boost::json::object quiet_hours_json(const quiet_hours& q) {
  boost::json::object o;
  o["time_zone"] = q.time_zone;
  o["start"] = clock_text(q.start_minute);
  o["end"] = clock_text(q.end_minute);
  return o;
}

}  // namespace shuttle::relay::rules

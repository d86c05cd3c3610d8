#include "server/domain/relay_service.hpp"

#include "proto/base64.hpp"
#include "proto/codec.hpp"
#include "proto/fingerprint.hpp"
#include "server/domain/rules.hpp"
#include "server/limits.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <future>

namespace shuttle::relay {

namespace json = boost::json;

namespace {

using namespace rules;
using proto::audit_event;

constexpr std::uint64_t max_invitation_lifetime_seconds = 30 * 24 * 3600;

failure login_failed() {
  return {failure_kind::unauthorized, "login_failed", "The login did not succeed. Please try again."};
}

// Stores a participant's key statement and remembers its answer.
answer store_key(writer& w, effects& fx, const proto::key_statement& k, const proto::id& account, std::uint64_t now) {
  w.insert_key({k.header.statement_id, k.header.case_id, k.header.signer, k.case_key, proto::to_json(k),
                k.header.created_at},
               account);
  audit(w, fx, k, audit_event::key_published, k.header.statement_id, now);
  answer a;
  a["key_statement"] = b64(k.header.statement_id);
  remember(w, k, a);
  return a;
}

}  // namespace

relay_service::relay_service(storage& store, const relay_identity& relay, event_hub& hub, clock now,
                             service_options options)
    : store_(store),
      relay_(relay),
      hub_(hub),
      now_(std::move(now)),
      options_(options),
      challenges_(static_cast<std::uint64_t>(login_challenge_lifetime.count()),
                  relay.derived_key("shuttle/v1/relay-secret/login-challenges")),
      tickets_(relay.derived_key("shuttle/v1/relay-secret/event-tickets")) {}

void relay_service::follow_changes() {
  store_.watch_changes([this](const change& c) {
    if (c.event) hub_.publish({*c.event});
    if (c.ended_account) hub_.end_account(*c.ended_account);
    if (c.ended_session) hub_.end_session(*c.ended_session);
    if (c.catch_up) hub_.catch_up_all();
  });
}

failure failure_of(write_problem p) {
  switch (p) {
    case write_problem::busy:
      return {failure_kind::unavailable, "unavailable", "The relay is busy or shutting down; please try again.", 0};
    case write_problem::full:
      return {failure_kind::unavailable, "storage_full",
              "The relay's storage is full, so it cannot take this now. Nothing you sent before is lost. "
              "Please try again later.",
              60};
    case write_problem::failing:
      return {failure_kind::unavailable, "storage_unavailable",
              "The relay cannot write to its storage right now. Nothing you sent before is lost. "
              "Please try again in a little while.",
              30};
    case write_problem::none:
    case write_problem::internal: break;
  }
  return {failure_kind::internal, "internal", "Something went wrong on the relay.", 0};
}

void relay_service::write(job j, completion done, write_class c) {
  auto fx = std::make_shared<effects>();
  // The job's answer, kept for the completion: the store only learns the verdict.
  auto result = std::make_shared<std::optional<outcome>>();
  store_.submit([j = std::move(j), fx, result](writer& w) {
                  // A shared store may run a job again after a conflict: from scratch.
                  *fx = effects{};
                  *result = j(w, *fx);
                  return (*result)->has_value() ? verdict::keep : verdict::undo;
                },
                [this, fx, result, done = std::move(done)](write_problem problem) {
                  if (problem != write_problem::none || !*result) return done(failure_of(problem));
                  outcome o = std::move(**result);
                  if (o) {
                    // A shared store's feed brings these to every relay, this one too.
                    if (!store_.shares_changes()) {
                      hub_.publish(fx->events);
                      for (const auto& a : fx->ended_accounts) hub_.end_account(a);
                      for (const auto& s : fx->ended_sessions) hub_.end_session(s);
                    }
                    if (!fx->audited_cases.empty()) {
                      std::lock_guard lock(dirty_mutex_);
                      dirty_chains_.insert(fx->audited_cases.begin(), fx->audited_cases.end());
                    }
                  }
                  done(std::move(o));
                },
                c);
}

// ------------------------------------------------------------------ enrolment

outcome relay_service::open_invitation(const proto::id& invitation, const proto::invitation_secret& secret) {
  const std::uint64_t now = now_();
  return store_.read([&](reader& r) -> outcome {
    auto inv = r.invitation(invitation);
    if (!inv || !equal_ct(inv->secret_hash, proto::invitation_secret_hash(secret))) {
      return not_found("This invitation is not known. Please check the code with your facilitator.");
    }
    if (inv->used_at) return gone("invitation_used", "This invitation has already been used.");
    if (inv->expires_at <= now) return gone("invitation_expired", "This invitation has expired. Please ask for a new one.");
    answer a;
    a["invitation"] = stored(inv->statement);
    if (inv->case_id != proto::null_case) {
      if (auto c = r.case_by_id(inv->case_id)) a["case_open"] = stored(c->open_statement);
    }
    return a;
  });
}

void relay_service::enrol(proto::enrolment e, proto::invitation_secret secret, std::optional<proto::key_statement> keys,
                          completion done) {
  if (auto ok = proto::verify_signature(e); !ok) return done(failure::from(ok.error()));
  if (keys) {
    if (auto ok = proto::verify_signature(*keys); !ok) return done(failure::from(ok.error()));
    if (keys->header.signer != e.header.signer || keys->header.case_id != e.header.case_id ||
        e.header.case_id == proto::null_case) {
      return done(invalid("keys_mismatch", "The case key must be the enrolling participant's own, for this case."));
    }
  }
  const std::uint64_t now = now_();
  const proto::hash secret_hash = proto::invitation_secret_hash(secret);
  write(
      [e = std::move(e), keys = std::move(keys), secret_hash, now](writer& w, effects& fx) -> outcome {
        if (auto r = replay(w, e)) return *r;
        auto inv = w.invitation(e.invitation_id);
        if (!inv || !equal_ct(inv->secret_hash, secret_hash)) {
          return not_found("This invitation is not known. Please check the code with your facilitator.");
        }
        if (inv->used_at) return gone("invitation_used", "This invitation has already been used.");
        if (inv->expires_at <= now) return gone("invitation_expired", "This invitation has expired. Please ask for a new one.");
        if (inv->role != e.role || inv->case_id != e.header.case_id) {
          return invalid("invitation_mismatch", "The enrolment does not match its invitation.");
        }
        const bool account_level = inv->case_id == proto::null_case;
        if (!account_level) {
          if (auto f = require_open_case(w, inv->case_id)) return *f;
        }
        auto account = w.account_by_identity(e.header.signer);
        if (account_level) {
          if (account) return conflict("already_enrolled", "This key already has an account.");
        } else if (e.role == proto::role::facilitator && (!account || !account->facilitator)) {
          return forbidden("not_a_facilitator", "Only a facilitator account can join a case as a facilitator.");
        }
        if (!account) {
          account = account_record{proto::random_id(), e.header.signer, account_level, now,
                                   e.name ? std::optional<std::string>(e.name->text) : std::nullopt};
          w.insert_account(*account);
        }
        if (!account_level) {
          if (w.participant(inv->case_id, account->id)) {
            return conflict("already_enrolled", "You already take part in this case.");
          }
          w.insert_participant({inv->case_id, account->id, e.header.signer, e.role, proto::participant_state::active,
                                proto::to_json(e), now, std::nullopt});
        }
        w.mark_invitation_used(inv->id, now);
        audit(w, fx, e, audit_event::enrolled, inv->id, now);
        if (!account_level) {
          notify(w, fx, facilitators_of(w, inv->case_id), inv->case_id, "enrolled", std::nullopt, now);
        }
        answer a;
        a["account"] = b64(account->id);
        a["case"] = b64(e.header.case_id);
        a["role"] = proto::to_string(e.role);
        if (keys) {
          if (w.statement(keys->header.statement_id)) return conflict("id_in_use", "Another statement already uses this id.");
          a["key_statement"] = store_key(w, fx, *keys, account->id, now)["key_statement"];
        }
        remember(w, e, a);
        return a;
      },
      std::move(done));
}

// ------------------------------------------------------------------ login

outcome relay_service::login_challenge(const proto::public_key& identity) {
  std::uint64_t expires_at = 0;
  const auto ch = challenges_.issue(identity, now_(), expires_at);
  answer a;
  a["challenge"] = b64(ch);
  a["expires_at"] = expires_at;
  a["relay_key"] = b64(relay_.public_key());
  return a;
}

void relay_service::login(const proto::public_key& identity, const proto::login_challenge& challenge,
                          const proto::signature& sig, completion done) {
  const std::uint64_t now = now_();
  if (!challenges_.genuine(challenge, identity, now)) return done(login_failed());
  if (!proto::verify_login(challenge, identity, relay_.public_key(), sig)) return done(login_failed());
  const std::uint64_t challenge_expires_at = login_challenges::expiry(challenge);

  fixed<32> token{};
  randombytes_buf(token.data(), token.size());
  const proto::hash token_hash = proto::blake2b_256(token);
  const std::string token_text = proto::base64url_encode(token);
  sodium_memzero(token.data(), token.size());
  write(
      [identity, challenge, challenge_expires_at, token_hash, token_text, now, options = options_](writer& w,
                                                                                                effects&) -> outcome {
        auto account = w.account_by_identity(identity);
        if (!account) return login_failed();
        // Used once, whichever relay the login reaches.
        if (!w.use_login_challenge(challenge, challenge_expires_at, now)) return login_failed();
        w.delete_expired_sessions(now, options.session_idle_seconds);
        const std::uint64_t expires_at = now + options.session_lifetime_seconds;
        w.insert_session({token_hash, account->id, now, now, expires_at});
        answer a;
        a["token"] = token_text;
        a["expires_at"] = expires_at;
        a["account"] = b64(account->id);
        a["facilitator"] = account->facilitator;
        return a;
      },
      std::move(done), write_class::essential);
}

std::optional<participant_record> relay_service::participation(const proto::id& case_id, const proto::id& account) {
  return store_.read([&](reader& r) { return r.participant(case_id, account); });
}

std::optional<caller> relay_service::authenticate(std::string_view token) {
  auto raw = proto::base64url_decode(token);
  if (!raw || raw->size() != 32) return std::nullopt;
  const proto::hash token_hash = proto::blake2b_256(*raw);
  const std::uint64_t now = now_();
  const std::uint64_t idle = options_.session_idle_seconds;
  auto found = store_.read([&](reader& r) -> std::optional<caller> {
    auto s = r.session(token_hash);
    if (!s || s->expires_at <= now || s->last_used_at + idle <= now) return std::nullopt;
    auto account = r.account_by_id(s->account);
    if (!account) return std::nullopt;
    if (now >= s->last_used_at + std::min<std::uint64_t>(60, idle / 4)) {
      store_.submit(
          [token_hash, now](writer& w) {
            w.touch_session(token_hash, now);
            return verdict::keep;
          },
          [](write_problem) {}, write_class::essential);
    }
    return caller{*account, token_hash, std::nullopt};
  });
  return found;
}

outcome relay_service::event_ticket(const caller& c) {
  const std::uint64_t now = now_();
  answer a;
  a["ticket"] = tickets_.issue(c.token_hash, now);
  a["expires_at"] = now + event_tickets::lifetime_seconds;
  return a;
}

std::optional<caller> relay_service::redeem_event_ticket(std::string_view ticket) {
  const std::uint64_t now = now_();
  auto token_hash = tickets_.redeem(ticket, now);
  if (!token_hash) return std::nullopt;
  return store_.read([&](reader& r) -> std::optional<caller> {
    auto s = r.session(*token_hash);
    if (!s || s->expires_at <= now || s->last_used_at + options_.session_idle_seconds <= now) return std::nullopt;
    auto account = r.account_by_id(s->account);
    if (!account) return std::nullopt;
    return caller{*account, *token_hash, std::nullopt};
  });
}

void relay_service::logout(const caller& c, completion done) {
  write(
      [h = c.token_hash](writer& w, effects& fx) -> outcome {
        w.delete_session(h);
        fx.ended_sessions.push_back(h);
        return answer{};
      },
      std::move(done), write_class::essential);
}

// ------------------------------------------------------------------ accounts and cases

outcome relay_service::me(const caller& c) {
  answer a;
  a["account"] = b64(c.account.id);
  a["identity"] = b64(c.account.identity);
  a["facilitator"] = c.account.facilitator;
  a["relay_key"] = b64(relay_.public_key());
  return a;
}

outcome relay_service::my_cases(const caller& c) {
  return store_.read([&](reader& r) -> outcome {
    json::array list;
    for (const auto& [cs, p] : r.cases_of(c.account.id)) {
      json::object o;
      o["case"] = b64(cs.id);
      o["state"] = proto::to_string(cs.state);
      o["approvals_required"] = cs.approvals_required;
      o["role"] = proto::to_string(p.role);
      o["participant_state"] = proto::to_string(p.state);
      if (p.role == proto::role::facilitator) {
        if (auto box = r.label(cs.id, c.account.identity)) o["label"] = proto::base64url_encode(*box);
      }
      list.push_back(std::move(o));
    }
    answer a;
    a["cases"] = std::move(list);
    return a;
  });
}

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
        w.insert_case({open.header.case_id, proto::case_state::open, open.approvals_required, proto::to_json(open),
                       std::nullopt, now, std::nullopt},
                      account.id);
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
    json::array people;
    for (const auto& p : r.participants(case_id)) {
      json::object o;
      o["identity"] = b64(p.identity);
      o["role"] = proto::to_string(p.role);
      o["state"] = proto::to_string(p.state);
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
        answer a;
        a["attestation"] = b64(att.header.statement_id);
        remember(w, att, a);
        return a;
      },
      std::move(done));
}

void relay_service::close_case(const caller& c, proto::close s, completion done) {
  if (auto f = precheck(s, c)) return done(*f);
  const std::uint64_t now = now_();
  write(
      [s = std::move(s), now](writer& w, effects& fx) -> outcome {
        if (auto r = replay(w, s)) return *r;
        if (auto f = require_open_case(w, s.header.case_id)) return *f;
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

// ------------------------------------------------------------------ the operator

result<std::string> relay_service::invite_facilitator(const std::string& relay, const std::optional<proto::hash>& pin,
                                                       std::uint64_t lifetime_seconds) {
  const std::uint64_t now = now_();
  proto::invitation_code code;
  code.invitation_id = proto::random_id();
  code.case_id = proto::null_case;
  code.role = proto::role::facilitator;
  randombytes_buf(code.secret.data(), code.secret.size());
  code.inviter_fingerprint = proto::fingerprint(relay_.public_key());
  code.relay = relay;
  code.relay_certificate_sha256 = pin;

  proto::invitation inv;
  inv.header = {code.invitation_id, proto::null_case, relay_.public_key(), now};
  inv.role = proto::role::facilitator;
  inv.secret_hash = proto::invitation_secret_hash(code.secret);
  inv.expires_at = now + lifetime_seconds;
  if (auto ok = proto::validate(inv); !ok) return ok.error();
  inv.sig = relay_.sign(proto::signing_transcript(inv));

  std::promise<outcome> written;
  write(
      [inv, now](writer& w, effects& fx) -> outcome {
        w.insert_invitation({inv.header.statement_id, proto::null_case, inv.role, inv.secret_hash, inv.expires_at,
                             inv.header.signer, proto::to_json(inv), std::nullopt});
        audit(w, fx, proto::null_case, audit_event::invited, proto::public_key{}, inv.header.statement_id,
              proto::statement_hash(inv), now);
        return answer{};
      },
      [&written](outcome o) { written.set_value(std::move(o)); });
  auto o = written.get_future().get();
  if (!o) return make_error(errc::invalid_argument, o.error().message);
  return proto::encode(code);
}

}  // namespace shuttle::relay

// Accounts: enrolment with an invitation, login, sessions, a browser's event
// tickets, what an account sees of itself, and the operator's facilitator
// invitations. Every statement is verified with proto before it reaches
// storage; every write re-checks its rules inside its transaction.
#include "server/domain/people.hpp"

#include "proto/base64.hpp"
#include "proto/fingerprint.hpp"
#include "server/limits.hpp"

#include <boost/json/serialize.hpp>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <future>

namespace shuttle::relay {

namespace json = boost::json;
using namespace people;

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
    if (!options_.name.empty()) a["service"] = options_.name;
    // What a party or supporter reads and agrees to before enrolling.
    if (inv->role != proto::role::facilitator && !options_.consent_texts.empty()) a["consent"] = consent_texts()->at("consent");
    if (inv->case_id != proto::null_case) {
      if (auto c = r.case_by_id(inv->case_id)) a["case_open"] = stored(c->open_statement);
    }
    return a;
  });
}

outcome relay_service::consent_texts() const {
  json::array texts;
  for (const auto& t : options_.consent_texts) {
    texts.push_back(json::object{{"language", t.language}, {"text", t.text}, {"text_hash", b64(t.hash)}});
  }
  answer a;
  a["consent"] = std::move(texts);
  return a;
}

void relay_service::enrol(proto::enrolment e, proto::invitation_secret secret, std::optional<proto::key_statement> keys,
                          std::optional<proto::consent> consent, completion done) {
  if (auto ok = proto::verify_signature(e); !ok) return done(failure::from(ok.error()));
  // A party or supporter agrees to the service's current consent text; a
  // facilitator's consent is the service's own business, not Shuttle's.
  const bool asks_consent = e.role != proto::role::facilitator && !options_.consent_texts.empty();
  if (consent) {
    if (auto ok = proto::verify_signature(*consent); !ok) return done(failure::from(ok.error()));
    if (consent->header.signer != e.header.signer || consent->header.case_id != e.header.case_id) {
      return done(invalid("wrong_case", "The consent must be the enrolling participant's own, for this case."));
    }
    if (!asks_consent) return done(invalid("bad_value", "This service asks for no consent at enrolment."));
    if (auto f = current_consent(*consent)) return done(*f);
  } else if (asks_consent) {
    return done(invalid("consent_required", "Please read the service's consent text and agree to it first."));
  }
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
      [e = std::move(e), keys = std::move(keys), consent = std::move(consent), secret_hash, now](writer& w,
                                                                                                  effects& fx) -> outcome {
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
        if (consent) {
          w.set_consent({e.header.case_id, account->id, consent->text_hash, proto::to_json(*consent), now});
          audit(w, fx, *consent, audit_event::consented, e.header.case_id, now);
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
  if (!options_.name.empty()) a["service"] = options_.name;
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
      o["stage"] = proto::to_string(cs.stage);
      o["paused"] = cs.paused;
      if (p.role == proto::role::facilitator) {
        if (auto box = r.label(cs.id, c.account.identity)) o["label"] = proto::base64url_encode(*box);
        // What asks for a facilitator outside the review queue: who left, and
        // letters their reader declined that no facilitator has passed on yet.
        json::array left, to_pass_on;
        for (const auto& q : r.participants(cs.id)) {
          if (q.state == proto::participant_state::withdrawn) left.push_back(json::string(proto::to_string(q.role)));
        }
        if (cs.state == proto::case_state::open) {
          for (const auto& m : r.messages(cs.id)) {
            if (m.state == proto::message_state::declined && !m.decline_told_at) to_pass_on.push_back(b64(m.id));
          }
        }
        o["withdrawn"] = std::move(left);
        o["declined_untold"] = std::move(to_pass_on);
      }
      list.push_back(std::move(o));
    }
    answer a;
    a["cases"] = std::move(list);
    return a;
  });
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

// Letters as their writers and readers act on them: submission into the
// review queue, listing and fetching (a recipient's first fetch records
// delivery), revocation, receipts and declining. proto/SPEC.md "Lifecycles"
// and "HTTP API" describe every rule checked here; each is re-checked inside
// the writer's transaction, so concurrent requests cannot race past one.
#include "server/domain/letters.hpp"

#include <spdlog/spdlog.h>

namespace shuttle::relay {

using namespace letters;

// ------------------------------------------------------------------ submit

void relay_service::submit_message(const caller& c, proto::envelope e, bytes ciphertext,
                                   std::optional<proto::revision> revision, std::optional<proto::checkin> checkin,
                                   completion done) {
  if (auto f = precheck(e, c)) return done(*f);
  // A check-in comes with its schedule, and nothing else does (SPEC 5.19).
  if (checkin.has_value() != (e.kind == proto::message_kind::checkin)) {
    return done(invalid("bad_checkin", "A check-in is sent with the checkin statement that schedules it, and only a check-in."));
  }
  if (checkin) {
    if (auto f = precheck(*checkin, c)) return done(*f);
    if (checkin->message_id != e.header.statement_id) {
      return done(invalid("bad_checkin", "The checkin statement belongs to another message."));
    }
  }
  // The link to a returned letter stays between its writer, the facilitators
  // and the relay: never in the envelope a recipient verifies (SPEC 5.13).
  if (e.supersedes) {
    return done(invalid("bad_supersedes",
                        "A revision names the letter it revises in a revision statement beside the envelope."));
  }
  if (revision) {
    if (auto f = precheck(*revision, c)) return done(*f);
    if (revision->message_id != e.header.statement_id || revision->header.case_id != e.header.case_id) {
      return done(invalid("bad_supersedes", "The revision statement belongs to another message."));
    }
  }
  if (ciphertext.size() != e.ciphertext_size || proto::blake2b_256(ciphertext) != e.ciphertext_hash) {
    return done(invalid("ciphertext_mismatch", "The ciphertext does not match the envelope's size and hash."));
  }
  if (ciphertext.size() > max_message_ciphertext_bytes) {
    return done(failure{failure_kind::too_large, "too_large", "This letter is larger than the relay accepts (16 MiB)."});
  }
  const std::uint64_t now = now_();
  // Made here, not on the writer thread.
  std::string envelope_json = proto::to_json(e);
  const proto::hash statement = proto::statement_hash(e);
  write(
      [e = std::move(e), envelope_json = std::move(envelope_json), statement, ciphertext = std::move(ciphertext),
       supersedes = revision ? std::optional<proto::id>(revision->supersedes) : std::nullopt, account = c.account.id,
       checkin = std::move(checkin), now](writer& w, effects& fx) -> outcome {
        if (auto r = replay(w, e, statement)) return *r;
        const proto::id case_id = e.header.case_id;
        if (auto f = require_open_case(w, case_id)) return *f;
        const auto people = w.participants(case_id);
        const participant_record* sender = active(people, account);
        if (!sender) return not_found("No such case.");
        if (w.message(e.header.statement_id)) return conflict("id_in_use", "Another message already uses this id.");
        const bool note = e.kind == proto::message_kind::note;
        const bool agreement = e.kind == proto::message_kind::agreement;
        const bool checks_in = e.kind == proto::message_kind::checkin;
        const bool supporter = is_supporter(sender->role);
        // A facilitator's note to one party: no review, released as it is
        // written, wrapped for that party too (SPEC 5.6, 12 "Notes").
        // A facilitator's note to one party, or a check-in for it.
        const bool to_party = (note || checks_in) && e.to != role::facilitator;
        if (checks_in && sender->role != role::facilitator) {
          return forbidden("not_a_facilitator", "The facilitators schedule check-ins.");
        }
        if (to_party && sender->role != role::facilitator) {
          return invalid("wrong_recipient", "A party or supporter writes notes to the facilitators only.");
        }
        if (to_party) {
          if (auto f = channel_open(people, e.to, true)) return *f;
        }
        // An outcome agreement: a facilitator's, for both parties (SPEC 5.6, 6.6).
        if (agreement && sender->role != role::facilitator) {
          return forbidden("not_a_facilitator", "The facilitators write the agreement; a party asks them for changes.");
        }
        if (agreement && e.to != role::facilitator) {
          return invalid("wrong_recipient", "An agreement is addressed to the facilitators, for both parties.");
        }
        if (agreement) {
          for (const role party : {role::harmed, role::responsible}) {
            if (auto f = channel_open(people, party, true)) return *f;
          }
        }
        if (!note && !agreement && !checks_in && supporter) {
          return forbidden("not_a_party", "A supporter writes to the facilitators, not to the other party.");
        }
        if (!note && !agreement && !checks_in &&
            (e.to == sender->role || (e.to != role::harmed && e.to != role::responsible))) {
          return invalid("wrong_recipient", "A letter goes to the other party of the case.");
        }
        if (!note && !agreement && !checks_in) {
          if (auto f = channel_open(people, e.to, false)) return *f;
        }
        // Readers: exactly the sender, every active facilitator and, for a
        // party's letter, each active supporter its grant lets read.
        std::set<proto::public_key> expected{sender->identity}, readers;
        std::vector<proto::public_key> supporters;
        for (const auto& p : people) {
          if (p.state != proto::participant_state::active) continue;
          if (p.role == role::facilitator || (to_party && p.role == e.to) ||
              (agreement && (p.role == role::harmed || p.role == role::responsible))) {
            expected.insert(p.identity);
          }
        }
        if (!note && !agreement && !checks_in) {
          for (const auto& g : w.grants(case_id)) {
            const auto* s = g.reads && g.party_account == account ? active_identity(people, g.supporter) : nullptr;
            if (s && is_supporter(s->role)) {
              expected.insert(s->identity);
              supporters.push_back(s->identity);
            }
          }
        }
        for (const auto& wr : e.wraps) readers.insert(wr.reader);
        if (readers != expected || readers.size() != e.wraps.size()) {
          return invalid("wraps_mismatch",
                         "A message must be wrapped for its sender, every facilitator of the case and each supporter "
                         "the sender lets read (a facilitator's note to a party: that party too; an agreement: both "
                         "parties).");
        }
        if (supersedes) {
          auto old = w.message(*supersedes);
          if (!old || old->case_id != case_id || old->sender_account != account ||
              old->state != message_state::returned) {
            return invalid("bad_supersedes", "A revision must name a returned message of your own in this case.");
          }
        }
        if (e.answers) {
          // A reply answers a letter that was released to the one replying;
          // a note answers a check-in that reached its writer (SPEC 5.19).
          auto answered = w.message(*e.answers);
          if (!answered || answered->case_id != case_id || answered->to != sender->role || !answered->released_at ||
              answered->state == message_state::revoked ||
              (note != (answered->kind == proto::message_kind::checkin))) {
            return invalid("bad_answers", note ? "A note answers a check-in that reached you in this case."
                                               : "A reply must answer a letter you received in this case.");
          }
        }
        message_record m;
        m.id = e.header.statement_id;
        m.case_id = case_id;
        m.sender_account = account;
        m.sender = sender->identity;
        m.kind = e.kind;
        m.to = e.to;
        m.supersedes = supersedes;
        m.answers = e.answers;
        m.envelope = envelope_json;
        m.ciphertext_size = e.ciphertext_size;
        m.ciphertext_hash = e.ciphertext_hash;
        m.submitted_at = now;
        w.insert_message(m, ciphertext);
        if (!supporters.empty()) w.insert_supporter_readers(m.id, supporters);
        audit(w, fx, e, audit_event::submitted, m.id, now, statement);
        if (!agreement && !checks_in) {  // an agreement is released below, which tells everyone
          notify(w, fx, accounts_in(people, {role::facilitator}, account), case_id, note ? "note" : "queued", m.id, now);
        }
        if (checks_in) {
          // It waits for its time, released then like any scheduled letter
          // (quiet hours and a pause holding it).
          w.set_release_at(m.id, std::max(checkin->due_at, now));
          audit(w, fx, *checkin, audit_event::checkin_scheduled, m.id, now);
          m.release_at = std::max(checkin->due_at, now);
        } else if (to_party || agreement) {
          release(w, fx, m, sender->identity, now);
          m.state = message_state::released;
        }
        answer a;
        a["message"] = b64(m.id);
        a["state"] = proto::to_string(m.state);
        remember(w, e, a, statement);
        return a;
      },
      std::move(done));
}

// ------------------------------------------------------------------ reading

outcome relay_service::list_messages(const caller& c) {
  const std::uint64_t now = now_();
  return store_.read([&](reader& r) -> outcome {
    const auto required = approvals_required(r, c.participant->case_id);
    json::array list;
    for (const auto& m : r.messages(c.participant->case_id)) {
      const viewer v = view_of(r, m, *c.participant);
      if (v == viewer::none) continue;
      list.push_back(summary(m, v, required, now, v == viewer::facilitator ? r.reviews(m.id) : std::vector<review_record>{}));
    }
    answer a;
    a["messages"] = std::move(list);
    // After a restore from a backup: the letters a client sent after the
    // copy was taken are not here, and it says so to its person (SPEC 16.2).
    if (const auto restored = r.last_done("restore")) {
      json::object o{{"at", *restored}};
      if (const auto copy = r.last_done("restore_copy")) o["copy_taken_at"] = *copy;
      a["restored"] = std::move(o);
    }
    return a;
  });
}

void relay_service::fetch_message(const caller& c, const proto::id& message, completion done) {
  const std::uint64_t now = now_();
  bool first_delivery = false;
  outcome o = store_.read([&](reader& r) -> outcome {
    auto m = message_in_case(r, c, message);
    if (!m) return no_message();
    const viewer v = view_of(r, *m, *c.participant);
    // Two parties read one agreement: no delivery is recorded for it (SPEC 12).
    first_delivery = v == viewer::recipient && m->state == message_state::released &&
                     m->kind != proto::message_kind::agreement;
    return full(r, *m, v, now);
  });
  if (!o || !first_delivery) return done(std::move(o));
  // The recipient's first fetch: `delivered` is committed before the letter is handed over.
  write(
      [p = *c.participant, identity = c.account.identity, message, now](writer& w, effects& fx) -> outcome {
        auto m = w.message(message);
        if (!m || view_of(*m, p) != viewer::recipient) return no_message();
        if (m->state == message_state::released) {
          w.set_message_state(m->id, message_state::delivered, now);
          audit(w, fx, m->case_id, audit_event::delivered, identity, m->id, proto::hash{}, now);
          // For the facilitators only: the writer learns of a fetch nothing.
          notify(w, fx, facilitators_of(w, m->case_id), m->case_id, "delivered", m->id, now);
          m = w.message(message);
        }
        return full(w, *m, viewer::recipient, now);
      },
      std::move(done));
}

outcome relay_service::fetch_ciphertext(const caller& c, const proto::id& message, std::string& out) {
  return store_.read([&](reader& r) -> outcome {
    auto m = message_in_case(r, c, message);
    if (!m) return no_message();
    if (auto f = content_gone(*m, view_of(r, *m, *c.participant))) return *f;
    auto ciphertext = r.ciphertext(m->id);
    if (!ciphertext) return gone("purged", "This message's content is no longer on the relay.");
    out = std::move(*ciphertext);
    return answer{};
  });
}

// ------------------------------------------------------------------ the sender and the recipient

void relay_service::revoke(const caller& c, const proto::id& message, proto::revoke rv, completion done) {
  if (auto f = precheck(rv, c)) return done(*f);
  if (auto f = names_message(rv, message)) return done(*f);
  const std::uint64_t now = now_();
  write(
      [c, rv = std::move(rv), now](writer& w, effects& fx) -> outcome {
        if (auto r = replay(w, rv)) return *r;
        if (!active(w, rv.header.case_id, c.account.id)) return not_found("No such case.");
        auto m = message_in_case(w, c, rv.message_id);
        if (!m) return no_message();
        if (m->sender_account != c.account.id) {
          return forbidden("not_sender", "Only the sender of a message can take it back.");
        }
        if (m->state == message_state::revoked) return conflict("revoked", "This message was already taken back.");
        if (m->kind == proto::message_kind::agreement && w.agreement_bound(m->id)) {
          return conflict("agreement_bound", "Everyone has signed this agreement; it can no longer be taken back.");
        }
        const auto [released, opened] = revoke_one(w, fx, *m, c.account.identity, proto::statement_hash(rv), now);
        answer a;
        a["message"] = b64(m->id);
        a["state"] = "revoked";
        a["was_released"] = released;
        a["was_opened"] = opened;
        remember(w, rv, a);
        return a;
      },
      std::move(done), write_class::essential);
}

void relay_service::receipt(const caller& c, const proto::id& message, completion done) {
  const std::uint64_t now = now_();
  write(
      [c, message, now](writer& w, effects& fx) -> outcome {
        auto m = message_in_case(w, c, message);
        if (!m || view_of(*m, *c.participant) != viewer::recipient) return no_message();
        if (m->kind == proto::message_kind::agreement) {
          return conflict("not_available", "An agreement takes no read receipt; signing it says you read it.");
        }
        if (m->state == message_state::delivered) {
          w.set_message_state(m->id, message_state::opened, now);
          audit(w, fx, m->case_id, audit_event::opened, c.account.identity, m->id, proto::hash{}, now);
          notify(w, fx, concerned(w, *m, false), m->case_id, "opened", m->id, now);
        } else if (m->state != message_state::opened) {
          return conflict("not_delivered", "A read receipt is for a letter you have fetched and not declined.");
        }
        answer a;
        a["message"] = b64(m->id);
        a["state"] = "opened";
        return a;
      },
      std::move(done));
}

void relay_service::decline(const caller& c, const proto::id& message, completion done) {
  const std::uint64_t now = now_();
  write(
      [c, message, now](writer& w, effects& fx) -> outcome {
        auto m = message_in_case(w, c, message);
        if (!m || view_of(*m, *c.participant) != viewer::recipient) return no_message();
        if (m->kind != proto::message_kind::letter && m->kind != proto::message_kind::reply) {
          return conflict("not_available", "A facilitator's note, agreement or check-in is not declined; you can write to them.");
        }
        if (m->state == message_state::released || m->state == message_state::delivered) {
          w.set_message_state(m->id, message_state::declined, now);
          audit(w, fx, m->case_id, audit_event::declined, c.account.identity, m->id, proto::hash{}, now);
          // The facilitators carry the news to the writer, when and as they choose.
          notify(w, fx, facilitators_of(w, m->case_id), m->case_id, "declined", m->id, now);
        } else if (m->state != message_state::declined) {
          return conflict("not_available", "This letter can no longer be declined.");
        }
        answer a;
        a["message"] = b64(m->id);
        a["state"] = "declined";
        return a;
      },
      std::move(done), write_class::essential);
}

}  // namespace shuttle::relay

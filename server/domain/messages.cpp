// Messages: submission, the review queue, claims, approval and release,
// return, delivery the recipient pulls, receipts, declining, revocation,
// withdrawal, the audit export and the relay's maintenance (release times,
// checkpoints, purge). proto/SPEC.md "Lifecycles" and "HTTP API" describe
// every rule checked here; each is re-checked inside the writer's
// transaction, so concurrent requests cannot race past one.
#include "server/domain/quiet_hours.hpp"
#include "server/domain/relay_service.hpp"
#include "server/domain/rules.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <map>

namespace shuttle::relay {

namespace json = boost::json;
using namespace rules;
using proto::audit_event;
using proto::message_state;
using proto::role;

namespace {

// How the caller stands to a message; `none` sees nothing (404). A supporter
// stands where its party stands, for the messages wrapped for it while its
// party's grant holds (SPEC section 12, "Who reads what").
enum class viewer { none, facilitator, sender, recipient, sender_supporter, recipient_supporter };

viewer view_of(const message_record& m, const participant_record& p) {
  if (m.case_id != p.case_id) return viewer::none;
  if (p.role == role::facilitator) return viewer::facilitator;
  if (m.sender_account == p.account) return viewer::sender;
  if (m.kind != proto::message_kind::note && p.role == m.to && m.released_at) return viewer::recipient;
  return viewer::none;
}

bool is_supporter(role r) { return r == role::harmed_support || r == role::responsible_support; }
role party_of(role supporter) { return supporter == role::harmed_support ? role::harmed : role::responsible; }

// The parties whose grant to `supporter` holds now.
std::vector<grant_record> grants_to(reader& r, const participant_record& supporter) {
  std::vector<grant_record> out;
  if (!is_supporter(supporter.role) || supporter.state != proto::participant_state::active) return out;
  for (auto& g : r.grants(supporter.case_id)) {
    if (g.reads && g.supporter == supporter.identity) out.push_back(std::move(g));
  }
  return out;
}

viewer view_of(reader& r, const message_record& m, const participant_record& p) {
  if (const viewer v = view_of(m, p); v != viewer::none || !is_supporter(p.role)) return v;
  if (m.kind == proto::message_kind::note) return viewer::none;
  const auto grants = grants_to(r, p);
  if (grants.empty()) return viewer::none;
  const auto readers = r.supporter_readers(m.id);
  if (std::find(readers.begin(), readers.end(), p.identity) == readers.end()) return viewer::none;
  for (const auto& g : grants) {
    if (m.sender_account == g.party_account) return viewer::sender_supporter;
  }
  if (m.to == party_of(p.role) && m.released_at) return viewer::recipient_supporter;
  return viewer::none;
}

// Whom a viewer sees as: a supporter sees what its party sees.
viewer as_party(viewer v) {
  if (v == viewer::sender_supporter) return viewer::sender;
  if (v == viewer::recipient_supporter) return viewer::recipient;
  return v;
}

bool was_released(const message_record& m) { return m.released_at.has_value(); }

// The state each one may know (SPEC section 12, "What each one learns"). The
// recipient decides what the writer learns: a writer sees "released"
// (available to them) whether or not they fetched it, "opened" only from
// their read receipt, and "declined" only once a facilitator passed it on.
// Facilitators and the recipient see the state as it is.
std::string_view state_word(const message_record& m, viewer v) {
  v = as_party(v);
  if (v == viewer::sender) {
    if (m.state == message_state::delivered) return "released";
    if (m.state == message_state::declined && !m.decline_told_at) return "released";
  }
  return proto::to_string(m.state);
}

// The metadata of a message as `v` may see it. Never content. `reviews` are
// the message's (read by the caller, who needs them only for a facilitator).
json::object summary(const message_record& m, viewer v, std::uint64_t approvals_required, std::uint64_t now,
                     const std::vector<review_record>& reviews) {
  v = as_party(v);
  json::object o;
  o["message"] = b64(m.id);
  o["case"] = b64(m.case_id);
  o["kind"] = proto::to_string(m.kind);
  o["sender"] = b64(m.sender);
  o["to"] = proto::to_string(m.to);
  o["state"] = state_word(m, v);
  o["size"] = m.ciphertext_size;
  if (m.released_at) o["released_at"] = *m.released_at;
  if (m.answers) o["answers"] = b64(*m.answers);
  // A recipient does not learn that an earlier version was returned.
  if (v == viewer::recipient) return o;
  if (m.supersedes) o["supersedes"] = b64(*m.supersedes);
  o["submitted_at"] = m.submitted_at;
  if (m.release_at) o["release_at"] = *m.release_at;
  if (v == viewer::facilitator) {
    o["delivered"] = m.delivered_at.has_value();
    if (m.state == message_state::declined) o["decline_told"] = m.decline_told_at.has_value();
    std::uint64_t approvals = 0;
    for (const auto& rv : reviews) approvals += rv.approve ? 1 : 0;
    o["approvals"] = approvals;
    o["approvals_required"] = approvals_required;
    if (m.claimed_by && m.claim_expires_at && *m.claim_expires_at > now) {
      o["claimed_by"] = b64(*m.claimed_by);
      if (m.claimed_by_name) o["claimed_by_name"] = *m.claimed_by_name;
      o["claimed_until"] = *m.claim_expires_at;
    }
  }
  return o;
}

std::uint64_t approvals_required(reader& r, const proto::id& case_id) {
  auto c = r.case_by_id(case_id);
  return c ? c->approvals_required : 1;
}

// Why a message's content is no longer available to `v`, if it is not.
std::optional<failure> content_gone(const message_record& m, viewer v) {
  if (m.state == message_state::revoked) return gone("revoked", "The sender took this message back.");
  if (m.state == message_state::declined && as_party(v) == viewer::recipient) {
    return gone("declined", "You declined this letter; it is no longer available to you.");
  }
  if (m.purged || !m.envelope) {
    return gone("purged", "This case was closed and its letters removed after the retention time.");
  }
  return std::nullopt;
}

// The full answer for a fetch: metadata and the signed statements the viewer
// needs. The ciphertext is fetched on its own (fetch_ciphertext), so neither
// side ever holds a large letter inside JSON.
outcome full(reader& r, const message_record& m, viewer v, std::uint64_t now) {
  if (auto f = content_gone(m, v)) return *f;
  const auto all_reviews = r.reviews(m.id);
  answer a = summary(m, v, approvals_required(r, m.case_id), now, all_reviews);
  a["envelope"] = stored(*m.envelope);
  json::array approvals, reviews;
  std::optional<json::value> returned;
  for (const auto& rv : all_reviews) {
    if (!rv.statement) continue;
    if (rv.approve) approvals.push_back(stored(*rv.statement));
    if (!rv.approve) returned = stored(*rv.statement);
    json::object o;
    o["facilitator"] = b64(rv.facilitator);
    o["decision"] = rv.approve ? "approve" : "return";
    o["statement"] = stored(*rv.statement);
    reviews.push_back(std::move(o));
  }
  switch (v) {
    case viewer::facilitator: a["reviews"] = std::move(reviews); break;
    case viewer::sender:
      if (returned) a["return"] = std::move(*returned);
      if (m.decline_told_at && m.decline_note) a["decline_note"] = proto::base64url_encode(*m.decline_note);
      break;
    case viewer::recipient:
    case viewer::recipient_supporter: a["approvals"] = std::move(approvals); break;
    case viewer::sender_supporter: break;  // the return and decline notes are sealed to the writer alone
    case viewer::none: return no_message();
  }
  return a;
}

// The accounts told about a message's progress: its sender and the case's
// facilitators (and, once it was released, its recipients).
std::vector<proto::id> concerned(reader& r, const message_record& m, bool with_recipients) {
  auto out = facilitators_of(r, m.case_id);
  if (std::find(out.begin(), out.end(), m.sender_account) == out.end()) out.push_back(m.sender_account);
  if (with_recipients) {
    for (const auto& a : accounts_in(r, m.case_id, {m.to})) {
      if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
    }
  }
  return out;
}

void release(writer& w, effects& fx, const message_record& m, const proto::public_key& actor, std::uint64_t now) {
  w.set_message_state(m.id, message_state::released, now);
  audit(w, fx, m.case_id, audit_event::released, actor, m.id, proto::hash{}, now);
  notify(w, fx, concerned(w, m, true), m.case_id, "released", m.id, now);
}

// Revokes one message: its ciphertext, envelope and every wrap and note go in
// this transaction. Returns whether it had been released, and whether the
// recipient had shared that they opened it (all its writer may know).
std::pair<bool, bool> revoke_one(writer& w, effects& fx, const message_record& m, const proto::public_key& actor,
                                 const proto::hash& statement, std::uint64_t now) {
  w.set_message_state(m.id, message_state::revoked, now);
  w.shred_message(m.id);
  audit(w, fx, m.case_id, audit_event::revoked, actor, m.id, statement, now);
  notify(w, fx, concerned(w, m, was_released(m)), m.case_id, "revoked", m.id, now);
  return {was_released(m), m.state == message_state::opened};
}

// Why a message cannot be reviewed now, if it cannot.
std::optional<failure> reviewable(const message_record& m, const caller& c, std::uint64_t now) {
  if (m.state == message_state::revoked) return conflict("revoked", "The sender took this message back.");
  if (m.kind == proto::message_kind::note) return conflict("not_in_review", "Internal notes are not reviewed.");
  if (m.state != message_state::in_review || m.release_at) {
    return conflict("not_in_review", "This message is no longer waiting for review.");
  }
  if (m.sender_account == c.account.id) return forbidden("own_message", "A facilitator does not review their own message.");
  if (m.claimed_by && *m.claimed_by != c.account.identity && m.claim_expires_at && *m.claim_expires_at > now) {
    return conflict("claimed", "Another facilitator is reviewing this message.");
  }
  return std::nullopt;
}

// A decision ends its maker's claim, so the next reviewer can start at once.
void end_own_claim(writer& w, const message_record& m, const caller& c) {
  if (m.claimed_by && *m.claimed_by == c.account.identity) w.set_claim(m.id, std::nullopt, 0);
}

// Whether anyone can still receive messages in `to`: someone active holds
// the role, or no one ever enrolled in it (the letter waits for them).
std::optional<failure> channel_open(const std::vector<participant_record>& people, role to, bool need_someone) {
  bool any_active = false, any_withdrawn = false;
  for (const auto& p : people) {
    if (p.role != to) continue;
    (p.state == proto::participant_state::active ? any_active : any_withdrawn) = true;
  }
  if (any_active) return std::nullopt;
  if (any_withdrawn) return conflict("channel_closed", "This conversation has been closed.");
  if (need_someone) return conflict("no_recipient", "No one in that role has joined the case yet.");
  return std::nullopt;
}

std::optional<failure> channel_open(reader& r, const proto::id& case_id, role to, bool need_someone) {
  return channel_open(r.participants(case_id), to, need_someone);
}

template <class S>
std::optional<failure> names_message(const S& s, const proto::id& message) {
  if (s.message_id != message) return invalid("wrong_message", "The statement names another message than the path.");
  return std::nullopt;
}

// Loads a message of the caller's case for an action by `c`, or answers 404.
std::optional<message_record> message_in_case(reader& r, const caller& c, const proto::id& message) {
  auto m = r.message(message);
  if (!m || view_of(r, *m, *c.participant) == viewer::none) return std::nullopt;
  return m;
}

}  // namespace

// ------------------------------------------------------------------ submit

void relay_service::submit_message(const caller& c, proto::envelope e, bytes ciphertext, completion done) {
  if (auto f = precheck(e, c)) return done(*f);
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
       account = c.account.id, now](writer& w, effects& fx) -> outcome {
        if (auto r = replay(w, e, statement)) return *r;
        const proto::id case_id = e.header.case_id;
        if (auto f = require_open_case(w, case_id)) return *f;
        const auto people = w.participants(case_id);
        const participant_record* sender = active(people, account);
        if (!sender) return not_found("No such case.");
        if (w.message(e.header.statement_id)) return conflict("id_in_use", "Another message already uses this id.");
        const bool note = e.kind == proto::message_kind::note;
        const bool supporter = is_supporter(sender->role);
        if (note && sender->role != role::facilitator && !supporter) {
          return forbidden("forbidden", "Internal notes are the facilitators'; a party writes letters.");
        }
        if (!note && supporter) {
          return forbidden("not_a_party", "A supporter writes to the facilitators, not to the other party.");
        }
        if (!note && (e.to == sender->role || (e.to != role::harmed && e.to != role::responsible))) {
          return invalid("wrong_recipient", "A letter goes to the other party of the case.");
        }
        if (!note) {
          if (auto f = channel_open(people, e.to, false)) return *f;
        }
        // Readers: exactly the sender, every active facilitator and, for a
        // party's letter, each active supporter its grant lets read.
        std::set<proto::public_key> expected{sender->identity}, readers;
        std::vector<proto::public_key> supporters;
        for (const auto& p : people) {
          if (p.role == role::facilitator && p.state == proto::participant_state::active) expected.insert(p.identity);
        }
        if (!note) {
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
                         "the sender lets read.");
        }
        if (e.supersedes) {
          auto old = w.message(*e.supersedes);
          if (!old || old->case_id != case_id || old->sender_account != account ||
              old->state != message_state::returned) {
            return invalid("bad_supersedes", "A revision must name a returned message of your own in this case.");
          }
        }
        if (e.answers) {
          // A reply answers a letter that was released to the one replying.
          auto answered = w.message(*e.answers);
          if (!answered || answered->case_id != case_id || answered->to != sender->role || !answered->released_at ||
              answered->state == message_state::revoked) {
            return invalid("bad_answers", "A reply must answer a letter you received in this case.");
          }
        }
        message_record m;
        m.id = e.header.statement_id;
        m.case_id = case_id;
        m.sender_account = account;
        m.sender = sender->identity;
        m.kind = e.kind;
        m.to = e.to;
        m.supersedes = e.supersedes;
        m.answers = e.answers;
        m.envelope = envelope_json;
        m.ciphertext_size = e.ciphertext_size;
        m.ciphertext_hash = e.ciphertext_hash;
        m.submitted_at = now;
        w.insert_message(m, ciphertext);
        if (!supporters.empty()) w.insert_supporter_readers(m.id, supporters);
        audit(w, fx, e, audit_event::submitted, m.id, now, statement);
        notify(w, fx, accounts_in(people, {role::facilitator}, account), case_id, note ? "note" : "queued", m.id, now);
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
    first_delivery = v == viewer::recipient && m->state == message_state::released;
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

outcome relay_service::fetch_ciphertext(const caller& c, const proto::id& message, bytes& out) {
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

outcome relay_service::review_queue(const caller& c) {
  const std::uint64_t now = now_();
  return store_.read([&](reader& r) -> outcome {
    json::array items;
    std::map<proto::id, std::uint64_t> required_by_case;
    for (const auto& m : r.review_queue(c.account.id, max_queue_items)) {
      // One read of the reviews per message, one of the case per case.
      const auto reviews = r.reviews(m.id);
      auto [known, added] = required_by_case.try_emplace(m.case_id, 0);
      if (added) known->second = approvals_required(r, m.case_id);
      json::object o = summary(m, viewer::facilitator, known->second, now, reviews);
      o["waiting_seconds"] = now > m.submitted_at ? now - m.submitted_at : 0;
      if (auto box = r.label(m.case_id, c.account.identity)) o["case_label"] = proto::base64url_encode(*box);
      bool reviewed_by_me = false;
      for (const auto& rv : reviews) reviewed_by_me |= rv.facilitator == c.account.identity;
      o["reviewed_by_you"] = reviewed_by_me;
      items.push_back(std::move(o));
    }
    answer a;
    a["queue"] = std::move(items);
    return a;
  });
}

// ------------------------------------------------------------------ review

void relay_service::claim(const caller& c, const proto::id& message, completion done) {
  const std::uint64_t now = now_();
  const std::uint64_t until = now + options_.claim_seconds;
  write(
      [c, message, now, until](writer& w, effects& fx) -> outcome {
        if (auto f = require_open_case(w, c.participant->case_id)) return *f;
        auto m = message_in_case(w, c, message);
        if (!m) return no_message();
        if (auto f = reviewable(*m, c, now)) return *f;
        // One who has decided holds no claim: it would only keep the second reviewer waiting.
        for (const auto& rv : w.reviews(m->id)) {
          if (rv.facilitator == c.account.identity) {
            return conflict("already_reviewed", "You have already reviewed this message.");
          }
        }
        w.set_claim(m->id, c.account.id, until);
        auto others = facilitators_of(w, m->case_id);
        std::erase(others, c.account.id);
        notify(w, fx, others, m->case_id, "claimed", m->id, now);
        answer a;
        a["message"] = b64(m->id);
        a["claimed_until"] = until;
        return a;
      },
      std::move(done));
}

void relay_service::unclaim(const caller& c, const proto::id& message, completion done) {
  const std::uint64_t now = now_();
  write(
      [c, message, now](writer& w, effects&) -> outcome {
        auto m = message_in_case(w, c, message);
        if (!m) return no_message();
        const bool held = m->claimed_by && m->claim_expires_at && *m->claim_expires_at > now;
        if (held && *m->claimed_by != c.account.identity) {
          return conflict("claimed", "Another facilitator is reviewing this message.");
        }
        if (held) w.set_claim(m->id, std::nullopt, 0);
        answer a;
        a["message"] = b64(m->id);
        a["claimed"] = false;
        return a;
      },
      std::move(done));
}

void relay_service::approve(const caller& c, const proto::id& message, proto::approval ap, completion done) {
  if (auto f = precheck(ap, c)) return done(*f);
  if (auto f = names_message(ap, message)) return done(*f);
  const std::uint64_t now = now_();
  // Made here, not on the writer thread.
  std::string approval_json = proto::to_json(ap);
  const proto::hash statement = proto::statement_hash(ap);
  write(
      [c, ap = std::move(ap), approval_json = std::move(approval_json), statement, now](writer& w,
                                                                                       effects& fx) -> outcome {
        if (auto r = replay(w, ap, statement)) return *r;
        const proto::id case_id = ap.header.case_id;
        if (auto f = require_open_case(w, case_id)) return *f;
        if (!active(w, case_id, c.account.id)) return not_found("No such case.");
        auto m = message_in_case(w, c, ap.message_id);
        if (!m) return no_message();
        if (auto f = reviewable(*m, c, now)) return *f;
        if (ap.ciphertext_hash != m->ciphertext_hash) {
          return invalid("ciphertext_mismatch", "The approval names other content than the message holds.");
        }
        const auto earlier = w.reviews(m->id);
        for (const auto& rv : earlier) {
          if (rv.facilitator == c.account.identity) {
            return conflict("already_reviewed", "You have already reviewed this message.");
          }
        }
        if (auto f = channel_open(w, case_id, m->to, true)) return *f;
        // Readers: the recipients, and each supporter a recipient lets read.
        const auto people = w.participants(case_id);
        std::set<proto::public_key> recipients;
        std::vector<proto::public_key> supporters;
        for (const auto& p : people) {
          if (p.role == m->to && p.state == proto::participant_state::active) recipients.insert(p.identity);
        }
        std::set<proto::public_key> granted;
        for (const auto& g : w.grants(case_id)) {
          if (g.reads && recipients.contains(g.party)) granted.insert(g.supporter);
        }
        for (const auto& wr : ap.wraps) {
          const auto* s = granted.contains(wr.reader) ? active_identity(people, wr.reader) : nullptr;
          if (s && is_supporter(s->role)) {
            supporters.push_back(wr.reader);
          } else if (!recipients.contains(wr.reader)) {
            return invalid("wraps_mismatch",
                           "An approval wraps the letter only for its recipients and the supporters they let read.");
          }
        }
        w.insert_review(m->id, c.account.id, true, approval_json, now);
        if (!supporters.empty()) w.insert_supporter_readers(m->id, supporters);
        end_own_claim(w, *m, c);
        audit(w, fx, ap, audit_event::approved, m->id, now, statement);

        // Two-person review: released only once enough distinct facilitators
        // approved this ciphertext, and not before the latest release time.
        std::uint64_t approvals = 1;
        std::uint64_t release_at = ap.release_at.value_or(0);
        for (const auto& rv : earlier) {
          if (!rv.approve || !rv.statement) continue;
          ++approvals;
          auto other = proto::parse_statement<proto::approval>(*rv.statement);
          if (other && other->release_at) release_at = std::max(release_at, *other->release_at);
        }
        const std::uint64_t required = approvals_required(w, case_id);
        // A release that would fall in the case's quiet hours waits for their end.
        bool held_for_quiet_hours = false;
        if (const auto cs = w.case_by_id(case_id); cs && cs->quiet && approvals >= required) {
          const std::uint64_t due = std::max(now, release_at);
          if (const std::uint64_t after = after_quiet_hours(*cs->quiet, due); after > due) {
            release_at = after;
            held_for_quiet_hours = true;
          }
        }
        answer a;
        a["message"] = b64(m->id);
        a["approvals"] = approvals;
        a["approvals_required"] = required;
        if (approvals < required) {
          auto others = facilitators_of(w, case_id);
          std::erase(others, c.account.id);
          notify(w, fx, others, case_id, "approved", m->id, now);
          a["state"] = "in_review";
        } else if (release_at > now) {
          w.set_release_at(m->id, release_at);
          notify(w, fx, facilitators_of(w, case_id), case_id, "approved", m->id, now);
          a["state"] = "in_review";
          a["release_at"] = release_at;
          if (held_for_quiet_hours) a["quiet_hours"] = true;
        } else {
          release(w, fx, *m, c.account.identity, now);
          a["state"] = "released";
        }
        remember(w, ap, a, statement);
        return a;
      },
      std::move(done));
}

void relay_service::return_message(const caller& c, const proto::id& message, proto::return_statement rs,
                                   completion done) {
  if (auto f = precheck(rs, c)) return done(*f);
  if (auto f = names_message(rs, message)) return done(*f);
  const std::uint64_t now = now_();
  write(
      [c, rs = std::move(rs), now](writer& w, effects& fx) -> outcome {
        if (auto r = replay(w, rs)) return *r;
        if (auto f = require_open_case(w, rs.header.case_id)) return *f;
        if (!active(w, rs.header.case_id, c.account.id)) return not_found("No such case.");
        auto m = message_in_case(w, c, rs.message_id);
        if (!m) return no_message();
        if (auto f = reviewable(*m, c, now)) return *f;
        if (rs.ciphertext_hash != m->ciphertext_hash) {
          return invalid("ciphertext_mismatch", "The return names other content than the message holds.");
        }
        for (const auto& rv : w.reviews(m->id)) {
          if (rv.facilitator == c.account.identity) {
            return conflict("already_reviewed", "You have already reviewed this message.");
          }
        }
        w.insert_review(m->id, c.account.id, false, proto::to_json(rs), now);
        end_own_claim(w, *m, c);
        w.set_message_state(m->id, message_state::returned, now);
        audit(w, fx, rs, audit_event::returned, m->id, now);
        notify(w, fx, concerned(w, *m, false), m->case_id, "returned", m->id, now);
        answer a;
        a["message"] = b64(m->id);
        a["state"] = "returned";
        remember(w, rs, a);
        return a;
      },
      std::move(done));
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

void relay_service::tell_declined(const caller& c, const proto::id& message, std::optional<bytes> note,
                                  completion done) {
  const std::uint64_t now = now_();
  write(
      [c, message, note = std::move(note), now](writer& w, effects& fx) -> outcome {
        auto m = message_in_case(w, c, message);
        if (!m || view_of(*m, *c.participant) != viewer::facilitator) return no_message();
        if (m->state != message_state::declined) {
          return conflict("not_declined", "Only a letter its recipient declined can be told as declined.");
        }
        if (!m->decline_told_at) {
          w.tell_declined(m->id, note, now);
          audit(w, fx, m->case_id, audit_event::decline_told, c.account.identity, m->id, proto::hash{}, now);
          std::vector<proto::id> told = facilitators_of(w, m->case_id);
          told.push_back(m->sender_account);
          std::erase(told, c.account.id);
          notify(w, fx, told, m->case_id, "declined", m->id, now);
        }
        answer a;
        a["message"] = b64(m->id);
        a["state"] = "declined";
        return a;
      },
      std::move(done));
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

// ------------------------------------------------------------------ audit

void relay_service::audit_export(const caller& c, completion done) {
  const std::uint64_t now = now_();
  write(
      [case_id = c.participant->case_id, now, this](writer& w, effects&) -> outcome {
        proto::audit_export x;
        x.case_id = case_id;
        x.entries = w.audit_chain(case_id);
        x.checkpoint = {case_id, x.entries.empty() ? 0 : x.entries.back().seq,
                        x.entries.empty() ? proto::hash{} : x.entries.back().entry_hash, now, relay_.public_key(), {}};
        x.checkpoint.sig = relay_.sign(proto::checkpoint_transcript(x.checkpoint));
        if (x.checkpoint.seq > 0) w.insert_checkpoint(x.checkpoint);
        return json::parse(proto::to_json(x)).as_object();
      },
      std::move(done));
}

bool relay_service::session_alive(const proto::hash& token_hash) {
  const std::uint64_t now = now_();
  return store_.read([&](reader& r) {
    auto s = r.session(token_hash);
    return s && s->expires_at > now;
  });
}

std::vector<event_record> relay_service::events_after(const proto::id& account, std::uint64_t seq, std::size_t limit) {
  return store_.read([&](reader& r) { return r.events_after(account, seq, limit); });
}

// ------------------------------------------------------------------ maintenance

void relay_service::release_due() {
  const std::uint64_t now = now_();
  const auto due = store_.read([&](reader& r) { return r.due_for_release(now); });
  for (const auto& d : due) {
    write(
        [id = d.id, now](writer& w, effects& fx) -> outcome {
          auto m = w.message(id);
          if (!m || m->state != message_state::in_review || !m->release_at || *m->release_at > now) return answer{};
          if (channel_open(w, m->case_id, m->to, true)) return answer{};  // the recipient left meanwhile
          // Quiet hours set after the approval hold it too.
          if (const auto cs = w.case_by_id(m->case_id); cs && cs->quiet) {
            if (const std::uint64_t after = after_quiet_hours(*cs->quiet, now); after > now) {
              w.set_release_at(m->id, after);
              return answer{};
            }
          }
          release(w, fx, *m, proto::public_key{}, now);
          return answer{};
        },
        [](outcome o) {
          if (!o) spdlog::error("a scheduled release failed: {}", o.error().code);
        });
  }
}

bool relay_service::checkpoint_chains() {
  std::set<proto::id> chains;
  {
    std::lock_guard lock(dirty_mutex_);
    chains.swap(dirty_chains_);
  }
  if (chains.empty()) return true;
  const std::uint64_t now = now_();
  std::promise<outcome> written;
  write(
      [&chains, now, this](writer& w, effects&) -> outcome {
        for (const auto& case_id : chains) {
          auto head = w.audit_head(case_id);
          if (!head) continue;
          proto::audit_checkpoint cp{case_id, head->seq, head->entry_hash, now, relay_.public_key(), {}};
          cp.sig = relay_.sign(proto::checkpoint_transcript(cp));
          w.insert_checkpoint(cp);
        }
        return answer{};
      },
      [&written](outcome o) { written.set_value(std::move(o)); }, write_class::essential);
  if (auto o = written.get_future().get(); !o) {
    // Kept for the next attempt: an entry is never left unsigned for good.
    spdlog::error("audit checkpoints failed ({}); they are tried again", o.error().code);
    std::lock_guard lock(dirty_mutex_);
    dirty_chains_.insert(chains.begin(), chains.end());
    return false;
  }
  return true;
}

void relay_service::find_unsigned_chains() {
  auto chains = store_.read([](reader& r) { return r.unsigned_chains(); });
  std::lock_guard lock(dirty_mutex_);
  dirty_chains_.insert(chains.begin(), chains.end());
}

result<std::size_t> relay_service::purge(std::uint64_t retention_seconds) {
  const std::uint64_t now = now_();
  const std::uint64_t closed_before = now > retention_seconds ? now - retention_seconds : 0;
  std::promise<outcome> written;
  std::size_t purged = 0;
  write(
      [closed_before, now, &purged](writer& w, effects& fx) -> outcome {
        purged = 0;  // counted again if the job runs again
        for (const auto& case_id : w.cases_to_purge(closed_before)) {
          w.mark_purged(case_id, now);
          audit(w, fx, case_id, audit_event::purged, proto::public_key{}, case_id, proto::hash{}, now);
          ++purged;
        }
        return answer{};
      },
      [&written](outcome o) { written.set_value(std::move(o)); });
  auto o = written.get_future().get();
  if (!o) return make_error(errc::invalid_argument, o.error().message);
  checkpoint_chains();
  return purged;
}

}  // namespace shuttle::relay

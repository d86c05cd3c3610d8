// What the relay's letter operations share (server/domain/messages.cpp,
// review.cpp, cases.cpp, maintenance.cpp): how a caller stands to a message,
// what it may see of it, release, and the checks every change of a letter
// makes. Internal to the domain.
#pragma once

#include "server/domain/quiet_hours.hpp"
#include "server/domain/relay_service.hpp"
#include "server/domain/rules.hpp"

#include <algorithm>
#include <map>

namespace shuttle::relay::letters {

using namespace rules;
using proto::audit_event;
using proto::message_state;
using proto::role;
namespace json = boost::json;


// How the caller stands to a message; `none` sees nothing (404). A supporter
// stands where its party stands, for the messages wrapped for it while its
// party's grant holds (SPEC section 12, "Who reads what").
enum class viewer { none, facilitator, sender, recipient, sender_supporter, recipient_supporter };

// The roles a message goes to: its `to`, or both parties for an outcome
// agreement (SPEC 5.6, 6.6).
inline bool goes_to(const message_record& m, role r) {
  if (m.kind == proto::message_kind::agreement) return r == role::harmed || r == role::responsible;
  return r == m.to;
}

inline viewer view_of(const message_record& m, const participant_record& p) {
  if (m.case_id != p.case_id) return viewer::none;
  if (p.role == role::facilitator) return viewer::facilitator;
  if (m.sender_account == p.account) return viewer::sender;
  // A letter released to the role, or a facilitator's note or agreement to it (released as it is written).
  if (goes_to(m, p.role) && m.released_at) return viewer::recipient;
  return viewer::none;
}

inline bool is_supporter(role r) { return r == role::harmed_support || r == role::responsible_support; }
inline role party_of(role supporter) { return supporter == role::harmed_support ? role::harmed : role::responsible; }

// The parties whose grant to `supporter` holds now.
inline std::vector<grant_record> grants_to(reader& r, const participant_record& supporter) {
  std::vector<grant_record> out;
  if (!is_supporter(supporter.role) || supporter.state != proto::participant_state::active) return out;
  for (auto& g : r.grants(supporter.case_id)) {
    if (g.reads && g.supporter == supporter.identity) out.push_back(std::move(g));
  }
  return out;
}

inline viewer view_of(reader& r, const message_record& m, const participant_record& p) {
  if (const viewer v = view_of(m, p); v != viewer::none || !is_supporter(p.role)) return v;
  if (m.kind != proto::message_kind::letter && m.kind != proto::message_kind::reply) return viewer::none;
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
inline viewer as_party(viewer v) {
  if (v == viewer::sender_supporter) return viewer::sender;
  if (v == viewer::recipient_supporter) return viewer::recipient;
  return v;
}

inline bool was_released(const message_record& m) { return m.released_at.has_value(); }

// The state each one may know (SPEC section 12, "What each one learns"). The
// recipient decides what the writer learns: a writer sees "released"
// (available to them) whether or not they fetched it, "opened" only from
// their read receipt, and "declined" only once a facilitator passed it on.
// Facilitators and the recipient see the state as it is.
inline std::string_view state_word(const message_record& m, viewer v) {
  v = as_party(v);
  if (v == viewer::sender) {
    if (m.state == message_state::delivered) return "released";
    if (m.state == message_state::declined && !m.decline_told_at) return "released";
  }
  return proto::to_string(m.state);
}

// The metadata of a message as `v` may see it. Never content. `reviews` are
// the message's (read by the caller, who needs them only for a facilitator).
inline json::object summary(const message_record& m, viewer v, std::uint64_t approvals_required, std::uint64_t now,
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

inline std::uint64_t approvals_required(reader& r, const proto::id& case_id) {
  auto c = r.case_by_id(case_id);
  return c ? c->approvals_required : 1;
}

// Why a message's content is no longer available to `v`, if it is not.
inline std::optional<failure> content_gone(const message_record& m, viewer v) {
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
inline outcome full(reader& r, const message_record& m, viewer v, std::uint64_t now) {
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
inline std::vector<proto::id> concerned(reader& r, const message_record& m, bool with_recipients) {
  auto out = facilitators_of(r, m.case_id);
  if (std::find(out.begin(), out.end(), m.sender_account) == out.end()) out.push_back(m.sender_account);
  if (with_recipients) {
    const auto to = m.kind == proto::message_kind::agreement ? accounts_in(r, m.case_id, {role::harmed, role::responsible})
                                                           : accounts_in(r, m.case_id, {m.to});
    for (const auto& a : to) {
      if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
    }
  }
  return out;
}

inline void release(writer& w, effects& fx, const message_record& m, const proto::public_key& actor, std::uint64_t now) {
  w.set_message_state(m.id, message_state::released, now);
  audit(w, fx, m.case_id, audit_event::released, actor, m.id, proto::hash{}, now);
  notify(w, fx, concerned(w, m, true), m.case_id, "released", m.id, now);
}

// Revokes one message: its ciphertext, envelope and every wrap and note go in
// this transaction. Returns whether it had been released, and whether the
// recipient had shared that they opened it (all its writer may know).
inline std::pair<bool, bool> revoke_one(writer& w, effects& fx, const message_record& m, const proto::public_key& actor,
                                 const proto::hash& statement, std::uint64_t now) {
  w.set_message_state(m.id, message_state::revoked, now);
  w.shred_message(m.id);
  audit(w, fx, m.case_id, audit_event::revoked, actor, m.id, statement, now);
  notify(w, fx, concerned(w, m, was_released(m)), m.case_id, "revoked", m.id, now);
  return {was_released(m), m.state == message_state::opened};
}

// Why a message cannot be reviewed now, if it cannot.
inline std::optional<failure> reviewable(const message_record& m, const caller& c, std::uint64_t now) {
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
inline void end_own_claim(writer& w, const message_record& m, const caller& c) {
  if (m.claimed_by && *m.claimed_by == c.account.identity) w.set_claim(m.id, std::nullopt, 0);
}

// Whether anyone can still receive messages in `to`: someone active holds
// the role, or no one ever enrolled in it (the letter waits for them).
inline std::optional<failure> channel_open(const std::vector<participant_record>& people, role to, bool need_someone) {
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

inline std::optional<failure> channel_open(reader& r, const proto::id& case_id, role to, bool need_someone) {
  return channel_open(r.participants(case_id), to, need_someone);
}

template <class S>
inline std::optional<failure> names_message(const S& s, const proto::id& message) {
  if (s.message_id != message) return invalid("wrong_message", "The statement names another message than the path.");
  return std::nullopt;
}

// The case's check-ins still open: scheduled, or released with no note
// answering them yet (SPEC 5.19).
inline std::size_t open_checkins(reader& r, const proto::id& case_id) {
  const auto all = r.messages(case_id);
  return static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [&](const message_record& m) {
    if (m.kind != proto::message_kind::checkin || m.state == message_state::revoked) return false;
    return std::none_of(all.begin(), all.end(), [&](const message_record& a) {
      return a.kind == proto::message_kind::note && a.answers == m.id && a.state != message_state::revoked;
    });
  }));
}

// Loads a message of the caller's case for an action by `c`, or answers 404.
inline std::optional<message_record> message_in_case(reader& r, const caller& c, const proto::id& message) {
  auto m = r.message(message);
  if (!m || view_of(r, *m, *c.participant) == viewer::none) return std::nullopt;
  return m;
}


}  // namespace shuttle::relay::letters

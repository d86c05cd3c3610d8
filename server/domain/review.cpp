// Review: the queue, claims, approval (one or two facilitators, release
// times, quiet hours), return with a note, and passing a decline on to the
// writer. Each rule is re-checked inside the writer's transaction.
#include "server/domain/letters.hpp"

#include <spdlog/spdlog.h>

namespace shuttle::relay {

using namespace letters;

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
    // Approved, and waiting for a release time (chosen, or the end of quiet
    // hours): out of the queue, soonest first, so a facilitator sees what
    // will reach a reader and when.
    std::vector<std::pair<std::uint64_t, json::object>> later;
    for (const auto& [cs, p] : r.cases_of(c.account.id)) {
      if (p.role != proto::role::facilitator || p.state != proto::participant_state::active) continue;
      if (cs.state != proto::case_state::open) continue;
      for (const auto& m : r.messages(cs.id)) {
        if (m.state != proto::message_state::in_review || !m.release_at || m.kind == proto::message_kind::note) continue;
        json::object o = summary(m, viewer::facilitator, cs.approvals_required, now, r.reviews(m.id));
        if (auto box = r.label(m.case_id, c.account.identity)) o["case_label"] = proto::base64url_encode(*box);
        if (cs.paused) o["case_paused"] = true;
        later.emplace_back(*m.release_at, std::move(o));
      }
    }
    std::stable_sort(later.begin(), later.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    json::array scheduled;
    for (auto& [at, o] : later) {
      if (scheduled.size() == max_queue_items) break;
      scheduled.push_back(std::move(o));
    }
    answer a;
    a["queue"] = std::move(items);
    a["scheduled"] = std::move(scheduled);
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
        // A release that would fall in the case's quiet hours waits for their
        // end; one in a paused case waits for the person harmed to resume it.
        bool held_for_quiet_hours = false;
        const auto cs = w.case_by_id(case_id);
        const bool held_for_pause = cs && cs->paused && approvals >= required;
        if (held_for_pause) release_at = std::max(now, release_at);
        if (cs && cs->quiet && approvals >= required && !held_for_pause) {
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
        } else if (release_at > now || held_for_pause) {
          w.set_release_at(m->id, release_at);
          notify(w, fx, facilitators_of(w, case_id), case_id, "approved", m->id, now);
          a["state"] = "in_review";
          a["release_at"] = release_at;
          if (held_for_quiet_hours) a["quiet_hours"] = true;
          if (held_for_pause) a["paused"] = true;
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

}  // namespace shuttle::relay

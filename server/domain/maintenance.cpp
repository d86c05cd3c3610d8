// The audit export, the event replay, and the relay's maintenance: release
// times that came, checkpoints of the audit chains that grew, the retention
// purge.
#include "server/domain/letters.hpp"

#include <future>
#include <spdlog/spdlog.h>

namespace shuttle::relay {

using namespace letters;

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
          const auto cs = w.case_by_id(m->case_id);
          if (cs && cs->paused) return answer{};  // paused since it was read: it waits for the resume
          // Quiet hours set after the approval hold it too.
          if (cs && cs->quiet) {
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
        w.record_done("purge", now);
        return answer{};
      },
      [&written](outcome o) { written.set_value(std::move(o)); });
  auto o = written.get_future().get();
  if (!o) return make_error(errc::invalid_argument, o.error().message);
  checkpoint_chains();
  return purged;
}

result<void> relay_service::record_done(const std::string& name) {
  std::promise<outcome> written;
  write(
      [&name, now = now_()](writer& w, effects&) -> outcome {
        w.record_done(name, now);
        return answer{};
      },
      [&written](outcome o) { written.set_value(std::move(o)); });
  if (auto o = written.get_future().get(); !o) return make_error(errc::invalid_argument, o.error().message);
  return {};
}

}  // namespace shuttle::relay

#include "server/domain/relay_service.hpp"

#include "proto/base64.hpp"
#include "proto/codec.hpp"
#include "proto/fingerprint.hpp"
#include "server/limits.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <future>

namespace shuttle::relay {

namespace json = boost::json;

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

std::optional<participant_record> relay_service::participation(const proto::id& case_id, const proto::id& account) {
  return store_.read([&](reader& r) { return r.participant(case_id, account); });
}

}  // namespace shuttle::relay

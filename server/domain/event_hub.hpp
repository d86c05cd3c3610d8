// Live subscribers to content-free events (the WebSocket /v1/events), per
// account. The relay service publishes events after their commit; the hub
// hands each to the account's subscribers, and ends every subscription of an
// account whose sessions ended (withdrawal, logout).
//
// Thread-safe. Callbacks run on the publishing thread and must only hand
// the event over (e.g. post it to the subscriber's own executor); they must
// not call back into the hub.
#pragma once

#include "server/store/records.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

namespace shuttle::relay {

// What a committed write leaves to do once it is durable.
struct effects {
  std::vector<event_record> events;
  std::vector<proto::id> ended_accounts;      // sessions deleted: end their subscriptions too
  std::vector<proto::hash> ended_sessions;    // one session ended (logout)
  std::set<proto::id> audited_cases;          // chains that grew (to checkpoint)
};

class event_hub {
 public:
  struct subscriber {
    proto::id account{};
    proto::hash session{};
    std::function<void(const event_record&)> deliver;
    std::function<void()> end;
    // Events may have been missed (another relay's feed reconnected): read
    // back from the last one delivered.
    std::function<void()> catch_up;
  };

  // Returns a ticket for unsubscribe().
  std::uint64_t subscribe(subscriber s);
  void unsubscribe(std::uint64_t ticket);

  void publish(const std::vector<event_record>& events);
  void end_account(const proto::id& account);
  void end_session(const proto::hash& session);
  void catch_up_all();

  std::size_t subscribers() const;

 private:
  mutable std::mutex mutex_;
  std::uint64_t next_ = 1;
  std::map<std::uint64_t, subscriber> by_ticket_;                // guarded by mutex_
  std::multimap<proto::id, std::uint64_t> by_account_;           // guarded by mutex_
};

}  // namespace shuttle::relay

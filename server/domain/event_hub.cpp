#include "server/domain/event_hub.hpp"

namespace shuttle::relay {

std::uint64_t event_hub::subscribe(subscriber s) {
  std::lock_guard lock(mutex_);
  const std::uint64_t ticket = next_++;
  by_account_.emplace(s.account, ticket);
  by_ticket_.emplace(ticket, std::move(s));
  return ticket;
}

void event_hub::unsubscribe(std::uint64_t ticket) {
  std::lock_guard lock(mutex_);
  auto it = by_ticket_.find(ticket);
  if (it == by_ticket_.end()) return;
  auto [from, to] = by_account_.equal_range(it->second.account);
  for (auto a = from; a != to; ++a) {
    if (a->second == ticket) {
      by_account_.erase(a);
      break;
    }
  }
  by_ticket_.erase(it);
}

void event_hub::publish(const std::vector<event_record>& events) {
  std::lock_guard lock(mutex_);
  for (const auto& e : events) {
    auto [from, to] = by_account_.equal_range(e.account);
    for (auto a = from; a != to; ++a) by_ticket_.at(a->second).deliver(e);
  }
}

void event_hub::end_account(const proto::id& account) {
  std::lock_guard lock(mutex_);
  auto [from, to] = by_account_.equal_range(account);
  for (auto a = from; a != to; ++a) by_ticket_.at(a->second).end();
}

void event_hub::end_session(const proto::hash& session) {
  std::lock_guard lock(mutex_);
  for (auto& [ticket, s] : by_ticket_) {
    if (s.session == session) s.end();
  }
}

void event_hub::catch_up_all() {
  std::lock_guard lock(mutex_);
  for (auto& [ticket, s] : by_ticket_) {
    if (s.catch_up) s.catch_up();
  }
}

std::size_t event_hub::subscribers() const {
  std::lock_guard lock(mutex_);
  return by_ticket_.size();
}

}  // namespace shuttle::relay

// The writes waiting for a store's writer threads, in the order queued: at
// most max_write_queue of them (beyond, a write is refused as busy); once
// closed it takes no more, and its writers finish what is queued.
#pragma once

#include "server/limits.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

namespace shuttle::relay {

template <class T>
class write_queue {
 public:
  // Queues `item`, moving from it; false, leaving it as it was, when the
  // queue is full or closed.
  bool offer(T& item) {
    {
      std::lock_guard lock(mutex_);
      if (closed_ || items_.size() >= max_write_queue) return false;
      items_.push_back(std::move(item));
    }
    cv_.notify_one();
    return true;
  }
  // Moves up to `most` queued items into `out`, waiting for one; false once
  // the queue is closed and nothing is left.
  bool take(std::vector<T>& out, std::size_t most) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return closed_ || !items_.empty(); });
    if (items_.empty()) return false;
    while (!items_.empty() && out.size() < most) {
      out.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    return true;
  }
  // Takes no more writes; whether it took them until now.
  bool close() {
    bool was_open = false;
    {
      std::lock_guard lock(mutex_);
      was_open = !closed_;
      closed_ = true;
    }
    cv_.notify_all();
    return was_open;
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<T> items_;  // guarded by mutex_
  bool closed_ = false;  // guarded by mutex_
};

}  // namespace shuttle::relay

#include "server/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace shuttle::relay {

rate_limiter::rate_limiter(double burst, double per_minute)
    : burst_(burst),
      per_second_(per_minute / 60.0),
      refill_(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(per_second_ > 0 ? burst / per_second_ : 3600.0))),
      generation_started_(std::chrono::steady_clock::now()) {}

std::uint32_t rate_limiter::take(const std::string& key) {
  const auto now = std::chrono::steady_clock::now();
  map dropped;  // freed after the lock is released
  std::lock_guard lock(mutex_);
  if (now - generation_started_ >= refill_) {
    dropped.swap(previous_);
    previous_.swap(current_);
    generation_started_ = now;
  }
  auto it = current_.find(key);
  if (it == current_.end()) {
    bucket b{burst_, now};
    if (auto old = previous_.find(key); old != previous_.end()) {
      b = old->second;
      previous_.erase(old);
    }
    it = current_.emplace(key, b).first;
  }
  bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.at).count();
  b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
  b.at = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  if (per_second_ <= 0) return 3600;
  return static_cast<std::uint32_t>(std::max(1.0, std::ceil((1 - b.tokens) / per_second_)));
}

}  // namespace shuttle::relay

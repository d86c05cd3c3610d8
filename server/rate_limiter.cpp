#include "server/rate_limiter.hpp"

#include <algorithm>

namespace shuttle::relay {

bool rate_limiter::allow(const std::string& key) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (buckets_.size() > 100'000) {
    // Forget buckets that have refilled: they hold nothing a new bucket would not.
    std::erase_if(buckets_, [&](const auto& kv) {
      const double elapsed = std::chrono::duration<double>(now - kv.second.at).count();
      return kv.second.tokens + elapsed * per_second_ >= burst_;
    });
  }
  auto [it, fresh] = buckets_.try_emplace(key, bucket{burst_, now});
  bucket& b = it->second;
  if (!fresh) {
    const double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
    b.at = now;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

}  // namespace shuttle::relay

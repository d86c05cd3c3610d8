// Token buckets by key (an address or an account id), kept in memory only:
// addresses are never written to disk or to the log.
//
// Memory is bounded without ever walking the whole map under the lock: keys
// live in generations. A key touched in the current generation stays; when
// the current generation is older than the time an empty bucket takes to
// refill, the previous one is dropped whole (its buckets are all full again,
// so forgetting them changes no answer) and the current one becomes the
// previous. Dropping a generation frees its map outside the lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace shuttle::relay {

class rate_limiter {
 public:
  rate_limiter(double burst, double per_minute);

  // Takes one token for `key`. Returns 0 when it may go ahead; otherwise the
  // whole seconds until its bucket holds a token again (at least 1), for the
  // answer's Retry-After.
  std::uint32_t take(const std::string& key);

 private:
  struct bucket {
    double tokens;
    std::chrono::steady_clock::time_point at;
  };
  using map = std::unordered_map<std::string, bucket>;
  double burst_;
  double per_second_;
  std::chrono::steady_clock::duration refill_;  // from empty to full
  std::mutex mutex_;
  map current_;   // guarded by mutex_
  map previous_;  // guarded by mutex_
  std::chrono::steady_clock::time_point generation_started_;  // guarded by mutex_
};

}  // namespace shuttle::relay

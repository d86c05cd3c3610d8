// Token buckets by key (an address or an account id), kept in memory only:
// addresses are never written to disk or to the log.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace shuttle::relay {

class rate_limiter {
 public:
  rate_limiter(double burst, double per_minute) : burst_(burst), per_second_(per_minute / 60.0) {}

  // Takes one token for `key`; false when its bucket is empty.
  bool allow(const std::string& key);

 private:
  struct bucket {
    double tokens;
    std::chrono::steady_clock::time_point at;
  };
  double burst_;
  double per_second_;
  std::mutex mutex_;
  std::unordered_map<std::string, bucket> buckets_;  // guarded by mutex_
};

}  // namespace shuttle::relay

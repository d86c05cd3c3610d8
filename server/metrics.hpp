// Counters for /metrics in the Prometheus text format. Labels are route
// patterns and status codes only: never a path with ids, an address, a token.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace shuttle::relay {

// What /metrics shows of the storage (read from the store when rendered).
struct storage_figures {
  bool ok = true;  // writes succeed and free space is above the reserve
  std::uint64_t free_bytes = 0;
  std::uint64_t failures = 0;
  std::uint64_t reserve_bytes = 0;  // kept free for essential writes (0: none, as on PostgreSQL)
  bool feed_up = true;              // the shared store's change feed is connected
  std::uint64_t last_purge = 0;     // Unix time the purge last finished on the store; 0: never
  std::uint64_t last_backup = 0;    // the same for the backup
};

class metrics {
 public:
  void request_done(std::string_view route, unsigned status, std::chrono::microseconds took);
  void connection_opened() { ++open_connections_; }
  void connection_closed() { --open_connections_; }
  void subscriber_opened() { ++subscribers_; }
  void subscriber_closed() { --subscribers_; }
  void set_queue_depth_source(std::function<std::size_t()> f) { queue_depth_ = std::move(f); }
  void set_storage_source(std::function<storage_figures()> f) { storage_ = std::move(f); }
  // More series in the text format, rendered after the requests' (the store's write stages).
  void set_more_source(std::function<std::string()> f) { more_ = std::move(f); }

  std::string render() const;

 private:
  static constexpr std::array<double, 12> buckets_seconds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                          0.05,   0.1,   0.25,   0.5,   1,    2.5};
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;  // guarded by mutex_
  std::array<std::uint64_t, buckets_seconds.size()> bucket_counts_{};  // guarded by mutex_
  std::uint64_t latency_count_ = 0;                                    // guarded by mutex_
  double latency_sum_seconds_ = 0;                                     // guarded by mutex_
  std::atomic<std::int64_t> open_connections_{0};
  std::atomic<std::int64_t> subscribers_{0};
  std::function<std::size_t()> queue_depth_;
  std::function<storage_figures()> storage_;
  std::function<std::string()> more_;
};

}  // namespace shuttle::relay

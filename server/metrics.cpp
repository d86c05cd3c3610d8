#include "server/metrics.hpp"

#include <fmt/format.h>

namespace shuttle::relay {

void metrics::request_done(std::string_view route, unsigned status, std::chrono::microseconds took) {
  const double seconds = static_cast<double>(took.count()) / 1e6;
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(route), status}];
  for (std::size_t i = 0; i < buckets_seconds.size(); ++i) {
    if (seconds <= buckets_seconds[i]) ++bucket_counts_[i];
  }
  ++latency_count_;
  latency_sum_seconds_ += seconds;
}

std::string metrics::render() const {
  std::string out;
  out += "# HELP shuttle_requests_total Requests answered, by route pattern and status.\n";
  out += "# TYPE shuttle_requests_total counter\n";
  std::lock_guard lock(mutex_);
  for (const auto& [key, n] : requests_) {
    out += fmt::format("shuttle_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", key.first, key.second, n);
  }
  out += "# HELP shuttle_request_duration_seconds Time from the end of a request's header to its answer, the body's upload included.\n";
  out += "# TYPE shuttle_request_duration_seconds histogram\n";
  for (std::size_t i = 0; i < buckets_seconds.size(); ++i) {
    out += fmt::format("shuttle_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", buckets_seconds[i],
                       bucket_counts_[i]);
  }
  out += fmt::format("shuttle_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", latency_count_);
  out += fmt::format("shuttle_request_duration_seconds_sum {}\n", latency_sum_seconds_);
  out += fmt::format("shuttle_request_duration_seconds_count {}\n", latency_count_);
  if (more_) out += more_();
  out += "# HELP shuttle_open_connections TLS connections open now.\n";
  out += "# TYPE shuttle_open_connections gauge\n";
  out += fmt::format("shuttle_open_connections {}\n", open_connections_.load());
  out += "# HELP shuttle_websocket_subscribers Event subscribers (WebSockets) open now.\n";
  out += "# TYPE shuttle_websocket_subscribers gauge\n";
  out += fmt::format("shuttle_websocket_subscribers {}\n", subscribers_.load());
  out += "# HELP shuttle_write_queue_depth Writes waiting for the writer thread.\n";
  out += "# TYPE shuttle_write_queue_depth gauge\n";
  out += fmt::format("shuttle_write_queue_depth {}\n", queue_depth_ ? queue_depth_() : 0);
  const storage_figures storage = storage_ ? storage_() : storage_figures{};
  out += "# HELP shuttle_storage_ok 1 while writes succeed and free space is above the reserve, else 0.\n";
  out += "# TYPE shuttle_storage_ok gauge\n";
  out += fmt::format("shuttle_storage_ok {}\n", storage.ok ? 1 : 0);
  out += "# HELP shuttle_storage_free_bytes Free bytes on the file system of the database.\n";
  out += "# TYPE shuttle_storage_free_bytes gauge\n";
  out += fmt::format("shuttle_storage_free_bytes {}\n", storage.free_bytes);
  out += "# HELP shuttle_storage_failures_total Writes refused or failed because storage was full or failing.\n";
  out += "# TYPE shuttle_storage_failures_total counter\n";
  out += fmt::format("shuttle_storage_failures_total {}\n", storage.failures);
  out += "# HELP shuttle_storage_reserve_bytes Free bytes kept for essential writes (0: no reserve, as on PostgreSQL).\n";
  out += "# TYPE shuttle_storage_reserve_bytes gauge\n";
  out += fmt::format("shuttle_storage_reserve_bytes {}\n", storage.reserve_bytes);
  out += "# HELP shuttle_change_feed_up 1 while the change feed from the shared database is connected (always 1 on SQLite).\n";
  out += "# TYPE shuttle_change_feed_up gauge\n";
  out += fmt::format("shuttle_change_feed_up {}\n", storage.feed_up ? 1 : 0);
  out += "# HELP shuttle_last_purge_timestamp_seconds When the retention purge last finished on this relay's store (0: never).\n";
  out += "# TYPE shuttle_last_purge_timestamp_seconds gauge\n";
  out += fmt::format("shuttle_last_purge_timestamp_seconds {}\n", storage.last_purge);
  out += "# HELP shuttle_last_backup_timestamp_seconds When a backup of this relay's store last finished (0: never).\n";
  out += "# TYPE shuttle_last_backup_timestamp_seconds gauge\n";
  out += fmt::format("shuttle_last_backup_timestamp_seconds {}\n", storage.last_backup);
  return out;
}

}  // namespace shuttle::relay

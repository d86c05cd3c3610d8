#include "server/store/write_stages.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace shuttle::relay {

namespace {

constexpr std::array<const char*, write_stages::stage_count> stage_names{"queued", "ahead",  "job",  "commit",
                                                                         "handover", "resume", "write"};

}  // namespace

void write_stages::record(write_stage s, clock::duration took) noexcept {
  histogram& h = stages_[static_cast<std::size_t>(s)];
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(took).count();
  const std::uint64_t n = ns > 0 ? static_cast<std::uint64_t>(ns) : 0;
  const double seconds = static_cast<double>(n) / 1e9;
  for (std::size_t i = 0; i < buckets_seconds.size(); ++i) {
    if (seconds <= buckets_seconds[i]) {
      h.in_bucket[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  h.sum_ns.fetch_add(n, std::memory_order_relaxed);
  h.count.fetch_add(1, std::memory_order_relaxed);
}

std::string write_stages::render() const {
  std::string out;
  out += "# HELP shuttle_write_stage_seconds Time a write spent in each stage, from the route asking for it to the route "
         "running again.\n";
  out += "# TYPE shuttle_write_stage_seconds histogram\n";
  for (std::size_t s = 0; s < stage_count; ++s) {
    const histogram& h = stages_[s];
    // A write recorded meanwhile may show in a bucket and not yet in the
    // count (or, the adds being relaxed, the other way round): buckets are
    // capped at the count, so the histogram stays whole either way.
    const std::uint64_t count = h.count.load(std::memory_order_relaxed);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < buckets_seconds.size(); ++i) {
      cumulative += h.in_bucket[i].load(std::memory_order_relaxed);
      out += fmt::format("shuttle_write_stage_seconds_bucket{{stage=\"{}\",le=\"{}\"}} {}\n", stage_names[s],
                         buckets_seconds[i], std::min(cumulative, count));
    }
    out += fmt::format("shuttle_write_stage_seconds_bucket{{stage=\"{}\",le=\"+Inf\"}} {}\n", stage_names[s], count);
    out += fmt::format("shuttle_write_stage_seconds_sum{{stage=\"{}\"}} {}\n", stage_names[s],
                       static_cast<double>(h.sum_ns.load(std::memory_order_relaxed)) / 1e9);
    out += fmt::format("shuttle_write_stage_seconds_count{{stage=\"{}\"}} {}\n", stage_names[s], count);
  }
  return out;
}

}  // namespace shuttle::relay

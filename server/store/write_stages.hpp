// Where a write's time goes, stage by stage, for /metrics
// (shuttle_write_stage_seconds): the store stamps a write when it is queued,
// taken, run and committed and when its completion is called; the route
// stamps it when its request runs again. Each stage is a histogram of its
// own, so the slow tail of a request can be traced to the stage it grew in
// (docs/PERFORMANCE.md). Recording takes no lock: a few relaxed atomic adds.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace shuttle::relay {

enum class write_stage : std::size_t {
  queued,    // queued until the writer takes it (the groups ahead of it run meanwhile)
  ahead,     // taken until its own job starts (BEGIN, the jobs before it in its group)
  job,       // its own job
  commit,    // its job's end until COMMIT returned (the jobs after it, the sync)
  handover,  // COMMIT returned until its completion is called (the completions before it)
  resume,    // its completion called until its request runs again on a request thread
  write,     // the route asked for the write until it runs again: the service's checks and every stage above
};

class write_stages {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::size_t stage_count = 7;
  // Finer than the requests' buckets at both ends of a write's usual time:
  // a job takes tens of microseconds, and a slow tail sits at 10-25 ms.
  static constexpr std::array<double, 16> buckets_seconds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                          0.01,   0.015,   0.02,   0.025, 0.05,   0.1,
                                                          0.25,   0.5,     1,      2.5};

  void record(write_stage s, clock::duration took) noexcept;
  void record(write_stage s, clock::time_point from, clock::time_point to) noexcept { record(s, to - from); }
  // The histogram family in the Prometheus text format.
  std::string render() const;

 private:
  struct histogram {
    std::array<std::atomic<std::uint64_t>, buckets_seconds.size()> in_bucket{};  // not cumulative
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_ns{0};
  };
  std::array<histogram, stage_count> stages_{};
};

}  // namespace shuttle::relay

// A process's resident memory and CPU time, from /proc, for the benchmarks.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace shuttle::bench {

// A line of /proc/PID/status in KiB ("VmRSS:", "VmHWM:"); 0 if unknown.
inline std::uint64_t status_kib(const std::string& pid, const std::string& name) {
  std::ifstream in("/proc/" + pid + "/status");
  std::string key;
  while (in >> key) {
    if (key == name) {
      std::uint64_t kib = 0;
      in >> kib;
      return kib;
    }
    std::string rest;
    std::getline(in, rest);
  }
  return 0;
}

// VmRSS in KiB of `pid` ("self" for this process); 0 if unknown.
inline std::uint64_t rss_kib(const std::string& pid = "self") { return status_kib(pid, "VmRSS:"); }

// This process's peak resident size (VmHWM) in KiB, and its reset to the
// present size (Linux 4.0+: "5" to clear_refs), so a peak can be measured
// for one step after an earlier, larger one (a keystore's Argon2id).
inline std::uint64_t peak_kib() { return status_kib("self", "VmHWM:"); }
inline bool reset_peak() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.close();
  return static_cast<bool>(out);
}

// The CPU time `pid` has used so far, user and system, in seconds (from
// /proc/PID/stat, fields 14 and 15, in clock ticks); 0 if unknown.
inline double cpu_seconds(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string line;
  std::getline(in, line);
  const auto end_of_name = line.rfind(')');  // the name may hold spaces
  if (end_of_name == std::string::npos) return 0;
  std::istringstream fields(line.substr(end_of_name + 2));
  std::string skipped;
  for (int field = 3; field < 14; ++field) fields >> skipped;
  unsigned long long user = 0, system = 0;
  fields >> user >> system;
  return static_cast<double>(user + system) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace shuttle::bench

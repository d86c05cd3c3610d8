// A process's resident memory, from /proc, for the benchmarks.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

namespace shuttle::bench {

// VmRSS in KiB of `pid` ("self" for this process); 0 if unknown.
inline std::uint64_t rss_kib(const std::string& pid = "self") {
  std::ifstream in("/proc/" + pid + "/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      std::uint64_t kib = 0;
      in >> kib;
      return kib;
    }
    std::string rest;
    std::getline(in, rest);
  }
  return 0;
}

}  // namespace shuttle::bench

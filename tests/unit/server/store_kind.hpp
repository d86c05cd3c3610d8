// A store a parameterised test runs on: its name in the test's name, and how
// to open one in a fresh directory.
#pragma once

#include "server/store/storage.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

namespace shuttle::relay {

struct store_kind {
  std::string name;
  std::function<std::unique_ptr<storage>(const std::filesystem::path& dir)> open;
  bool local_disk = true;  // keeps a free-space reserve on the relay's own disk
};

inline std::ostream& operator<<(std::ostream& out, const store_kind& k) { return out << k.name; }

}  // namespace shuttle::relay

// Byte containers used on the wire. Fixed-size values (ids, keys, hashes,
// signatures) are std::array so their size is part of their type.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shuttle {

using byte = std::uint8_t;
using bytes = std::vector<byte>;
using bytes_view = std::span<const byte>;

template <std::size_t N>
using fixed = std::array<byte, N>;

inline bytes_view as_bytes(std::string_view s) {
  return {reinterpret_cast<const byte*>(s.data()), s.size()};
}
inline std::string_view as_chars(bytes_view b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Lower-case hex, for vectors and logs of public values only.
std::string to_hex(bytes_view b);

// Constant-time comparison for secrets and MACs (sodium_memcmp).
bool equal_ct(bytes_view a, bytes_view b);

}  // namespace shuttle

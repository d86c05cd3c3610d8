// The strict JSON layer under every parser: limits, depth, duplicate keys.
#include "proto/strict_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)shuttle::proto::parse_strict_json(text, 64 * 1024);
  (void)shuttle::proto::parse_strict_json(text, 64 * 1024, 64);
  return 0;
}

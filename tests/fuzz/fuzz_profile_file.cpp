// The keys file that moves a facilitator between clients (SPEC 11.1),
// parsed before its keystore is opened: whatever it holds, parsing ends
// calmly, and what parses serializes back to a file that parses the same.
#include "client-lib/profile_file.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto file = shuttle::client::parse_profile_file(text);
  if (!file) return 0;
  auto again = shuttle::client::parse_profile_file(shuttle::client::serialize_profile_file(*file));
  if (!again || shuttle::client::profile_transcript(*again) != shuttle::client::profile_transcript(*file)) std::abort();
  return 0;
}

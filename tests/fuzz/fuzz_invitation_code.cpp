// Invitation codes arrive pasted from letters and messages.
#include "proto/invitation_code.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto code = shuttle::proto::parse_invitation_code(text);
  if (!code) return 0;
  auto again = shuttle::proto::parse_invitation_code(encode(*code));
  if (!again || !(*again == *code)) std::abort();
  return 0;
}

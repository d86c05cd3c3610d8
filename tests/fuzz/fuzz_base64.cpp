// base64url arrives in every request body. Both decoders must give the same
// answer for every input (the table-driven one decodes ciphertext, the
// constant-time one everything secret), and what they accept must be the one
// spelling of its bytes.
#include "proto/base64.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto constant_time = shuttle::proto::base64url_decode(text);
  const auto fast = shuttle::proto::base64url_decode_public(text);
  if (bool(constant_time) != bool(fast)) std::abort();
  if (!fast) return 0;
  if (*fast != *constant_time) std::abort();
  if (shuttle::proto::base64url_encode(*fast) != text) std::abort();
  return 0;
}

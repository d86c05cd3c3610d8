// The keystore file's outer layer, parsed before any key derivation (a
// hostile file must not make the client derive with absurd limits).
#include "client-lib/keystore.hpp"

#include <cstdlib>
#include <sodium.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto file = shuttle::client::parse_keystore_file(text);
  if (!file) return 0;
  if (!shuttle::client::kdf_limits{file->opslimit, file->memlimit}.allowed()) std::abort();
  return 0;
}

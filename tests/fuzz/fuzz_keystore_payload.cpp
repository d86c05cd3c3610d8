// The keystore's decrypted payload (SPEC 11). Whoever knows a file's
// passphrase can seal anything into it, and a keystore moved from another
// device or client is imported through this reader: a payload is either
// refused as keystore_corrupt or read within SPEC's bounds.
#include "client-lib/keystore.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto k = shuttle::client::keystore::read_payload(shuttle::bytes_view(data, size));
  if (!k) {
    if (k.error().code != shuttle::errc::keystore_corrupt) std::abort();
    return 0;
  }
  if (k->case_count() > 100'000) std::abort();
  return 0;
}

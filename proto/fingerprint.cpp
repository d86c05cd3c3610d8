#include "proto/fingerprint.hpp"

#include "proto/codec.hpp"
#include "proto/transcript.hpp"

#include <sodium.h>

#include <cstdio>

namespace shuttle::proto {

hash fingerprint(const public_key& identity_key) {
  transcript t("shuttle/v1/fingerprint");
  t.add(identity_key);
  return blake2b_256(t.data());
}

std::string safety_number(const public_key& identity_key) {
  transcript t("shuttle/v1/safety-number");
  t.add(identity_key);
  fixed<64> digest{};
  crypto_generichash(digest.data(), digest.size(), t.data().data(), t.data().size(), nullptr, 0);
  std::string out;
  for (std::size_t group = 0; group < 12; ++group) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 5; ++i) v = (v << 8) | digest[group * 5 + i];
    char digits[6];
    std::snprintf(digits, sizeof digits, "%05u", static_cast<unsigned>(v % 100000));
    if (group > 0) out += ' ';
    out += digits;
  }
  return out;
}

}  // namespace shuttle::proto

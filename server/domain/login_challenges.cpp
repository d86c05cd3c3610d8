#include "server/domain/login_challenges.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace shuttle::relay {

namespace {

constexpr std::size_t mac_bytes = 16;
constexpr std::size_t signed_bytes = 32 - mac_bytes;  // expiry and nonce
constexpr std::string_view mac_domain = "shuttle/v1/login-challenge";

std::uint64_t expiry_of(const proto::login_challenge& c) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | c[i];
  return v;
}

}  // namespace

login_challenges::login_challenges(std::uint64_t lifetime_seconds, const fixed<32>& key) : lifetime_(lifetime_seconds) {
  std::copy(key.begin(), key.end(), key_);
}

std::uint64_t login_challenges::expiry(const proto::login_challenge& challenge) { return expiry_of(challenge); }

login_challenges::~login_challenges() { sodium_memzero(key_, sizeof key_); }

proto::hash login_challenges::mac(const proto::public_key& identity, const proto::login_challenge& challenge) const {
  crypto_generichash_state st;
  crypto_generichash_init(&st, key_, sizeof key_, mac_bytes);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(mac_domain.data()), mac_domain.size());
  crypto_generichash_update(&st, identity.data(), identity.size());
  crypto_generichash_update(&st, challenge.data(), signed_bytes);
  proto::hash out{};
  crypto_generichash_final(&st, out.data(), mac_bytes);
  return out;
}

proto::login_challenge login_challenges::issue(const proto::public_key& identity, std::uint64_t now,
                                               std::uint64_t& expires_at) const {
  expires_at = now + lifetime_;
  proto::login_challenge c{};
  for (std::size_t i = 0; i < 8; ++i) c[i] = static_cast<std::uint8_t>(expires_at >> (56 - 8 * i));
  randombytes_buf(c.data() + 8, signed_bytes - 8);
  const auto tag = mac(identity, c);
  std::copy_n(tag.begin(), mac_bytes, c.begin() + signed_bytes);
  return c;
}

bool login_challenges::genuine(const proto::login_challenge& challenge, const proto::public_key& identity,
                               std::uint64_t now) const {
  const auto tag = mac(identity, challenge);
  if (sodium_memcmp(tag.data(), challenge.data() + signed_bytes, mac_bytes) != 0) return false;
  const std::uint64_t expires_at = expiry_of(challenge);
  return now < expires_at && expires_at <= now + lifetime_;
}

}  // namespace shuttle::relay

#include "client-lib/keys.hpp"

#include <sodium.h>

#include <chrono>
#include <stdexcept>

namespace shuttle::client {

identity_key identity_key::generate() {
  secret_bytes seed = secret_bytes::random(crypto_sign_SEEDBYTES);
  return from_seed(seed.view());
}

identity_key identity_key::from_seed(bytes_view seed32) {
  if (seed32.size() != crypto_sign_SEEDBYTES) throw std::invalid_argument("identity seed must be 32 bytes");
  identity_key k;
  k.seed_ = secret_bytes::copy_of(seed32);
  k.secret_ = secret_bytes(crypto_sign_SECRETKEYBYTES);
  crypto_sign_seed_keypair(k.public_.data(), k.secret_.data(), k.seed_.data());
  return k;
}

proto::signature identity_key::sign(bytes_view message) const {
  proto::signature sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_.data());
  return sig;
}

case_key case_key::generate() {
  case_key k;
  k.secret_ = secret_bytes(crypto_box_SECRETKEYBYTES);
  crypto_box_keypair(k.public_.data(), k.secret_.data());
  return k;
}

case_key case_key::from_secret(bytes_view secret32) {
  if (secret32.size() != crypto_box_SECRETKEYBYTES) throw std::invalid_argument("case key must be 32 bytes");
  case_key k;
  k.secret_ = secret_bytes::copy_of(secret32);
  crypto_scalarmult_base(k.public_.data(), k.secret_.data());
  return k;
}

proto::id new_id() { return proto::random_id(); }

std::uint64_t unix_now() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
}

}  // namespace shuttle::client

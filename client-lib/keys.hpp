// The private keys of one account: an Ed25519 identity key that signs
// statements, and one X25519 case key per case that receives wrapped letter
// keys. Secret halves live in secret_bytes. Not thread-safe to mutate;
// const use from several threads is fine.
#pragma once

#include "client-lib/secret_bytes.hpp"
#include "proto/statements.hpp"

namespace shuttle::client {

class identity_key {
 public:
  static identity_key generate();
  // Deterministic, from a 32-byte seed (the keystore stores the seed).
  static identity_key from_seed(bytes_view seed32);

  const proto::public_key& public_key() const { return public_; }
  // The 32-byte seed the key derives from, for the keystore only.
  bytes_view seed() const { return seed_.view(); }
  // Ed25519 signature of `message` (a transcript).
  proto::signature sign(bytes_view message) const;

 private:
  proto::public_key public_{};
  secret_bytes seed_;
  secret_bytes secret_;  // libsodium's 64-byte secret key
};

class case_key {
 public:
  static case_key generate();
  static case_key from_secret(bytes_view secret32);

  const proto::public_key& public_key() const { return public_; }
  bytes_view secret() const { return secret_.view(); }

 private:
  proto::public_key public_{};
  secret_bytes secret_;
};

// A fresh random 128-bit id for a statement, message or case.
proto::id new_id();

// Seconds since the Unix epoch, now.
std::uint64_t unix_now();

}  // namespace shuttle::client

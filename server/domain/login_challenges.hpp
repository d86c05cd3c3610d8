// Login challenges that cost the relay no memory until they are used.
//
// A challenge is 32 bytes: its expiry (8 bytes, big-endian Unix seconds),
// 8 random bytes, and a 16-byte BLAKE2b MAC over the identity it was issued
// to and those 16 bytes, under a key derived from the relay key: every relay
// sharing that key (and a database) recognises every other's challenges, so
// a login may end on another relay than the one it began on. A flood of
// challenge requests stores nothing and cannot crowd out an honest login. A
// challenge is single use: the login that uses it records it in storage, in
// its own transaction (writer::use_login_challenge), where every relay sees it.
//
// Thread-safe (it holds only its key).
#pragma once

#include "proto/login.hpp"

#include <cstdint>

namespace shuttle::relay {

class login_challenges {
 public:
  login_challenges(std::uint64_t lifetime_seconds, const fixed<32>& key);
  ~login_challenges();
  login_challenges(const login_challenges&) = delete;
  login_challenges& operator=(const login_challenges&) = delete;

  // A fresh challenge for `identity`, valid until the returned expiry.
  proto::login_challenge issue(const proto::public_key& identity, std::uint64_t now, std::uint64_t& expires_at) const;

  // Whether this relay issued `challenge` to `identity` and it has not
  // expired. Stores nothing.
  bool genuine(const proto::login_challenge& challenge, const proto::public_key& identity, std::uint64_t now) const;

  // When a challenge expires (for recording its use until then).
  static std::uint64_t expiry(const proto::login_challenge& challenge);

 private:
  proto::hash mac(const proto::public_key& identity, const proto::login_challenge& challenge) const;

  std::uint64_t lifetime_;
  unsigned char key_[32];
};

}  // namespace shuttle::relay

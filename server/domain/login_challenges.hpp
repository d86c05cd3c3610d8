// Login challenges that cost the relay no memory until they are used.
//
// A challenge is 32 bytes: its expiry (8 bytes, big-endian Unix seconds),
// 8 random bytes, and a 16-byte BLAKE2b MAC over the identity it was issued
// to and those 16 bytes, under a key that lives only in this process's
// memory (made at start; a restart invalidates outstanding challenges, which
// live for a minute). So a flood of challenge requests stores nothing and
// cannot crowd out an honest login. A challenge is single use: the ones that
// led to a verified login signature are remembered until they expire (two
// generations of at most one lifetime each), which only logins with a valid
// signature of an enrolled identity can grow.
//
// Thread-safe.
#pragma once

#include "proto/login.hpp"

#include <cstdint>
#include <mutex>
#include <set>

namespace shuttle::relay {

class login_challenges {
 public:
  explicit login_challenges(std::uint64_t lifetime_seconds);
  ~login_challenges();
  login_challenges(const login_challenges&) = delete;
  login_challenges& operator=(const login_challenges&) = delete;

  // A fresh challenge for `identity`, valid until the returned expiry.
  proto::login_challenge issue(const proto::public_key& identity, std::uint64_t now, std::uint64_t& expires_at) const;

  // Whether this relay issued `challenge` to `identity` and it has not
  // expired. Stores nothing.
  bool genuine(const proto::login_challenge& challenge, const proto::public_key& identity, std::uint64_t now) const;

  // Marks a genuine challenge used; false when it already was.
  bool use(const proto::login_challenge& challenge, std::uint64_t now);

 private:
  proto::hash mac(const proto::public_key& identity, const proto::login_challenge& challenge) const;

  std::uint64_t lifetime_;
  unsigned char key_[32];
  std::mutex mutex_;
  std::set<proto::login_challenge> used_;           // guarded by mutex_
  std::set<proto::login_challenge> used_before_;    // guarded by mutex_
  std::uint64_t generation_started_ = 0;            // guarded by mutex_
};

}  // namespace shuttle::relay

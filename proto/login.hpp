// Challenge-response login (proto/SPEC.md "Login"): the relay hands out a
// random 32-byte challenge; the client signs the transcript
// ("shuttle/v1/login", challenge, identity key, relay key) with its identity
// key. Binding the relay's key keeps a signature for one relay useless at
// another.
#pragma once

#include "proto/error.hpp"
#include "proto/statements.hpp"

namespace shuttle::proto {

using login_challenge = fixed<32>;

bytes login_transcript(const login_challenge& challenge, const public_key& identity, const public_key& relay_key);
result<void> verify_login(const login_challenge& challenge, const public_key& identity, const public_key& relay_key,
                          const signature& sig);

}  // namespace shuttle::proto

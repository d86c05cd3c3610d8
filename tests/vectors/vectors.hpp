// Test vectors for proto/vectors/: one story of a case, made from fixed seeds.
//
// Randomised constructions (sealed boxes, secretstream headers, letter keys,
// keystore salts) draw from libsodium's random source, which
// use_deterministic_random() replaces for the whole process with a stream
// derived from a label. Call it only in programs made for vectors.
#pragma once

#include "client-lib/keys.hpp"
#include "proto/statements.hpp"

#include <map>
#include <string>
#include <string_view>

namespace shuttle::vectors {

// Replaces libsodium's random source, restarting it from `label`.
void use_deterministic_random(std::string_view label);

// Every vector file, by file name, as its exact text.
std::map<std::string, std::string> make_vectors();

// The fixed keys of the story's people ("facilitator-1", "facilitator-2",
// "harmed", "responsible") and of the relay ("relay").
client::identity_key identity_of(std::string_view label);
client::case_key case_key_of(std::string_view label);
proto::id id_of(std::string_view label);

// The passphrase of the vector keystore.
inline constexpr std::string_view keystore_passphrase = "correct horse battery staple";

}  // namespace shuttle::vectors

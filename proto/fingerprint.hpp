// What people compare. A fingerprint names an identity key in an invitation;
// a safety number shows it as digits that two people can read to each other
// in the preparation meeting (proto/SPEC.md "Fingerprints and safety numbers").
#pragma once

#include "proto/statements.hpp"

#include <string>

namespace shuttle::proto {

// BLAKE2b-256 of the transcript ("shuttle/v1/fingerprint", identity_key).
hash fingerprint(const public_key& identity_key);

// Twelve groups of five digits separated by single spaces, e.g.
// "05712 88130 ...": 60 digits (about 199 bits) derived from the key.
std::string safety_number(const public_key& identity_key);

}  // namespace shuttle::proto

// The invitation code a facilitator hands over in person, by letter or by
// phone: "shuttle-invite-1." followed by unpadded base64url of framed fields
// (proto/SPEC.md "Invitation codes"). It carries the one-time secret and the
// fingerprint of the inviter's identity key, which the enrolling client pins.
#pragma once

#include "proto/error.hpp"
#include "proto/statements.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace shuttle::proto {

inline constexpr std::string_view invitation_code_prefix = "shuttle-invite-1.";
using invitation_secret = fixed<32>;

struct invitation_code {
  id invitation_id{};
  id case_id{};  // null_case for a facilitator's account invitation
  proto::role role = role::harmed;
  invitation_secret secret{};
  hash inviter_fingerprint{};  // fingerprint() of the inviter's identity key
  std::string relay;           // "host:port", or empty when given separately
  std::optional<hash> relay_certificate_sha256;  // pins a self-signed relay certificate
  friend bool operator==(const invitation_code&, const invitation_code&) = default;
};

std::string encode(const invitation_code& code);

// Strict: the prefix, canonical base64url, every frame of its exact size, a
// known role, a relay of at most 255 characters of [A-Za-z0-9.:[]-], nothing
// left over. Surrounding white space is ignored (codes get pasted).
result<invitation_code> parse_invitation_code(std::string_view text);

// What the relay stores and the invitation statement carries instead of the
// secret: BLAKE2b-256 of ("shuttle/v1/invitation-secret", secret).
hash invitation_secret_hash(const invitation_secret& secret);

}  // namespace shuttle::proto

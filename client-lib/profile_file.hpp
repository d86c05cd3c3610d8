// Moving a facilitator's keys between clients (proto/SPEC.md section 11.1):
// the keystore file as it is (still sealed under the passphrase), the relay
// key the profile pinned, and each case with the key its trust grows from,
// signed by the identity key inside the keystore, so a file someone edited
// (a case's root of trust swapped, a case added) is refused once the
// keystore opens.
#pragma once

#include "client-lib/mailbox.hpp"
#include "proto/error.hpp"
#include "proto/statements.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shuttle::client {

class identity_key;

struct profile_file {
  std::string keystore_text;        // SPEC 11's file, sealed under the passphrase
  std::optional<std::string> relay;  // where the profile reached the relay (host:port), if known
  std::optional<proto::hash> relay_certificate_sha256;  // the self-signed certificate it pinned, if any
  proto::public_key relay_key{};
  std::vector<case_entry> cases;
  proto::signature sig{};
};

inline constexpr std::size_t max_profile_file_bytes = 2 * 1024 * 1024;
inline constexpr std::size_t max_profile_cases = 10000;

// bad_value, missing_field, unknown_field ... for anything that is not a
// profile file of version 1; nothing is decrypted.
result<profile_file> parse_profile_file(std::string_view text);
std::string serialize_profile_file(const profile_file& p);
// The frames the identity key signs (SPEC 11.1).
bytes profile_transcript(const profile_file& p);
// Signs with the identity the keystore holds.
void sign_profile(profile_file& p, const identity_key& me);
// Whether `me` signed it (checked once the keystore opened): bad_signature if not.
result<void> check_profile(const profile_file& p, const proto::public_key& me);

}  // namespace shuttle::client

// The relay's own Ed25519 key: it signs facilitator account invitations and
// (with the audit trail) checkpoints. Stored as a 32-byte seed in the data
// directory, mode 0600, created on first start. It is not a person's key and
// gives no access to any letter.
#pragma once

#include "proto/statements.hpp"

#include <filesystem>
#include <string_view>

namespace shuttle::relay {

class relay_identity {
 public:
  // Loads the key from `file`, or creates it there. Throws std::runtime_error
  // when the file exists but is not a key, or cannot be written.
  static relay_identity load_or_create(const std::filesystem::path& file);

  const proto::public_key& public_key() const { return public_; }
  proto::signature sign(bytes_view message) const;
  // A 32-byte key for `purpose`, derived from the relay key (keyed BLAKE2b):
  // the same on every relay that shares this key file, known to no one else.
  fixed<32> derived_key(std::string_view purpose) const;

 private:
  proto::public_key public_{};
  fixed<64> secret_{};
};

}  // namespace shuttle::relay

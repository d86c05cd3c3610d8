// The local keystore: one account's identity key and its case keys, in a
// file encrypted under a passphrase (proto/SPEC.md "Keystore file").
// Argon2id (crypto_pwhash, at least the MODERATE limits) derives the key;
// XChaCha20-Poly1305 encrypts the payload with the file's parameters as
// additional data. Keys are held in secret_bytes while loaded.
#pragma once

#include "client-lib/keys.hpp"
#include "proto/error.hpp"
#include "proto/statements.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace shuttle::client {

struct kdf_limits {
  std::uint64_t opslimit;
  std::uint64_t memlimit;
  static kdf_limits moderate();
  // What the browser client writes (SPEC 11): 64 MiB, which a low-end
  // phone's browser can hold, and six passes to keep the cost up.
  static kdf_limits phone();
  // SPEC 11's bounds: opslimit 3..16, memlimit 64 MiB..2 GiB, and their
  // product at least the phone's, checked before any derivation.
  bool allowed() const;
};

// The file's outer layer, parsed strictly but not decrypted.
struct keystore_file {
  std::uint64_t opslimit = 0;
  std::uint64_t memlimit = 0;
  fixed<16> salt{};
  fixed<24> nonce{};
  bytes box;
};
// keystore_corrupt (with the field) for anything that is not a keystore of
// version 1 with limits between MODERATE and the ceilings in SPEC.md.
result<keystore_file> parse_keystore_file(std::string_view text);

class keystore {
 public:
  // A new account: a fresh identity key and no cases.
  static keystore create();

  const identity_key& identity() const { return identity_; }
  // The case key for a case, made on first use.
  const case_key& case_key_for(const proto::id& case_id);
  const case_key* find_case_key(const proto::id& case_id) const;
  // Deletes a case's key (the case closed, or the account withdrew).
  void forget_case(const proto::id& case_id);
  std::size_t case_count() const { return case_keys_.size(); }

  // The encrypted file's text. Slow on purpose (Argon2id).
  std::string seal(std::string_view passphrase, kdf_limits limits = kdf_limits::moderate()) const;
  // wrong_passphrase, or keystore_corrupt for a damaged file.
  static result<keystore> open(std::string_view file_text, std::string_view passphrase);
  // The decrypted payload's framing (SPEC 11), read strictly: keystore_corrupt
  // for anything else. A file can be sealed by anyone who knows its
  // passphrase, a keystore moved from another device or client included, so
  // this is a parser of untrusted bytes like the outer layer.
  static result<keystore> read_payload(bytes_view payload);

  // Writes atomically (temporary file, fsync, rename) with mode 0600.
  result<void> save(const std::filesystem::path& path, std::string_view passphrase,
                    kdf_limits limits = kdf_limits::moderate()) const;
  static result<keystore> load(const std::filesystem::path& path, std::string_view passphrase);

 private:
  identity_key identity_;
  std::map<proto::id, case_key> case_keys_;
};

}  // namespace shuttle::client

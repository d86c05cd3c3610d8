// The local mailbox of one profile: what the account knows about its cases
// (its role and the facilitator key its invitation pinned), its relay and
// session, and the letters it received. One SQLite file next to the
// keystore; every value is encrypted with XChaCha20-Poly1305 under a key
// derived from the identity key (so nothing in it is readable, or can be
// changed unnoticed, without the passphrase), with its kind and key as
// additional data.
//
// Not thread-safe; one mailbox per thread.
#pragma once

#include "client-lib/document.hpp"
#include "client-lib/keys.hpp"
#include "proto/error.hpp"
#include "proto/statements.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace shuttle::client {

struct case_entry {
  proto::id case_id{};
  proto::role role = proto::role::harmed;
  proto::public_key pinned{};  // the facilitator (or relay) key the invitation pinned: the roster's root
};

struct kept_letter {
  proto::id message{};
  proto::id case_id{};
  proto::public_key sender{};
  std::uint64_t received_at = 0;
  std::optional<std::string> content_note;
  document content;
  bool attachments_in_file = false;  // set by the mailbox: their bytes are in the letter's own file
};

class mailbox {
 public:
  // Opens (creating) `file` with mode 0600. keystore_corrupt when a value
  // does not decrypt (another identity's mailbox, or a changed file).
  static result<mailbox> open(const std::filesystem::path& file, const identity_key& me);
  mailbox(mailbox&&) noexcept;
  mailbox& operator=(mailbox&&) noexcept;
  ~mailbox();

  // Small settings of the profile: "relay", "pin", "token", "last_event".
  result<void> set(std::string_view name, std::string_view value);
  result<std::optional<std::string>> setting(std::string_view name);
  result<void> unset(std::string_view name);

  result<void> put_case(const case_entry& c);
  result<std::vector<case_entry>> cases();
  result<std::optional<case_entry>> find_case(const proto::id& case_id);

  // Keeps a letter. Its attachments' bytes go to a file of their own beside
  // the mailbox (kept/, encrypted under a key derived like the mailbox's),
  // streamed from the document, so a large letter is never copied whole.
  result<void> keep(const kept_letter& l) {
    return keep(l.message, l.case_id, l.sender, l.received_at, l.content_note, l.content);
  }
  // The same without a kept_letter to build (which would copy the document).
  result<void> keep(const proto::id& message, const proto::id& case_id, const proto::public_key& sender,
                    std::uint64_t received_at, const std::optional<std::string>& content_note, const document& content);
  result<std::optional<kept_letter>> letter(const proto::id& message);
  // The case's kept letters; without their attachments' bytes unless asked
  // (a listing needs the text, not every photo).
  result<std::vector<kept_letter>> letters(const proto::id& case_id, bool with_attachments = false);
  // Deletes a letter (revoked by its sender); true if it was kept.
  result<bool> forget(const proto::id& message);

 private:
  mailbox() = default;
  result<void> put(std::string_view kind, bytes_view key, std::string_view value);
  result<std::optional<std::string>> get(std::string_view kind, bytes_view key);
  result<std::vector<std::string>> all(std::string_view kind);

  std::filesystem::path attachments_file(const proto::id& message) const;
  result<void> write_attachments(const proto::id& message, const document& content);
  result<void> read_attachments(kept_letter& l);

  std::unique_ptr<SQLite::Database> db_;
  secret_bytes key_;
  secret_bytes file_key_;  // the kept attachments' files (secretstream)
  std::filesystem::path kept_dir_;
};

}  // namespace shuttle::client

// Sealing and opening letters (proto/SPEC.md "Letters"). A letter's
// serialised document is padded with Padmé and encrypted with
// crypto_secretstream_xchacha20poly1305 in chunks of 64 KiB, with the
// letter's public facts (letter_ad) as additional data on every chunk. Its
// 32-byte letter key is wrapped for each reader with crypto_box_seal over
// letter_key || message_id, so a wrap opens only for the letter it names.
//
// Memory stays bounded for any letter size: the builder and the opener hold
// one chunk at a time. Trust decisions (is this sender attested, is this
// letter approved) are in review.hpp; this file only does the cryptography.
#pragma once

#include "client-lib/document.hpp"
#include "client-lib/keys.hpp"
#include "proto/statements.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace shuttle::client {

// A reader of a letter: an identity key and the case key it was attested with.
struct reader_key {
  proto::public_key identity{};
  proto::public_key case_key{};
};

// The public facts a letter's ciphertext is bound to.
struct letter_context {
  proto::id message_id{};
  proto::id case_id{};
  proto::public_key sender{};
  proto::message_kind kind = proto::message_kind::letter;
  proto::role to = proto::role::responsible;

  static letter_context of(const proto::envelope& e);
};
// The additional data of every chunk: transcript "shuttle/v1/letter-ad".
bytes letter_ad(const letter_context& c);

using byte_sink = std::function<void(bytes_view)>;

// Wraps and unwraps a letter key for one reader.
proto::wrap_box wrap_letter_key(const secret_bytes& letter_key, const proto::id& message_id,
                                const proto::public_key& reader_case_key);
// decrypt_failed if the box is not for this key or was altered;
// wrap_mismatch if it opens but names another message.
result<secret_bytes> unwrap_letter_key(const proto::wrap_box& box, const proto::id& message_id, const case_key& mine);
// Finds the reader's wrap in `wraps` (no_wrap_for_reader) and unwraps it.
result<secret_bytes> unwrap_for(const std::vector<proto::reader_wrap>& wraps, const proto::id& message_id,
                                const identity_key& me, const case_key& mine);

// Encrypts a padded document stream. Hands each ciphertext chunk to `sink` as
// soon as it is complete.
class chunk_sealer {
 public:
  chunk_sealer(const secret_bytes& letter_key, const letter_context& context, std::uint64_t document_size,
               byte_sink sink);
  ~chunk_sealer();
  chunk_sealer(const chunk_sealer&) = delete;
  chunk_sealer& operator=(const chunk_sealer&) = delete;

  const proto::stream_header& stream_header() const { return header_; }
  // invalid_argument once more than document_size bytes were written.
  result<void> write(bytes_view document_bytes);
  struct summary {
    std::uint64_t ciphertext_size = 0;
    proto::hash ciphertext_hash{};
  };
  // invalid_argument if fewer than document_size bytes were written.
  result<summary> finish();

 private:
  struct state;
  std::unique_ptr<state> s_;
  proto::stream_header header_{};
};

// Decrypts a ciphertext stream and removes the padding. Document bytes go to
// `sink` as chunks authenticate; when finish() fails, discard everything the
// sink received.
class chunk_opener {
 public:
  chunk_opener(const secret_bytes& letter_key, const letter_context& context, const proto::stream_header& header,
               byte_sink sink);
  ~chunk_opener();
  chunk_opener(const chunk_opener&) = delete;
  chunk_opener& operator=(const chunk_opener&) = delete;

  // decrypt_failed on a forged or reordered chunk, trailing_data after the
  // final chunk, decrypt_failed on malformed padding.
  result<void> write(bytes_view ciphertext);
  // truncated if the final chunk never came. Returns the ciphertext's hash.
  result<proto::hash> finish();

 private:
  struct state;
  std::unique_ptr<state> s_;
};

// What a sender fills in before sealing. header.statement_id is the message id.
struct letter_draft {
  proto::statement_header header;
  proto::message_kind kind = proto::message_kind::letter;
  proto::role to = proto::role::responsible;
  std::optional<proto::id> answers;  // a reply's letter
  // A revision names the returned letter it revises in a `revision`
  // statement beside the envelope (revision_of), never in the envelope.
};

// The signed statement that message `message_id` revises the returned
// message `supersedes` (SPEC 5.13), sent beside its envelope.
result<proto::revision> revision_of(const identity_key& sender, const proto::id& case_id, const proto::id& message_id,
                                    const proto::id& supersedes);

// Builds a signed envelope while the document streams through. Readers are
// the sender and `facilitators` (the sender is skipped among them).
class letter_builder {
 public:
  letter_builder(const identity_key& sender, const case_key& sender_case_key, letter_draft draft,
                 std::vector<reader_key> facilitators, std::uint64_t document_size, byte_sink sink);
  result<void> write(bytes_view document_bytes) { return sealer_.write(document_bytes); }
  result<proto::envelope> finish();

 private:
  const identity_key& sender_;
  proto::envelope envelope_;
  secret_bytes letter_key_;
  chunk_sealer sealer_;
};

struct sealed_letter {
  proto::envelope envelope;
  bytes ciphertext;
};

// The whole letter in memory: serialise, pad, encrypt, wrap, sign.
result<sealed_letter> seal_letter(const identity_key& sender, const case_key& sender_case_key,
                                  const letter_draft& draft, const std::vector<reader_key>& facilitators,
                                  const document& doc);

// A letter's ciphertext: in memory, or in a file read a piece at a time (a
// large letter downloaded to the profile, so it is never held whole).
class ciphertext_source {
 public:
  ciphertext_source(bytes_view memory) : memory_(memory), size_(memory.size()) {}  // NOLINT: implicit on purpose
  ciphertext_source(const bytes& memory) : ciphertext_source(bytes_view(memory)) {}  // NOLINT
  static result<ciphertext_source> file(const std::filesystem::path& path);
  std::uint64_t size() const { return size_; }
  // Calls `each` with consecutive pieces of at most 64 KiB, in order.
  result<void> each_piece(const std::function<result<void>(bytes_view)>& each) const;

 private:
  ciphertext_source() = default;
  bytes_view memory_;
  std::optional<std::filesystem::path> file_;
  std::uint64_t size_ = 0;
};

// Checks the ciphertext against the envelope's size and hash (a first pass),
// then decrypts it with `letter_key` and parses the document as it streams
// (a second pass): the document is the only whole copy in memory.
result<document> decrypt_letter(const proto::envelope& envelope, const ciphertext_source& ciphertext,
                                 const secret_bytes& letter_key);

}  // namespace shuttle::client

// The plaintext inside a letter: a body with its content type and optional
// attachments, serialised as framed fields (proto/SPEC.md "Documents") and
// padded with Padmé before encryption. Plaintext exists only in client-lib.
#pragma once

#include "proto/bytes.hpp"
#include "proto/error.hpp"

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace shuttle::client {

struct attachment {
  std::string name;          // a file name, at most 255 bytes, no '/' or NUL
  std::string content_type;  // e.g. "image/jpeg", at most 255 bytes
  bytes data;
  friend bool operator==(const attachment&, const attachment&) = default;
};

struct document {
  std::string content_type = "text/plain; charset=utf-8";
  bytes body;
  std::vector<attachment> attachments;
  friend bool operator==(const document&, const document&) = default;

  static document text(std::string_view s);
};

// An attachment's description (its text alternative, SPEC 6.1): the content
// type's `description*` parameter in RFC 8187's UTF-8 encoding, decoded;
// nothing when there is none or it does not decode.
std::optional<std::string> description_of(std::string_view content_type);

// The framed bytes of a document; fails on names or types over their limits
// or too many attachments.
result<bytes> serialize(const document& d);
// Strict inverse of serialize: every frame present, nothing left over.
result<document> parse_document(bytes_view data);

// The same serialisation in pieces, for letters too large to hold twice:
// serialized_size is serialize(d)->size() without building it, and
// serialize_to hands the framed bytes to `sink` in pieces of at most 64 KiB,
// straight from the document's own buffers.
std::uint64_t serialized_size(const document& d);
result<void> serialize_to(const document& d, const std::function<void(bytes_view)>& sink);

// Parses a serialised document as its bytes arrive, building the document
// in place (the body and each attachment's data are the only copies). No
// frame may claim more than `limit` bytes, so a damaged length cannot make
// it reserve more memory than the letter's size.
class document_reader {
 public:
  explicit document_reader(std::uint64_t limit) : limit_(limit) {}
  // decrypt_failed ("malformed") on the first inconsistency.
  result<void> write(bytes_view data);
  // The document, once every frame arrived and nothing followed.
  result<document> finish();

 private:
  enum class field { domain, type, body, count, name, attachment_type, data, done };
  result<void> frame_done();
  std::uint64_t limit_;
  field at_ = field::domain;
  std::array<byte, 4> length_bytes_{};
  std::size_t length_have_ = 0;
  std::uint64_t remaining_ = 0;  // bytes of the current frame still to come
  bool in_frame_ = false;
  std::string small_;             // the current short field
  std::uint64_t count_ = 0, seen_ = 0;
  document doc_;
  bool failed_ = false;
};

// Padding (proto/SPEC.md "Padding"): an 8-byte big-endian length, the data,
// then zeros up to padme(8 + length).
std::uint64_t padded_size(std::uint64_t data_size);
bytes pad(bytes_view data);
// Fails unless the length fits, the total is exactly padded_size(length) and
// every padding byte is zero.
result<bytes> unpad(bytes_view padded);

}  // namespace shuttle::client

// The plaintext inside a letter: a body with its content type and optional
// attachments, serialised as framed fields (proto/SPEC.md "Documents") and
// padded with Padmé before encryption. Plaintext exists only in client-lib.
#pragma once

#include "proto/bytes.hpp"
#include "proto/error.hpp"

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

// The framed bytes of a document; fails on names or types over their limits
// or too many attachments.
result<bytes> serialize(const document& d);
// Strict inverse of serialize: every frame present, nothing left over.
result<document> parse_document(bytes_view data);

// Padding (proto/SPEC.md "Padding"): an 8-byte big-endian length, the data,
// then zeros up to padme(8 + length).
std::uint64_t padded_size(std::uint64_t data_size);
bytes pad(bytes_view data);
// Fails unless the length fits, the total is exactly padded_size(length) and
// every padding byte is zero.
result<bytes> unpad(bytes_view padded);

}  // namespace shuttle::client

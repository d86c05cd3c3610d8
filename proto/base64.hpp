// Unpadded base64url (RFC 4648 section 5), the only binary encoding on the
// wire. Decoding is strict: no padding, no whitespace, no other alphabet,
// and the unused low bits of the last character must be zero, so every byte
// string has exactly one encoding.
#pragma once

#include "proto/bytes.hpp"
#include "proto/error.hpp"

#include <string>
#include <string_view>

namespace shuttle::proto {

std::string base64url_encode(bytes_view data);

// Fails with errc::bad_encoding on any non-canonical input.
result<bytes> base64url_decode(std::string_view text);

}  // namespace shuttle::proto

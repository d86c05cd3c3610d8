// Signing transcripts. A transcript is never JSON: it is the domain
// separation string and then each field, every one framed as a 4-byte
// big-endian length followed by its bytes (proto/SPEC.md "Transcripts").
//
//   transcript t("shuttle/v1/revoke");
//   t.add(id).add(case_id).add_u64(created_at);
//   crypto_sign_verify_detached(sig, t.data(), t.size(), pk);
#pragma once

#include "proto/bytes.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace shuttle::proto {

class transcript {
 public:
  // Frames the domain string like any field, so no domain is a prefix of another.
  explicit transcript(std::string_view domain);

  transcript& add(bytes_view field);
  transcript& add(std::string_view text) { return add(as_bytes(text)); }
  template <std::size_t N>
  transcript& add(const fixed<N>& field) {
    return add(bytes_view(field));
  }
  // Integers: 8 bytes, big-endian.
  transcript& add_u64(std::uint64_t value);
  // Booleans: one byte, 0x00 or 0x01.
  transcript& add_bool(bool value);
  // A list starts with its element count as an 8-byte integer.
  transcript& add_count(std::size_t n) { return add_u64(n); }
  // An absent optional field is an empty frame; present values are never empty.
  transcript& add_absent() { return add(bytes_view{}); }

  const bytes& data() const { return data_; }

 private:
  bytes data_;
};

}  // namespace shuttle::proto

namespace shuttle::proto {

// Reads framed fields back, strictly: a frame longer than what is left is an
// error, and so is anything left over once the caller expects the end.
class frame_reader {
 public:
  explicit frame_reader(bytes_view data) : rest_(data) {}
  // The next frame, or nothing when the data ends or the length overruns it.
  std::optional<bytes_view> next();
  // The next frame if it has exactly `n` bytes.
  std::optional<bytes_view> next_exact(std::size_t n);
  std::optional<std::uint64_t> next_u64();
  bool at_end() const { return rest_.empty(); }

 private:
  bytes_view rest_;
};

}  // namespace shuttle::proto

#include "proto/base64.hpp"

#include <sodium.h>

#include <cstdlib>

namespace shuttle {

namespace {
// libsodium must be initialised before use; every program that links proto
// encodes or decodes base64, so this file is always part of it.
const bool sodium_ready = [] {
  if (sodium_init() < 0) std::abort();
  return true;
}();
}  // namespace

std::string to_hex(bytes_view b) {
  std::string out(b.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), b.data(), b.size());
  out.pop_back();
  return out;
}

bool equal_ct(bytes_view a, bytes_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace shuttle

namespace shuttle::proto {

namespace {
constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
}

std::string base64url_encode(bytes_view data) {
  std::string out(sodium_base64_encoded_len(data.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(), variant);
  out.pop_back();  // the terminating NUL
  return out;
}

result<bytes> base64url_decode(std::string_view text) {
  // A remainder of one character cannot encode a whole byte.
  if (text.size() % 4 == 1) return make_error(errc::bad_encoding);
  bytes out(text.size() / 4 * 3 + 3);
  std::size_t out_len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &out_len, &end,
                        variant) != 0 ||
      end != text.data() + text.size()) {
    return make_error(errc::bad_encoding);
  }
  out.resize(out_len);
  // libsodium already rejects non-zero trailing bits; checking it here makes
  // canonicality a property of this function rather than of a library
  // version. Whole groups of four characters have one spelling each, so only
  // the last, partial group needs the round trip (re-encoding a 3 MiB letter
  // to compare it would cost as much as decoding it).
  const std::size_t whole_groups = text.size() / 4;
  if (text.size() % 4 != 0) {
    const bytes_view last(out.data() + whole_groups * 3, out.size() - whole_groups * 3);
    if (base64url_encode(last) != text.substr(whole_groups * 4)) return make_error(errc::bad_encoding);
  }
  return out;
}

}  // namespace shuttle::proto

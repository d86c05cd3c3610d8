#include "proto/base64.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <array>
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
}  // namespace

std::string base64url_encode(bytes_view data) {
  std::string out(sodium_base64_encoded_len(data.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(), variant);
  out.pop_back();  // the terminating NUL
  return out;
}

namespace {

// libsodium already rejects non-zero trailing bits; checking it here makes
// canonicality a property of these functions rather than of a library
// version. Whole groups of four characters have one spelling each, so only
// the last, partial group needs the round trip (re-encoding a 3 MiB letter
// to compare it would cost as much as decoding it).
bool last_group_canonical(std::string_view text, const bytes& decoded) {
  const std::size_t whole_groups = text.size() / 4;
  if (text.size() % 4 == 0) return true;
  const bytes_view last(decoded.data() + whole_groups * 3, decoded.size() - whole_groups * 3);
  return base64url_encode(last) == text.substr(whole_groups * 4);
}

// Each URL-safe character as OpenSSL's alphabet spells it, and 0 for every
// character that is not in the URL-safe alphabet (padding and whitespace
// included, which OpenSSL would otherwise accept or skip).
constexpr std::array<unsigned char, 256> openssl_spelling = [] {
  std::array<unsigned char, 256> t{};
  for (char c = 'A'; c <= 'Z'; ++c) t[static_cast<unsigned char>(c)] = static_cast<unsigned char>(c);
  for (char c = 'a'; c <= 'z'; ++c) t[static_cast<unsigned char>(c)] = static_cast<unsigned char>(c);
  for (char c = '0'; c <= '9'; ++c) t[static_cast<unsigned char>(c)] = static_cast<unsigned char>(c);
  t['-'] = '+';
  t['_'] = '/';
  return t;
}();

}  // namespace

result<bytes> base64url_decode(std::string_view text) {
  // A remainder of one character cannot encode a whole byte.
  if (text.size() % 4 == 1) return make_error(errc::bad_encoding);
  // libsodium 1.0.18 decodes every byte from 0x80 up as '_' (so "\u00e9" in
  // a JSON string passed for "__"): refused first, by a loop whose time does
  // not depend on where such a byte is. Found by comparing the two decoders.
  unsigned char high = 0;
  for (const char c : text) high |= static_cast<unsigned char>(c);
  if ((high & 0x80) != 0) return make_error(errc::bad_encoding);
  bytes out(text.size() / 4 * 3 + 3);
  std::size_t out_len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &out_len, &end,
                        variant) != 0 ||
      end != text.data() + text.size()) {
    return make_error(errc::bad_encoding);
  }
  out.resize(out_len);
  if (!last_group_canonical(text, out)) return make_error(errc::bad_encoding);
  return out;
}

result<bytes> base64url_decode_public(std::string_view text) {
  if (text.size() % 4 == 1) return make_error(errc::bad_encoding);
  bytes out(text.size() / 4 * 3 + 3);
  std::size_t written = 0;
  // Pieces of whole groups, respelled on the stack: no copy of a large
  // letter's text. Only the last piece can end in a partial group; it is
  // padded, and the padding's zero bytes are not kept.
  constexpr std::size_t piece = 4096;
  static_assert(piece % 4 == 0);
  std::array<unsigned char, piece> spelled;
  for (std::size_t at = 0; at < text.size(); at += piece) {
    const std::size_t n = std::min(piece, text.size() - at);
    for (std::size_t i = 0; i < n; ++i) {
      spelled[i] = openssl_spelling[static_cast<unsigned char>(text[at + i])];
      if (spelled[i] == 0) return make_error(errc::bad_encoding);
    }
    std::size_t padded = n;
    while (padded % 4 != 0) spelled[padded++] = '=';
    const int got = EVP_DecodeBlock(out.data() + written, spelled.data(), static_cast<int>(padded));
    if (got < 0 || static_cast<std::size_t>(got) != padded / 4 * 3) return make_error(errc::bad_encoding);
    written += padded / 4 * 3 - (padded - n);
  }
  out.resize(written);
  if (!last_group_canonical(text, out)) return make_error(errc::bad_encoding);
  return out;
}

}  // namespace shuttle::proto

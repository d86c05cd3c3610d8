#include "proto/base64.hpp"

#include <gtest/gtest.h>

namespace shuttle::proto {
namespace {

TEST(Base64url, RoundTripsEveryLength) {
  bytes data;
  for (int n = 0; n < 70; ++n) {
    auto decoded = base64url_decode(base64url_encode(data));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, data);
    data.push_back(static_cast<byte>(n * 37 + 11));
  }
}

TEST(Base64url, UsesTheUrlAlphabetWithoutPadding) {
  const bytes data{0xfb, 0xff, 0xbf};
  EXPECT_EQ(base64url_encode(data), "-_-_");
  EXPECT_EQ(base64url_encode(bytes{0x61}), "YQ");
}

TEST(Base64url, RefusesNonCanonicalInput) {
  EXPECT_TRUE(base64url_decode("YQ"));
  for (std::string_view bad : {"YQ==", "YR", "Y", "+/+/", "YQ ", " YQ", "Y\nQ", "YQ=", "Y-Q$"}) {
    auto r = base64url_decode(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, errc::bad_encoding) << bad;
  }
}

// libsodium 1.0.18 alone read "B\xc3\xa96X" (an e with an acute accent,
// valid UTF-8 in a JSON string) as "B__6X": one byte string, two spellings.
TEST(Base64url, RefusesEveryCharacterOutsideAscii) {
  for (std::string_view bad : {"B\xc3\xa9X", "B\x80" "6X", "BM\xff" "6X4A", "AAAA\xa0" "AAA"}) {
    auto slow = base64url_decode(bad);
    ASSERT_FALSE(slow) << bad;
    EXPECT_EQ(slow.error().code, errc::bad_encoding);
    EXPECT_FALSE(base64url_decode_public(bad)) << bad;
  }
}

// A last group of two characters carries one byte (4 bits unused), of three
// characters two bytes (2 bits unused): of the 64 possible last characters,
// only those with the unused bits zero are accepted, after whole groups too.
TEST(Base64url, EachLastGroupHasOneSpelling) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (const std::string prefix : {"", "AAAA", "YWJjZGVm"}) {
    for (const auto& [group, expected] : {std::pair<std::string, int>{"Y", 4}, {"YW", 16}}) {
      int accepted = 0;
      for (char c : alphabet) {
        const std::string text = prefix + group + c;
        auto r = base64url_decode(text);
        if (!r) continue;
        ++accepted;
        EXPECT_EQ(base64url_encode(*r), text);
      }
      EXPECT_EQ(accepted, expected) << prefix << group;
    }
  }
}

// The table-driven decoder (for ciphertext) must give exactly the constant-
// time decoder's answer: the same bytes, or the same refusal.
void expect_same_answer(std::string_view text) {
  const auto slow = base64url_decode(text);
  const auto fast = base64url_decode_public(text);
  ASSERT_EQ(bool(slow), bool(fast)) << "\"" << text << "\"";
  if (slow) {
    EXPECT_EQ(*slow, *fast) << text;
  } else {
    EXPECT_EQ(fast.error().code, errc::bad_encoding) << text;
  }
}

TEST(Base64url, BothDecodersAgreeOnEveryLengthAndEveryCharacter) {
  bytes data;
  for (int n = 0; n < 300; ++n) {
    const std::string text = base64url_encode(data);
    expect_same_answer(text);
    // Each position replaced by each of the 256 byte values: the alphabet,
    // padding, whitespace, OpenSSL's own '+' and '/', NUL and the high half.
    if (n < 7) {
      for (std::size_t at = 0; at < text.size(); ++at) {
        for (int c = 0; c < 256; ++c) {
          std::string changed = text;
          changed[at] = static_cast<char>(c);
          expect_same_answer(changed);
        }
      }
    }
    for (std::string_view tail : {"=", "==", "A", "AA", "AAA", " ", "\n"}) expect_same_answer(text + std::string(tail));
    data.push_back(static_cast<byte>(n * 73 + 5));
  }
}

// The fast decoder respells its input in pieces of 4,096 characters: text
// that ends just before, at and after a piece, and a stray character in the
// second piece, decode as the other decoder decodes them.
TEST(Base64url, BothDecodersAgreeAcrossThePiecesOfALongText) {
  for (std::size_t n : {3069u, 3070u, 3071u, 3072u, 3073u, 3074u, 6144u, 6145u, 3u * 1024 * 1024 + 1}) {
    bytes data(n);
    for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<byte>(i * 131 + n);
    const std::string text = base64url_encode(data);
    auto fast = base64url_decode_public(text);
    ASSERT_TRUE(fast) << n;
    EXPECT_EQ(*fast, data) << n;
    if (text.size() > 4100) {
      for (char stray : {'=', '+', ' ', '\0'}) {
        std::string changed = text;
        changed[4099] = stray;
        expect_same_answer(changed);
      }
    }
  }
}

}  // namespace
}  // namespace shuttle::proto

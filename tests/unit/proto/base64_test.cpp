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

}  // namespace
}  // namespace shuttle::proto

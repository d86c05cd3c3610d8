#include "client-lib/document.hpp"

#include "proto/letter_format.hpp"

#include <gtest/gtest.h>

namespace shuttle::client {
namespace {

TEST(Document, RoundTripsWithAttachments) {
  document d = document::text("Dear ...");
  d.attachments.push_back({"photo.jpg", "image/jpeg", bytes(1000, 0xab)});
  d.attachments.push_back({"empty.txt", "text/plain", {}});
  auto raw = serialize(d);
  ASSERT_TRUE(raw);
  auto back = parse_document(*raw);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, d);
}

// SPEC 6.1's example, as the browser writes it: the description decoded.
TEST(Document, ReadsAnAttachmentsDescription) {
  EXPECT_EQ(description_of("image/png; description*=UTF-8''The%20garden%20in%20bl%C3%B8mst"), "The garden in bl\xC3\xB8mst");
  EXPECT_EQ(description_of("image/png; charset=x; Description*=utf-8''a%2Cb"), "a,b");
  EXPECT_EQ(description_of("image/png"), std::nullopt);
  EXPECT_EQ(description_of("image/png; description*=UTF-8''bad%2"), std::nullopt);        // an escape cut short
  EXPECT_EQ(description_of("image/png; description*=UTF-8''%C3%28"), std::nullopt);       // not UTF-8
  EXPECT_EQ(description_of("image/png; description*=UTF-8''%ED%A0%80"), std::nullopt);    // a surrogate
  EXPECT_EQ(description_of("image/png; description*=UTF-8''a\"b"), std::nullopt);         // not an attr-char
}

TEST(Document, RefusesBadNamesAndTrailingBytes) {
  document d = document::text("x");
  d.attachments.push_back({"../etc/passwd", "text/plain", {}});
  EXPECT_EQ(serialize(d).error().code, errc::invalid_argument);
  auto raw = *serialize(document::text("x"));
  raw.push_back(0);
  EXPECT_EQ(parse_document(raw).error().code, errc::decrypt_failed);
  raw.pop_back();
  raw.pop_back();
  EXPECT_FALSE(parse_document(raw));
}

TEST(Padding, RoundTripsAndUsesPadme) {
  for (std::size_t n : {0u, 1u, 100u, 5000u}) {
    const bytes data(n, 0x5a);
    const bytes padded = pad(data);
    EXPECT_EQ(padded.size(), proto::padme(8 + n));
    EXPECT_EQ(*unpad(padded), data);
  }
}

TEST(Padding, RefusesNonZeroPaddingAndWrongTotals) {
  bytes padded = pad(bytes(100, 1));  // 108 -> padme 112: four padding bytes
  padded.back() = 1;
  EXPECT_FALSE(unpad(padded));
  padded = pad(bytes(100, 1));
  padded.push_back(0);
  EXPECT_FALSE(unpad(padded));
  padded = pad(bytes(100, 1));
  padded[7] = 200;  // claims more data than there is
  EXPECT_FALSE(unpad(padded));
}

}  // namespace
}  // namespace shuttle::client

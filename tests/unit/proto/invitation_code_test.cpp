#include "proto/invitation_code.hpp"

#include "client-lib/keys.hpp"
#include "proto/base64.hpp"
#include "proto/fingerprint.hpp"

#include <gtest/gtest.h>

namespace shuttle::proto {
namespace {

invitation_code sample() {
  invitation_code c;
  c.invitation_id = client::new_id();
  c.case_id = client::new_id();
  c.role = role::responsible;
  c.secret.fill(0x33);
  c.inviter_fingerprint = fingerprint(client::identity_key::generate().public_key());
  c.relay = "relay.example.org:8443";
  return c;
}

TEST(InvitationCode, RoundTripsWithAndWithoutACertificatePin) {
  invitation_code c = sample();
  EXPECT_EQ(*parse_invitation_code(encode(c)), c);
  c.relay_certificate_sha256.emplace();
  c.relay_certificate_sha256->fill(0x44);
  c.relay.clear();
  EXPECT_EQ(*parse_invitation_code(encode(c)), c);
  EXPECT_LE(encode(c).size(), max_invitation_code_chars);
}

TEST(InvitationCode, ToleratesWhiteSpaceAnywhere) {
  const auto c = sample();
  EXPECT_EQ(*parse_invitation_code("  " + encode(c) + "\n"), c);
  // As an e-mail program wraps it, and as a person types it in groups.
  std::string wrapped = encode(c);
  for (std::size_t at = 60; at < wrapped.size(); at += 62) wrapped.insert(at, "\r\n");
  EXPECT_EQ(*parse_invitation_code(wrapped), c);
  std::string grouped;
  for (std::size_t i = 0; i < encode(c).size(); ++i) grouped += (i > 0 && i % 5 == 0 ? " " : "") + encode(c).substr(i, 1);
  EXPECT_EQ(*parse_invitation_code(grouped), c);
  EXPECT_EQ(parse_invitation_code(std::string(3000, ' ')).error().code, errc::too_large);
}

TEST(InvitationCode, RefusesDamagedCodes) {
  const std::string code = encode(sample());
  EXPECT_FALSE(parse_invitation_code(code.substr(0, code.size() - 3)));
  EXPECT_FALSE(parse_invitation_code("shuttle-invite-2." + code.substr(invitation_code_prefix.size())));
  EXPECT_FALSE(parse_invitation_code(code + "AA"));
  EXPECT_FALSE(parse_invitation_code(""));
  EXPECT_EQ(parse_invitation_code(std::string(1000, 'a')).error().code, errc::too_large);
  for (std::size_t i = invitation_code_prefix.size(); i < code.size(); ++i) {
    std::string changed = code;
    changed[i] = changed[i] == 'A' ? '!' : 'A';
    auto r = parse_invitation_code(changed);
    // A changed character either breaks the code or changes what it says.
    if (r) EXPECT_NE(encode(*r), code) << i;
  }
}

TEST(InvitationCode, APartyNeedsACase) {
  invitation_code c = sample();
  c.case_id = null_case;
  EXPECT_FALSE(parse_invitation_code(encode(c)));
  c.role = role::facilitator;
  EXPECT_TRUE(parse_invitation_code(encode(c)));
}

TEST(InvitationCode, RefusesARelayWithOddCharacters) {
  invitation_code c = sample();
  c.relay = "evil.example/path?x";
  EXPECT_FALSE(parse_invitation_code(encode(c)));
}

TEST(InvitationSecret, HashIsDomainSeparated) {
  invitation_secret s{};
  EXPECT_NE(invitation_secret_hash(s), fingerprint(public_key{}));
}

}  // namespace
}  // namespace shuttle::proto

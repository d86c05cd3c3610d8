// Referrals (SPEC 5.20, 6.8): the request's document, its receipt code, and
// sealing to the facilitators' derived referral keys.
#include "client-lib/referral.hpp"
#include "client-lib/statements.hpp"
#include "proto/codec.hpp"
#include "proto/letter_format.hpp"

#include <gtest/gtest.h>

namespace shuttle::client {
namespace {

const proto::referral_document sample{"nb", "Noen brøt seg inn hos oss i mars.\nJeg vil gjerne snakke om det.",
                                      "Ring meg etter klokka fem", proto::role::harmed, std::nullopt};

TEST(Referral, TheDocumentRoundTripsAndRefusesWhatIsNotOne) {
  auto back = proto::parse_referral_body(proto::referral_body(sample));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, sample);
  auto third = sample;
  third.about.reset();
  third.referrer = "Læreren hennes";
  EXPECT_EQ(*proto::parse_referral_body(proto::referral_body(third)), third);
  for (const char* bad : {
           R"({"v":1,"language":"en","what_happened":"x","contact":"y","extra":1})",
           R"({"v":2,"language":"en","what_happened":"x","contact":"y"})",
           R"({"v":1,"language":"de","what_happened":"x","contact":"y"})",
           R"({"v":1,"language":"en","what_happened":"","contact":"y"})",
           R"({"v":1,"language":"en","what_happened":"x"})",
           R"({"v":1,"language":"en","what_happened":"x","contact":"y","about":"facilitator"})",
           R"({"v":1,"language":"en","what_happened":"a\u0007b","contact":"y"})",
       }) {
    EXPECT_FALSE(proto::parse_referral_body(bad)) << bad;
  }
  auto long_contact = sample;
  long_contact.contact = std::string(proto::max_referral_contact_bytes + 1, 'x');
  EXPECT_FALSE(proto::parse_referral_body(proto::referral_body(long_contact)));
}

TEST(Referral, TheReceiptCodeSurvivesBeingWrappedAndRefusesDamage) {
  proto::referral_code code{new_id(), {}};
  code.secret.fill(0x33);
  const std::string text = proto::encode(code);
  EXPECT_TRUE(text.starts_with("shuttle-referral-1."));
  EXPECT_EQ(text.size(), 19u + 64u);
  const std::string wrapped = text.substr(0, 25) + "\r\n  " + text.substr(25, 20) + "\n" + text.substr(45);
  auto back = proto::parse_referral_code(wrapped);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, code);
  EXPECT_FALSE(proto::parse_referral_code(text.substr(0, text.size() - 1)));
  EXPECT_FALSE(proto::parse_referral_code("shuttle-invite-1." + text.substr(19)));
  EXPECT_FALSE(proto::parse_referral_code(text + "AA"));
  EXPECT_NE(proto::referral_secret_hash(code.secret), proto::referral_secret_hash({}));
}

TEST(Referral, SealedToEveryKeyEachFacilitatorOpensItAndNoOneElse) {
  const auto f = identity_key::generate();
  const auto g = identity_key::generate();
  // The key derives from the identity seed: the same on every client of the facilitator.
  EXPECT_EQ(referral_key_of(f).public_key(), referral_key_of(identity_key::from_seed(f.seed())).public_key());
  EXPECT_NE(referral_key_of(f).public_key(), referral_key_of(g).public_key());
  const auto sealed = seal_referral(sample, {referral_key_of(f).public_key(), referral_key_of(g).public_key()});
  ASSERT_EQ(sealed.wraps.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& key = i == 0 ? referral_key_of(f) : referral_key_of(g);
    auto opened = open_referral(sealed.code.referral, sealed.ciphertext, sealed.wraps[i].second, key);
    ASSERT_TRUE(opened) << opened.error().message();
    EXPECT_EQ(*opened, sample);
  }
  // Another's wrap, another referral's id, a changed byte: none opens.
  EXPECT_FALSE(open_referral(sealed.code.referral, sealed.ciphertext, sealed.wraps[1].second, referral_key_of(f)));
  EXPECT_FALSE(open_referral(new_id(), sealed.ciphertext, sealed.wraps[0].second, referral_key_of(f)));
  auto changed = sealed.ciphertext;
  changed[changed.size() / 2] ^= 1;
  EXPECT_FALSE(open_referral(sealed.code.referral, changed, sealed.wraps[0].second, referral_key_of(f)));
  // Padded: the length says little about what was written.
  const proto::referral_document small{"en", "Hi", "x", std::nullopt, std::nullopt};
  const auto other = seal_referral(small, {referral_key_of(f).public_key()});
  EXPECT_EQ(other.ciphertext.size(), 24 + proto::padme(8 + proto::referral_body(small).size()) + 16);
}

TEST(Referral, AReferralKeyStatementIsForTheNullCase) {
  const auto f = identity_key::generate();
  proto::referral_key k;
  k.header = header_for(proto::null_case);
  k.key = referral_key_of(f).public_key();
  auto s = sign(k, f);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_TRUE(proto::parse_statement<proto::referral_key>(proto::to_json(*s)));
  k.header = header_for(new_id());
  EXPECT_FALSE(sign(k, f));
}

}  // namespace
}  // namespace shuttle::client

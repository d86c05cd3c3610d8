#include "client-lib/statements.hpp"

#include "proto/codec.hpp"

#include <gtest/gtest.h>

namespace shuttle::client {
namespace {

TEST(Statements, KeyStatementsAndAttestationsVerify) {
  const auto f = identity_key::generate();
  const auto p = identity_key::generate();
  const auto ck = case_key::generate();
  const proto::id case_id = new_id();
  auto ks = make_key_statement(p, case_id, ck);
  ASSERT_TRUE(ks);
  EXPECT_TRUE(proto::verify_signature(*ks));
  EXPECT_EQ(ks->case_key, ck.public_key());
  auto a = make_attestation(f, *ks, proto::role::harmed);
  ASSERT_TRUE(a);
  EXPECT_TRUE(proto::verify_signature(*a));
  EXPECT_EQ(a->subject, p.public_key());
  EXPECT_EQ(a->subject_case_key, ck.public_key());
  EXPECT_EQ(a->header.case_id, case_id);
}

TEST(Statements, AFacilitatorDoesNotAttestAForgedKeyStatement) {
  const auto f = identity_key::generate();
  auto ks = *make_key_statement(identity_key::generate(), new_id(), case_key::generate());
  ks.case_key[0] ^= 1;
  EXPECT_EQ(make_attestation(f, ks, proto::role::harmed).error().code, errc::bad_signature);
}

TEST(Statements, SignRefusesAnInvalidStatement) {
  proto::revoke r;
  r.header = header_for(new_id());  // message id left zero
  auto s = sign(r, identity_key::generate());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), make_error(errc::bad_value, "message"));
}

TEST(Keys, SeedsAreDeterministicAndIdsUnique) {
  const auto k = identity_key::generate();
  EXPECT_EQ(identity_key::from_seed(k.seed()).public_key(), k.public_key());
  const auto c = case_key::generate();
  EXPECT_EQ(case_key::from_secret(c.secret()).public_key(), c.public_key());
  EXPECT_NE(new_id(), new_id());
}

}  // namespace
}  // namespace shuttle::client

#include "client-lib/review.hpp"

#include "proto/codec.hpp"
#include "tests/unit/client/case_fixture.hpp"

#include <gtest/gtest.h>

namespace shuttle::client {
namespace {

using testing::case_fixture;

proto::approval approve(const case_fixture& c, const sealed_letter& l, bool second = false,
                        approval_options options = {}) {
  auto a = second ? approve_letter(c.roster, l.envelope, c.f2, c.f2c, options)
                  : approve_letter(c.roster, l.envelope, c.f1, c.f1c, options);
  EXPECT_TRUE(a) << a.error().message();
  return *a;
}

TEST(Review, TheRecipientReadsAnApprovedLetter) {
  case_fixture c;
  const auto l = c.letter_from_harmed(document::text("What happened to me."));
  approval_options o;
  o.content_note = "Take your time.";
  const auto a = approve(c, l, false, o);
  auto d = c.open_as_responsible(l, {a});
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->content, document::text("What happened to me."));
  EXPECT_EQ(d->sender.identity, c.harmed.public_key());
  EXPECT_EQ(d->sender.role, proto::role::harmed);
  EXPECT_EQ(d->content_note, "Take your time.");
  EXPECT_EQ(d->approved_by, std::vector<proto::public_key>{c.f1.public_key()});
}

TEST(Review, NoApprovalNoLetter) {
  case_fixture c;
  const auto l = c.letter_from_harmed(document::text("unapproved"));
  auto d = c.open_as_responsible(l, {});
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, errc::not_approved);
}

TEST(Review, AnApprovalWithoutAWrapForTheRecipientDoesNotOpen) {
  case_fixture c;
  const auto l = c.letter_from_harmed(document::text("x"));
  proto::approval a = approve(c, l);
  a.wraps[0].reader = c.f2.public_key();  // someone else's wrap, re-signed by the facilitator
  a = *sign(a, c.f1);
  EXPECT_EQ(c.open_as_responsible(l, {a}).error().code, errc::no_wrap_for_reader);
}

TEST(Review, AnApprovalFromAnUnattestedKeyDoesNotCount) {
  case_fixture c;
  const auto l = c.letter_from_harmed(document::text("x"));
  proto::approval a = approve(c, l);
  const auto stranger = identity_key::generate();
  a = *sign(a, stranger);
  EXPECT_EQ(c.open_as_responsible(l, {a}).error().code, errc::not_approved);
  // Nor can a party approve: the harmed party is attested, but not as a facilitator.
  a = *sign(approve(c, l), c.harmed);
  EXPECT_EQ(c.open_as_responsible(l, {a}).error().code, errc::not_approved);
}

TEST(Review, EverySingleByteTamperOfTheApprovalIsRejected) {
  case_fixture c;
  const auto l = c.letter_from_harmed(document::text("x"));
  const proto::approval good = approve(c, l);
  ASSERT_TRUE(c.open_as_responsible(l, {good}));
  auto rejected = [&](const proto::approval& a) { return !c.open_as_responsible(l, {a}); };
  for (std::size_t i = 0; i < good.sig.size(); ++i) {
    auto a = good;
    a.sig[i] ^= 1;
    EXPECT_TRUE(rejected(a)) << "sig " << i;
  }
  for (std::size_t i = 0; i < good.ciphertext_hash.size(); ++i) {
    auto a = good;
    a.ciphertext_hash[i] ^= 1;
    EXPECT_TRUE(rejected(a)) << "hash " << i;
  }
  for (std::size_t i = 0; i < good.message_id.size(); ++i) {
    auto a = good;
    a.message_id[i] ^= 1;
    EXPECT_TRUE(rejected(a)) << "message " << i;
  }
  for (std::size_t i = 0; i < good.wraps[0].box.size(); ++i) {
    auto a = good;
    a.wraps[0].box[i] ^= 1;
    EXPECT_TRUE(rejected(a)) << "wrap " << i;
    // Re-signed by the facilitator, the altered wrap still fails to open.
    EXPECT_TRUE(rejected(*sign(a, c.f1))) << "re-signed wrap " << i;
  }
  for (std::size_t i = 0; i < good.header.signer.size(); ++i) {
    auto a = good;
    a.header.signer[i] ^= 1;
    EXPECT_TRUE(rejected(a)) << "signer " << i;
  }
}

TEST(Review, EverySingleByteTamperOfTheEnvelopeIsRejected) {
  case_fixture c;
  const auto l = c.letter_from_harmed(document::text("x"));
  const proto::approval a = approve(c, l);
  auto rejected = [&](const proto::envelope& e) {
    return !open_delivered(c.roster, e, {a}, l.ciphertext, c.responsible, c.responsible_c, unix_now());
  };
  for (std::size_t i = 0; i < l.envelope.sig.size(); ++i) {
    auto e = l.envelope;
    e.sig[i] ^= 1;
    EXPECT_TRUE(rejected(e)) << "sig " << i;
  }
  for (std::size_t i = 0; i < l.envelope.stream.size(); ++i) {
    auto e = l.envelope;
    e.stream[i] ^= 1;
    EXPECT_TRUE(rejected(e)) << "stream header " << i;
  }
  for (std::size_t i = 0; i < l.envelope.ciphertext_hash.size(); ++i) {
    auto e = l.envelope;
    e.ciphertext_hash[i] ^= 1;
    EXPECT_TRUE(rejected(e)) << "hash " << i;
  }
  for (std::size_t w = 0; w < l.envelope.wraps.size(); ++w) {
    for (std::size_t i = 0; i < l.envelope.wraps[w].box.size(); ++i) {
      auto e = l.envelope;
      e.wraps[w].box[i] ^= 1;
      EXPECT_TRUE(rejected(e)) << "wrap " << w << " byte " << i;
    }
  }
  for (std::size_t i = 0; i < l.envelope.header.statement_id.size(); ++i) {
    auto e = l.envelope;
    e.header.statement_id[i] ^= 1;
    EXPECT_TRUE(rejected(e)) << "id " << i;
  }
  for (std::size_t i = 0; i < l.ciphertext.size(); ++i) {
    bytes changed = l.ciphertext;
    changed[i] ^= 1;
    EXPECT_FALSE(open_delivered(c.roster, l.envelope, {a}, changed, c.responsible, c.responsible_c, unix_now()))
        << "ciphertext " << i;
  }
}

TEST(Review, AWrapFromAnotherLettersApprovalFails) {
  case_fixture c;
  const auto first = c.letter_from_harmed(document::text("first"));
  const auto second = c.letter_from_harmed(document::text("second"));
  proto::approval a = approve(c, second);
  a.wraps = approve(c, first).wraps;  // a facilitator client that mixed up the keys
  a = *sign(a, c.f1);
  EXPECT_EQ(c.open_as_responsible(second, {a}).error().code, errc::wrap_mismatch);
}

TEST(Review, AnApprovalOfAnotherLetterDoesNotCount) {
  case_fixture c;
  const auto first = c.letter_from_harmed(document::text("first"));
  const auto second = c.letter_from_harmed(document::text("second"));
  EXPECT_EQ(c.open_as_responsible(second, {approve(c, first)}).error().code, errc::not_approved);
}

TEST(Review, TwoPersonReviewNeedsTwoDistinctFacilitators) {
  case_fixture c(2);
  const auto l = c.letter_from_harmed(document::text("needs two"));
  const auto a1 = approve(c, l);
  EXPECT_EQ(c.open_as_responsible(l, {a1}).error().code, errc::not_approved);
  EXPECT_EQ(c.open_as_responsible(l, {a1, a1}).error().code, errc::not_approved);
  auto again = approve(c, l);  // the same facilitator approving twice
  EXPECT_EQ(c.open_as_responsible(l, {a1, again}).error().code, errc::not_approved);
  EXPECT_TRUE(c.open_as_responsible(l, {a1, approve(c, l, true)}));
}

TEST(Review, AReleaseTimeInTheFutureHoldsTheLetter) {
  case_fixture c;
  const auto l = c.letter_from_harmed(document::text("later"));
  approval_options o;
  o.release_at = unix_now() + 3600;
  const auto a = approve(c, l, false, o);
  EXPECT_EQ(c.open_as_responsible(l, {a}).error().code, errc::not_approved);
  EXPECT_TRUE(open_delivered(c.roster, l.envelope, {a}, l.ciphertext, c.responsible, c.responsible_c,
                             *o.release_at));
}

TEST(Review, ALetterFromAnUnattestedSenderIsRefused) {
  case_fixture c;
  const auto stranger = identity_key::generate();
  const auto sc = case_key::generate();
  auto l = seal_letter(stranger, sc, c.draft(), c.roster.facilitator_readers(), document::text("x"));
  ASSERT_TRUE(l);
  EXPECT_EQ(open_for_review(c.roster, l->envelope, l->ciphertext, c.f1, c.f1c).error().code, errc::not_attested);
  EXPECT_EQ(approve_letter(c.roster, l->envelope, c.f1, c.f1c).error().code, errc::not_attested);
}

TEST(Review, ALetterForAnotherRoleIsNotOpenedByThisParty) {
  case_fixture c;
  auto l = seal_letter(c.responsible, c.responsible_c, c.draft(proto::role::harmed), c.roster.facilitator_readers(),
                       document::text("a reply"));
  ASSERT_TRUE(l);
  const auto a = *approve_letter(c.roster, l->envelope, c.f1, c.f1c);
  EXPECT_EQ(open_delivered(c.roster, l->envelope, {a}, l->ciphertext, c.responsible, c.responsible_c, unix_now())
                .error()
                .code,
            errc::not_approved);
  EXPECT_TRUE(open_delivered(c.roster, l->envelope, {a}, l->ciphertext, c.harmed, c.harmed_c, unix_now()));
}

TEST(Review, AChangedKeyIsNotUsedUntilAttestedAgain) {
  case_fixture c;
  const auto new_key = case_key::generate();
  EXPECT_EQ(c.roster.check_current_key(c.responsible.public_key(), new_key.public_key()).error().code,
            errc::key_changed);
  const auto l = c.letter_from_harmed(document::text("x"));
  const auto a = approve(c, l);
  EXPECT_EQ(open_delivered(c.roster, l.envelope, {a}, l.ciphertext, c.responsible, new_key, unix_now()).error().code,
            errc::key_changed);
  // Attested again, the new key is the one in use.
  c.attest(c.responsible, new_key, proto::role::responsible);
  EXPECT_TRUE(c.roster.check_current_key(c.responsible.public_key(), new_key.public_key()));
}

TEST(Roster, GrowsOnlyThroughTrustedSignatures) {
  case_fixture c;
  const auto stranger = identity_key::generate();
  const auto sk = *make_key_statement(c.responsible, c.case_id, case_key::generate());
  // An attestation by a key the client does not trust.
  auto forged = *make_attestation(stranger, sk, proto::role::responsible);
  EXPECT_EQ(c.roster.add_attested(forged, sk).error().code, errc::not_attested);
  // An attestation that names another key statement.
  auto a = *make_attestation(c.f1, sk, proto::role::responsible);
  auto other = *make_key_statement(c.responsible, c.case_id, case_key::generate());
  EXPECT_EQ(c.roster.add_attested(a, other).error().code, errc::not_attested);
  // A statement from another case.
  client::roster elsewhere(new_id(), c.f1.public_key());
  EXPECT_EQ(elsewhere.add_attested(a, sk).error().code, errc::wrong_case);
  // A case policy signed by a stranger.
  proto::case_open open;
  open.header = header_for(c.case_id);
  EXPECT_EQ(c.roster.add_case_open(*sign(open, stranger)).error().code, errc::not_attested);
}

TEST(Return, TheSenderReadsTheReasonAndTheNote) {
  case_fixture c;
  const auto l = c.letter_from_harmed(document::text("x"));
  auto r = return_letter(c.roster, l.envelope, c.f2, return_reason::asks_for_forgiveness_or_contact,
                         "Asking to meet is something we can talk about first.");
  ASSERT_TRUE(r);
  EXPECT_TRUE(proto::verify_signature(*r));
  auto n = open_return(c.roster, l.envelope, *r, c.harmed_c);
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(n->reason, return_reason::asks_for_forgiveness_or_contact);
  EXPECT_EQ(n->text, "Asking to meet is something we can talk about first.");
  // Sealed to the sender: neither the recipient nor a facilitator can open it.
  EXPECT_FALSE(open_note(r->note, l.envelope.header.statement_id, "return", c.responsible_c));
  EXPECT_FALSE(open_note(r->note, l.envelope.header.statement_id, "return", c.f2c));
  // Bound to its letter and purpose.
  EXPECT_EQ(open_note(r->note, new_id(), "return", c.harmed_c).error().code, errc::wrap_mismatch);
  EXPECT_EQ(open_note(r->note, l.envelope.header.statement_id, "content", c.harmed_c).error().code, errc::wrap_mismatch);
}

TEST(Return, NotesArePaddedSoLengthsLeakLittle) {
  case_fixture c;
  const auto l = c.letter_from_harmed(document::text("x"));
  auto a = return_letter(c.roster, l.envelope, c.f1, return_reason::other, std::string(1000, 'a'));
  auto b = return_letter(c.roster, l.envelope, c.f1, return_reason::other, std::string(1010, 'a'));
  EXPECT_EQ(a->note.box.size(), b->note.box.size());
  EXPECT_FALSE(return_letter(c.roster, l.envelope, c.f1, return_reason::other, std::string(9000, 'a')));
}

}  // namespace
}  // namespace shuttle::client

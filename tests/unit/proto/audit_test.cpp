#include "proto/audit.hpp"

#include "client-lib/keys.hpp"

#include <gtest/gtest.h>

namespace shuttle::proto {
namespace {

struct chain {
  client::identity_key relay = client::identity_key::generate();
  audit_export x;

  explicit chain(std::size_t n) {
    x.case_id = client::new_id();
    for (std::size_t i = 0; i < n; ++i) append(static_cast<audit_event>(i % 16));
    checkpoint();
  }
  void append(audit_event event) {
    audit_entry e;
    e.seq = x.entries.size() + 1;
    e.at = 1'790'000'000 + e.seq;
    e.case_id = x.case_id;
    e.event = event;
    e.actor.fill(static_cast<byte>(e.seq));
    e.subject = client::new_id();
    e.prev = x.entries.empty() ? hash{} : x.entries.back().entry_hash;
    e.entry_hash = audit_entry_hash(e);
    x.entries.push_back(e);
  }
  void checkpoint() {
    x.checkpoint.case_id = x.case_id;
    x.checkpoint.seq = x.entries.size();
    x.checkpoint.head = x.entries.empty() ? hash{} : x.entries.back().entry_hash;
    x.checkpoint.at = 1'800'000'000;
    x.checkpoint.relay_key = relay.public_key();
    x.checkpoint.sig = relay.sign(checkpoint_transcript(x.checkpoint));
  }
  result<void> verify(const audit_export& other) const { return verify_audit_export(other, relay.public_key()); }
};

TEST(AuditChain, AnIntactChainVerifiesAndRoundTrips) {
  chain c(20);
  EXPECT_TRUE(c.verify(c.x));
  auto back = parse_audit_export(to_json(c.x));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, c.x);
  EXPECT_TRUE(c.verify(*back));
}

TEST(AuditChain, AnEmptyChainVerifiesWithItsCheckpoint) {
  chain c(0);
  EXPECT_TRUE(c.verify(c.x));
}

TEST(AuditChain, DetectsAnEditedEntry) {
  chain c(10);
  for (std::size_t i = 0; i < c.x.entries.size(); ++i) {
    auto x = c.x;
    x.entries[i].event = x.entries[i].event == audit_event::revoked ? audit_event::opened : audit_event::revoked;
    EXPECT_EQ(c.verify(x).error().code, errc::broken_chain) << i;
    x = c.x;
    x.entries[i].at += 1;
    EXPECT_EQ(c.verify(x).error().code, errc::broken_chain) << i;
  }
}

TEST(AuditChain, DetectsAnEditThatRecomputesTheHashes) {
  // Whoever rewrites an entry and every later hash still fails the signed checkpoint.
  chain c(10);
  auto x = c.x;
  x.entries[3].actor.fill(0xaa);
  for (std::size_t i = 3; i < x.entries.size(); ++i) {
    if (i > 0) x.entries[i].prev = x.entries[i - 1].entry_hash;
    x.entries[i].entry_hash = audit_entry_hash(x.entries[i]);
  }
  auto r = c.verify(x);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::broken_chain);
}

TEST(AuditChain, DetectsDeletedAndReorderedEntries) {
  chain c(10);
  auto deleted = c.x;
  deleted.entries.erase(deleted.entries.begin() + 4);
  EXPECT_EQ(c.verify(deleted).error().code, errc::broken_chain);
  auto last_deleted = c.x;
  last_deleted.entries.pop_back();
  EXPECT_EQ(c.verify(last_deleted).error().code, errc::broken_chain);
  auto reordered = c.x;
  std::swap(reordered.entries[2], reordered.entries[3]);
  EXPECT_EQ(c.verify(reordered).error().code, errc::broken_chain);
}

TEST(AuditChain, DetectsAForeignOrForgedCheckpoint) {
  chain c(5);
  auto x = c.x;
  x.checkpoint.sig[0] ^= 1;
  EXPECT_EQ(c.verify(x).error().code, errc::bad_signature);
  chain other(5);
  EXPECT_EQ(verify_audit_export(other.x, c.relay.public_key()).error().code, errc::bad_signature);
}

TEST(AuditExport, ParsingIsStrict) {
  chain c(2);
  std::string text = to_json(c.x);
  const auto at = text.find("\"event\":\"");
  ASSERT_NE(at, std::string::npos);
  std::string unknown = text;
  unknown.replace(at, 9, "\"event\":\"x");
  EXPECT_EQ(parse_audit_export(unknown).error(), make_error(errc::bad_value, "entries[0].event"));
  EXPECT_EQ(parse_audit_export("{\"v\":1}").error().code, errc::missing_field);
  EXPECT_EQ(parse_audit_export("[]").error().code, errc::missing_field);
}

}  // namespace
}  // namespace shuttle::proto

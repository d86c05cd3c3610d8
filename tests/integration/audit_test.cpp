// The audit trail over the real relay: every transition enters the case's
// chain, a facilitator's export verifies offline with the relay key, and
// `shuttle-relay audit verify` detects every edit, deletion and reordering
// of the stored rows.
#include "proto/audit.hpp"
#include "tests/integration/world.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>

namespace shuttle::testing {
namespace {

using proto::role;

// A case that went through most transitions, then a clean stop (which signs
// a checkpoint of every chain's head).
struct audited {
  world w;
  actor f;
  proto::id case_id{};
  proto::public_key relay_key{};

  audited() {
    f = w.facilitator();
    case_id = w.open_case(f);
    actor h = w.party(f, case_id, role::harmed);
    actor r = w.party(f, case_id, role::responsible);
    const auto pin = f.identity.public_key();
    auto one = w.send(h, case_id, pin, role::responsible, "one");
    EXPECT_EQ(w.approve(f, case_id, pin, one.id()).status, 200u);
    EXPECT_TRUE(w.open_letter(r, case_id, pin, one.id()));
    auto two = w.send(r, case_id, pin, role::harmed, "two");
    EXPECT_EQ(w.return_letter(f, case_id, pin, two.id(), "not yet").status, 200u);
    auto three = w.send(h, case_id, pin, role::responsible, "three");
    EXPECT_EQ(w.revoke(h, case_id, three.id()).status, 200u);
    EXPECT_EQ(w.withdraw(h, case_id).status, 200u);
    relay_key = world::decode<32>(w.http.get("/v1/me", f.token).body.at("relay_key"));
  }
};

std::vector<std::string> events_of(const proto::audit_export& x) {
  std::vector<std::string> out;
  for (const auto& e : x.entries) out.emplace_back(proto::to_string(e.event));
  return out;
}

TEST(Audit, EveryTransitionIsInTheChainAndTheExportVerifiesOffline) {
  audited a;
  auto got = a.w.http.get(world::case_path(a.case_id, "/audit"), a.f.token);
  ASSERT_EQ(got.status, 200u) << got.text.substr(0, 300);
  auto x = proto::parse_audit_export(got.text);
  ASSERT_TRUE(x) << x.error().message();
  EXPECT_TRUE(proto::verify_audit_export(*x, a.relay_key));
  const std::vector<std::string> expected{
      "case_opened", "key_published", "invited",  "enrolled",  "key_published", "attested", "invited",
      "enrolled",    "key_published", "attested", "submitted", "approved",      "released", "delivered",
      "submitted",   "returned",      "submitted", "revoked",  "withdrawn"};
  EXPECT_EQ(events_of(*x), expected);
  for (const auto& e : x->entries) EXPECT_EQ(e.case_id, a.case_id);

  // Another relay's key does not verify it; neither does a changed entry.
  EXPECT_FALSE(proto::verify_audit_export(*x, a.f.identity.public_key()));
  auto changed = *x;
  changed.entries[3].at += 1;
  EXPECT_FALSE(proto::verify_audit_export(changed, a.relay_key));
}

TEST(Audit, OfflineVerificationDetectsEveryEditDeletionAndReordering) {
  audited a;
  const auto data = a.w.relay.data_dir() / "data";
  ASSERT_EQ(a.w.relay.stop(), 0);
  const std::string verify = relay_process::binary() + " audit verify --data-dir ";
  auto clean = run_command(verify + data.string());
  ASSERT_EQ(clean.status, 0) << clean.output;
  EXPECT_NE(clean.output.find("every chain verifies"), std::string::npos) << clean.output;
  EXPECT_EQ(clean.output.find("not under a signed checkpoint"), std::string::npos) << clean.output;

  const std::string case_where = "case_id = x'" + [&] {
    std::string hex;
    for (auto b : a.case_id) {
      char buf[3];
      std::snprintf(buf, sizeof buf, "%02x", b);
      hex += buf;
    }
    return hex;
  }() + "'";
  const std::vector<std::pair<std::string, std::string>> tampering{
      {"an edited time", "UPDATE audit_entries SET at = at + 1 WHERE seq = 5 AND " + case_where},
      {"an edited event", "UPDATE audit_entries SET event = 'opened' WHERE seq = 14 AND " + case_where},
      {"an edited actor", "UPDATE audit_entries SET actor = zeroblob(32) WHERE seq = 11 AND " + case_where},
      {"a deleted entry", "DELETE FROM audit_entries WHERE seq = 7 AND " + case_where},
      {"the last entry deleted", "DELETE FROM audit_entries WHERE seq = 19 AND " + case_where},
      {"two entries swapped",
       "UPDATE audit_entries SET seq = -8 WHERE seq = 8 AND " + case_where +
           "; UPDATE audit_entries SET seq = 8 WHERE seq = 9 AND " + case_where +
           "; UPDATE audit_entries SET seq = 9 WHERE seq = -8 AND " + case_where},
      {"a rehashed entry (without the relay key)",
       "UPDATE audit_entries SET at = at + 1, hash = zeroblob(32) WHERE seq = 19 AND " + case_where},
      {"a forged checkpoint", "UPDATE audit_checkpoints SET sig = zeroblob(64) WHERE " + case_where},
  };
  for (const auto& [what, sql] : tampering) {
    const auto copy = a.w.relay.data_dir() / "tampered";
    std::filesystem::remove_all(copy);
    std::filesystem::copy(data, copy);
    {
      SQLite::Database db((copy / "relay.db").string(), SQLite::OPEN_READWRITE);
      ASSERT_GT(db.exec(sql), 0) << what;
    }
    auto r = run_command(verify + copy.string());
    EXPECT_EQ(r.status, 1) << what << ": " << r.output;
    EXPECT_NE(r.output.find(proto::base64url_encode(a.case_id)), std::string::npos) << what << ": " << r.output;
  }
}

}  // namespace
}  // namespace shuttle::testing

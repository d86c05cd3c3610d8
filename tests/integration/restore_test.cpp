// Backup and restore: a relay holding cases and messages in every state is
// backed up while it runs, restored into a fresh data directory, and every
// message, state and the audit chain come back and verify.
#include "proto/audit.hpp"
#include "tests/integration/world.hpp"

#include <gtest/gtest.h>

#include <map>

namespace shuttle::testing {
namespace {

using proto::role;

int run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

TEST(Restore, ABackupOfARunningRelayRestoresEveryMessageStateAndTheAuditChain) {
  world w;
  actor f = w.facilitator();
  const auto pin = f.identity.public_key();
  const proto::id case_id = w.open_case(f);
  actor h = w.party(f, case_id, role::harmed);
  actor r = w.party(f, case_id, role::responsible);
  auto in_review = w.send(h, case_id, pin, role::responsible, "waiting");
  auto returned = w.send(h, case_id, pin, role::responsible, "returned");
  ASSERT_EQ(w.return_letter(f, case_id, pin, returned.id(), "not yet").status, 200u);
  auto released = w.send(h, case_id, pin, role::responsible, "released");
  ASSERT_EQ(w.approve(f, case_id, pin, released.id()).status, 200u);
  auto delivered = w.send(h, case_id, pin, role::responsible, "delivered");
  ASSERT_EQ(w.approve(f, case_id, pin, delivered.id()).status, 200u);
  ASSERT_EQ(w.fetch(r, case_id, delivered.id()).status, 200u);
  auto opened = w.send(r, case_id, pin, role::harmed, "opened");
  ASSERT_EQ(w.approve(f, case_id, pin, opened.id()).status, 200u);
  ASSERT_TRUE(w.open_letter(h, case_id, pin, opened.id()));
  ASSERT_EQ(w.http.post(world::message_path(case_id, opened.id(), "/receipt"), json::object{}, h.token).status, 200u);
  auto declined = w.send(h, case_id, pin, role::responsible, "declined");
  ASSERT_EQ(w.approve(f, case_id, pin, declined.id()).status, 200u);
  ASSERT_EQ(w.http.post(world::message_path(case_id, declined.id(), "/decline"), json::object{}, r.token).status, 200u);
  auto revoked = w.send(h, case_id, pin, role::responsible, "revoked");
  ASSERT_EQ(w.revoke(h, case_id, revoked.id()).status, 200u);
  const proto::id closed_case = w.open_case(f);
  proto::close cl;
  cl.header = client::header_for(closed_case);
  ASSERT_EQ(w.http.post(world::case_path(closed_case, "/close"), json::object{{"close", as_json(*client::sign(cl, f.identity))}},
                        f.token)
                .status,
            200u);

  const auto before = message_states(w.http, case_id, f.token);
  ASSERT_EQ(before.size(), 7u);
  std::set<std::string> kinds;
  for (const auto& [id, s] : before) kinds.insert(s);
  EXPECT_EQ(kinds, (std::set<std::string>{"in_review", "returned", "released", "delivered", "opened", "declined", "revoked"}));
  const auto audit_before = w.http.get(world::case_path(case_id, "/audit"), f.token);

  // Backed up while serving.
  const auto backup = w.relay.data_dir() / "backup";
  const std::string binary = relay_process::binary();
  ASSERT_EQ(run(binary + " backup --data-dir " + (w.relay.data_dir() / "data").string() + " --to " + backup.string()), 0);
  EXPECT_NE(run(binary + " backup --data-dir " + (w.relay.data_dir() / "data").string() + " --to " + backup.string()), 0)
      << "a backup never overwrites";

  // Restored into a new relay's empty data directory.
  relay_process fresh;
  const auto data = fresh.data_dir() / "data";
  ASSERT_EQ(fresh.stop(), 0);
  EXPECT_NE(run(binary + " restore --from " + backup.string() + " --data-dir " + data.string()), 0)
      << "a restore never overwrites a database";
  std::filesystem::remove_all(data);
  ASSERT_EQ(run(binary + " restore --from " + backup.string() + " --data-dir " + data.string()), 0);
  fresh.restart();
  https_client again(fresh.port(), certificate_pin((data / "tls-certificate.pem").string()));

  // The chain is the same chain, and still verifies with the same relay key.
  auto audit_after = again.get(world::case_path(case_id, "/audit"), f.token);
  auto x_before = proto::parse_audit_export(audit_before.text);
  auto x_after = proto::parse_audit_export(audit_after.text);
  ASSERT_TRUE(x_before && x_after);
  EXPECT_EQ(x_before->entries.size(), x_after->entries.size());
  EXPECT_TRUE(x_before->entries == x_after->entries) << "the restored chain differs";
  EXPECT_EQ(x_before->checkpoint.relay_key, x_after->checkpoint.relay_key);
  EXPECT_TRUE(proto::verify_audit_export(*x_after, x_before->checkpoint.relay_key));

  EXPECT_EQ(message_states(again, case_id, f.token), before);  // sessions are restored too
  auto got = again.get(world::message_path(case_id, released.id(), "/ciphertext"), r.token);
  ASSERT_EQ(got.status, 200u) << got.text;
  EXPECT_EQ(got.text, std::string(released.ciphertext.begin(), released.ciphertext.end()));
  EXPECT_EQ(again.get(world::message_path(case_id, revoked.id()), h.token).status, 410u);
  auto cases = again.get("/v1/cases", f.token);
  ASSERT_EQ(cases.body.at("cases").as_array().size(), 2u);

  ASSERT_EQ(fresh.stop(), 0);
  EXPECT_EQ(run(binary + " audit verify --data-dir " + data.string()), 0);
}

}  // namespace
}  // namespace shuttle::testing

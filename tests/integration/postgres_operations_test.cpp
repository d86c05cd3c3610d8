// An operator's work with PostgreSQL: moving a relay from its SQLite file
// into PostgreSQL (`shuttle-relay migrate`), and `shuttle-relay backup`
// (pg_dump) restored with `shuttle-relay restore` (pg_restore), as
// deploy/README.md tells it. Run under
// pg_virtualenv with SHUTTLE_TEST_POSTGRES=1 (two_relays.postgres).
#include "tests/integration/world.hpp"

#include "proto/audit.hpp"
#include "proto/base64.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <set>

namespace shuttle::testing {
namespace {

using proto::role;

std::string new_database(const std::string& name) {
  EXPECT_EQ(run_command("psql -X -q -h 127.0.0.1 -d postgres -c 'CREATE DATABASE " + name + "'").status, 0);
  return "postgresql://127.0.0.1/" + name;
}

// A relay on `database` with the relay key of `from` (its data directory).
world relay_on(const std::string& database, const relay_process& from) {
  return world(exchange::with_defaults({"--database", database}), [&from](const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir / "data");
    std::filesystem::copy_file(from.data_dir() / "data" / "relay-identity.key", dir / "data" / "relay-identity.key");
  });
}

std::set<std::string> listed(world& w, const proto::id& case_id, actor& f) {
  auto got = w.http.get(world::case_path(case_id, "/messages"), f.token);
  EXPECT_EQ(got.status, 200u) << got.text;
  std::set<std::string> out;
  if (got.status != 200) return out;
  for (const auto& m : got.body.at("messages").as_array()) {
    out.insert(std::string(m.at("message").as_string()) + ":" + std::string(m.at("state").as_string()));
  }
  return out;
}

std::size_t verified_entries(world& w, const proto::id& case_id, actor& f, const proto::public_key& relay_key) {
  auto got = w.http.get(world::case_path(case_id, "/audit"), f.token);
  EXPECT_EQ(got.status, 200u);
  auto x = proto::parse_audit_export(got.text);
  EXPECT_TRUE(x && proto::verify_audit_export(*x, relay_key));
  return x ? x->entries.size() : 0;
}

// The exchange on an SQLite relay, whatever the environment asks.
struct on_sqlite : exchange {
  // Before the base starts its relay.
  static std::uint64_t one_approval_without_postgres() {
    ::unsetenv("SHUTTLE_TEST_POSTGRES");
    return 1;
  }
  on_sqlite() : exchange(one_approval_without_postgres()) { ::setenv("SHUTTLE_TEST_POSTGRES", "1", 1); }
};

TEST(Postgres, ARelayMovedFromSqliteKeepsEveryLetterAndItsAuditChainVerifies) {
  on_sqlite x;
  ASSERT_TRUE(x.w.relay.database_url().empty());
  auto delivered = x.w.send(x.h, x.case_id, x.pin, role::responsible, "before the move");
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, delivered.id()).status, 200u);
  ASSERT_TRUE(x.w.open_letter(x.r, x.case_id, x.pin, delivered.id()));
  auto waiting = x.w.send(x.r, x.case_id, x.pin, role::harmed, "still in review");
  ASSERT_EQ(waiting.answer.status, 200u);
  const auto relay_key = world::decode<32>(x.w.http.get("/v1/me", x.f.token).body.at("relay_key"));
  const auto before = listed(x.w, x.case_id, x.f);
  const auto entries = verified_entries(x.w, x.case_id, x.f, relay_key);
  ASSERT_EQ(x.w.relay.stop(), 0);

  const std::string database = new_database("shuttle_moved_" + std::to_string(::getpid()));
  const auto moved = run_command(relay_process::binary() + " migrate --data-dir " + (x.w.relay.data_dir() / "data").string() +
                         " --to " + database);
  ASSERT_EQ(moved.status, 0) << moved.output;
  EXPECT_NE(moved.output.find("every chain verifies"), std::string::npos) << moved.output;
  // The closing hint is the configuration line to paste, as printed.
  EXPECT_NE(moved.output.find("\n  database = " + database + "\n"), std::string::npos) << moved.output;
  // Once only: the database now holds a relay's data.
  EXPECT_NE(run_command(relay_process::binary() + " migrate --data-dir " + (x.w.relay.data_dir() / "data").string() +
                " --to " + database).status, 0);

  world moved_relay = relay_on(database, x.w.relay);
  EXPECT_EQ(listed(moved_relay, x.case_id, x.f), before);  // the sessions moved too
  EXPECT_GE(verified_entries(moved_relay, x.case_id, x.f, relay_key), entries);
  ASSERT_TRUE(moved_relay.open_letter(x.r, x.case_id, x.pin, delivered.id()));
  ASSERT_EQ(moved_relay.approve(x.f, x.case_id, x.pin, waiting.id()).status, 200u);
  EXPECT_EQ(moved_relay.send(x.h, x.case_id, x.pin, role::responsible, "after the move").answer.status, 200u);
  EXPECT_GT(verified_entries(moved_relay, x.case_id, x.f, relay_key), entries);
}

TEST(Postgres, TheRelaysBackupAndRestoreCarryEveryLetterTheAuditChainAndTheKey) {
  exchange x;
  ASSERT_FALSE(x.w.relay.database_url().empty());
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "kept in the backup");
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, sent.id()).status, 200u);
  const auto relay_key = world::decode<32>(x.w.http.get("/v1/me", x.f.token).body.at("relay_key"));
  const auto before = listed(x.w, x.case_id, x.f);
  const auto entries = verified_entries(x.w, x.case_id, x.f, relay_key);

  // While the relay runs, as deploy/README.md says: pg_dump's one consistent snapshot, and the relay key.
  const auto backup = x.w.relay.data_dir() / "backup";
  const auto made = run_command(relay_process::binary() + " backup " + x.w.relay.operator_flags() + " --to " + backup.string());
  ASSERT_EQ(made.status, 0) << made.output;
  EXPECT_TRUE(std::filesystem::exists(backup / "relay.dump"));

  // Into an empty database and an empty data directory.
  const std::string restored = new_database("shuttle_restored_" + std::to_string(::getpid()));
  const auto fresh = x.w.relay.data_dir() / "restored-data";
  const std::string into = " --data-dir " + fresh.string() + " --database " + restored + " --from " + backup.string();
  const auto put_back = run_command(relay_process::binary() + " restore" + into);
  ASSERT_EQ(put_back.status, 0) << put_back.output;
  EXPECT_TRUE(std::filesystem::exists(fresh / "relay-identity.key"));
  // Once only: the database now holds the relay's tables.
  const auto again = run_command(relay_process::binary() + " restore" + into);
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.output.find("already holds tables"), std::string::npos) << again.output;

  world from_backup = relay_on(restored, x.w.relay);
  EXPECT_EQ(listed(from_backup, x.case_id, x.f), before);
  EXPECT_EQ(verified_entries(from_backup, x.case_id, x.f, relay_key), entries);
  EXPECT_TRUE(from_backup.open_letter(x.r, x.case_id, x.pin, sent.id()));
  const auto verified = run_command(relay_process::binary() + " audit verify --data-dir " + fresh.string() +
                                    " --database " + restored);
  EXPECT_EQ(verified.status, 0) << verified.output;
}

}  // namespace
}  // namespace shuttle::testing

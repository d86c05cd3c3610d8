// Upgrades as an operator meets them (deploy/README.md, "Upgrades" and
// "Rolling back"), on the store the suite runs on (SQLite, and PostgreSQL in
// its PostgreSQL run):
// - a store as the previous release left it (its schema one migration
//   back: migrations are never edited, only added, so undoing the last one
//   gives exactly what the previous release made) is migrated when the new
//   relay starts, and every letter, state, session and the audit chain are
//   as they were;
// - a relay meeting a database a newer relay wrote refuses it in words that
//   say what to do, unless that newer schema says this relay can still serve
//   it (a rolling upgrade of several relays on one database).
#include "tests/integration/world.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>


namespace shuttle::testing {
namespace {

using proto::role;

// The schema this relay knows, the one the previous release made, and the
// oldest relay schema that serves the latest, per store.
struct schemas {
  int latest;
  int previous;
  int serves_from;
};
schemas of(const relay_process& r) { return r.database_url().empty() ? schemas{11, 10, 9} : schemas{7, 6, 5}; }

// Runs SQL on a stopped relay's store.
void sql(const relay_process& r, const std::string& statements) {
  if (r.database_url().empty()) {
    SQLite::Database db((r.data_dir() / "data" / "relay.db").string(), SQLite::OPEN_READWRITE);
    db.exec(statements);
    return;
  }
  const auto done = run_command("psql -X -q -v ON_ERROR_STOP=1 '" + r.database_url() + "' -c \"" + statements + "\"");
  ASSERT_EQ(done.status, 0) << done.output;
}

int single_number(const relay_process& r, const std::string& query) {
  if (r.database_url().empty()) {
    SQLite::Database db((r.data_dir() / "data" / "relay.db").string(), SQLite::OPEN_READONLY);
    return db.execAndGet(query).getInt();
  }
  const auto got = run_command("psql -X -q -t -A '" + r.database_url() + "' -c \"" + query + "\"");
  return std::stoi(got.output);
}

// What the previous release made: the last migration undone (the index of
// letters waiting for their release time), and the previous release's
// serves_from.
void as_the_previous_release_left_it(const relay_process& r) {
  const std::string previous = std::to_string(of(r).previous);
  const std::string served_from = std::to_string(of(r).serves_from);  // what the previous release recorded
  sql(r, "DROP INDEX messages_due; "
         "UPDATE schema_version SET version = " + previous + ", serves_from = " + served_from);
}

// `shuttle-relay serve` on the relay's store, as systemd starts it.
command_result serve_once(const relay_process& r) {
  return run_command("timeout 20 " + relay_process::binary() + " serve " + r.operator_flags() +
                     " --listen 127.0.0.1:0");
}

TEST(Upgrades, AStoreThePreviousReleaseMadeIsMigratedAtStartWithNothingLost) {
  world w;
  actor f = w.facilitator();
  const auto pin = f.identity.public_key();
  const proto::id case_id = w.open_case(f);
  actor h = w.party(f, case_id, role::harmed);
  actor r = w.party(f, case_id, role::responsible);
  auto waiting = w.send(h, case_id, pin, role::responsible, "waiting for review");
  auto returned = w.send(h, case_id, pin, role::responsible, "sent back");
  ASSERT_EQ(w.return_letter(f, case_id, pin, returned.id(), "not yet").status, 200u);
  auto released = w.send(h, case_id, pin, role::responsible, "released, not yet opened");
  ASSERT_EQ(w.approve(f, case_id, pin, released.id()).status, 200u);
  const auto before = message_states(w.http, case_id, f.token);
  ASSERT_EQ(before.size(), 3u);

  w.relay.stop();
  as_the_previous_release_left_it(w.relay);
  ASSERT_EQ(single_number(w.relay, "SELECT version FROM schema_version"), of(w.relay).previous);
  w.restart_relay();  // the new relay on the old store, as the package's restart does

  EXPECT_EQ(single_number(w.relay, "SELECT version FROM schema_version"), of(w.relay).latest);
  // The migration only added an index: relays of the previous release still serve it.
  EXPECT_EQ(single_number(w.relay, "SELECT serves_from FROM schema_version"), of(w.relay).serves_from);
  // Sessions survive: the same tokens still work; every letter is where it was.
  EXPECT_EQ(message_states(w.http, case_id, f.token), before);
  EXPECT_EQ(w.http.get("/v1/me", h.token).status, 200u);
  // The released letter opens for its reader after the upgrade, and the waiting one can still be approved.
  EXPECT_TRUE(w.open_letter(r, case_id, pin, released.id()));
  EXPECT_EQ(w.approve(f, case_id, pin, waiting.id()).status, 200u);
  // The audit chain written before the upgrade verifies with what came after.
  const auto verified = run_command(relay_process::binary() + " audit verify " + w.relay.operator_flags());
  EXPECT_EQ(verified.status, 0) << verified.output;
  EXPECT_NE(verified.output.find("every chain verifies"), std::string::npos) << verified.output;
}

TEST(Upgrades, ARelayRefusesADatabaseANewerRelayWroteInWordsAndServesOneItMaySafely) {
  world w;
  actor f = w.facilitator();
  const int latest = of(w.relay).latest;
  w.relay.stop();

  // A newer relay's schema that older relays must not read past.
  sql(w.relay, "UPDATE schema_version SET version = " + std::to_string(latest + 1) +
                   ", serves_from = " + std::to_string(latest + 1));
  const auto refused = serve_once(w.relay);
  EXPECT_EQ(refused.status, 1) << refused.output;
  EXPECT_NE(refused.output.find("The database was written by a newer relay (schema " + std::to_string(latest + 1) +
                                "; this relay knows schema " + std::to_string(latest)),
            std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("Install the newer shuttle package again, or roll back"), std::string::npos)
      << refused.output;
  // Refusing changed nothing: the version is the newer relay's still.
  EXPECT_EQ(single_number(w.relay, "SELECT version FROM schema_version"), latest + 1);

  // A newer schema that only added what this relay does not read: it serves on, unmigrated.
  sql(w.relay, "UPDATE schema_version SET serves_from = " + std::to_string(latest));
  w.restart_relay();
  EXPECT_EQ(w.http.get("/v1/me", f.token).status, 200u);
  w.relay.stop();
  EXPECT_EQ(single_number(w.relay, "SELECT version FROM schema_version"), latest + 1);
  sql(w.relay, "UPDATE schema_version SET version = " + std::to_string(latest));
  w.restart_relay();
}

}  // namespace
}  // namespace shuttle::testing

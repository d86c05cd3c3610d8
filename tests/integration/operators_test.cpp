// An operator's commands after the first day, as an operator runs them:
// from whatever directory the shell is in, with the relay's configuration
// file, against a relay that serves. Every command reads that one
// configuration and acts on the store it names (SQLite here, PostgreSQL in
// the suite's PostgreSQL run); pointed at a directory where no relay has
// run, each says so and makes nothing there.
#include "tests/integration/world.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace shuttle::testing {
namespace {

namespace fs = std::filesystem;

// A new empty directory to run commands from.
fs::path empty_directory(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("shuttle-operator-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}

// A figure of /metrics without labels, e.g. shuttle_last_purge_timestamp_seconds.
double figure(const std::string& metrics, const std::string& name) {
  const auto at = metrics.find("\n" + name + " ");
  if (at == std::string::npos) throw std::runtime_error(name + " is not in /metrics");
  return std::stod(metrics.substr(at + name.size() + 2));
}

command_result in(const fs::path& dir, const std::string& arguments) {
  return run_command("cd " + dir.string() + " && " + relay_process::binary() + " " + arguments);
}

TEST(Operators, EveryCommandReadsTheRelaysConfigurationFromADirectoryWithNoDataInIt) {
  world w;
  actor f = w.facilitator();
  const proto::id case_id = w.open_case(f);
  w.party(f, case_id, proto::role::harmed);

  // The configuration as an operator keeps it: where the data is, and the database when it is PostgreSQL.
  const fs::path shell = empty_directory("shell");
  const fs::path conf = w.relay.data_dir() / "relay.conf";
  {
    std::ofstream out(conf);
    out << "# as in /etc/shuttle/relay.conf\n"
        << "listen = 127.0.0.1:" << w.relay.port() << "\n"
        << "data-dir = " << (w.relay.data_dir() / "data").string() << "\n";
    if (!w.relay.database_url().empty()) out << "database = " << w.relay.database_url() << "\n";
  }
  const std::string config = " --config " + conf.string();
  const std::string store = w.relay.database_url().empty() ? "store " + (w.relay.data_dir() / "data" / "relay.db").string()
                                                           : "store PostgreSQL ";

  // An invitation made this way lands in the relay's store: a second facilitator enrols with it.
  const auto invited = in(shell, "admin invite-facilitator" + config);
  ASSERT_EQ(invited.status, 0) << invited.output;
  EXPECT_NE(invited.output.find("configuration " + conf.string() + "; " + store), std::string::npos) << invited.output;
  const auto code = invited.output.substr(invited.output.find("shuttle-invite-1."));
  actor g;
  EXPECT_EQ(w.enrol(g, code.substr(0, code.find('\n'))).status, 200u);

  // The audit trail verifies with the relay's own key (not a new one made here).
  const auto verified = in(shell, "audit verify" + config);
  EXPECT_EQ(verified.status, 0) << verified.output;
  EXPECT_NE(verified.output.find("every chain verifies"), std::string::npos) << verified.output;

  // The alerts watch when the purge and the backup last finished on the store: never, so far.
  EXPECT_EQ(figure(w.relay.metrics(), "shuttle_last_purge_timestamp_seconds"), 0);
  EXPECT_EQ(figure(w.relay.metrics(), "shuttle_last_backup_timestamp_seconds"), 0);
  const double before = static_cast<double>(std::time(nullptr));

  const auto purged = in(shell, "purge --retention-days 1" + config);
  EXPECT_EQ(purged.status, 0) << purged.output;
  EXPECT_NE(purged.output.find(store), std::string::npos) << purged.output;

  // A backup of the store the configuration names: relay.db, or pg_dump's copy of the PostgreSQL database.
  const auto backed_up = in(shell, "backup --to " + (shell / "backup").string() + config);
  EXPECT_EQ(backed_up.status, 0) << backed_up.output;
  EXPECT_TRUE(fs::exists(shell / "backup" / (w.relay.database_url().empty() ? "relay.db" : "relay.dump")))
      << backed_up.output;
  EXPECT_TRUE(fs::exists(shell / "backup" / "relay-identity.key"));
  fs::remove_all(shell / "backup");
  // The relay that serves sees both in its store, on SQLite as on PostgreSQL.
  const auto after = w.relay.metrics();
  EXPECT_GE(figure(after, "shuttle_last_purge_timestamp_seconds"), before);
  EXPECT_GE(figure(after, "shuttle_last_backup_timestamp_seconds"), before);

  // Nothing was made where the commands ran.
  EXPECT_EQ(entries(shell), 0u);
  for (const char* help : {"backup --help", "restore --help", "migrate --help", "purge --help", "audit verify --help",
                           "admin invite-facilitator --help", "serve --help", "--version"}) {
    const auto shown = in(shell, help);
    EXPECT_EQ(shown.status, 0) << help << ": " << shown.output;
  }
  EXPECT_NE(in(shell, "--version").output.find("Shuttle protocol, version 1"), std::string::npos);
  fs::remove_all(shell);
}

TEST(Operators, PointedAtNothingEachCommandSaysSoAndMakesNothing) {
  const fs::path shell = empty_directory("nothing");
  const fs::path empty = shell / "empty-data";
  fs::create_directories(empty);
  for (const std::string command : {"admin invite-facilitator", "audit verify", "purge", "backup --to somewhere",
                                    "migrate --to postgresql://shuttle@127.0.0.1/none"}) {
    // Nothing configured: the default data directory, which is not there.
    const auto bare = in(shell, command);
    EXPECT_EQ(bare.status, 1) << command << ": " << bare.output;
    EXPECT_NE(bare.output.find("there is no relay data directory at shuttle-data"), std::string::npos) << bare.output;
    // A directory where no relay ran: no key or certificate appears in it.
    const auto none = in(shell, command + " --data-dir " + empty.string());
    EXPECT_EQ(none.status, 1) << command << ": " << none.output;
    EXPECT_NE(none.output.find("holds no relay.db"), std::string::npos) << none.output;
    EXPECT_EQ(entries(empty), 0u) << command << " made something in an empty data directory";
  }
  EXPECT_EQ(entries(shell), 1u) << "only the empty data directory is there";
  fs::remove_all(shell);
}

}  // namespace
}  // namespace shuttle::testing

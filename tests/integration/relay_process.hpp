// A real shuttle-relay process for integration tests: its own temporary
// data directory, an ephemeral loopback port, stopped (SIGTERM) at the end.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace shuttle::testing {

struct command_result {
  int status = -1;      // the exit status, or -1 when it did not exit
  std::string output;   // standard output and standard error together
};
// Runs a shell command and waits for it.
command_result run_command(const std::string& command);

class relay_process {
 public:
  // Runs before the relay first starts, with the directory the relay's data
  // directory ("data") will be made in (e.g. to mount a file system there).
  using preparation = std::function<void(const std::filesystem::path& dir)>;

  // Starts `shuttle-relay serve` with these extra flags and waits until it listens.
  explicit relay_process(std::vector<std::string> extra_args = {}, const preparation& prepare = {});
  ~relay_process();
  relay_process(const relay_process&) = delete;
  relay_process& operator=(const relay_process&) = delete;

  unsigned short port() const { return port_; }
  // The plain-HTTP metrics listener on 127.0.0.1 (tests always start one).
  unsigned short metrics_port() const { return metrics_port_; }
  // GET /metrics from that listener: the Prometheus text.
  std::string metrics();
  int pid() const { return pid_; }
  const std::filesystem::path& data_dir() const { return dir_; }
  // The relay's PostgreSQL database (postgresql://...), or empty for its
  // SQLite file. With SHUTTLE_TEST_POSTGRES=1 in the environment (the test
  // command sets it for the suite's PostgreSQL run, under pg_virtualenv),
  // every relay gets a fresh database of its own, unless --database is
  // among its flags (a second relay on the first one's database).
  const std::string& database_url() const { return database_; }
  // The flags an operator command (audit verify, purge) needs to find this
  // relay's data: --data-dir, and --database when it has one.
  std::string operator_flags() const;
  // Whether the stored data holds these bytes: the SQLite file and its log
  // as they are on disk, or what PostgreSQL's pg_dump shows of the database
  // (bytea as hex; rows deleted but not yet vacuumed do not show there).
  bool stores(const std::string& needle) const;
  bool running();

  // Runs `shuttle-relay admin invite-facilitator` against the data directory.
  std::string invite_facilitator(const std::string& extra = "");
  // Stops with SIGTERM (graceful) or SIGKILL, and waits; returns the exit status.
  int stop(int signal = 15);
  // Starts again on the same data directory and the same port.
  void restart();

  static std::string binary();

 private:
  void start();
  std::filesystem::path dir_;
  std::vector<std::string> extra_;
  std::string database_;       // postgresql://..., or empty
  bool owns_database_ = false;  // made here, dropped at the end
  int pid_ = -1;
  unsigned short port_ = 0;
  unsigned short metrics_port_ = 0;
};

}  // namespace shuttle::testing

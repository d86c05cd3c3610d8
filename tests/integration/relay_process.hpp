// A real shuttle-relay process for integration tests: its own temporary
// data directory, an ephemeral loopback port, stopped (SIGTERM) at the end.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace shuttle::testing {

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
  bool running();

  // Runs `shuttle-relay admin invite-facilitator` against the data directory.
  std::string invite_facilitator(const std::string& extra = "");
  // Stops with SIGTERM (graceful) or SIGKILL, and waits; returns the exit status.
  int stop(int signal = 15);
  // Starts again on the same data directory.
  void restart();

  static std::string binary();

 private:
  void start();
  std::filesystem::path dir_;
  std::vector<std::string> extra_;
  int pid_ = -1;
  unsigned short port_ = 0;
  unsigned short metrics_port_ = 0;
};

}  // namespace shuttle::testing

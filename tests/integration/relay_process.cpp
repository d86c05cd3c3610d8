#include "tests/integration/relay_process.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>


#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace shuttle::testing {

std::string relay_process::binary() { return SHUTTLE_RELAY_BINARY; }

command_result run_command(const std::string& command) {
  command_result r;
  std::FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

namespace {

// Runs SQL on the PostgreSQL server of the test run (PGUSER, PGPASSWORD
// from pg_virtualenv), on loopback.
void postgres_admin(const std::string& sql) {
  const std::string cmd = "psql -X -q -h 127.0.0.1 -d postgres -v ON_ERROR_STOP=1 -c \"" + sql + "\" >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    throw std::runtime_error("no PostgreSQL server to test against (" + sql +
                             " failed; the test command runs this suite under pg_virtualenv)");
  }
}

}  // namespace

relay_process::relay_process(std::vector<std::string> extra_args, const preparation& prepare)
    : extra_(std::move(extra_args)) {
  char pattern[] = "/tmp/shuttle-relay-test-XXXXXX";
  if (!::mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  if (const auto given = std::find(extra_.begin(), extra_.end(), "--database"); given != extra_.end() && given + 1 != extra_.end()) {
    database_ = *(given + 1);
  } else if (const char* pg = std::getenv("SHUTTLE_TEST_POSTGRES"); pg && std::string(pg) == "1") {
    static int made = 0;
    const std::string name = "shuttle_relay_" + std::to_string(::getpid()) + "_" + std::to_string(++made);
    postgres_admin("CREATE DATABASE " + name);
    database_ = "postgresql://127.0.0.1/" + name;
    owns_database_ = true;
    extra_.insert(extra_.end(), {"--database", database_});
  }
  if (prepare) prepare(dir_);
  start();
}

relay_process::~relay_process() {
  if (pid_ > 0) stop(SIGKILL);
  if (owns_database_) {
    try {
      postgres_admin("DROP DATABASE IF EXISTS " + database_.substr(database_.rfind('/') + 1) + " WITH (FORCE)");
    } catch (const std::exception&) {
      // the server went with the test run
    }
  }
  // SHUTTLE_KEEP_RELAY_DIR=1 keeps the data directory and the log for a look.
  if (const char* keep = std::getenv("SHUTTLE_KEEP_RELAY_DIR"); keep && std::string(keep) == "1") return;
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void relay_process::start() {
  const auto port_file = dir_ / "port";
  std::filesystem::remove(port_file);
  const auto metrics_port_file = dir_ / "metrics-port";
  std::filesystem::remove(metrics_port_file);
  // A restart listens where the relay listened before, as a real relay does:
  // clients keep the address they know.
  const std::string listen = "127.0.0.1:" + std::to_string(port_);
  std::vector<std::string> args{binary(), "serve", "--listen", listen, "--data-dir", (dir_ / "data").string(),
                                "--port-file", port_file.string(), "--threads", "2",
                                "--metrics-listen", "127.0.0.1:0", "--metrics-port-file", metrics_port_file.string()};
  if (std::find(extra_.begin(), extra_.end(), "--log-level") == extra_.end()) {
    args.insert(args.end(), {"--log-level", "warn"});
  }
  args.insert(args.end(), extra_.begin(), extra_.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string log = (dir_ / "relay.log").string();
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + binary());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(port_file);
    unsigned p = 0;
    if (in >> p && p > 0) {
      port_ = static_cast<unsigned short>(p);
      std::ifstream m(metrics_port_file);
      if (m >> p) metrics_port_ = static_cast<unsigned short>(p);
      return;
    }
    if (!running()) throw std::runtime_error("the relay exited at start; see " + log);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("the relay did not start listening within 60 s");
}

bool relay_process::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int relay_process::stop(int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

void relay_process::restart() {
  if (pid_ > 0) stop(SIGTERM);
  start();
}

std::string relay_process::metrics() {
  namespace http = boost::beast::http;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), metrics_port_});
  http::request<http::empty_body> req{http::verb::get, "/metrics", 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(socket, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  if (res.result() != http::status::ok) throw std::runtime_error("/metrics answered " + std::to_string(res.result_int()));
  return res.body();
}

std::string relay_process::invite_facilitator(const std::string& extra) {
  const std::string cmd = binary() + " admin invite-facilitator --data-dir " + (dir_ / "data").string() +
                          (database_.empty() ? "" : " --database " + database_) + " --relay 127.0.0.1:" +
                          std::to_string(port_) + " " + extra + " 2>/dev/null";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + cmd);
  char buf[1024];
  std::string out;
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  if (::pclose(p) != 0) throw std::runtime_error("invite-facilitator failed");
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string relay_process::operator_flags() const {
  return "--data-dir " + (dir_ / "data").string() + (database_.empty() ? "" : " --database " + database_);
}

bool relay_process::stores(const std::string& needle) const {
  auto slurp = [](const std::string& command_or_file, bool command) {
    std::string out;
    if (command) {
      std::FILE* p = ::popen(command_or_file.c_str(), "r");
      if (!p) return out;
      char buf[65536];
      while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
      ::pclose(p);
    } else {
      std::ifstream in(command_or_file, std::ios::binary);
      out.assign(std::istreambuf_iterator<char>(in), {});
    }
    return out;
  };
  if (database_.empty()) {
    const auto db = (dir_ / "data" / "relay.db").string();
    return (slurp(db, false) + slurp(db + "-wal", false)).find(needle) != std::string::npos;
  }
  const std::string dump = slurp("pg_dump --data-only -h 127.0.0.1 " + database_.substr(database_.rfind('/') + 1) +
                                     " 2>/dev/null",
                                 true);
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : needle) hex += std::string{digits[c >> 4], digits[c & 15]};
  return dump.find(needle) != std::string::npos || dump.find(hex) != std::string::npos;
}

}  // namespace shuttle::testing

// Debian's nginx, run by a test in front of real relays with a site from
// deploy/ as shipped: the test rewrites only its addresses, certificate and
// log paths (replace_once fails loudly if deploy/ no longer has the text).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <vector>

extern char** environ;

namespace shuttle::testing {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline unsigned short free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

inline void replace_once(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("the deploy/ nginx site no longer has: " + from);
  text.replace(at, from.size(), to);
}

inline void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) text.replace(at, from.size(), to);
}

// What every site from deploy/ needs changed to run in a test: it listens on
// `port` of loopback, serves the relay's own certificate, and logs into `dir`.
inline void use_test_addresses(std::string& site, unsigned short port, const std::filesystem::path& relay_data,
                               const std::filesystem::path& dir) {
  replace_once(site, "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n",
               "    listen 127.0.0.1:" + std::to_string(port) + " ssl;\n");
  replace_once(site, "/etc/letsencrypt/live/relay.example.org/fullchain.pem",
               (relay_data / "tls-certificate.pem").string());
  replace_once(site, "/etc/letsencrypt/live/relay.example.org/privkey.pem", (relay_data / "tls-key.pem").string());
  replace_once(site, "/var/log/nginx/shuttle-error.log", (dir / "site-error.log").string());
}

class nginx_process {
 public:
  // `site` turns the port nginx will listen on into the site's text.
  nginx_process(const std::function<std::string(unsigned short port)>& site, const std::filesystem::path& dir)
      : dir_(dir) {
    using namespace std::chrono_literals;
    port_ = free_port();
    std::ofstream(dir_ / "site.conf") << site(port_);
    const std::string d = dir_.string();
    std::ofstream(dir_ / "nginx.conf")
        << "daemon off;\nuser root;\nworker_processes 1;\npid " << d << "/nginx.pid;\n"
        << "error_log " << d << "/main-error.log info;\n"
        << "events { worker_connections 512; }\n"
        << "http {\n  client_body_temp_path " << d << "/body;\n  proxy_temp_path " << d << "/proxy;\n"
        << "  fastcgi_temp_path " << d << "/fastcgi;\n  uwsgi_temp_path " << d << "/uwsgi;\n"
        << "  scgi_temp_path " << d << "/scgi;\n  access_log off;\n  include " << d << "/site.conf;\n}\n";
    std::vector<std::string> args{"/usr/sbin/nginx", "-e", d + "/main-error.log", "-p", d, "-c", d + "/nginx.conf"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot start /usr/sbin/nginx (scripts/install-deps installs it)");
    }
    for (int i = 0; i < 100; ++i) {
      boost::asio::io_context io;
      boost::asio::ip::tcp::socket s(io);
      boost::system::error_code ec;
      s.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
      if (!ec) return;
      std::this_thread::sleep_for(50ms);
    }
    throw std::runtime_error("nginx did not start; see " + d + "/main-error.log:\n" + read_file(dir_ / "main-error.log"));
  }
  ~nginx_process() {
    ::kill(pid_, SIGQUIT);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  nginx_process(const nginx_process&) = delete;
  nginx_process& operator=(const nginx_process&) = delete;
  unsigned short port() const { return port_; }
  std::string logs() const { return read_file(dir_ / "main-error.log") + read_file(dir_ / "site-error.log"); }

 private:
  std::filesystem::path dir_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace shuttle::testing

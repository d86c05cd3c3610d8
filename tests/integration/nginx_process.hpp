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
// `port` of loopback, serves the relay's own certificate, logs into `dir`,
// and includes deploy/nginx-shuttle-errors.conf from the source tree (the
// package installs it in /usr/share/shuttle/nginx). `host`: the site's
// server_name, which names its certificate's directory.
inline void use_test_addresses(std::string& site, unsigned short port, const std::filesystem::path& relay_data,
                               const std::filesystem::path& dir, const std::string& host = "relay.example.org") {
  replace_once(site, "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n",
               "    listen 127.0.0.1:" + std::to_string(port) + " ssl;\n");
  replace_once(site, "/etc/letsencrypt/live/" + host + "/fullchain.pem", (relay_data / "tls-certificate.pem").string());
  replace_once(site, "/etc/letsencrypt/live/" + host + "/privkey.pem", (relay_data / "tls-key.pem").string());
  replace_once(site, "/var/log/nginx/shuttle-error.log", (dir / ("site-error-" + host + ".log")).string());
  replace_once(site, "/usr/share/shuttle/nginx/shuttle-errors.conf", SHUTTLE_SOURCE_DIR "/deploy/nginx-shuttle-errors.conf");
}

// Debian's own /etc/nginx/nginx.conf as installed (`gzip on`, the stock TLS
// and MIME settings), with only what a test must change: it runs as root
// with its pid, logs and temporary files in `dir`, reads the sites in
// `dir`/sites-enabled instead of the machine's, and no conf.d of the machine.
inline std::string stock_nginx_conf(const std::filesystem::path& dir) {
  std::string conf = read_file("/etc/nginx/nginx.conf");
  const std::string d = dir.string();
  replace_once(conf, "user www-data;", "user root;");
  replace_once(conf, "pid /run/nginx.pid;", "pid " + d + "/nginx.pid;");
  replace_once(conf, "error_log /var/log/nginx/error.log;", "error_log " + d + "/main-error.log;");
  replace_once(conf, "access_log /var/log/nginx/access.log;", "access_log " + d + "/access.log;");
  replace_once(conf, "include /etc/nginx/conf.d/*.conf;",
               "client_body_temp_path " + d + "/body; proxy_temp_path " + d + "/proxy; fastcgi_temp_path " + d +
                   "/fastcgi; uwsgi_temp_path " + d + "/uwsgi; scgi_temp_path " + d + "/scgi;");
  replace_once(conf, "include /etc/nginx/sites-enabled/*;", "include " + d + "/sites-enabled/*;");
  return conf;
}

class nginx_process {
 public:
  // `site` turns the port nginx will listen on into the site's text.
  nginx_process(const std::function<std::string(unsigned short port)>& site, const std::filesystem::path& dir)
      : nginx_process(
            [&](const std::vector<unsigned short>& ports) {
              std::ofstream(dir / "site.conf") << site(ports[0]);
              const std::string d = dir.string();
              std::ofstream(dir / "nginx.conf")
                  << "user root;\nworker_processes 1;\npid " << d << "/nginx.pid;\n"
                  << "error_log " << d << "/main-error.log info;\n"
                  << "events { worker_connections 512; }\n"
                  << "http {\n  client_body_temp_path " << d << "/body;\n  proxy_temp_path " << d << "/proxy;\n"
                  << "  fastcgi_temp_path " << d << "/fastcgi;\n  uwsgi_temp_path " << d << "/uwsgi;\n"
                  << "  scgi_temp_path " << d << "/scgi;\n  access_log off;\n  include " << d << "/site.conf;\n}\n";
            },
            dir, 1) {}

  // `configure` writes `dir`/nginx.conf and what it includes, for nginx to
  // listen on `listening` ports of loopback (given, free).
  nginx_process(const std::function<void(const std::vector<unsigned short>& ports)>& configure,
                const std::filesystem::path& dir, std::size_t listening)
      : dir_(dir) {
    using namespace std::chrono_literals;
    for (std::size_t i = 0; i < listening; ++i) ports_.push_back(free_port());
    port_ = ports_.front();
    configure(ports_);
    const std::string d = dir_.string();
    std::vector<std::string> args{"/usr/sbin/nginx", "-e", d + "/main-error.log", "-p", d, "-c", d + "/nginx.conf",
                                  "-g", "daemon off;"};
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
  unsigned short port(std::size_t i) const { return ports_.at(i); }
  // Everything nginx logged: its own log and every site's.
  std::string logs() const {
    std::string all = read_file(dir_ / "main-error.log");
    for (const auto& f : std::filesystem::directory_iterator(dir_)) {
      if (f.path().filename().string().starts_with("site-error")) all += read_file(f.path());
    }
    return all;
  }

 private:
  std::filesystem::path dir_;
  unsigned short port_ = 0;
  std::vector<unsigned short> ports_;
  pid_t pid_ = -1;
};

}  // namespace shuttle::testing

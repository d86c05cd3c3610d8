// Debian's nginx, started by the test with deploy/nginx-shuttle.conf as
// shipped (only its addresses, certificate paths and log path replaced), in
// front of the real relay: each client's address reaches the relay's limits,
// a client cannot pick its own, the site's limits answer the relay's JSON 429
// with Retry-After, no spelling of a path passes around them, and nothing
// about clients is written to nginx's logs.
#include "tests/integration/world.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>

extern char** environ;

namespace shuttle::testing {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

unsigned short free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

void replace_once(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("deploy/nginx-shuttle.conf no longer has: " + from);
  text.replace(at, from.size(), to);
}

class nginx_process {
 public:
  nginx_process(const relay_process& relay, const std::filesystem::path& dir) : dir_(dir) {
    const auto data = relay.data_dir() / "data";
    port_ = free_port();
    std::string site = read_file(SHUTTLE_SOURCE_DIR "/deploy/nginx-shuttle.conf");
    replace_once(site, "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n",
                 "    listen 127.0.0.1:" + std::to_string(port_) + " ssl;\n");
    replace_once(site, "/etc/letsencrypt/live/relay.example.org/fullchain.pem", (data / "tls-certificate.pem").string());
    replace_once(site, "/etc/letsencrypt/live/relay.example.org/privkey.pem", (data / "tls-key.pem").string());
    replace_once(site, "/var/lib/shuttle/tls-certificate.pem", (data / "tls-certificate.pem").string());
    replace_once(site, "/var/log/nginx/shuttle-error.log", (dir_ / "site-error.log").string());
    for (std::size_t at; (at = site.find("https://127.0.0.1:8443")) != std::string::npos;) {
      site.replace(at, 22, "https://127.0.0.1:" + std::to_string(relay.port()));
    }
    std::ofstream(dir_ / "site.conf") << site;
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
  unsigned short port() const { return port_; }
  std::string logs() const { return read_file(dir_ / "main-error.log") + read_file(dir_ / "site-error.log"); }

 private:
  std::filesystem::path dir_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
};

// The relay behind nginx, with its default per-address limits (a burst of
// 20), trusting nginx on 127.0.0.1.
struct behind_nginx {
  world w{{"--trusted-proxy", "127.0.0.1"}};
  nginx_process nginx{w.relay, w.relay.data_dir()};
  proto::hash pin = certificate_pin((w.relay.data_dir() / "data" / "tls-certificate.pem").string());

  https_client via_nginx(const std::string& source) { return https_client(nginx.port(), pin, source); }
  https_client direct(const std::string& source) { return https_client(w.relay.port(), pin, source); }
};

reply challenge(https_client& c, const std::string& path = "/v1/login/challenge") {
  actor someone;
  return c.post(path, json::object{{"identity", b64(someone.identity.public_key())}});
}

TEST(Proxy, EachClientBehindNginxHasItsOwnLimits) {
  behind_nginx p;
  auto a = p.via_nginx("127.0.0.2");
  auto b = p.via_nginx("127.0.0.3");
  // Fifteen each: within nginx's burst and the relay's for one client, over
  // the relay's for the two together (which is all it would see without the
  // forwarded address).
  for (int i = 0; i < 15; ++i) EXPECT_EQ(challenge(a).status, 200u);
  for (int i = 0; i < 15; ++i) EXPECT_EQ(challenge(b).status, 200u) << "attempt " << i;
}

TEST(Proxy, ALimitedRequestGetsTheRelaysJsonWithRetryAfter) {
  behind_nginx p;
  auto a = p.via_nginx("127.0.0.2");
  reply last;
  for (int i = 0; i < 30 && last.status != 429; ++i) last = challenge(a);
  ASSERT_EQ(last.status, 429u);
  EXPECT_EQ(last.error(), "rate_limited");
  EXPECT_TRUE(last.body.as_object().contains("message"));
  EXPECT_EQ(last.header("Content-Type"), "application/json");
  EXPECT_FALSE(last.header("Retry-After").empty());
  // Another client is not affected.
  auto b = p.via_nginx("127.0.0.3");
  EXPECT_EQ(challenge(b).status, 200u);
}

TEST(Proxy, NoSpellingOfAPathPassesTheLimits) {
  behind_nginx p;
  auto a = p.via_nginx("127.0.0.2");
  for (int i = 0; i < 30; ++i) (void)challenge(a);
  for (const char* other : {"/v1/login/challenge/", "//v1/login/challenge", "/v1//login/challenge"}) {
    const auto r = challenge(a, other);
    EXPECT_TRUE(r.status == 404u || r.status == 429u) << other << ": " << r.status << " " << r.text;
    EXPECT_TRUE(r.body.is_object()) << other << ": " << r.text;
  }
}

TEST(Proxy, AClientCannotChooseItsAddress) {
  behind_nginx p;
  // Through nginx: its own X-Forwarded-For is replaced by nginx.
  auto a = p.via_nginx("127.0.0.2");
  unsigned via_nginx_limited = 0;
  for (int i = 0; i < 30; ++i) {
    auto c = a;
    c.set_header("X-Forwarded-For", "198.51.100." + std::to_string(i));
    via_nginx_limited += challenge(c).status == 429;
  }
  EXPECT_GT(via_nginx_limited, 0u);
  // Straight to the relay from an address it does not trust: the header is ignored.
  auto d = p.direct("127.0.0.4");
  unsigned direct_limited = 0;
  for (int i = 0; i < 30; ++i) {
    auto c = d;
    c.set_header("X-Forwarded-For", "198.51.100." + std::to_string(i));
    direct_limited += challenge(c).status == 429;
  }
  EXPECT_GT(direct_limited, 0u);
}

TEST(Proxy, NginxWritesNothingAboutClients) {
  behind_nginx p;
  auto a = p.via_nginx("127.0.0.2");
  for (int i = 0; i < 30; ++i) (void)challenge(a);   // limited: limit_req would log the client
  (void)a.post("/v1/enrol", json::object{{"x", 1}});  // refused by the relay
  (void)a.raw("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n");  // refused by nginx
  p.w.relay.stop(SIGTERM);
  const auto unreachable = challenge(a, "/v1/me");  // nginx cannot reach the relay
  EXPECT_EQ(unreachable.status, 503u) << unreachable.text;
  EXPECT_EQ(unreachable.error(), "unavailable");
  const auto logs = p.nginx.logs();
  EXPECT_EQ(logs.find("client:"), std::string::npos) << logs;
  EXPECT_EQ(logs.find("127.0.0.2"), std::string::npos) << logs;
}

}  // namespace
}  // namespace shuttle::testing

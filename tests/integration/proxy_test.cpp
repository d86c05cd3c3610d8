// Debian's nginx, started by the test with deploy/nginx-shuttle.conf as
// shipped (only its addresses, certificate paths and log path replaced), in
// front of the real relay: each client's address reaches the relay's limits,
// a client cannot pick its own, the site's limits answer the relay's JSON 429
// with Retry-After, no spelling of a path passes around them, and nothing
// about clients is written to nginx's logs. And both shipped sites side by
// side under Debian's own nginx.conf.
#include "tests/integration/nginx_process.hpp"
#include "tests/integration/world.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <strings.h>

namespace shuttle::testing {
namespace {

using namespace std::chrono_literals;

// deploy/nginx-shuttle.conf in front of one relay.
std::string one_relay_site(const relay_process& relay, const std::filesystem::path& dir, unsigned short port) {
  const auto data = relay.data_dir() / "data";
  std::string site = read_file(SHUTTLE_SOURCE_DIR "/deploy/nginx-shuttle.conf");
  use_test_addresses(site, port, data, dir);
  replace_once(site, "/var/lib/shuttle/tls-certificate.pem", (data / "tls-certificate.pem").string());
  replace_all(site, "https://127.0.0.1:8443", "https://127.0.0.1:" + std::to_string(relay.port()));
  return site;
}

// The relay behind nginx, with its default per-address limits (a burst of
// 20), trusting nginx on 127.0.0.1.
struct behind_nginx {
  world w{{"--trusted-proxy", "127.0.0.1"}};
  nginx_process nginx{[this](unsigned short port) { return one_relay_site(w.relay, w.relay.data_dir(), port); },
                      w.relay.data_dir()};
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

// The answer's header `name`, from a raw HTTP answer ("" when absent).
std::string header_of(const std::string& answer, const std::string& name) {
  const auto head = answer.substr(0, answer.find("\r\n\r\n"));
  std::istringstream lines(head);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > name.size() && strncasecmp(line.c_str(), (name + ":").c_str(), name.size() + 1) == 0) {
      return line.substr(line.find_first_not_of(' ', name.size() + 1));
    }
  }
  return "";
}

// Both shipped sites, as the package installs them, enabled side by side
// under Debian's own nginx.conf (gzip on): each answers nginx's refusals in
// the relay's JSON with Retry-After where it applies, names no nginx
// version, and passes the page through byte for byte (`shuttle verify-web`
// holds the page to the signed manifest, so a compressed copy would fail it).
TEST(Proxy, BothShippedSitesRunSideBySideUnderDebiansNginxConf) {
  const auto web = std::filesystem::temp_directory_path() / ("shuttle-proxy-web-" + std::to_string(::getpid()));
  std::filesystem::create_directories(web / "assets");
  std::ofstream(web / "index.html") << "<!doctype html><html lang=en><title>Shuttle</title><main id=main></main>"
                                       "<p>" << std::string(2000, 'x') << "</p></html>";
  world w{{"--trusted-proxy", "127.0.0.1", "--web-root", web.string()}};
  const auto dir = w.relay.data_dir();
  const auto data = dir / "data";
  nginx_process nginx(
      [&](const std::vector<unsigned short>& ports) {
        std::filesystem::create_directories(dir / "sites-enabled");
        std::string one = read_file(SHUTTLE_SOURCE_DIR "/deploy/nginx-shuttle.conf");
        use_test_addresses(one, ports[0], data, dir);
        replace_once(one, "/var/lib/shuttle/tls-certificate.pem", (data / "tls-certificate.pem").string());
        replace_all(one, "https://127.0.0.1:8443", "https://127.0.0.1:" + std::to_string(w.relay.port()));
        std::ofstream(dir / "sites-enabled" / "shuttle") << one;
        std::string pair = read_file(SHUTTLE_SOURCE_DIR "/deploy/nginx-shuttle-two-relays.conf");
        use_test_addresses(pair, ports[1], data, dir, "relays.example.org");
        replace_once(pair, "/etc/nginx/shuttle-relays.pem", (data / "tls-certificate.pem").string());
        replace_once(pair, "server 10.0.0.11:8443", "server 127.0.0.1:" + std::to_string(w.relay.port()));
        replace_once(pair, "server 10.0.0.12:8443", "server 127.0.0.2:" + std::to_string(w.relay.port()));
        std::ofstream(dir / "sites-enabled" / "shuttle-two-relays") << pair;
        std::ofstream(dir / "nginx.conf") << stock_nginx_conf(dir);
      },
      dir, 2);
  const auto pin = certificate_pin((data / "tls-certificate.pem").string());
  https_client direct(w.relay.port(), pin);
  const std::string page = direct.raw("GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n");
  ASSERT_NE(page.find("<main id=main>"), std::string::npos) << page;

  for (const std::size_t site : {0u, 1u}) {
    https_client c(nginx.port(site), pin, "127.0.0.5");
    // The page as the relay sent it, uncompressed, and no version of nginx.
    const std::string through = c.raw("GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(header_of(through, "Content-Encoding"), "") << through.substr(0, 400);
    EXPECT_EQ(through.substr(through.find("\r\n\r\n")), page.substr(page.find("\r\n\r\n"))) << "site " << site;
    EXPECT_EQ(header_of(through, "Server"), "nginx") << through.substr(0, 400);
    // Too large: nginx's own 413, in the relay's words.
    const std::string large = c.raw("POST /v1/enrol HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                    "Content-Length: 99999999\r\nConnection: close\r\n\r\n");
    EXPECT_NE(large.find(" 413 "), std::string::npos) << large;
    EXPECT_NE(large.find("\"error\":\"too_large\""), std::string::npos) << large;
    EXPECT_EQ(header_of(large, "Server"), "nginx");
    // Limited: 429 with Retry-After, in the relay's words.
    reply limited;
    for (int i = 0; i < 40 && limited.status != 429; ++i) limited = challenge(c);
    EXPECT_EQ(limited.status, 429u) << "site " << site;
    EXPECT_EQ(limited.error(), "rate_limited");
  }
  // The relay gone: both sites say so in JSON, with Retry-After.
  w.relay.stop(SIGTERM);
  for (const std::size_t site : {0u, 1u}) {
    https_client c(nginx.port(site), pin, "127.0.0.7");
    const std::string gone = c.raw("GET /v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_NE(gone.find(" 503 "), std::string::npos) << gone;
    EXPECT_EQ(header_of(gone, "Retry-After"), "30") << gone;
    EXPECT_NE(gone.find("\"error\":\"unavailable\""), std::string::npos) << gone;
  }
  // nginx started with both sites and complained of nothing (no duplicate zone, no conflicting name).
  const auto logs = nginx.logs();
  EXPECT_EQ(logs.find("[emerg]"), std::string::npos) << logs;
  EXPECT_EQ(logs.find("[warn]"), std::string::npos) << logs;
  std::filesystem::remove_all(web);
}

}  // namespace
}  // namespace shuttle::testing

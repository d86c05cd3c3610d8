// The relay under hostile input: each test plays one attack from a client on
// this machine (127.0.0.1 floods, 127.0.0.2 is an honest client) and checks
// the defence SECURITY.md "Denial of service and faults" names for it.
#include "proto/letter_format.hpp"
#include "tests/integration/world.hpp"

#include <gtest/gtest.h>

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

#include <fstream>
#include <memory>
#include <sstream>
#include <sys/stat.h>
#include <thread>

namespace shuttle::testing {
namespace {

event_stream::options stream_options(const std::string& token) {
  event_stream::options o;
  o.token = token;
  return o;
}

using namespace std::chrono_literals;
using proto::role;

// The relay's resident memory, in KiB.
std::size_t rss_kib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::stoul(line.substr(6));
  }
  throw std::runtime_error("no VmRSS for the relay");
}

// Sends `head`, then `filler` until `total` bytes went or the relay hung up;
// returns what the relay answered.
std::string stream_until_refused(unsigned short port, const std::string& head, std::size_t total) {
  held_connection c(port, true);
  c.send(head);
  const std::string block(64 * 1024, 'a');
  try {
    for (std::size_t sent = 0; sent < total; sent += block.size()) c.send(block);
  } catch (const std::exception&) {
    // The relay closed the connection: what it said before is kept below.
  }
  (void)c.closed_by_relay_within(10s);
  return c.received();
}

constexpr std::size_t flood_bytes = 64 * 1024 * 1024;
constexpr std::size_t growth_allowed_kib = 8 * 1024;

// Streams 64 MiB after `head` and checks the relay neither kept it nor
// stopped answering. The relay's memory is read after a first, 1 MiB flood of
// the same kind: a relay just started still grows by several MiB on its first
// connections (its threads, TLS and database connections; up to 7.6 MiB seen
// on PostgreSQL under ASan), which says nothing about what it keeps of a flood.
void expect_flood_refused_without_growth(world& w, const std::string& head) {
  (void)stream_until_refused(w.relay.port(), head, 1024 * 1024);
  ASSERT_EQ(w.http.get("/healthz").status, 200u);
  const auto before = rss_kib(w.relay.pid());
  const auto answer = stream_until_refused(w.relay.port(), head, flood_bytes);
  EXPECT_LT(rss_kib(w.relay.pid()), before + growth_allowed_kib);
  EXPECT_TRUE(answer.empty() || answer.starts_with("HTTP/1.1 431")) << answer.substr(0, 200);
  EXPECT_EQ(w.http.get("/healthz").status, 200u);
}

TEST(Hostile, AHugeChunkExtensionDoesNotGrowTheRelay) {
  world w;
  expect_flood_refused_without_growth(
      w, "POST /v1/login/challenge HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
         "Transfer-Encoding: chunked\r\n\r\n1;ext=");
}

TEST(Hostile, AHugeTrailerDoesNotGrowTheRelay) {
  world w;
  expect_flood_refused_without_growth(
      w, "POST /v1/login/challenge HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
         "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-Trailer: ");
}

// What an honest client on 127.0.0.2 can still do while 127.0.0.1 floods:
// twenty health checks, a login, and a letter submitted.
void honest_client_is_served(exchange& x) {
  x.w.http = https_client(x.w.relay.port(), certificate_pin((x.w.relay.data_dir() / "data" / "tls-certificate.pem").string()),
                          "127.0.0.2");
  int answered = 0;
  for (int i = 0; i < 20; ++i) {
    try {
      answered += x.w.http.get("/healthz").status == 200;
    } catch (const std::exception&) {
    }
  }
  EXPECT_EQ(answered, 20);
  EXPECT_FALSE(x.w.login(x.h).empty());
  EXPECT_EQ(x.w.send(x.h, x.case_id, x.pin, role::responsible, "Still here.").answer.status, 200u);
}

constexpr int global_cap = 100;

std::vector<std::string> capped() { return {"--max-connections", std::to_string(global_cap)}; }

TEST(Hostile, BareConnectionsFromOneAddressLeaveSlotsForOthers) {
  exchange x(1, capped());
  std::vector<std::unique_ptr<held_connection>> flood;
  for (int i = 0; i < global_cap + 10; ++i) {
    try {
      flood.push_back(std::make_unique<held_connection>(x.w.relay.port(), false, "127.0.0.1"));
    } catch (const std::exception&) {
    }
  }
  honest_client_is_served(x);
}

TEST(Hostile, TricklingTlsConnectionsFromOneAddressLeaveSlotsForOthers) {
  exchange x(1, capped());
  std::vector<std::unique_ptr<held_connection>> flood;
  for (int i = 0; i < global_cap + 10; ++i) {
    try {
      auto c = std::make_unique<held_connection>(x.w.relay.port(), true, "127.0.0.1");
      c->send("GET /healthz HTTP/1.1\r\nHost: localh");
      flood.push_back(std::move(c));
    } catch (const std::exception&) {
    }
  }
  EXPECT_LE(flood.size(), 64u);  // the per-address cap refused the rest at once
  honest_client_is_served(x);
}

TEST(Hostile, OneAccountCannotHoldEveryEventStream) {
  exchange x(1, capped());
  std::vector<std::unique_ptr<event_stream>> streams;
  std::vector<std::string> refusals;
  for (int i = 0; i < 20; ++i) {
    try {
      streams.push_back(std::make_unique<event_stream>(x.w.relay.port(), stream_options(x.r.token)));
    } catch (const std::exception& e) {
      refusals.push_back(e.what());
    }
  }
  EXPECT_EQ(streams.size(), 8u);
  ASSERT_EQ(refusals.size(), 12u);
  EXPECT_EQ(refusals.front(), "upgrade refused: 429");
  // The other party's stream still opens, and an ended stream frees its slot.
  auto other = stream_options(x.h.token);
  other.source = "127.0.0.2";
  EXPECT_NO_THROW(event_stream(x.w.relay.port(), other));
  streams.pop_back();
  bool reopened = false;
  for (int i = 0; i < 50 && !reopened; ++i) {
    try {
      streams.push_back(std::make_unique<event_stream>(x.w.relay.port(), stream_options(x.r.token)));
      reopened = true;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(100ms);
    }
  }
  EXPECT_TRUE(reopened);
  honest_client_is_served(x);
}

TEST(Hostile, ALetterWithoutATokenIsRefusedBeforeItsBodyIsRead) {
  exchange x;
  held_connection c(x.w.relay.port(), true);
  c.send("POST " + world::case_path(x.case_id, "/messages") +
         " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 20000000\r\n\r\n");
  // Not a byte of the 20 MB follows: the answer must come without it.
  EXPECT_TRUE(c.closed_by_relay_within(5s));
  EXPECT_TRUE(c.received().starts_with("HTTP/1.1 401")) << c.received().substr(0, 200);
}

TEST(Hostile, AFloodOfLoginChallengesLocksNobodyOut) {
  exchange x;
  // Far more than any table of pending challenges would hold, on keep-alive
  // connections, from an address the rate limits let through (the relay runs
  // with high limits here, as it would against a flood from many addresses).
  const std::string identity = proto::base64url_encode(x.r.identity.public_key());
  const std::string body = R"({"identity":")" + identity + R"("})";
  const std::string one = "POST /v1/login/challenge HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  const std::string last = "POST /v1/login/challenge HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                           "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::size_t answered = 0;
  for (int batch = 0; batch < 21; ++batch) {
    held_connection c(x.w.relay.port(), true);
    std::string requests;
    for (int i = 0; i < 499; ++i) requests += one;
    c.send(requests + last);
    EXPECT_TRUE(c.closed_by_relay_within(60s));
    for (std::size_t at = 0; (at = c.received().find("HTTP/1.1 200", at)) != std::string::npos; ++at) ++answered;
  }
  EXPECT_EQ(answered, 21u * 500u);
  // An honest login, at once.
  EXPECT_FALSE(x.w.login(x.h).empty());
}

TEST(Hostile, ALoginChallengeWorksOnceAndOnlyForItsIdentity) {
  exchange x;
  auto ch = x.w.http.post("/v1/login/challenge", json::object{{"identity", b64(x.h.identity.public_key())}});
  ASSERT_EQ(ch.status, 200u) << ch.text;
  const auto challenge = world::decode<32>(ch.body.at("challenge"));
  const auto relay_key = world::decode<32>(ch.body.at("relay_key"));
  auto login_as = [&](actor& a) {
    return x.w.http.post("/v1/login", json::object{{"identity", b64(a.identity.public_key())},
                                                   {"challenge", b64(challenge)},
                                                   {"signature", b64(client::sign_login(a.identity, challenge, relay_key))}});
  };
  EXPECT_EQ(login_as(x.r).status, 401u);  // issued to someone else
  EXPECT_EQ(login_as(x.h).status, 200u);
  EXPECT_EQ(login_as(x.h).status, 401u);  // used
  auto forged = challenge;
  forged[0] ^= 1;
  EXPECT_EQ(x.w.http.post("/v1/login", json::object{{"identity", b64(x.h.identity.public_key())},
                                                    {"challenge", b64(forged)},
                                                    {"signature", b64(client::sign_login(x.h.identity, forged, relay_key))}})
                .status,
            401u);
}

TEST(Hostile, APathHasOneSpelling) {
  exchange x;
  EXPECT_EQ(x.w.http.get("/v1/me", x.h.token).status, 200u);
  for (const char* other : {"/v1/me/", "//v1/me", "/v1//me", "/v1/me//", "v1/me"}) {
    EXPECT_EQ(x.w.http.get(other, x.h.token).status, 404u) << other;
  }
  EXPECT_EQ(x.w.http.post("/v1/login/challenge/", json::object{{"identity", b64(x.h.identity.public_key())}}).status,
            404u);
}

TEST(Hostile, ABodyMustBeSentAsJson) {
  exchange x;
  https_client plain = x.w.http;
  plain.set_header("Content-Type", "text/plain");
  auto r = plain.post("/v1/login/challenge", json::object{{"identity", b64(x.h.identity.public_key())}});
  EXPECT_EQ(r.status, 415u) << r.text;
  EXPECT_EQ(r.error(), "unsupported_media_type");
  https_client with_charset = x.w.http;
  with_charset.set_header("Content-Type", "Application/JSON; charset=utf-8");
  EXPECT_EQ(with_charset.post("/v1/login/challenge", json::object{{"identity", b64(x.h.identity.public_key())}}).status,
            200u);
}

TEST(Hostile, AFoldedHeaderIsRefused) {
  world w;
  const auto answer = w.http.raw("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Folded: a\r\n b\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer.substr(0, 200);
  EXPECT_NE(answer.find("bad_request"), std::string::npos);
}

// How many answers came back on one connection.
std::size_t answers_in(const std::string& received) {
  std::size_t n = 0;
  for (auto at = received.find("HTTP/1."); at != std::string::npos; at = received.find("HTTP/1.", at + 1)) ++n;
  return n;
}

// Request framing as RFC 9112 has it: a request whose length a proxy in
// front could read differently, or without exactly one Host, is refused with
// 400 and its connection closed, so nothing hidden in its body is answered.
TEST(Hostile, ARequestFramedTwoWaysIsRefusedAndItsConnectionClosed) {
  world w;
  const std::string smuggled = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
  const std::string body = "{\"identity\":\"x\"}" + smuggled;
  const std::string post = "POST /v1/login/challenge HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n";
  const std::string chunked_body = "10\r\n{\"identity\":\"x\"}\r\n0\r\n\r\n" + smuggled;
  const std::vector<std::pair<std::string, std::string>> cases{
      {"a coding that only ends like chunked, with a length",
       post + "Transfer-Encoding: xchunked\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body},
      {"a coding other than chunked", post + "Transfer-Encoding: gzip\r\n\r\n" + body},
      {"codings before chunked", post + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunked_body},
      {"chunked twice", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked_body},
      {"chunked with a length", post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n" + chunked_body},
      {"a length with chunked", post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked_body},
      {"two lengths", post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n" + body},
      {"no Host", "GET /healthz HTTP/1.1\r\n\r\n" + smuggled},
      {"two Hosts", "GET /healthz HTTP/1.1\r\nHost: localhost\r\nHost: example.org\r\n\r\n" + smuggled},
  };
  for (const auto& [what, bytes] : cases) {
    const auto answer = w.http.raw(bytes);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << what << ": " << answer.substr(0, 200);
    EXPECT_NE(answer.find("\"bad_request\""), std::string::npos) << what;
    EXPECT_EQ(answers_in(answer), 1u) << what << ": the smuggled request was answered";
  }
  // Framed once and plainly, the same requests are answered.
  EXPECT_EQ(answers_in(w.http.raw("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
                                  "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")),
            2u);
  EXPECT_TRUE(w.http.raw("GET /healthz HTTP/1.0\r\n\r\n").starts_with("HTTP/1.0 200"));
  actor a;
  const std::string identity = "{\"identity\":\"" + proto::base64url_encode(a.identity.public_key()) + "\"}";
  std::ostringstream chunk_size;
  chunk_size << std::hex << identity.size();
  const auto chunked = w.http.raw(post + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunk_size.str() +
                                  "\r\n" + identity + "\r\n0\r\n\r\n");
  EXPECT_TRUE(chunked.starts_with("HTTP/1.1 200")) << chunked.substr(0, 300);
}

TEST(Hostile, ACiphertextSizeNoPaddedLetterHasIsRefused) {
  exchange x;
  auto sealed = world::seal(x.h, x.w.roster(x.case_id, x.h, x.pin), x.case_id, role::responsible, "x");
  ASSERT_TRUE(sealed);
  // 1017 bytes: a chunk of 1000, which chunking allows and Padmé never gives.
  ASSERT_TRUE(proto::plaintext_size_for(1017));
  ASSERT_FALSE(proto::is_padded_size(1000));
  auto e = sealed->envelope;
  e.ciphertext_size = 1017;
  const bytes ciphertext(1017, 0x42);
  e.ciphertext_hash = proto::blake2b_256(ciphertext);
  EXPECT_FALSE(client::sign(e, x.h.identity)) << "the client refuses to sign it";
  // The relay refuses it for its size, before it looks at the signature.
  auto answer = x.w.post_letter(x.h, x.case_id, e, ciphertext);
  EXPECT_EQ(answer.status, 400u) << answer.text;
  EXPECT_EQ(answer.error(), "bad_value");
  EXPECT_NE(answer.text.find("ciphertext_size"), std::string::npos) << answer.text;
}

TEST(Hostile, EveryFileTheRelayWritesIsItsOwnWhateverTheUmask) {
  const mode_t old = ::umask(0);
  std::unique_ptr<exchange> x;
  try {
    x = std::make_unique<exchange>();
  } catch (...) {
    ::umask(old);
    throw;
  }
  ::umask(old);
  (void)x->w.send(x->h, x->case_id, x->pin, role::responsible, "A letter, so the log files exist.");
  const auto dir = x->w.relay.data_dir() / "data";
  struct stat st{};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    ASSERT_EQ(::stat(entry.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 077, 0u) << entry.path() << " is " << std::oct << (st.st_mode & 0777);
    ++files;
  }
  // relay.db, -wal, -shm (unless the data is in PostgreSQL), the relay key, the TLS key and certificate
  EXPECT_GE(files, x->w.relay.database_url().empty() ? 6 : 3);
  ASSERT_EQ(::stat((x->w.relay.data_dir() / "port").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
}

TEST(Hostile, EveryRateLimitedAnswerSaysWhenToTryAgain) {
  world w({"--address-burst", "2", "--address-per-minute", "6"});
  actor a;
  reply last;
  for (int i = 0; i < 3; ++i) last = w.http.post("/v1/login/challenge", json::object{{"identity", b64(a.identity.public_key())}});
  EXPECT_EQ(last.status, 429u);
  EXPECT_EQ(last.error(), "rate_limited");
  const auto wait = last.header("Retry-After");
  ASSERT_FALSE(wait.empty());
  EXPECT_GE(std::stoi(wait), 1);
  EXPECT_LE(std::stoi(wait), 10);  // one token per 10 s
}

TEST(Hostile, TheEventStreamDoesNotNameItsServer) {
  exchange x(1, {"--idle-timeout-seconds", "1"});  // so the relay ends the silent stream soon
  held_connection c(x.w.relay.port(), true);
  c.send("GET /v1/events HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer " +
         x.r.token + "\r\n\r\n");
  EXPECT_TRUE(c.closed_by_relay_within(10s));  // no pong came for its ping
  ASSERT_TRUE(c.received().starts_with("HTTP/1.1 101")) << c.received();
  EXPECT_EQ(c.received().find("Beast"), std::string::npos) << c.received();
}

TEST(Hostile, MetricsAreNotServedOnThePublicListener) {
  world w;
  EXPECT_EQ(w.http.get("/metrics").status, 404u);
  const auto text = w.relay.metrics();
  EXPECT_NE(text.find("shuttle_open_connections"), std::string::npos);
}

}  // namespace
}  // namespace shuttle::testing

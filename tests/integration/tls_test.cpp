// The relay's own TLS stream (server/net/tls_stream.hpp), seen from a
// client on loopback: protocol versions, no session tickets, records that
// arrive together, a large answer to a reader that is slow, and a peer that
// vanishes in the middle of a record.
#include "tests/integration/world.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>

#include <thread>

namespace shuttle::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using proto::role;
using tcp = asio::ip::tcp;

// One client connection with its own context, so a test can narrow the
// protocol versions or shrink the socket's receive buffer before connecting.
struct client_connection {
  asio::io_context ioc;
  asio::ssl::context ctx{asio::ssl::context::tls_client};
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream;

  void connect(unsigned short port, int receive_buffer = 0) {
    stream = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc, ctx);
    auto& socket = beast::get_lowest_layer(*stream).socket();
    socket.open(tcp::v4());
    if (receive_buffer > 0) socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
    beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(20));
    beast::get_lowest_layer(*stream).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    stream->handshake(asio::ssl::stream_base::client);
  }

  // Reads one answer; the connection stays open.
  http::response<http::string_body> read_answer(beast::flat_buffer& buffer) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(*stream, buffer, parser);
    return parser.release();
  }
};

std::string get_request(const std::string& target, const std::string& token = "") {
  std::string r = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n";
  if (!token.empty()) r += "Authorization: Bearer " + token + "\r\n";
  return r + "\r\n";
}

TEST(Tls, OnlyTls12AndNewerAreSpoken) {
  relay_process relay;
  for (int version : {TLS1_VERSION, TLS1_1_VERSION}) {
    client_connection old;
    SSL_CTX_set_security_level(old.ctx.native_handle(), 0);  // so the client itself would speak it
    SSL_CTX_set_min_proto_version(old.ctx.native_handle(), version);
    SSL_CTX_set_max_proto_version(old.ctx.native_handle(), version);
    EXPECT_ANY_THROW(old.connect(relay.port())) << "version " << version;
  }
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    client_connection c;
    SSL_CTX_set_min_proto_version(c.ctx.native_handle(), version);
    SSL_CTX_set_max_proto_version(c.ctx.native_handle(), version);
    ASSERT_NO_THROW(c.connect(relay.port())) << "version " << version;
    EXPECT_EQ(SSL_version(c.stream->native_handle()), version);
  }
}

// Finite-field groups cost the relay's request threads up to ~130 times the
// CPU of X25519 per handshake: a client that offers only those is refused,
// one offering X25519 or P-256 is served with that group.
TEST(Tls, KeyExchangeIsX25519OrP256Only) {
  relay_process relay;
  for (const char* groups : {"ffdhe2048", "ffdhe8192", "ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192"}) {
    client_connection c;
    SSL_CTX_set_min_proto_version(c.ctx.native_handle(), TLS1_3_VERSION);
    ASSERT_EQ(SSL_CTX_set1_groups_list(c.ctx.native_handle(), groups), 1);
    EXPECT_ANY_THROW(c.connect(relay.port())) << groups;
  }
  // (In TLS 1.2 the groups also name the curves a client verifies ECDSA
  // with, so there a client offers P-256 for the relay's certificate.)
  const std::vector<std::pair<int, const char*>> served{{TLS1_3_VERSION, "X25519"},
                                                        {TLS1_3_VERSION, "P-256"},
                                                        {TLS1_3_VERSION, "ffdhe8192:X25519"},
                                                        {TLS1_2_VERSION, "X25519:P-256"},
                                                        {TLS1_2_VERSION, "P-256"}};
  for (const auto& [version, groups] : served) {
    client_connection c;
    SSL_CTX_set_min_proto_version(c.ctx.native_handle(), version);
    SSL_CTX_set_max_proto_version(c.ctx.native_handle(), version);
    ASSERT_EQ(SSL_CTX_set1_groups_list(c.ctx.native_handle(), groups), 1);
    EXPECT_NO_THROW(c.connect(relay.port())) << groups << " " << version;
  }
}

TEST(Tls, NoSessionTicketIsIssued) {
  relay_process relay;
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    client_connection c;
    SSL_CTX_set_max_proto_version(c.ctx.native_handle(), version);
    c.connect(relay.port());
    // TLS 1.3 tickets come after the handshake: read an answer first.
    asio::write(*c.stream, asio::buffer(get_request("/healthz")));
    beast::flat_buffer buffer;
    EXPECT_EQ(c.read_answer(buffer).result_int(), 200u);
    SSL_SESSION* session = SSL_get_session(c.stream->native_handle());
    ASSERT_NE(session, nullptr);
    EXPECT_FALSE(SSL_SESSION_has_ticket(session)) << "version " << version;
    EXPECT_FALSE(SSL_SESSION_is_resumable(session)) << "version " << version;
  }
}

// Two requests in two TLS records sent back to back: the relay's OpenSSL
// may read both at once, and must answer the second without waiting for
// the socket (which will stay quiet).
TEST(Tls, RequestsInRecordsSentTogetherAreAllAnswered) {
  relay_process relay;
  client_connection c;
  c.connect(relay.port());
  for (int round = 0; round < 20; ++round) {
    asio::write(*c.stream, asio::buffer(get_request("/healthz")));
    asio::write(*c.stream, asio::buffer(get_request("/healthz")));
    beast::flat_buffer buffer;
    ASSERT_EQ(c.read_answer(buffer).result_int(), 200u) << "round " << round;
    ASSERT_EQ(c.read_answer(buffer).result_int(), 200u) << "round " << round;
  }
}

// A letter of several MiB fetched by a client that waits before reading,
// with a small receive buffer: the relay's writes fill the socket and must
// resume as the client reads, and every byte must arrive as it was sent.
TEST(Tls, ALargeAnswerArrivesWholeAtASlowReader) {
  world w;
  auto f = w.facilitator();
  const auto case_id = w.open_case(f);
  auto h = w.party(f, case_id, role::harmed);
  w.party(f, case_id, role::responsible);
  w.attest(f, case_id, h, role::harmed);
  const std::string text(3 * 1024 * 1024, 'x');
  auto sent = w.send(h, case_id, f.identity.public_key(), role::responsible, text);
  ASSERT_EQ(sent.answer.status, 200u) << sent.answer.text;

  client_connection c;
  c.connect(w.relay.port(), 4096);
  asio::write(*c.stream, asio::buffer(get_request(world::message_path(case_id, sent.id(), "/ciphertext"), f.token)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the relay's socket fills meanwhile
  beast::flat_buffer buffer;
  auto answer = c.read_answer(buffer);
  ASSERT_EQ(answer.result_int(), 200u);
  EXPECT_EQ(answer.body(), std::string(sent.ciphertext.begin(), sent.ciphertext.end()));
}

std::size_t open_connections(relay_process& relay) {
  const auto text = relay.metrics();
  const std::string key = "\nshuttle_open_connections ";
  const auto at = text.find(key);
  if (at == std::string::npos) throw std::runtime_error("/metrics does not show shuttle_open_connections");
  return std::stoul(text.substr(at + key.size()));
}

// A peer that sends the start of a record and hangs up, or resets the
// connection mid-answer: the relay ends that session and keeps serving.
TEST(Tls, APeerVanishingMidRecordEndsOnlyItsSession) {
  world w;
  const auto before = open_connections(w.relay);
  {
    client_connection c;
    c.connect(w.relay.port());
    const char partial_record[] = {0x17, 0x03, 0x03, 0x01};  // application data: 4 of a record header's 5 bytes
    asio::write(beast::get_lowest_layer(*c.stream).socket(), asio::buffer(partial_record, sizeof partial_record));
  }
  {
    client_connection c;
    c.connect(w.relay.port());
    asio::write(*c.stream, asio::buffer(get_request("/healthz")));
    beast::get_lowest_layer(*c.stream).socket().set_option(asio::socket_base::linger(true, 0));  // a reset at close
  }
  EXPECT_EQ(w.http.get("/healthz").status, 200u);
  std::size_t now = 0;
  for (int i = 0; i < 100; ++i) {
    now = open_connections(w.relay);
    if (now <= before) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(now, before);
}

}  // namespace
}  // namespace shuttle::testing

// The `shuttle` CLI against a relay that answers garbage: a stand-in that
// takes the real relay's place (its address and certificate, so the client's
// pin holds) and answers every request with one kind of nonsense. Every
// command must end with a calm sentence and exit code 1: no crash, no
// exception text, nothing half-done.
#include "proto/base64.hpp"
#include "proto/statements.hpp"
#include "tests/cli/cli_person.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace shuttle::testing {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

// Serves HTTPS on 127.0.0.1:port with the given certificate until destroyed;
// every request gets `body` with status 200.
class garbage_relay {
 public:
  garbage_relay(unsigned short port, const std::filesystem::path& data, std::string body)
      : body_(std::move(body)), acceptor_(io_) {
    tls_.use_certificate_chain_file((data / "tls-certificate.pem").string());
    tls_.use_private_key_file((data / "tls-key.pem").string(), asio::ssl::context::pem);
    const asio::ip::tcp::endpoint at(asio::ip::make_address("127.0.0.1"), port);
    acceptor_.open(at.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(at);
    acceptor_.listen();
    thread_ = std::thread([this] { serve(); });
  }
  ~garbage_relay() {
    stopping_ = true;
    boost::system::error_code ignored;
    // Wake the accept with one last connection of our own.
    asio::ip::tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }

 private:
  void serve() {
    while (!stopping_) {
      asio::ip::tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      timeval limit{5, 0};
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
      asio::ssl::stream<asio::ip::tcp::socket> stream(std::move(socket), tls_);
      stream.handshake(asio::ssl::stream_base::server, ec);
      if (ec) continue;
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(stream, buffer, req, ec);
      if (ec) continue;
      http::response<http::string_body> res{http::status::ok, 11};
      res.set(http::field::content_type, "application/json");
      res.keep_alive(false);
      res.body() = body_;
      res.prepare_payload();
      http::write(stream, res, ec);
      stream.shutdown(ec);
    }
  }

  std::string body_;
  asio::io_context io_;
  asio::ssl::context tls_{asio::ssl::context::tls_server};
  asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Words that must never reach a person: crashes, exceptions, internals.
void expect_calm(const ran& r, const std::string& what) {
  EXPECT_EQ(r.status, 1) << what << ": " << r.out;
  EXPECT_FALSE(r.out.empty()) << what;
  for (const char* word : {"terminate", "what()", "std::", "stoull", "Aborted", "exception", "Segmentation",
                           "basic_string", "boost", "missing_field", "wrong_type", "bad_encoding", "bad_value"}) {
    EXPECT_EQ(r.out.find(word), std::string::npos) << what << " printed '" << word << "': " << r.out;
  }
}

TEST(HostileRelay, EveryCommandEndsCalmlyOnGarbage) {
  scene s;
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  const std::string m = text(h.ok("write", {s.case_id, "--text", "a letter"}), "message");
  s.f.ok("review", {s.case_id, m});
  s.f.ok("approve", {s.case_id, m});
  const auto port = s.relay.port();
  const auto data = s.relay.data_dir() / "data";
  s.relay.stop();

  const std::string id = proto::base64url_encode(proto::id{1, 2, 3});
  const std::string valid_id = "\"" + proto::base64url_encode(proto::id{}) + "\"";
  const std::vector<std::string> garbage{
      "not json at all",
      "[1,2,3]",
      "{}",
      R"({"cases":"many","messages":{"x":1},"queue":[1],"token":7,"state":[],"revoked":-1})",
      R"({"cases":[{"case":1}],"messages":[{"message":"!!"}],"queue":[{"message":)" + valid_id +
          R"(}],"envelope":{"v":1},"ciphertext":5,"state":"released"})",
      R"({"case_open":{"v":1,"type":"case_open"},"key_statements":[],"attestations":[],"participants":[],)"
      R"("state":"open","approvals_required":1})",
      R"({"cases":[{"case":)" + valid_id + R"(,"role":"harmed","state":"open","participant_state":"active",)"
      R"("approvals_required":18446744073709551615}]})",
      std::string(70'000, '['),
  };
  struct command {
    const person* who;
    std::string name;
    std::vector<std::string> args;
  };
  const std::vector<command> commands{
      {&h, "cases", {}},
      {&h, "case", {"show", s.case_id}},
      {&h, "letters", {s.case_id}},
      {&r, "read", {s.case_id, m}},
      {&h, "write", {s.case_id, "--text", "another"}},
      {&h, "revoke", {s.case_id, m}},
      {&s.f, "queue", {}},
      {&s.f, "review", {s.case_id, m}},
      {&s.f, "approve", {s.case_id, m}},
      {&s.f, "audit", {s.case_id}},
      {&r, "decline", {s.case_id, id}},
  };
  for (const auto& body : garbage) {
    garbage_relay relay(port, data, body);
    for (const auto& c : commands) {
      expect_calm(c.who->run(c.name, c.args), c.name + " on " + body.substr(0, 40));
    }
  }
}

}  // namespace
}  // namespace shuttle::testing

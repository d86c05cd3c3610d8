// A stand-in that takes a real relay's place for the CLI tests: its address
// and its certificate (so the client's pin holds), one request per
// connection, answered by a function the test gives. It plays relays that
// misbehave: one that answers garbage, one that serves other code.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include <sys/socket.h>
#include <sys/time.h>

namespace shuttle::testing {

class stand_in_relay {
 public:
  using request = boost::beast::http::request<boost::beast::http::string_body>;
  using response = boost::beast::http::response<boost::beast::http::string_body>;
  using answer_fn = std::function<response(const request&)>;

  // Serves HTTPS on 127.0.0.1:port with the relay's certificate and key from
  // its data directory `data`, until destroyed.
  stand_in_relay(unsigned short port, const std::filesystem::path& data, answer_fn answer)
      : answer_(std::move(answer)), acceptor_(io_) {
    tls_.use_certificate_chain_file((data / "tls-certificate.pem").string());
    tls_.use_private_key_file((data / "tls-key.pem").string(), boost::asio::ssl::context::pem);
    const boost::asio::ip::tcp::endpoint at(boost::asio::ip::make_address("127.0.0.1"), port);
    acceptor_.open(at.protocol());
    acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
    // The port the real relay just gave up: another test's outgoing connection
    // may hold it as its source port for a moment (a full run once failed
    // here with "Address already in use"), so it is tried again for a while.
    boost::system::error_code bound;
    for (int i = 0; i < 150; ++i) {
      acceptor_.bind(at, bound);
      if (bound != boost::asio::error::address_in_use) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (bound) throw boost::system::system_error(bound, "the stand-in relay cannot listen where the relay was");
    acceptor_.listen();
    thread_ = std::thread([this] { serve(); });
  }
  ~stand_in_relay() {
    stopping_ = true;
    boost::system::error_code ignored;
    // Wake the accept with one last connection of our own.
    boost::asio::ip::tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }
  stand_in_relay(const stand_in_relay&) = delete;
  stand_in_relay& operator=(const stand_in_relay&) = delete;

 private:
  void serve() {
    namespace http = boost::beast::http;
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      timeval limit{5, 0};
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
      boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream(std::move(socket), tls_);
      stream.handshake(boost::asio::ssl::stream_base::server, ec);
      if (ec) continue;
      boost::beast::flat_buffer buffer;
      request req;
      http::read(stream, buffer, req, ec);
      if (ec) continue;
      response res = answer_(req);
      res.keep_alive(false);
      res.prepare_payload();
      http::write(stream, res, ec);
      stream.shutdown(ec);
    }
  }

  answer_fn answer_;
  boost::asio::io_context io_;
  boost::asio::ssl::context tls_{boost::asio::ssl::context::tls_server};
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace shuttle::testing

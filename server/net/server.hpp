// The HTTPS listener and its sessions: one coroutine per connection, a
// timeout before every read and write, header and body limits set on the
// parser before the body is read, and a cap on open connections.
//
// run() serves until SIGINT or SIGTERM, then stops accepting, lets in-flight
// requests finish (up to shutdown_grace) and returns.
#pragma once

#include "server/api/router.hpp"
#include "server/limits.hpp"
#include "server/metrics.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace shuttle::relay::net {

struct server_options {
  std::string address = "127.0.0.1";
  unsigned short port = 8443;
  std::size_t threads = 2;
  std::size_t max_connections = default_max_connections;
  // Each stage of a connection has its own deadline.
  std::chrono::seconds handshake_timeout = relay::handshake_timeout;  // the TLS handshake
  std::chrono::seconds idle_timeout = relay::idle_timeout;            // the next request's whole header
  std::chrono::seconds read_timeout = relay::read_timeout;            // a request's body, once its header came
  std::chrono::seconds write_timeout = relay::write_timeout;          // an answer
};

class server {
 public:
  server(server_options options, boost::asio::ssl::context& tls, api::router& router, metrics& counters);
  ~server();

  // Binds and listens; returns the port (useful when the options said 0).
  // Throws std::runtime_error when the address cannot be bound.
  unsigned short listen();
  // Serves on options.threads threads until a stop signal; then drains.
  void run();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace shuttle::relay::net

// The HTTPS listener and its sessions: one coroutine per connection, a
// timeout before every read and write, header and body limits set on the
// parser before the body is read, and a cap on open connections.
//
// run() serves until SIGINT or SIGTERM, then stops accepting, lets in-flight
// requests finish (up to shutdown_grace) and returns.
#pragma once

#include "server/api/router.hpp"
#include "server/metrics.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <memory>
#include <string>

namespace shuttle::relay::net {

struct server_options {
  std::string address = "127.0.0.1";
  unsigned short port = 8443;
  std::size_t threads = 2;
  std::size_t max_connections = 1024;
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

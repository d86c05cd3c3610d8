// The HTTPS listener and its sessions: one coroutine per connection, a
// timeout before every read and write, a bounded read buffer, header and body
// limits set on the parser, the caller admitted from the header before the
// body is read, and caps on open connections (in all, per client address, and
// event streams per account). A second, plain-HTTP listener serves /metrics
// when configured.
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
#include <vector>

namespace shuttle::relay::net {

struct server_options {
  std::string address = "127.0.0.1";
  unsigned short port = 8443;
  std::size_t threads = 2;
  std::size_t max_connections = default_max_connections;
  // Inside that cap, what one client address may hold: connections of any
  // kind, and event streams per account. Trusted proxies are exempt from the
  // per-address cap (every client behind them shares their address).
  std::size_t max_connections_per_address = default_max_connections_per_address;
  std::size_t max_event_streams_per_account = default_max_event_streams_per_account;
  // Peers whose X-Forwarded-For names the client (api::client_address).
  std::vector<std::string> trusted_proxies;
  // Where /metrics is served, in plain HTTP: empty for nowhere. Never on the
  // public listener, which answers /metrics with 404.
  std::string metrics_address;
  unsigned short metrics_port = 0;
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
  // The metrics listener's port once listen() returned; 0 when there is none.
  unsigned short metrics_port() const;
  // Serves on options.threads threads until a stop signal; then drains.
  void run();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace shuttle::relay::net

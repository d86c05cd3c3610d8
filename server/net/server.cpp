#include "server/net/server.hpp"

#include "server/limits.hpp"
#include "server/net/events.hpp"
#include "server/net/tls_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <optional>
#include <utility>
#include <thread>
#include <vector>

namespace shuttle::relay::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// One io_context per thread, each run by exactly one thread: a session lives
// on one context for its whole life, so nothing needs a strand.
struct server::impl {
  server_options options;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::atomic<std::size_t> next_context{0};
  asio::io_context& ioc;  // the first context: accepting, signals, shutdown
  asio::ssl::context& tls;
  api::router& router;
  metrics& counters;
  tcp::acceptor acceptor{ioc};
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> stopping{false};

  impl(server_options o, asio::ssl::context& t, api::router& r, metrics& m)
      : options(std::move(o)), contexts(make_contexts(options.threads)), ioc(*contexts.front()), tls(t), router(r),
        counters(m) {}

  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(std::size_t n) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (std::size_t i = 0; i < std::max<std::size_t>(n, 1); ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }

  asio::io_context& pick_context() { return *contexts[next_context++ % contexts.size()]; }

  void stop_all() {
    for (auto& c : contexts) c->stop();
  }

  // Counted when accepted (so the cap holds even before a session starts),
  // released when its session ends.
  class connection_count {
   public:
    explicit connection_count(impl& owner) : s_(&owner) {}
    connection_count(connection_count&& other) noexcept : s_(std::exchange(other.s_, nullptr)) {}
    connection_count& operator=(connection_count&&) = delete;
    ~connection_count() {
      if (!s_) return;
      --s_->connections;
      s_->counters.connection_closed();
    }

   private:
    impl* s_;
  };

  awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(pick_context(), tuple_awaitable);
      if (ec) {
        if (!acceptor.is_open() || stopping) co_return;
        spdlog::warn("accept failed: {}", ec.message());
        continue;
      }
      if (connections >= options.max_connections) {
        // Over the cap: refuse at once rather than queue without bound.
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      ++connections;
      counters.connection_opened();
      auto executor = socket.get_executor();
      asio::co_spawn(executor, session(std::move(socket)), asio::detached);
    }
  }

  template <class Stream>
  awaitable<bool> send(Stream& stream, api::response res) {
    beast::get_lowest_layer(stream).expires_after(options.write_timeout);
    auto [ec, n] = co_await http::async_write(stream, res, tuple_awaitable);
    co_return !ec && res.keep_alive();
  }

  // An answer the session gives itself, before a route runs; it closes the connection.
  static api::response plain_failure(http::status status, std::string code, std::string message, unsigned version) {
    auto res = api::router::failure_response({failure_kind::invalid, std::move(code), std::move(message)}, version, false);
    res.result(status);
    return res;
  }

  // After refusing a request, reads and drops what the client is still
  // sending (briefly, and only so much): closing with unread bytes would make
  // the kernel reset the connection, and the reset can destroy the answer
  // before the client reads it.
  template <class Stream>
  static awaitable<void> linger(Stream& stream) {
    beast::get_lowest_layer(stream).expires_after(linger_time);
    std::array<char, 16 * 1024> sink;
    std::size_t dropped = 0;
    while (dropped < linger_bytes) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), tuple_awaitable);
      if (ec) break;
      dropped += n;
    }
  }

  awaitable<void> session(tcp::socket socket) {
    connection_count count(*this);
    boost::system::error_code ec;
    // Kept in memory for rate limiting only; never logged or stored.
    const std::string address = socket.remote_endpoint(ec).address().to_string();
    // Every write is a whole TLS record (or a flight of the handshake):
    // waiting to merge it with the next one only adds delayed-ACK stalls.
    socket.set_option(tcp::no_delay(true), ec);
    std::optional<tls_stream> made;
    try {
      made.emplace(std::move(socket), tls.native_handle());
    } catch (const std::exception& e) {
      spdlog::warn("a connection was dropped: {}", e.what());
      co_return;
    }
    tls_stream& stream = *made;
    stream.expires_after(options.handshake_timeout);
    if (auto [hs] = co_await stream.async_handshake(tuple_awaitable); hs) co_return;

    // The HTTP exchange runs in a coroutine of its own, so its frame (every
    // local of every branch) is freed before a WebSocket settles in for hours.
    auto upgraded = co_await serve_http(stream, address);
    if (!upgraded) co_return;
    // So is this one's: the event stream runs on its own, and the count of
    // open connections goes with it.
    auto executor = stream.get_executor();
    asio::co_spawn(executor,
                   serve_events(std::move(stream), std::move(upgraded->request), std::move(upgraded->who),
                                router.service(), counters, options),
                   [held = std::move(count)](const std::exception_ptr& e) {
                     if (!e) return;
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& x) {
                       spdlog::error("an event stream ended on an error: {}", x.what());
                     }
                   });
  }

  // A request for /v1/events that was authorised: the session becomes a WebSocket.
  struct upgrade {
    http::request<http::string_body> request;
    caller who;
  };

  // Serves requests until the connection ends (then shuts TLS down) or
  // upgrades to the event stream.
  awaitable<std::optional<upgrade>> serve_http(tls_stream& stream, const std::string& address) {
    beast::flat_buffer buffer;
    bool refused = false;  // answered a request whose body was left unread
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(max_header_bytes);
      // Until the route is known, the largest body any route takes.
      parser.body_limit(message_body_bytes);
      beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
      auto [header_ec, header_n] = co_await http::async_read_header(stream, buffer, parser, tuple_awaitable);
      if (header_ec == http::error::body_limit) {
        co_await send(stream, plain_failure(http::status::payload_too_large, "too_large",
                                            "The request is larger than any route accepts.", 11));
        refused = true;
        break;
      }
      if (header_ec == http::error::header_limit) {
        co_await send(stream, plain_failure(http::status::request_header_fields_too_large, "too_large",
                                            "The request's headers are too large.", 11));
        refused = true;
        break;
      }
      if (header_ec) break;  // the peer left, timed out, or spoke no HTTP

      const auto started = std::chrono::steady_clock::now();
      const auto& head = parser.get();
      const unsigned version = head.version();
      if (head.method() == http::verb::get && head.target() == "/metrics") {
        api::response res{http::status::ok, version};
        res.set(http::field::content_type, "text/plain; version=0.0.4");
        res.set(http::field::cache_control, "no-store");
        res.body() = counters.render();
        res.keep_alive(head.keep_alive() && !stopping);
        res.prepare_payload();
        if (!co_await send(stream, std::move(res))) break;
        continue;
      }
      if (beast::websocket::is_upgrade(head) && head.target().substr(0, head.target().find('?')) == "/v1/events") {
        auto req = parser.release();
        auto check = router.authorize_events(req);
        counters.request_done("/v1/events", check.refusal ? check.refusal->result_int() : 101, {});
        if (check.refusal) {
          co_await send(stream, std::move(*check.refusal));
          break;
        }
        co_return upgrade{std::move(req), std::move(*check.who)};
      }
      const api::match m = api::find_route(head.method(), head.target());
      if (!m.found) {
        // The body is not read; the connection closes after the answer.
        auto res = m.path_exists ? plain_failure(http::status::method_not_allowed, "method_not_allowed",
                                                 "This path does not take that method.", version)
                                 : plain_failure(http::status::not_found, "not_found", "No such path.", version);
        counters.request_done("unknown", res.result_int(), {});
        co_await send(stream, std::move(res));
        refused = true;
        break;
      }
      // Beast compares Content-Length with the limit only while parsing the
      // header, so a route's smaller limit is checked here; body_limit also
      // bounds a chunked body as it arrives.
      const auto length = parser.content_length();
      if (length && *length > m.found->body_limit) {
        co_await send(stream, plain_failure(http::status::payload_too_large, "too_large",
                                            "The request is larger than this route accepts.", version));
        counters.request_done(m.found->pattern, 413, {});
        refused = true;
        break;
      }
      parser.body_limit(m.found->body_limit);
      beast::get_lowest_layer(stream).expires_after(options.read_timeout);
      auto [body_ec, body_n] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
      if (body_ec == http::error::body_limit) {
        co_await send(stream, plain_failure(http::status::payload_too_large, "too_large",
                                            "The request is larger than this route accepts.", version));
        counters.request_done(m.found->pattern, 413, {});
        refused = true;
        break;
      }
      if (body_ec) break;

      const std::string method(head.method_string());
      ++in_flight;
      api::response res = co_await router.handle(m, parser.release(), address);
      --in_flight;
      counters.request_done(m.found->pattern, res.result_int(),
                            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
      spdlog::debug("{} {} -> {}", method, m.found->pattern, res.result_int());
      if (stopping) res.keep_alive(false);
      if (!co_await send(stream, std::move(res))) break;
    }
    if (refused) co_await linger(stream);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
    co_await stream.async_shutdown(tuple_awaitable);
    co_return std::nullopt;
  }

  awaitable<void> drain_then_stop() {
    asio::steady_timer timer(ioc);
    const auto deadline = std::chrono::steady_clock::now() + shutdown_grace;
    while (in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(tuple_awaitable);
    }
    stop_all();
  }
};

server::server(server_options options, asio::ssl::context& tls, api::router& router, metrics& counters)
    : impl_(std::make_unique<impl>(std::move(options), tls, router, counters)) {}

server::~server() = default;

unsigned short server::listen() {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) throw std::runtime_error("not an IP address: " + impl_->options.address);
  const tcp::endpoint endpoint(address, impl_->options.port);
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + impl_->options.address + ":" +
                             std::to_string(impl_->options.port) + ": " + ec.message());
  }
  return a.local_endpoint().port();
}

void server::run() {
  impl& s = *impl_;
  asio::signal_set signals(s.ioc, SIGINT, SIGTERM);
  signals.async_wait([&s](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {} received: finishing requests in flight, then stopping", signal);
    s.stopping = true;
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    asio::co_spawn(s.ioc, s.drain_then_stop(), asio::detached);
  });
  asio::co_spawn(s.ioc, s.accept_loop(), asio::detached);
  // Keep every context running until stop_all(), even with nothing to do.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> busy;
  for (auto& c : s.contexts) busy.push_back(asio::make_work_guard(*c));
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < s.contexts.size(); ++i) threads.emplace_back([&s, i] { s.contexts[i]->run(); });
  s.ioc.run();
  for (auto& t : threads) t.join();
}

}  // namespace shuttle::relay::net

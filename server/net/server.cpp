#include "server/net/server.hpp"

#include "server/limits.hpp"
#include "server/net/events.hpp"
#include "server/net/request_framing.hpp"
#include "server/net/tls_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <unordered_map>
#include <optional>
#include <string_view>
#include <tuple>
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
  // What the sessions count, declared before the contexts so that it
  // outlives them: a session stopped at shutdown is destroyed with its
  // context, and gives back its counts then.
  std::atomic<std::size_t> connections{0};
  std::mutex caps_mutex;
  std::unordered_map<std::string, std::size_t> by_address;  // guarded by caps_mutex
  std::map<proto::id, std::size_t> streams_by_account;      // guarded by caps_mutex
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> stopping{false};
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::atomic<std::size_t> next_context{0};
  asio::io_context& ioc;  // the first context: accepting, signals, shutdown
  asio::ssl::context& tls;
  api::router& router;
  metrics& counters;
  tcp::acceptor acceptor{ioc};
  std::optional<tcp::acceptor> metrics_acceptor;
  // SIGINT and SIGTERM, caught from the moment the server listens (so a
  // script that sees the port and stops the relay at once gets a graceful
  // stop), handled once run() runs the context.
  std::optional<asio::signal_set> signals;

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

  // Counted when accepted (so the caps hold even before a session starts),
  // released when its session ends: in all, and for the peer's address
  // (empty for a trusted proxy, which the per-address cap leaves alone).
  class connection_count {
   public:
    connection_count(impl& owner, std::string address) : s_(&owner), address_(std::move(address)) {}
    connection_count(connection_count&& other) noexcept
        : s_(std::exchange(other.s_, nullptr)), address_(std::move(other.address_)) {}
    connection_count& operator=(connection_count&&) = delete;
    ~connection_count() {
      if (!s_) return;
      if (!address_.empty()) {
        std::lock_guard lock(s_->caps_mutex);
        if (auto it = s_->by_address.find(address_); it != s_->by_address.end() && --it->second == 0) {
          s_->by_address.erase(it);
        }
      }
      --s_->connections;
      s_->counters.connection_closed();
    }

   private:
    impl* s_;
    std::string address_;
  };

  bool trusted_proxy(const std::string& address) const {
    const auto& t = options.trusted_proxies;
    return std::find(t.begin(), t.end(), address) != t.end();
  }

  // Takes a slot for a new connection from `address`, or refuses it.
  std::optional<connection_count> admit_connection(const std::string& address) {
    if (connections >= options.max_connections) return std::nullopt;
    std::string counted;
    if (!trusted_proxy(address)) {
      std::lock_guard lock(caps_mutex);
      auto& n = by_address[address];
      if (n >= options.max_connections_per_address) {
        if (n == 0) by_address.erase(address);
        return std::nullopt;
      }
      ++n;
      counted = address;
    }
    ++connections;
    counters.connection_opened();
    return connection_count(*this, std::move(counted));
  }

  // An event stream held for an account, released when the stream ends.
  class stream_count {
   public:
    stream_count(impl& owner, const proto::id& account) : s_(&owner), account_(account) {}
    stream_count(stream_count&& other) noexcept : s_(std::exchange(other.s_, nullptr)), account_(other.account_) {}
    stream_count& operator=(stream_count&&) = delete;
    ~stream_count() {
      if (!s_) return;
      std::lock_guard lock(s_->caps_mutex);
      if (auto it = s_->streams_by_account.find(account_); it != s_->streams_by_account.end() && --it->second == 0) {
        s_->streams_by_account.erase(it);
      }
    }

   private:
    impl* s_;
    proto::id account_;
  };

  std::optional<stream_count> admit_stream(const proto::id& account) {
    std::lock_guard lock(caps_mutex);
    auto& n = streams_by_account[account];
    if (n >= options.max_event_streams_per_account) return std::nullopt;
    ++n;
    return stream_count(*this, account);
  }

  awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(pick_context(), tuple_awaitable);
      if (ec) {
        if (!acceptor.is_open() || stopping) co_return;
        spdlog::warn("accept failed: {}", ec.message());
        continue;
      }
      boost::system::error_code peer_ec;
      // Kept in memory for the caps and rate limits only; never logged or stored.
      std::string peer = socket.remote_endpoint(peer_ec).address().to_string();
      auto count = peer_ec ? std::nullopt : admit_connection(peer);
      if (!count) {
        // Over a cap: refuse at once rather than queue without bound.
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      auto executor = socket.get_executor();
      asio::co_spawn(executor, session(std::move(socket), std::move(peer), std::move(*count)), asio::detached);
    }
  }

  // How writing an answer ended: the connection goes on, ends as the answer
  // said (Connection: close), or failed (the write deadline passed, the peer left).
  enum class write_end { more, close, failed };

  template <class Stream>
  awaitable<write_end> send(Stream& stream, api::response res) {
    beast::get_lowest_layer(stream).expires_after(options.write_timeout);
    auto [ec, n] = co_await http::async_write(stream, res, tuple_awaitable);
    if (ec) co_return write_end::failed;
    co_return res.keep_alive() ? write_end::more : write_end::close;
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

  awaitable<void> session(tcp::socket socket, std::string peer, connection_count count) {
    boost::system::error_code ec;
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
    auto upgraded = co_await serve_http(stream, peer);
    if (!upgraded) co_return;
    // So is this one's: the event stream runs on its own, and the count of
    // open connections goes with it.
    auto executor = stream.get_executor();
    asio::co_spawn(executor,
                   serve_events(std::move(stream), std::move(upgraded->request), std::move(upgraded->who),
                                router.service(), counters, options),
                   [held = std::move(count), stream_held = std::move(upgraded->held)](const std::exception_ptr& e) {
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
    stream_count held;
  };

  // Serves requests until the connection ends (then shuts TLS down) or
  // upgrades to the event stream.
  // Reads until the buffer holds a request's whole header, so its raw bytes
  // can be checked before Beast parses them: Beast joins obsolete folded
  // lines (a CRLF followed by a space or tab) into one value, which a proxy
  // in front may read differently, so a folded header is refused
  // (http::error::bad_field). A header that does not end within
  // max_header_bytes gives http::error::header_limit.
  template <class Stream>
  static awaitable<beast::error_code> read_whole_header(Stream& stream, beast::flat_buffer& buffer) {
    std::size_t searched = 0;
    for (;;) {
      const std::string_view have(static_cast<const char*>(buffer.data().data()), buffer.size());
      if (const auto end = have.find("\r\n\r\n", searched); end != std::string_view::npos) {
        const auto header = have.substr(0, end + 2);
        if (header.find("\r\n ") != std::string_view::npos || header.find("\r\n\t") != std::string_view::npos) {
          co_return http::error::bad_field;
        }
        co_return beast::error_code{};
      }
      searched = have.size() < 3 ? 0 : have.size() - 3;
      if (have.size() >= max_header_bytes) co_return http::error::header_limit;
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(std::min<std::size_t>(
                                                         read_buffer_bytes - buffer.size(), 4096)),
                                                     tuple_awaitable);
      if (ec) co_return ec;
      buffer.commit(n);
    }
  }

  awaitable<std::optional<upgrade>> serve_http(tls_stream& stream, const std::string& peer) {
    // Bounded: the header, a chunk-size line or a trailer section that does
    // not fit ends the request (read_buffer_bytes says why).
    beast::flat_buffer buffer(read_buffer_bytes);
    // A request refused before its body was read: answered after the loop,
    // then what the client still sends is drained briefly, then the
    // connection closes.
    std::optional<api::response> refusal;
    std::string_view refused_route = "unknown";
    bool cut_off = false;  // a deadline passed or a write failed: close without close_notify
    auto refuse = [&](api::response res, std::string_view route) {
      refusal = std::move(res);
      refused_route = route;
    };
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(max_header_bytes);
      // Until the route is known, the largest body any route takes.
      parser.body_limit(message_body_bytes);
      beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
      beast::error_code header_ec = co_await read_whole_header(stream, buffer);
      // Beast parses what the buffer now holds.
      if (!header_ec) std::tie(header_ec, std::ignore) = co_await http::async_read_header(stream, buffer, parser, tuple_awaitable);
      if (header_ec == http::error::bad_field) {
        refuse(plain_failure(http::status::bad_request, "bad_request", "Folded header lines are not accepted.", 11),
               "unknown");
        break;
      }
      if (header_ec == http::error::body_limit) {
        refuse(plain_failure(http::status::payload_too_large, "too_large",
                             "The request is larger than any route accepts.", 11), "unknown");
        break;
      }
      if (header_ec == http::error::header_limit || header_ec == http::error::buffer_overflow) {
        refuse(plain_failure(http::status::request_header_fields_too_large, "too_large",
                             "The request's headers are too large.", 11), "unknown");
        break;
      }
      if (header_ec == http::error::bad_transfer_encoding || header_ec == http::error::bad_content_length ||
          header_ec == http::error::multiple_content_length) {
        refuse(plain_failure(http::status::bad_request, "bad_request",
                             "The request's length is given more than once or in a way the relay does not take.", 11),
               "unknown");
        break;
      }
      if (header_ec) {
        cut_off = header_ec == beast::error::timeout;
        break;  // the peer left, timed out, or spoke no HTTP
      }

      const auto started = std::chrono::steady_clock::now();
      const auto& head = parser.get();
      const unsigned version = head.version();
      if (auto problem = framing_problem(head)) {
        refuse(plain_failure(http::status::bad_request, "bad_request", std::string(*problem), version), "unknown");
        break;
      }
      const std::string address = api::client_address(peer, head["X-Forwarded-For"], options.trusted_proxies);
      if (beast::websocket::is_upgrade(head) && head.target() == "/v1/events") {
        auto req = parser.release();
        auto check = router.authorize_events(req);
        if (check.refusal) {
          refuse(std::move(*check.refusal), "/v1/events");
          break;
        }
        auto held = admit_stream(check.who->account.id);
        if (!held) {
          refuse(api::router::failure_response(
                     {failure_kind::rate_limited, "too_many_streams",
                      "This account has too many open event streams. Close one and try again.", 60},
                     version, false),
                 "/v1/events");
          break;
        }
        counters.request_done("/v1/events", 101, {});
        co_return upgrade{std::move(req), std::move(*check.who), std::move(*held)};
      }
      const api::match m = api::find_route(head.method(), head.target());
      if (!m.found) {
        refuse(m.path_exists ? plain_failure(http::status::method_not_allowed, "method_not_allowed",
                                             "This path does not take that method.", version)
                             : plain_failure(http::status::not_found, "not_found", "No such path.", version),
               "unknown");
        break;
      }
      // Beast compares Content-Length with the limit only while parsing the
      // header, so a route's smaller limit is checked here; body_limit also
      // bounds a chunked body as it arrives.
      const auto length = parser.content_length();
      if (length && *length > m.found->body_limit) {
        refuse(plain_failure(http::status::payload_too_large, "too_large",
                             "The request is larger than this route accepts.", version), m.found->pattern);
        break;
      }
      // Who is asking, and may they: decided before a byte of the body is read.
      auto admitted = router.admit(m, head, address);
      if (admitted.refusal) {
        refuse(std::move(*admitted.refusal), m.found->pattern);
        break;
      }
      parser.body_limit(m.found->body_limit);
      beast::get_lowest_layer(stream).expires_after(options.read_timeout);
      auto [body_ec, body_n] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
      if (body_ec == http::error::body_limit) {
        refuse(plain_failure(http::status::payload_too_large, "too_large",
                             "The request is larger than this route accepts.", version), m.found->pattern);
        break;
      }
      if (body_ec == http::error::buffer_overflow) {
        refuse(plain_failure(http::status::request_header_fields_too_large, "too_large",
                             "A chunk header or the trailer of the request is too large.", version),
               m.found->pattern);
        break;
      }
      if (body_ec) {
        cut_off = body_ec == beast::error::timeout;
        break;
      }

      const std::string method(head.method_string());
      const bool head_only = head.method() == http::verb::head;
      ++in_flight;
      api::response res = co_await router.handle(m, std::move(admitted), parser.release());
      --in_flight;
      if (head_only) {
        // HEAD: the headers GET would send, Content-Length included, and no body (RFC 9110 9.3.2).
        const auto answer_bytes = res.body().size();
        res.body().clear();
        res.content_length(answer_bytes);
      }
      counters.request_done(m.found->pattern, res.result_int(),
                            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
      spdlog::debug("{} {} -> {}", method, m.found->pattern, res.result_int());
      if (stopping) res.keep_alive(false);
      const auto sent = co_await send(stream, std::move(res));
      if (sent != write_end::more) {
        cut_off = sent == write_end::failed;
        break;
      }
    }
    if (refusal) {
      counters.request_done(refused_route, refusal->result_int(), {});
      refusal->keep_alive(false);
      cut_off = co_await send(stream, std::move(*refusal)) == write_end::failed;
      if (!cut_off) co_await linger(stream);
    }
    // A deadline that passed, or a write that failed, ends the connection
    // there and then: close_notify would wait for a peer that does not read
    // and stretch the deadline by the shutdown's own.
    if (cut_off) {
      stream.close();
      co_return std::nullopt;
    }
    // close_notify is a write like any other, under the same deadline.
    beast::get_lowest_layer(stream).expires_after(options.write_timeout);
    co_await stream.async_shutdown(tuple_awaitable);
    co_return std::nullopt;
  }

  // The metrics listener: plain HTTP, one short request per connection, the
  // same bounded buffer and deadlines. Only GET /metrics is answered.
  awaitable<void> metrics_loop() {
    for (;;) {
      auto [ec, socket] = co_await metrics_acceptor->async_accept(tuple_awaitable);
      if (ec) {
        if (!metrics_acceptor->is_open() || stopping) co_return;
        continue;
      }
      asio::co_spawn(socket.get_executor(), serve_metrics(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  awaitable<void> serve_metrics(beast::tcp_stream stream) {
    beast::flat_buffer buffer(read_buffer_bytes);
    http::request_parser<http::empty_body> parser;
    parser.header_limit(max_header_bytes);
    stream.expires_after(options.idle_timeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
    if (ec) co_return;
    const auto& head = parser.get();
    api::response res{http::status::ok, head.version()};
    const bool head_only = head.method() == http::verb::head;
    if ((head.method() == http::verb::get || head_only) && head.target() == "/metrics") {
      res.set(http::field::content_type, "text/plain; version=0.0.4");
      res.body() = counters.render();
    } else {
      res = plain_failure(http::status::not_found, "not_found", "Only GET /metrics is served here.", head.version());
    }
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(false);
    res.prepare_payload();
    if (head_only) res.body().clear();  // Content-Length stays GET's
    stream.expires_after(options.write_timeout);
    co_await http::async_write(stream, res, tuple_awaitable);
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
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

// Opens, binds and listens; `what` names the listener in the error.
static void listen_on(tcp::acceptor& a, const std::string& address_text, unsigned short port, const std::string& what) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(address_text, ec);
  if (ec) throw std::runtime_error("not an IP address: " + address_text);
  const tcp::endpoint endpoint(address, port);
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen " + what + "on " + address_text + ":" + std::to_string(port) + ": " + ec.message());
}

unsigned short server::listen() {
  impl& s = *impl_;
  const auto& o = s.options;
  listen_on(s.acceptor, o.address, o.port, "");
  if (!o.metrics_address.empty()) listen_on(s.metrics_acceptor.emplace(s.ioc), o.metrics_address, o.metrics_port, "for metrics ");
  s.signals.emplace(s.ioc, SIGINT, SIGTERM);
  s.signals->async_wait([&s](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {} received: finishing requests in flight, then stopping", signal);
    s.stopping = true;
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    if (s.metrics_acceptor) s.metrics_acceptor->close(ignored);
    asio::co_spawn(s.ioc, s.drain_then_stop(), asio::detached);
  });
  return s.acceptor.local_endpoint().port();
}

unsigned short server::metrics_port() const {
  return impl_->metrics_acceptor ? impl_->metrics_acceptor->local_endpoint().port() : 0;
}

void server::run() {
  impl& s = *impl_;
  asio::co_spawn(s.ioc, s.accept_loop(), asio::detached);
  if (s.metrics_acceptor) asio::co_spawn(s.ioc, s.metrics_loop(), asio::detached);
  // Keep every context running until stop_all(), even with nothing to do.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> busy;
  for (auto& c : s.contexts) busy.push_back(asio::make_work_guard(*c));
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < s.contexts.size(); ++i) threads.emplace_back([&s, i] { s.contexts[i]->run(); });
  s.ioc.run();
  for (auto& t : threads) t.join();
}

}  // namespace shuttle::relay::net

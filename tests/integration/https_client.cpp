#include "tests/integration/https_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <unistd.h>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>
#include <sstream>
#include <stdexcept>

namespace shuttle::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

namespace {

proto::hash digest(X509* cert) {
  proto::hash out{};
  unsigned n = 0;
  X509_digest(cert, EVP_sha256(), out.data(), &n);
  return out;
}

// Connects to the relay on 127.0.0.1 from the loopback address `source`.
void connect_from(beast::tcp_stream& tcp, const std::string& source, unsigned short port) {
  tcp.socket().open(asio::ip::tcp::v4());
  tcp.socket().bind(asio::ip::tcp::endpoint(asio::ip::make_address(source), 0));
  tcp.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
}

struct connection {
  asio::io_context ioc;
  asio::ssl::context ctx{asio::ssl::context::tls_client};
  beast::ssl_stream<beast::tcp_stream> stream{ioc, ctx};

  connection(unsigned short port, const proto::hash& pin, const std::string& source) {
    ctx.set_verify_mode(asio::ssl::verify_none);  // the pin below is the check
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
    connect_from(beast::get_lowest_layer(stream), source, port);
    stream.handshake(asio::ssl::stream_base::client);
    X509* peer = SSL_get1_peer_certificate(stream.native_handle());
    const bool pinned = peer && digest(peer) == pin;
    X509_free(peer);
    if (!pinned) throw std::runtime_error("the relay's certificate is not the pinned one");
  }
};

}  // namespace

std::string reply::header(const std::string& name) const {
  std::string lower = headers;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string key = name;
  for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto at = lower.find("\n" + key + ": ");
  if (at == std::string::npos) return "";
  const auto start = at + key.size() + 3;
  return headers.substr(start, headers.find('\r', start) - start);
}

std::string reply::error() const {
  if (const auto* o = body.if_object()) {
    if (const auto* e = o->if_contains("error"); e && e->is_string()) return std::string(e->as_string());
  }
  return "";
}

https_client::https_client(unsigned short port, const proto::hash& certificate_sha256, std::string source)
    : port_(port), pin_(certificate_sha256), source_(std::move(source)) {}

reply https_client::get(const std::string& target, const std::string& token) {
  return request("GET", target, std::nullopt, token);
}
reply https_client::post(const std::string& target, const json::value& body, const std::string& token) {
  return request("POST", target, json::serialize(body), token);
}
reply https_client::post_text(const std::string& target, const std::string& body, const std::string& token) {
  return request("POST", target, body, token);
}

// With SHUTTLE_API_ANSWERS_DIR set (the test command sets it), every answer
// goes to a file there, one JSON line each, for tests/api/check_openapi.py
// to check against proto/openapi.yaml once the integration tests are done.
void record_answer(const std::string& method, const std::string& target, const reply& r) {
  static const char* dir = std::getenv("SHUTTLE_API_ANSWERS_DIR");
  if (!dir || !*dir) return;
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  static std::ofstream out(std::string(dir) + "/answers-" + std::to_string(::getpid()) + ".jsonl", std::ios::app);
  json::object line{{"method", method}, {"target", target}, {"status", r.status}};
  // An answer that is not JSON (a ciphertext, a page) is recorded by its type and size.
  const auto type_at = r.headers.find("\r\nContent-Type: ");
  const std::string type = type_at == std::string::npos
                               ? ""
                               : r.headers.substr(type_at + 16, r.headers.find("\r\n", type_at + 16) - type_at - 16);
  if (!type.empty() && !type.starts_with("application/json")) {
    line["content_type"] = type;
    line["size"] = r.text.size();
  } else {
    line["body"] = r.text;
  }
  out << json::serialize(line) << "\n" << std::flush;
}

reply https_client::request(const std::string& method, const std::string& target,
                            const std::optional<std::string>& body, const std::string& token) {
  connection c(port_, pin_, source_);
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "localhost");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  for (const auto& [name, value] : extra_headers_) req.set(name, value);
  if (body) {
    if (req[http::field::content_type].empty()) req.set(http::field::content_type, "application/json");
    req.body() = *body;
  }
  req.prepare_payload();
  http::write(c.stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(c.stream, buffer, parser);
  auto res = parser.release();
  reply r;
  r.status = res.result_int();
  r.text = res.body();
  std::ostringstream hs;
  hs << "\r\n" << res.base();
  r.headers = hs.str();
  boost::system::error_code ec;
  r.body = json::parse(r.text, ec);
  if (ec) r.body = nullptr;
  beast::error_code ignored;
  c.stream.shutdown(ignored);
  record_answer(method, target, r);
  return r;
}

std::string https_client::raw(const std::string& bytes, bool read_answer) {
  connection c(port_, pin_, source_);
  asio::write(c.stream, asio::buffer(bytes));
  if (!read_answer) return {};
  std::string out;
  char buf[4096];
  for (;;) {
    beast::error_code ec;
    const std::size_t n = c.stream.read_some(asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

struct held_connection::impl {
  asio::io_context ioc;
  asio::ssl::context ctx{asio::ssl::context::tls_client};
  beast::ssl_stream<beast::tcp_stream> stream{ioc, ctx};
  bool tls;
};

held_connection::held_connection(unsigned short port, bool tls, const std::string& source)
    : impl_(std::make_unique<impl>()) {
  impl_->tls = tls;
  impl_->ctx.set_verify_mode(asio::ssl::verify_none);
  auto& tcp = beast::get_lowest_layer(impl_->stream);
  tcp.expires_after(std::chrono::seconds(30));
  connect_from(tcp, source, port);
  if (tls) impl_->stream.handshake(asio::ssl::stream_base::client);
}

held_connection::~held_connection() = default;

void held_connection::send(const std::string& bytes) {
  beast::get_lowest_layer(impl_->stream).expires_after(std::chrono::seconds(30));
  if (impl_->tls) {
    asio::write(impl_->stream, asio::buffer(bytes));
  } else {
    asio::write(beast::get_lowest_layer(impl_->stream), asio::buffer(bytes));
  }
}

bool held_connection::closed_by_relay_within(std::chrono::seconds limit) {
  auto& tcp = beast::get_lowest_layer(impl_->stream);
  tcp.expires_after(limit);
  char buf[4096];
  for (;;) {
    beast::error_code ec;
    const std::size_t n = impl_->tls ? impl_->stream.read_some(asio::buffer(buf), ec) : tcp.read_some(asio::buffer(buf), ec);
    received_.append(buf, n);
    if (ec == beast::error::timeout) return false;
    if (ec) return true;  // end of stream, a reset, or a truncated TLS close: the relay hung up
  }
}

// One reader thread keeps a read pending (so Beast answers the relay's
// pings) and queues every event; next() waits on that queue.
struct event_stream::impl {
  asio::io_context ioc;
  asio::ssl::context ctx{asio::ssl::context::tls_client};
  beast::websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws{ioc, ctx};
  beast::flat_buffer buffer;
  std::mutex mutex;
  std::condition_variable arrived;
  std::deque<json::value> events;  // guarded by mutex
  bool ended = false;              // guarded by mutex
  std::thread reader;

  void read_next() {
    ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
      std::lock_guard lock(mutex);
      if (ec) {
        ended = true;
      } else {
        events.push_back(json::parse(beast::buffers_to_string(buffer.data())));
        buffer.consume(buffer.size());
      }
      arrived.notify_all();
      if (!ec) read_next();
    });
  }
};

event_stream::event_stream(unsigned short port, const options& o) : impl_(std::make_unique<impl>()) {
  impl_->ctx.set_verify_mode(asio::ssl::verify_none);
  auto& tcp = beast::get_lowest_layer(impl_->ws);
  tcp.expires_after(std::chrono::seconds(30));
  connect_from(tcp, o.source, port);
  impl_->ws.next_layer().handshake(asio::ssl::stream_base::client);
  tcp.expires_never();
  impl_->ws.set_option(beast::websocket::stream_base::decorator([o](beast::websocket::request_type& req) {
    if (!o.token.empty()) req.set(http::field::authorization, "Bearer " + o.token);
    if (o.last_event_id) req.set("Last-Event-ID", std::to_string(*o.last_event_id));
    if (!o.origin.empty()) req.set(http::field::origin, o.origin);
    if (!o.subprotocols.empty()) req.set(http::field::sec_websocket_protocol, o.subprotocols);
  }));
  beast::websocket::response_type res;
  beast::error_code ec;
  impl_->ws.handshake(res, "localhost", o.target, ec);
  if (ec) throw std::runtime_error("upgrade refused: " + std::to_string(res.result_int()));
  protocol_ = std::string(res[http::field::sec_websocket_protocol]);
  impl_->read_next();
  impl_->reader = std::thread([this] { impl_->ioc.run(); });
}

event_stream::~event_stream() {
  asio::post(impl_->ioc, [this] {
    beast::get_lowest_layer(impl_->ws).expires_after(std::chrono::seconds(2));
    impl_->ws.async_close(beast::websocket::close_code::normal, [](beast::error_code) {});
  });
  impl_->reader.join();
}

std::optional<json::value> event_stream::next(std::chrono::milliseconds limit) {
  std::unique_lock lock(impl_->mutex);
  impl_->arrived.wait_for(lock, limit, [this] { return !impl_->events.empty() || impl_->ended; });
  if (impl_->events.empty()) {
    closed_ = impl_->ended;
    return std::nullopt;
  }
  auto e = std::move(impl_->events.front());
  impl_->events.pop_front();
  return e;
}

void event_stream::send(const std::string& text) {
  auto copy = std::make_shared<std::string>(text);
  asio::post(impl_->ioc, [this, copy] {
    impl_->ws.async_write(asio::buffer(*copy), [copy](beast::error_code, std::size_t) {});
  });
}

proto::hash certificate_pin(const std::string& certificate_file) {
  std::FILE* f = std::fopen(certificate_file.c_str(), "r");
  if (!f) throw std::runtime_error("no certificate at " + certificate_file);
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (!cert) throw std::runtime_error("unreadable certificate");
  const auto h = digest(cert);
  X509_free(cert);
  return h;
}

}  // namespace shuttle::testing

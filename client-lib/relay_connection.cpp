#include "client-lib/relay_connection.hpp"
#include "client-lib/refusals.hpp"

#include "proto/base64.hpp"
#include "proto/strict_json.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace shuttle::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

namespace {

constexpr auto connect_timeout = std::chrono::seconds(15);
constexpr auto request_timeout = std::chrono::seconds(120);  // a 16 MiB letter over a slow line
constexpr std::size_t max_answer_bytes = 64 * 1024 * 1024;   // the largest answer: an audit export

bool pinned(SSL* ssl, const proto::hash& pin) {
  X509* peer = SSL_get1_peer_certificate(ssl);
  if (!peer) return false;
  proto::hash digest{};
  unsigned n = 0;
  const bool ok = X509_digest(peer, EVP_sha256(), digest.data(), &n) == 1 && n == digest.size();
  X509_free(peer);
  return ok && digest == pin;
}

}  // namespace

result<relay_address> relay_address::parse(std::string_view text, std::optional<proto::hash> pin) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return make_error(errc::invalid_argument, "a relay is HOST:PORT, e.g. 127.0.0.1:8443");
  }
  relay_address a;
  a.host = std::string(text.substr(0, colon));
  if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']') a.host = a.host.substr(1, a.host.size() - 2);
  a.port = std::string(text.substr(colon + 1));
  if (a.port.find_first_not_of("0123456789") != std::string::npos || a.port.size() > 5) {
    return make_error(errc::invalid_argument, "the relay's port is not a number");
  }
  a.pin = pin;
  return a;
}

std::string relay_address::text() const {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
}

struct relay_connection::impl {
  asio::io_context ioc;
  asio::ssl::context tls{asio::ssl::context::tls_client};
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;
};

relay_connection::relay_connection(relay_address address)
    : address_(std::move(address)), impl_(std::make_unique<impl>()) {
  impl_->tls.set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1);
  if (address_.pin) {
    impl_->tls.set_verify_mode(asio::ssl::verify_none);  // the pin is the check, below
  } else {
    impl_->tls.set_default_verify_paths();
    impl_->tls.set_verify_mode(asio::ssl::verify_peer);
  }
}

relay_connection::~relay_connection() = default;
relay_connection::relay_connection(relay_connection&&) noexcept = default;
relay_connection& relay_connection::operator=(relay_connection&&) noexcept = default;

namespace {

// Connects, handshakes and checks the certificate (the pin, or the CAs and the host name).
result<void> secure(asio::io_context& ioc, const relay_address& address_, beast::ssl_stream<beast::tcp_stream>& stream) {
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(ioc);
  auto endpoints = resolver.resolve(address_.host, address_.port, ec);
  if (ec) return make_error(errc::relay_unreachable, "cannot find " + address_.text() + ": " + ec.message());
  auto& tcp = beast::get_lowest_layer(stream);
  tcp.expires_after(connect_timeout);
  tcp.connect(endpoints, ec);
  if (ec) return make_error(errc::relay_unreachable, "cannot reach " + address_.text() + ": " + ec.message());
  // A request is written whole; Nagle's wait for an ACK the relay delays
  // would add 40 ms to a letter now and then.
  tcp.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  SSL_set_tlsext_host_name(stream.native_handle(), address_.host.c_str());
  if (!address_.pin) stream.set_verify_callback(asio::ssl::host_name_verification(address_.host));
  stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return make_error(errc::tls_failure, "the secure connection to " + address_.text() + " failed: " + ec.message());
  if (address_.pin && !pinned(stream.native_handle(), *address_.pin)) {
    return make_error(errc::tls_failure,
                      "the relay at " + address_.text() + " does not present the certificate your invitation pinned");
  }
  tcp.expires_never();
  return {};
}

}  // namespace

result<void> relay_connection::stream_events(std::uint64_t after, const std::function<void(std::string_view)>& on_message,
                                             const std::function<bool()>& keep_going) {
  namespace websocket = beast::websocket;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(impl_->ioc, impl_->tls);
  if (auto ok = secure(impl_->ioc, address_, ws.next_layer()); !ok) return ok;
  const std::string token = token_;
  ws.set_option(websocket::stream_base::decorator([token, after](websocket::request_type& req) {
    req.set(http::field::authorization, "Bearer " + token);
    req.set(http::field::user_agent, "shuttle");
    req.set("Last-Event-ID", std::to_string(after));
  }));
  ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws.read_message_max(64 * 1024);
  websocket::response_type res;
  beast::error_code ec;
  beast::get_lowest_layer(ws).expires_after(connect_timeout);
  ws.handshake(res, address_.host, "/v1/events", ec);
  beast::get_lowest_layer(ws).expires_never();
  if (ec) {
    if (res.result_int() == 401) return make_error(errc::not_logged_in, "Your session ended. Please log in again.");
    if (res.result_int() != 0) return make_error(errc::relay_refused, "the relay refused the event stream");
    return make_error(errc::relay_unreachable, "the event stream to " + address_.text() + " failed: " + ec.message());
  }
  beast::flat_buffer buffer;
  bool done = false;
  std::function<void()> read_next = [&] {
    ws.async_read(buffer, [&](beast::error_code read_ec, std::size_t) {
      if (read_ec) {
        done = true;
        return;
      }
      on_message(beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
      read_next();
    });
  };
  impl_->ioc.restart();
  read_next();
  while (!done && keep_going()) impl_->ioc.run_for(std::chrono::milliseconds(200));
  if (!done) {
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(2));
    ws.async_close(websocket::close_code::normal, [](beast::error_code) {});
    while (!done) impl_->ioc.run_for(std::chrono::milliseconds(200));
    return {};
  }
  return make_error(errc::relay_unreachable, "the event stream ended");
}

result<json::value> relay_connection::get(const std::string& target) { return request(false, target, nullptr); }

result<json::value> relay_connection::post(const std::string& target, const json::value& body) {
  const std::string text = json::serialize(body);
  return request(true, target, &text);
}

result<json::value> relay_connection::request(bool post, const std::string& target, const std::string* body) {
  last_refusal_.reset();
  http::request<http::string_body> req{post ? http::verb::post : http::verb::get, target, 11};
  req.set(http::field::host, address_.host);
  req.set(http::field::user_agent, "shuttle");
  if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
  if (body) {
    req.set(http::field::content_type, "application/json");
    req.body() = *body;
  }
  req.keep_alive(true);
  req.prepare_payload();

  // One retry on a reused connection the relay may have closed meanwhile.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->stream.has_value();
    if (!impl_->stream) {
      impl_->stream.emplace(impl_->ioc, impl_->tls);
      if (auto ok = secure(impl_->ioc, address_, *impl_->stream); !ok) {
        impl_->stream.reset();
        return ok.error();
      }
    }
    auto& tcp = beast::get_lowest_layer(*impl_->stream);
    tcp.expires_after(request_timeout);
    beast::error_code ec;
    http::write(*impl_->stream, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_answer_bytes);
    if (!ec) http::read(*impl_->stream, impl_->buffer, parser, ec);
    if (ec) {
      impl_->stream.reset();
      impl_->buffer.clear();
      if (reused && attempt == 0) continue;
      return make_error(errc::relay_unreachable, "the connection to " + address_.text() + " broke: " + ec.message());
    }
    auto res = parser.release();
    if (!res.keep_alive()) impl_->stream.reset();
    return answer_of(res.result_int(), res.body());
  }
  return make_error(errc::relay_unreachable, "cannot reach " + address_.text());
}

result<relay_connection::raw_answer> relay_connection::get_raw(const std::string& target,
                                                               const std::string& accept_encoding,
                                                               std::size_t max_bytes) {
  if (auto ok = connect_fresh(); !ok) return ok.error();
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, address_.host);
  req.set(http::field::user_agent, "shuttle");
  req.set(http::field::accept_encoding, accept_encoding);
  req.keep_alive(false);
  auto& tcp = beast::get_lowest_layer(*impl_->stream);
  tcp.expires_after(request_timeout);
  beast::error_code ec;
  http::write(*impl_->stream, req, ec);
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_bytes);
  if (!ec) http::read(*impl_->stream, impl_->buffer, parser, ec);
  impl_->stream.reset();
  impl_->buffer.clear();
  if (ec == http::error::body_limit) return make_error(errc::too_large, target);
  if (ec) return make_error(errc::relay_unreachable, "the connection to " + address_.text() + " broke: " + ec.message());
  auto res = parser.release();
  raw_answer out;
  out.status = res.result_int();
  out.body = std::move(res.body());
  out.content_encoding = std::string(res[http::field::content_encoding]);
  out.content_security_policy = std::string(res["Content-Security-Policy"]);
  return out;
}

result<json::value> relay_connection::answer_of(unsigned status, const std::string& text) {
  auto parsed = proto::parse_strict_json(text, max_answer_bytes, proto::max_body_json_depth);
  if (!parsed || !parsed->is_object()) {
    return make_error(errc::relay_refused, "the relay's answer was not understood (HTTP " + std::to_string(status) + ")");
  }
  if (status != 200) {
    relay_error r{status, "", ""};
    if (const auto* c = parsed->as_object().if_contains("error"); c && c->is_string()) r.code = c->as_string();
    if (const auto* m = parsed->as_object().if_contains("message"); m && m->is_string()) r.message = m->as_string();
    last_refusal_ = r;
    return from_refusal(r);
  }
  return std::move(*parsed);
}

result<void> relay_connection::connect_fresh() {
  last_refusal_.reset();
  impl_->stream.reset();
  impl_->buffer.clear();
  impl_->stream.emplace(impl_->ioc, impl_->tls);
  if (auto ok = secure(impl_->ioc, address_, *impl_->stream); !ok) {
    impl_->stream.reset();
    return ok.error();
  }
  return {};
}

namespace {

// The length of base64url without padding of n bytes.
std::uint64_t base64url_length(std::uint64_t n) { return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1); }

constexpr auto piece_timeout = std::chrono::seconds(30);  // each piece of a large transfer

}  // namespace

result<json::value> relay_connection::post_streamed(const std::string& target, const std::string& prefix,
                                                    const ciphertext_source& payload, const std::string& suffix,
                                                    const progress& report) {
  if (auto ok = connect_fresh(); !ok) return ok.error();
  auto& stream = *impl_->stream;
  auto& tcp = beast::get_lowest_layer(stream);
  http::request<http::buffer_body> req{http::verb::post, target, 11};
  req.set(http::field::host, address_.host);
  req.set(http::field::user_agent, "shuttle");
  req.set(http::field::content_type, "application/json");
  if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
  req.keep_alive(true);
  req.content_length(prefix.size() + base64url_length(payload.size()) + suffix.size());
  req.body().data = nullptr;
  req.body().more = true;
  http::request_serializer<http::buffer_body> sr{req};
  beast::error_code ec;
  auto broke = [&] {
    impl_->stream.reset();
    return make_error(errc::relay_unreachable, "the connection to " + address_.text() + " broke: " + ec.message());
  };
  tcp.expires_after(piece_timeout);
  http::write_header(stream, sr, ec);
  if (ec) return broke();
  auto send = [&](std::string_view piece) -> result<void> {
    req.body().data = const_cast<char*>(piece.data());
    req.body().size = piece.size();
    req.body().more = true;
    tcp.expires_after(piece_timeout);
    http::write(stream, sr, ec);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) return broke();
    return {};
  };
  if (auto ok = send(prefix); !ok) return ok.error();
  // Base64 works in groups of 3 bytes: up to 2 bytes wait for the next piece.
  bytes carry;
  std::uint64_t done = 0;
  auto streamed = payload.each_piece([&](bytes_view piece) -> result<void> {
    carry.insert(carry.end(), piece.begin(), piece.end());
    const std::size_t whole = carry.size() / 3 * 3;
    if (auto ok = send(proto::base64url_encode(bytes_view(carry.data(), whole))); !ok) return ok;
    carry.erase(carry.begin(), carry.begin() + static_cast<std::ptrdiff_t>(whole));
    done += piece.size();
    if (report) report(done, payload.size());
    return {};
  });
  if (!streamed) return streamed.error();
  if (!carry.empty()) {
    if (auto ok = send(proto::base64url_encode(carry)); !ok) return ok.error();
  }
  if (auto ok = send(suffix); !ok) return ok.error();
  req.body().data = nullptr;
  req.body().size = 0;
  req.body().more = false;
  http::write(stream, sr, ec);
  if (ec) return broke();

  tcp.expires_after(request_timeout);
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_answer_bytes);
  http::read(stream, impl_->buffer, parser, ec);
  if (ec) return broke();
  auto res = parser.release();
  if (!res.keep_alive()) impl_->stream.reset();
  return answer_of(res.result_int(), res.body());
}

result<void> relay_connection::get_streamed(const std::string& target, std::uint64_t expected,
                                            const std::function<result<void>(bytes_view)>& sink,
                                            const progress& report) {
  if (auto ok = connect_fresh(); !ok) return ok.error();
  auto& stream = *impl_->stream;
  auto& tcp = beast::get_lowest_layer(stream);
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, address_.host);
  req.set(http::field::user_agent, "shuttle");
  if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
  req.keep_alive(true);
  beast::error_code ec;
  auto broke = [&] {
    impl_->stream.reset();
    return make_error(errc::relay_unreachable, "the connection to " + address_.text() + " broke: " + ec.message());
  };
  tcp.expires_after(piece_timeout);
  http::write(stream, req, ec);
  if (ec) return broke();
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::max<std::uint64_t>(expected, 64 * 1024));
  http::read_header(stream, impl_->buffer, parser, ec);
  if (ec) return broke();
  const unsigned status = parser.get().result_int();
  if (status == 200 && parser.content_length() && *parser.content_length() != expected) {
    impl_->stream.reset();
    return make_error(errc::relay_refused, "the relay's answer was not understood: the letter has another size than "
                                           "its sender signed");
  }
  std::array<char, 64 * 1024> buf;
  std::string refusal;
  std::uint64_t done = 0;
  while (!parser.is_done()) {
    parser.get().body().data = buf.data();
    parser.get().body().size = buf.size();
    tcp.expires_after(piece_timeout);
    http::read(stream, impl_->buffer, parser, ec);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) return broke();
    const std::size_t n = buf.size() - parser.get().body().size;
    if (status != 200) {
      refusal.append(buf.data(), n);
      if (refusal.size() > 64 * 1024) return broke();
      continue;
    }
    done += n;
    if (done > expected) return broke();
    if (auto ok = sink(bytes_view(reinterpret_cast<const byte*>(buf.data()), n)); !ok) {
      impl_->stream.reset();
      return ok;
    }
    if (report && n > 0) report(done, expected);
  }
  if (!parser.keep_alive()) impl_->stream.reset();
  if (status != 200) {
    auto refused = answer_of(status, refusal);
    if (!refused) return refused.error();
    return make_error(errc::relay_refused, "the relay's answer was not understood");
  }
  if (done != expected) {
    return make_error(errc::relay_refused, "the relay's answer was not understood: the letter was cut short");
  }
  return {};
}

error from_refusal(const relay_error& r) {
  // The catalogue's sentence for the code; a code it does not have (a newer
  // relay's) keeps the relay's own sentence.
  const std::string detail = refusal_sentence(r.code).value_or(r.message.empty() ? r.code : r.message);
  if (r.status == 401) return make_error(errc::not_logged_in, detail);
  if (r.code == "not_found") return make_error(errc::not_found, detail);
  if (r.code == "case_closed") return make_error(errc::case_closed, detail);
  if (r.code == "channel_closed") return make_error(errc::withdrawn, detail);
  return make_error(errc::relay_refused, r.code + ": " + detail);
}

}  // namespace shuttle::client

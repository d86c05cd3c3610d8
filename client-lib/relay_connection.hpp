// A client's HTTPS connection to one relay (proto/SPEC.md "HTTP API").
//
// The relay is named "host:port". Its certificate is checked either against
// a pin (the SHA-256 of a self-signed certificate, as invitation codes carry
// it) or, without a pin, by the system's certificate authorities and the
// host name. One keep-alive connection is reused and reopened when needed.
//
// Failures are typed: relay_unreachable (no connection), tls_failure (the
// handshake failed or the certificate is not the pinned one), relay_refused
// (the relay answered an error; detail is "code: message", and status() says
// which HTTP status), not_found, case_closed.
//
// Not thread-safe: one connection per thread.
#pragma once

#include "client-lib/letter.hpp"

#include "proto/error.hpp"
#include "proto/statements.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace shuttle::client {

struct relay_address {
  std::string host = "127.0.0.1";
  std::string port = "8443";
  std::optional<proto::hash> pin;  // SHA-256 of the relay's certificate (DER)

  // "host:port" or "[v6]:port"; invalid_argument otherwise.
  static result<relay_address> parse(std::string_view text, std::optional<proto::hash> pin = std::nullopt);
  std::string text() const;
};

// A relay's error answer, as the client sees it.
struct relay_error {
  unsigned status = 0;
  std::string code;     // the relay's stable word, e.g. "channel_closed"
  std::string message;  // its calm sentence
};

class relay_connection {
 public:
  explicit relay_connection(relay_address address);
  ~relay_connection();
  relay_connection(relay_connection&&) noexcept;
  relay_connection& operator=(relay_connection&&) noexcept;

  const relay_address& address() const { return address_; }
  // The session token sent as "Authorization: Bearer" (empty: none).
  void set_token(std::string token) { token_ = std::move(token); }
  const std::string& token() const { return token_; }

  result<boost::json::value> get(const std::string& target);
  result<boost::json::value> post(const std::string& target, const boost::json::value& body);

  // Bytes done of a total, reported as a large transfer goes.
  using progress = std::function<void(std::uint64_t done, std::uint64_t total)>;
  // POSTs the JSON body `prefix`, then the base64url of `payload` (read a
  // piece at a time), then `suffix`: a letter's upload, never held whole.
  result<boost::json::value> post_streamed(const std::string& target, const std::string& prefix,
                                           const ciphertext_source& payload, const std::string& suffix,
                                           const progress& report);
  // GETs a binary answer of exactly `expected` bytes and hands it to `sink`
  // a piece at a time (a letter's ciphertext, straight to a file).
  result<void> get_streamed(const std::string& target, std::uint64_t expected,
                            const std::function<result<void>(bytes_view)>& sink, const progress& report);

  // A GET answered with bytes rather than JSON (the web client's files):
  // whatever the status, with the headers a verifier compares. relay_unreachable
  // or tls_failure when no answer came; too_large above `max_bytes`.
  struct raw_answer {
    unsigned status = 0;
    std::string body;
    std::string content_encoding;         // empty: identity
    std::string content_security_policy;  // empty: none sent
  };
  result<raw_answer> get_raw(const std::string& target, const std::string& accept_encoding, std::size_t max_bytes);

  // Holds the WebSocket /v1/events open and hands each event's text to
  // `on_message`, starting after event `after` (0: every event the relay
  // keeps for the account, then live ones). Returns
  // when `keep_going` (asked several times a second) says stop, or with an
  // error when the stream could not open or broke (relay_unreachable; a
  // refused upgrade is not_logged_in or relay_refused).
  result<void> stream_events(std::uint64_t after, const std::function<void(std::string_view)>& on_message,
                             const std::function<bool()>& keep_going);

  // The last error answer of the relay, when the last call failed with relay_refused.
  const std::optional<relay_error>& last_refusal() const { return last_refusal_; }

 private:
  result<boost::json::value> request(bool post, const std::string& target, const std::string* body);
  // A fresh secure connection in impl_->stream, for the streamed transfers.
  result<void> connect_fresh();
  // The JSON answer of a 200, or the refusal of any other status, from its text.
  result<boost::json::value> answer_of(unsigned status, const std::string& text);

  struct impl;
  relay_address address_;
  std::string token_;
  std::unique_ptr<impl> impl_;
  std::optional<relay_error> last_refusal_;
};

// Maps a relay refusal onto the client's codes: not_found, case_closed,
// withdrawn (channel_closed), not_logged_in (401), otherwise relay_refused.
error from_refusal(const relay_error& r);

}  // namespace shuttle::client

// A small synchronous HTTPS client for integration tests: one TLS
// connection per request, the relay's self-signed certificate pinned by its
// SHA-256, and a raw mode for sending malformed requests.
#pragma once

#include "proto/statements.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace shuttle::testing {

struct reply {
  unsigned status = 0;
  boost::json::value body;  // null when the answer was not JSON
  std::string text;
  std::string header(const std::string& name) const;
  std::string headers;
  // The "error" word of a failure answer, or "".
  std::string error() const;
};

class https_client {
 public:
  // Connects from the loopback address `source` (127.0.0.2 is "another client").
  https_client(unsigned short port, const proto::hash& certificate_sha256, std::string source = "127.0.0.1");
  // Sent with every request from now on (e.g. X-Forwarded-For, Content-Type).
  void set_header(const std::string& name, const std::string& value) { extra_headers_.emplace_back(name, value); }

  reply get(const std::string& target, const std::string& token = "");
  reply post(const std::string& target, const boost::json::value& body, const std::string& token = "");
  reply post_text(const std::string& target, const std::string& body, const std::string& token = "");
  // Sends bytes as they are and reads whatever comes back until the relay
  // closes; or, without `read_answer`, hangs up at once.
  std::string raw(const std::string& bytes, bool read_answer = true);

 private:
  reply request(const std::string& method, const std::string& target, const std::optional<std::string>& body,
                const std::string& token);
  unsigned short port_;
  proto::hash pin_;
  std::string source_;
  std::vector<std::pair<std::string, std::string>> extra_headers_;
};

// A connection a test holds open to watch the relay's timeouts and its cap.
class held_connection {
 public:
  // Connects; with `tls`, also completes the handshake (throws if it fails).
  held_connection(unsigned short port, bool tls, const std::string& source = "127.0.0.1");
  ~held_connection();
  void send(const std::string& bytes);
  // Waits up to `limit` for the relay to hang up; true if it did, false if
  // the connection was still open at the limit. Bytes that came are kept.
  bool closed_by_relay_within(std::chrono::seconds limit);
  const std::string& received() const { return received_; }

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::string received_;
};

// A subscriber to /v1/events over TLS, as a client would hold it.
class event_stream {
 public:
  struct options {
    std::string token;
    std::optional<std::uint64_t> last_event_id;
    std::string origin;   // sent when not empty
    std::string subprotocols;  // Sec-WebSocket-Protocol, as a browser sends it (when not empty)
    std::string target = "/v1/events";
    std::string source = "127.0.0.1";  // the loopback address to connect from
  };
  // Connects and upgrades; throws with the relay's HTTP status in the
  // message when the upgrade is refused.
  event_stream(unsigned short port, const options& o);
  ~event_stream();
  // The next event, or nothing if none came within `limit` (or the stream ended).
  std::optional<boost::json::value> next(std::chrono::milliseconds limit);
  // Sends one text message (for the size limit).
  void send(const std::string& text);
  // Whether the relay ended the stream (seen by the last next()).
  bool closed() const { return closed_; }
  // The subprotocol the relay chose in its 101 (empty: none).
  const std::string& protocol() const { return protocol_; }

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  bool closed_ = false;
  std::string protocol_;
};

// The pin of a relay's self-signed certificate, from its data directory.
proto::hash certificate_pin(const std::string& certificate_file);

}  // namespace shuttle::testing

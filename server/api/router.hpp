// The HTTP API: the route table, authorization in one place, and the one
// mapping from failures to HTTP statuses. proto/SPEC.md "HTTP API" and
// proto/openapi.yaml describe the same table; a test compares them.
#pragma once

#include "server/web_files.hpp"

#include "server/domain/relay_service.hpp"
#include "server/metrics.hpp"
#include "server/rate_limiter.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shuttle::relay::api {

namespace http = boost::beast::http;
using response = http::response<http::string_body>;

// Who may call a route. Case routes take the case id from the path.
enum class access {
  anonymous,
  account,              // any logged-in account
  facilitator_account,  // a facilitator's account
  case_participant,     // an active participant of the case
  case_facilitator,     // an active facilitator of the case
  case_party,           // an active participant of the case who is not a facilitator
};
std::string_view to_string(access a);

struct request_context {
  relay_service& service;
  boost::json::value body;         // null when the route takes no body
  std::optional<caller> who;       // set for every access but anonymous
  metrics& counters;
  std::optional<proto::id> message_id;  // for routes under /v1/cases/{case}/messages/{message}
  // Set by a route that answers bytes instead of JSON (a ciphertext, a page).
  struct raw {
    std::string body;
    std::string content_type = "application/octet-stream";
    std::vector<std::pair<std::string, std::string>> headers;
    bool cacheable = false;  // a content-hashed asset: cached for a year
  };
  std::optional<raw> raw_answer;
  const web_files* web = nullptr;  // the browser client, when the relay serves one
  std::string_view asset;          // for /assets/{asset}
  std::string_view accept_encoding;  // the request's Accept-Encoding (for the assets)
};

using handler = std::function<boost::asio::awaitable<outcome>(request_context&)>;

struct route {
  http::verb method;
  std::string_view pattern;  // "/v1/cases/{case}/keys", "/v1/cases/{case}/messages/{message}"
  access who;
  std::size_t body_limit;    // bytes; 0 for routes without a body
  bool limit_by_address;     // anonymous routes that cost the relay or guess secrets
  handler run;
};

// The whole table, in the order of proto/SPEC.md.
const std::vector<route>& routes();

struct match {
  const route* found = nullptr;
  std::optional<proto::id> case_id;
  std::optional<proto::id> message_id;
  std::string_view asset;  // the {asset} segment, names of [A-Za-z0-9._-]
  bool path_exists = false;  // the path matched some route, with another method
};
match find_route(http::verb method, std::string_view target);

// What the request's header alone decides, before a byte of its body is
// read: who is calling, whether they may call this route, and whether they
// are over a limit. A refusal is answered with the body left unread.
struct admission {
  std::optional<caller> who;        // for every route but anonymous ones
  std::optional<response> refusal;  // set when the request is refused
};

// The WebSocket subprotocol of /v1/events for browsers, and the list a
// browser offered (SPEC 16.4: "shuttle.v1", "shuttle.ticket.T", "shuttle.after.N").
inline constexpr std::string_view event_subprotocol = "shuttle.v1";
std::vector<std::string_view> event_subprotocols(const http::request<http::string_body>& req);

class router {
 public:
  router(relay_service& service, metrics& counters, std::size_t address_burst, double address_per_minute,
         std::size_t account_burst, double account_writes_per_minute);

  // Authentication, authorization, the request's media type and the rate
  // limits, from the header only. `address` is the client's address (see
  // client_address below), used for rate limiting only and never stored.
  admission admit(const match& m, const http::request<http::string_body>& head, const std::string& address);

  // Answers one admitted request whose body has been read.
  boost::asio::awaitable<response> handle(const match& m, admission admitted, http::request<http::string_body> req);

  relay_service& service() { return service_; }

  // The WebSocket upgrade of /v1/events: its caller, or the answer refusing
  // it (no or an ended session: 401; an Origin not allowed: 403).
  using upgrade_check = admission;
  upgrade_check authorize_events(const http::request<http::string_body>& req);
  // Origins (scheme://host[:port]) whose pages may open /v1/events. A request
  // without an Origin header (not from a browser) is not affected.
  void allow_origins(std::vector<std::string> origins) { allowed_origins_ = std::move(origins); }
  // The browser client to serve at / and /assets/ (none: those answer 404).
  void serve_web(const web_files* web) { web_ = web; }

  // The answer for a failure, with the right status and no internals;
  // rate_limited and unavailable carry Retry-After.
  static response failure_response(const failure& f, unsigned version, bool keep_alive);
  static response json_response(http::status status, const boost::json::object& body, unsigned version,
                                bool keep_alive);

 private:
  admission admit_checked(const match& m, const http::request<http::string_body>& head, const std::string& address);
  upgrade_check authorize_events_checked(const http::request<http::string_body>& req);
  relay_service& service_;
  metrics& counters_;
  rate_limiter by_address_;
  rate_limiter by_account_;
  std::vector<std::string> allowed_origins_;
  const web_files* web_ = nullptr;
};

// The client's address for rate limiting: the peer's, unless the peer is one
// of the `trusted_proxies`, in which case the X-Forwarded-For header is read
// from its right end, skipping trusted proxies, and its first other address
// is the client's. Without trusted proxies the header is ignored, so a client
// cannot choose its own address. Returns the peer's address when the header
// is absent or unusable.
std::string client_address(const std::string& peer, std::string_view forwarded_for,
                           const std::vector<std::string>& trusted_proxies);

}  // namespace shuttle::relay::api

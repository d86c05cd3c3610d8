// The HTTP API: the route table, authorization in one place, and the one
// mapping from failures to HTTP statuses. proto/SPEC.md "HTTP API" and
// proto/openapi.yaml describe the same table; a test compares them.
#pragma once

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
  bool path_exists = false;  // the path matched some route, with another method
};
match find_route(http::verb method, std::string_view target);

class router {
 public:
  router(relay_service& service, metrics& counters, std::size_t address_burst, double address_per_minute,
         std::size_t account_burst, double account_writes_per_minute);

  // Answers one request whose route was found. `address` is only used for
  // rate limiting and never stored.
  boost::asio::awaitable<response> handle(const match& m, http::request<http::string_body> req,
                                          const std::string& address);

  relay_service& service() { return service_; }

  // The WebSocket upgrade of /v1/events: its caller, or the answer refusing
  // it (no or an ended session: 401; an Origin not allowed: 403).
  struct upgrade_check {
    std::optional<caller> who;
    std::optional<response> refusal;
  };
  upgrade_check authorize_events(const http::request<http::string_body>& req);
  // Origins (scheme://host[:port]) whose pages may open /v1/events. A request
  // without an Origin header (not from a browser) is not affected.
  void allow_origins(std::vector<std::string> origins) { allowed_origins_ = std::move(origins); }

  // The answer for a failure, with the right status and no internals.
  static response failure_response(const failure& f, unsigned version, bool keep_alive);
  static response json_response(http::status status, const boost::json::object& body, unsigned version,
                                bool keep_alive);

 private:
  relay_service& service_;
  metrics& counters_;
  rate_limiter by_address_;
  rate_limiter by_account_;
  std::vector<std::string> allowed_origins_;
};

}  // namespace shuttle::relay::api

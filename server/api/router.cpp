#include "server/api/router.hpp"
#include "server/api/request_target.hpp"

#include "proto/base64.hpp"
#include "proto/limits.hpp"
#include "proto/strict_json.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>

namespace shuttle::relay::api {

namespace json = boost::json;

std::string_view to_string(access a) {
  switch (a) {
    case access::anonymous: return "anonymous";
    case access::account: return "account";
    case access::facilitator_account: return "facilitator_account";
    case access::case_participant: return "case_participant";
    case access::case_facilitator: return "case_facilitator";
    case access::case_party: return "case_party";
  }
  return "?";
}

namespace {

failure invalid_body(std::string message) { return {failure_kind::invalid, "malformed_json", std::move(message)}; }

bool is_case_route(access a) {
  return a == access::case_participant || a == access::case_facilitator || a == access::case_party;
}

http::status status_of(failure_kind k) {
  switch (k) {
    case failure_kind::invalid: return http::status::bad_request;
    case failure_kind::unauthorized: return http::status::unauthorized;
    case failure_kind::forbidden: return http::status::forbidden;
    case failure_kind::not_found: return http::status::not_found;
    case failure_kind::conflict: return http::status::conflict;
    case failure_kind::gone: return http::status::gone;
    case failure_kind::too_large: return http::status::payload_too_large;
    case failure_kind::unsupported_media_type: return http::status::unsupported_media_type;
    case failure_kind::rate_limited: return http::status::too_many_requests;
    case failure_kind::unavailable: return http::status::service_unavailable;
    case failure_kind::internal: return http::status::internal_server_error;
  }
  return http::status::internal_server_error;
}

// A JSON body says so: "application/json", perhaps with parameters.
bool is_json(std::string_view content_type) {
  const auto type = content_type.substr(0, content_type.find(';'));
  auto trimmed = type;
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
  if (trimmed.size() != 16) return false;
  for (std::size_t i = 0; i < trimmed.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(trimmed[i])) != "application/json"[i]) return false;
  }
  return true;
}

}  // namespace

match find_route(http::verb method, std::string_view target) {
  match best;
  const auto canonical = path_segments(target);
  if (!canonical) return best;
  const auto& path = *canonical;
  for (const auto& r : routes()) {
    const auto pattern = *path_segments(r.pattern);
    if (pattern.size() != path.size()) continue;
    std::optional<proto::id> case_id, message_id;
    bool same = true;
    for (std::size_t i = 0; i < pattern.size() && same; ++i) {
      if (pattern[i] == "{asset}") {
        same = asset_name(path[i]);
        if (same) best.asset = path[i];
      } else if (pattern[i] == "{case}" || pattern[i] == "{message}") {
        auto raw = proto::base64url_decode(path[i]);
        auto& out = pattern[i] == "{case}" ? case_id : message_id;
        if (raw && raw->size() == proto::id_bytes) {
          out.emplace();
          std::copy(raw->begin(), raw->end(), out->begin());
        } else {
          same = false;
        }
      } else {
        same = pattern[i] == path[i];
      }
    }
    if (!same) continue;
    best.path_exists = true;
    // HEAD is answered wherever GET is, with GET's headers and no body.
    if (r.method == method || (method == http::verb::head && r.method == http::verb::get)) {
      best.found = &r;
      best.case_id = case_id;
      best.message_id = message_id;
      return best;
    }
  }
  return best;
}

router::router(relay_service& service, metrics& counters, std::size_t address_burst, double address_per_minute,
               std::size_t account_burst, double account_writes_per_minute)
    : service_(service),
      counters_(counters),
      by_address_(static_cast<double>(address_burst), address_per_minute),
      by_account_(static_cast<double>(account_burst), account_writes_per_minute) {}

response router::json_response(http::status status, const json::object& body, unsigned version, bool keep_alive) {
  response res{status, version};
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.keep_alive(keep_alive);
  res.body() = json::serialize(body);
  res.prepare_payload();
  return res;
}

response router::failure_response(const failure& f, unsigned version, bool keep_alive) {
  json::object body;
  body["error"] = f.code;
  body["message"] = f.kind == failure_kind::internal ? "Something went wrong on the relay." : f.message;
  auto res = json_response(status_of(f.kind), body, version, keep_alive);
  if (f.kind == failure_kind::unauthorized) res.set(http::field::www_authenticate, "Bearer");
  if (f.kind == failure_kind::rate_limited || f.kind == failure_kind::unavailable) {
    const std::uint32_t wait = f.retry_after_seconds > 0 ? f.retry_after_seconds
                               : f.kind == failure_kind::rate_limited ? 60
                                                                      : 5;
    res.set(http::field::retry_after, std::to_string(wait));
  }
  return res;
}

// The session behind "Authorization: Bearer <token>", for every route and the upgrade alike.
static std::optional<caller> bearer(relay_service& service, const http::request<http::string_body>& req) {
  const auto auth = req[http::field::authorization];
  constexpr std::string_view scheme = "Bearer ";
  if (!auth.starts_with(scheme)) return std::nullopt;
  return service.authenticate(std::string_view(auth).substr(scheme.size()));
}

std::vector<std::string_view> event_subprotocols(const http::request<http::string_body>& req) {
  std::vector<std::string_view> out;
  std::string_view list = req[http::field::sec_websocket_protocol];
  while (!list.empty()) {
    const auto comma = list.find(',');
    auto item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

namespace {

// The answer while the storage cannot be reached (a PostgreSQL server
// restarting): the relay is up, nothing is lost, and trying again will work.
failure storage_unreachable_failure() {
  return {failure_kind::unavailable, "storage_unavailable",
          "The relay cannot reach its storage right now. Nothing you sent before is lost. "
          "Please try again in a little while.",
          5};
}

}  // namespace

router::upgrade_check router::authorize_events(const http::request<http::string_body>& req) {
  try {
    return authorize_events_checked(req);
  } catch (const storage_unreachable&) {
    upgrade_check out;
    out.refusal = failure_response(storage_unreachable_failure(), req.version(), false);
    return out;
  }
}

admission router::admit(const match& m, const http::request<http::string_body>& head, const std::string& address) {
  try {
    return admit_checked(m, head, address);
  } catch (const storage_unreachable&) {
    admission out;
    out.refusal = failure_response(storage_unreachable_failure(), head.version(), head.keep_alive());
    return out;
  }
}

router::upgrade_check router::authorize_events_checked(const http::request<http::string_body>& req) {
  upgrade_check out;
  const auto origin = req[http::field::origin];
  // The relay's own origin (its page) is allowed, and any --allowed-origin.
  const bool own_origin = !origin.empty() && origin == "https://" + std::string(req[http::field::host]);
  if (!origin.empty() && !own_origin &&
      std::find(allowed_origins_.begin(), allowed_origins_.end(), std::string_view(origin)) == allowed_origins_.end()) {
    out.refusal = failure_response({failure_kind::forbidden, "forbidden", "This origin may not open the event stream."},
                                   req.version(), false);
    return out;
  }
  // A browser offers a one-time ticket as a subprotocol beside "shuttle.v1".
  const auto offered = event_subprotocols(req);
  constexpr std::string_view ticket_prefix = "shuttle.ticket.";
  for (const auto& p : offered) {
    if (p.starts_with(ticket_prefix) &&
        std::find(offered.begin(), offered.end(), event_subprotocol) != offered.end()) {
      out.who = service_.redeem_event_ticket(p.substr(ticket_prefix.size()));
      if (!out.who) {
        out.refusal = failure_response({failure_kind::unauthorized, "unauthorized", "Please log in."}, req.version(), false);
      }
      return out;
    }
  }
  out.who = bearer(service_, req);
  if (!out.who) {
    out.refusal = failure_response({failure_kind::unauthorized, "unauthorized", "Please log in."}, req.version(), false);
  }
  return out;
}

admission router::admit_checked(const match& m, const http::request<http::string_body>& head,
                                const std::string& address) {
  const route& r = *m.found;
  admission out;
  auto refuse = [&](failure f) {
    out.refusal = failure_response(f, head.version(), head.keep_alive());
    return out;
  };

  // Authentication and authorization, for every route, here and only here.
  if (r.who != access::anonymous) {
    const auto auth = head[http::field::authorization];
    if (!auth.starts_with("Bearer ")) return refuse({failure_kind::unauthorized, "unauthorized", "Please log in."});
    out.who = service_.authenticate(std::string_view(auth).substr(7));
    if (!out.who) return refuse({failure_kind::unauthorized, "unauthorized", "Your session has ended. Please log in."});
    if (r.who == access::facilitator_account && !out.who->account.facilitator) {
      return refuse({failure_kind::forbidden, "forbidden", "Only facilitators may do this."});
    }
    if (is_case_route(r.who)) {
      auto p = service_.participation(*m.case_id, out.who->account.id);
      // A case the caller is not (or no longer) part of looks like no case at all.
      if (!p || p->state != proto::participant_state::active) return refuse(not_found("No such case."));
      const bool facilitator = p->role == proto::role::facilitator;
      if ((r.who == access::case_facilitator && !facilitator) || (r.who == access::case_party && facilitator)) {
        return refuse({failure_kind::forbidden, "forbidden", "Your role in this case does not allow this."});
      }
      out.who->participant = *p;
    }
  }

  // A body is JSON and says so; a route without one takes none.
  const bool has_body = head.has_content_length() ? head[http::field::content_length] != "0" : head.chunked();
  if (has_body && r.body_limit > 0 && !is_json(head[http::field::content_type])) {
    return refuse({failure_kind::unsupported_media_type, "unsupported_media_type",
                   "The request body must be JSON, sent with Content-Type: application/json."});
  }

  if (r.limit_by_address) {
    if (auto wait = by_address_.take(address)) {
      return refuse({failure_kind::rate_limited, "rate_limited",
                     "Too many attempts. Please wait a minute and try again.", wait});
    }
  }
  if (out.who && head.method() != http::verb::get && head.method() != http::verb::head) {
    if (auto wait = by_account_.take(proto::base64url_encode(out.who->account.id))) {
      return refuse({failure_kind::rate_limited, "rate_limited", "Too many changes at once. Please slow down.", wait});
    }
  }
  return out;
}

boost::asio::awaitable<response> router::handle(const match& m, admission admitted,
                                                http::request<http::string_body> req) {
  const route& r = *m.found;
  const unsigned version = req.version();
  const bool keep_alive = req.keep_alive();
  auto fail = [&](failure f) { return failure_response(f, version, keep_alive); };

  request_context ctx{service_, nullptr, std::move(admitted.who), counters_, m.message_id, std::nullopt, web_, m.asset, {}};
  ctx.accept_encoding = req[http::field::accept_encoding];
  if (r.body_limit > 0) {
    const std::string& text = req.body();
    if (!text.empty()) {
      auto body = proto::parse_strict_json(text, r.body_limit, proto::max_body_json_depth);
      if (!body) {
        co_return fail(failure::from(body.error(), body.error().code == errc::too_large ? failure_kind::too_large
                                                                                      : failure_kind::invalid));
      }
      if (!body->is_object()) co_return fail(invalid_body("The request body must be a JSON object."));
      ctx.body = std::move(*body);
    } else {
      ctx.body = json::object{};
    }
  }

  std::optional<outcome> run;
  try {
    run.emplace(co_await r.run(ctx));
  } catch (const storage_unreachable&) {
    run.emplace(storage_unreachable_failure());
  }
  outcome o = std::move(*run);
  if (!o) {
    if (o.error().kind == failure_kind::internal) spdlog::error("{} {}: {}", req.method_string(), r.pattern, o.error().message);
    co_return fail(o.error());
  }
  if (ctx.raw_answer) {
    response res{http::status::ok, version};
    res.set(http::field::content_type, ctx.raw_answer->content_type);
    res.set(http::field::cache_control, ctx.raw_answer->cacheable ? "public, max-age=31536000, immutable" : "no-store");
    res.set("X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : ctx.raw_answer->headers) res.set(name, value);
    res.keep_alive(keep_alive);
    res.body() = std::move(ctx.raw_answer->body);
    res.prepare_payload();
    co_return res;
  }
  co_return json_response(http::status::ok, *o, version, keep_alive);
}

std::string client_address(const std::string& peer, std::string_view forwarded_for,
                           const std::vector<std::string>& trusted_proxies) {
  auto trusted = [&](std::string_view a) {
    return std::find(trusted_proxies.begin(), trusted_proxies.end(), a) != trusted_proxies.end();
  };
  if (!trusted(peer)) return peer;
  // Right to left: each proxy appends the address it saw.
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    std::string_view item = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    boost::system::error_code ec;
    const auto parsed = boost::asio::ip::make_address(item, ec);
    if (ec) return peer;  // unusable: count the request against the proxy itself
    const std::string normal = parsed.to_string();
    if (!trusted(normal)) return normal;
  }
  return peer;
}

}  // namespace shuttle::relay::api

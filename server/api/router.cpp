#include "server/api/router.hpp"

#include "proto/base64.hpp"
#include "proto/strict_json.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

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
    case failure_kind::rate_limited: return http::status::too_many_requests;
    case failure_kind::unavailable: return http::status::service_unavailable;
    case failure_kind::internal: return http::status::internal_server_error;
  }
  return http::status::internal_server_error;
}

// Splits "/v1/cases/abc/keys?x" into segments, ignoring the query.
std::vector<std::string_view> segments(std::string_view target) {
  target = target.substr(0, target.find('?'));
  std::vector<std::string_view> out;
  while (!target.empty()) {
    if (target.front() == '/') {
      target.remove_prefix(1);
      continue;
    }
    const auto end = target.find('/');
    out.push_back(target.substr(0, end));
    if (end == std::string_view::npos) break;
    target.remove_prefix(end);
  }
  return out;
}

}  // namespace

match find_route(http::verb method, std::string_view target) {
  const auto path = segments(target);
  match best;
  for (const auto& r : routes()) {
    const auto pattern = segments(r.pattern);
    if (pattern.size() != path.size()) continue;
    std::optional<proto::id> case_id, message_id;
    bool same = true;
    for (std::size_t i = 0; i < pattern.size() && same; ++i) {
      if (pattern[i] == "{case}" || pattern[i] == "{message}") {
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
    if (r.method == method) {
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
  return res;
}

// The session behind "Authorization: Bearer <token>", for every route and the upgrade alike.
static std::optional<caller> bearer(relay_service& service, const http::request<http::string_body>& req) {
  const auto auth = req[http::field::authorization];
  constexpr std::string_view scheme = "Bearer ";
  if (!auth.starts_with(scheme)) return std::nullopt;
  return service.authenticate(std::string_view(auth).substr(scheme.size()));
}

router::upgrade_check router::authorize_events(const http::request<http::string_body>& req) {
  upgrade_check out;
  const auto origin = req[http::field::origin];
  if (!origin.empty() &&
      std::find(allowed_origins_.begin(), allowed_origins_.end(), std::string_view(origin)) == allowed_origins_.end()) {
    out.refusal = failure_response({failure_kind::forbidden, "forbidden", "This origin may not open the event stream."},
                                   req.version(), false);
    return out;
  }
  out.who = bearer(service_, req);
  if (!out.who) {
    out.refusal = failure_response({failure_kind::unauthorized, "unauthorized", "Please log in."}, req.version(), false);
  }
  return out;
}

boost::asio::awaitable<response> router::handle(const match& m, http::request<http::string_body> req,
                                                const std::string& address) {
  const route& r = *m.found;
  const unsigned version = req.version();
  const bool keep_alive = req.keep_alive();
  auto fail = [&](failure f) { return failure_response(f, version, keep_alive); };

  request_context ctx{service_, nullptr, std::nullopt, counters_, m.message_id};

  // Authentication and authorization, for every route, here and only here.
  if (r.who != access::anonymous) {
    if (!req[http::field::authorization].starts_with("Bearer ")) {
      co_return fail({failure_kind::unauthorized, "unauthorized", "Please log in."});
    }
    ctx.who = bearer(service_, req);
    if (!ctx.who) co_return fail({failure_kind::unauthorized, "unauthorized", "Your session has ended. Please log in."});
    if (r.who == access::facilitator_account && !ctx.who->account.facilitator) {
      co_return fail({failure_kind::forbidden, "forbidden", "Only facilitators may do this."});
    }
    if (is_case_route(r.who)) {
      auto p = service_.store().read(
          [&](reader& rd) { return rd.participant(*m.case_id, ctx.who->account.id); });
      // A case the caller is not (or no longer) part of looks like no case at all.
      if (!p || p->state != proto::participant_state::active) co_return fail(not_found("No such case."));
      const bool facilitator = p->role == proto::role::facilitator;
      if ((r.who == access::case_facilitator && !facilitator) || (r.who == access::case_party && facilitator)) {
        co_return fail({failure_kind::forbidden, "forbidden", "Your role in this case does not allow this."});
      }
      ctx.who->participant = *p;
    }
  }

  if (r.limit_by_address && !by_address_.allow(address)) {
    co_return fail({failure_kind::rate_limited, "rate_limited", "Too many attempts. Please wait a minute and try again."});
  }
  if (ctx.who && req.method() != http::verb::get && !by_account_.allow(proto::base64url_encode(ctx.who->account.id))) {
    co_return fail({failure_kind::rate_limited, "rate_limited", "Too many changes at once. Please slow down."});
  }

  if (r.body_limit > 0) {
    const std::string& text = req.body();
    if (!text.empty()) {
      auto body = proto::parse_strict_json(text, r.body_limit, 8);
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

  outcome o = co_await r.run(ctx);
  if (!o) {
    if (o.error().kind == failure_kind::internal) spdlog::error("{} {}: {}", req.method_string(), r.pattern, o.error().message);
    co_return fail(o.error());
  }
  co_return json_response(http::status::ok, *o, version, keep_alive);
}

}  // namespace shuttle::relay::api

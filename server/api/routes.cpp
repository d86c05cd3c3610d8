// The route table and its handlers. Handlers read their request body
// strictly (every key known, every statement parsed by proto) and hand typed
// values to the relay service.
#include "server/api/router.hpp"

#include "server/domain/quiet_hours.hpp"

#include "proto/codec.hpp"
#include "proto/json_fields.hpp"
#include "server/limits.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace shuttle::relay::api {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

// Awaits a write of the relay service: `start` receives the completion,
// which the store calls on its writer thread after the commit. Records the
// write's last stage and its whole time (write_stages.hpp).
template <class Start>
awaitable<outcome> written(request_context& ctx, Start start) {
  using clock = write_stages::clock;
  auto ex = co_await asio::this_coro::executor;
  write_stages& timings = ctx.service.write_timings();
  const auto asked = clock::now();
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>, void(outcome)>(
      [start = std::move(start), ex, &timings, asked](auto handler) mutable {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        start([h, ex, &timings, asked](outcome o) {
          asio::post(ex, [h, o = std::move(o), &timings, asked, called = clock::now()]() mutable {
            const auto resumed = clock::now();
            timings.record(write_stage::resume, called, resumed);
            timings.record(write_stage::write, asked, resumed);
            (*h)(std::move(o));
          });
        });
      },
      asio::use_awaitable);
}

// Reads the named fields of the body; the first problem becomes the answer.
template <class... Fields>
std::optional<failure> read_body(const boost::json::value& body, Fields&&... fields) {
  proto::object_reader r(body, "");
  (std::apply([&r](std::string_view name, auto& out) { r(name, out); }, fields), ...);
  if (auto done = r.finish(); !done) return failure::from(done.error());
  return std::nullopt;
}

template <class T>
std::tuple<std::string_view, T&> field(std::string_view name, T& out) {
  return {name, out};
}

// 200 while the relay can write; 503 naming the storage trouble otherwise
// (full, below its free-space reserve, or failing).
awaitable<outcome> healthz(request_context& ctx) {
  const auto storage = ctx.service.storage_state();
  if (storage.problem == "full") {
    co_return failure{failure_kind::unavailable, "storage_full", "The relay's storage is full.", 60};
  }
  if (storage.problem == "low") {
    co_return failure{failure_kind::unavailable, "storage_low",
                      "The relay's free space is below its reserve: only essential writes are taken.", 60};
  }
  if (storage.problem == "failing") {
    co_return failure{failure_kind::unavailable, "storage_unavailable", "The relay cannot write to its storage.", 30};
  }
  answer a;
  a["status"] = "ok";
  co_return a;
}

awaitable<outcome> open_invitation(request_context& ctx) {
  proto::id invitation{};
  proto::invitation_secret secret{};
  if (auto f = read_body(ctx.body, field("invitation", invitation), field("secret", secret))) co_return *f;
  co_return ctx.service.open_invitation(invitation, secret);
}

awaitable<outcome> enrol(request_context& ctx) {
  proto::enrolment e;
  proto::invitation_secret secret{};
  std::optional<proto::key_statement> keys;
  std::optional<proto::consent> consent;
  if (auto f = read_body(ctx.body, field("enrolment", e), field("secret", secret), field("keys", keys),
                         field("consent", consent))) {
    co_return *f;
  }
  co_return co_await written(ctx, [&](auto done) {
    ctx.service.enrol(std::move(e), secret, std::move(keys), std::move(consent), std::move(done));
  });
}

// ------------------------------------------------------------------ referrals

awaitable<outcome> referral_keys(request_context& ctx) { co_return ctx.service.referral_keys(); }

// A referral: its id, its receipt secret's hash, the sealed request and its
// content key sealed to each facilitator's referral key (SPEC 16.2).
struct sealed_referral {
  proto::id referral{};
  proto::hash secret_hash{};
  bytes ciphertext;
  std::vector<std::pair<proto::public_key, bytes>> wraps;
};
struct referral_wraps {
  std::vector<std::pair<proto::public_key, bytes>> wraps;
};
result<void> read_value(const boost::json::value& v, referral_wraps& out, const std::string& path) {
  const auto* list = v.if_array();
  if (!list) return make_error(errc::wrong_type, path);
  if (list->empty() || list->size() > proto::max_referral_readers) return make_error(errc::bad_length, path);
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    proto::public_key reader{};
    proto::sealed_note wrap;
    proto::object_reader r((*list)[i], at);
    r("reader", reader)("wrap", wrap);
    if (auto done = r.finish(); !done) return done.error();
    out.wraps.emplace_back(reader, std::move(wrap.box));
  }
  return {};
}
std::optional<failure> read_referral(request_context& ctx, sealed_referral& out) {
  proto::sealed_note ciphertext;
  referral_wraps wraps;
  if (auto f = read_body(ctx.body, field("referral", out.referral), field("secret_hash", out.secret_hash),
                         field("ciphertext", ciphertext), field("wraps", wraps))) {
    return f;
  }
  out.ciphertext = std::move(ciphertext.box);
  out.wraps = std::move(wraps.wraps);
  return std::nullopt;
}

awaitable<outcome> refer(request_context& ctx) {
  sealed_referral r;
  if (auto f = read_referral(ctx, r)) co_return *f;
  co_return co_await written(ctx, [&](auto done) {
    ctx.service.refer(r.referral, r.secret_hash, std::move(r.ciphertext), std::move(r.wraps), std::nullopt,
                      std::move(done));
  });
}

// A facilitator enters a referral on someone's behalf.
awaitable<outcome> enter_referral(request_context& ctx) {
  sealed_referral r;
  if (auto f = read_referral(ctx, r)) co_return *f;
  co_return co_await written(ctx, [&](auto done) {
    ctx.service.refer(r.referral, r.secret_hash, std::move(r.ciphertext), std::move(r.wraps), ctx.who->account,
                      std::move(done));
  });
}

awaitable<outcome> referral_status(request_context& ctx) {
  proto::id referral{};
  proto::referral_secret secret{};
  if (auto f = read_body(ctx.body, field("referral", referral), field("secret", secret))) co_return *f;
  co_return ctx.service.referral_status(referral, secret);
}

awaitable<outcome> publish_referral_key(request_context& ctx) {
  proto::referral_key k;
  if (auto f = read_body(ctx.body, field("referral_key", k))) co_return *f;
  co_return co_await written(ctx, [&](auto done) { ctx.service.publish_referral_key(*ctx.who, std::move(k), std::move(done)); });
}

awaitable<outcome> referrals(request_context& ctx) { co_return ctx.service.referrals(*ctx.who); }

struct referral_state_word {
  proto::referral_state state = proto::referral_state::received;
};
result<void> read_value(const boost::json::value& v, referral_state_word& out, const std::string& path) {
  const auto* s = v.if_string();
  if (!s || !proto::parse_enum(std::string_view(*s), out.state)) return make_error(errc::bad_value, path);
  return {};
}

awaitable<outcome> set_referral_state(request_context& ctx) {
  proto::id referral{};
  referral_state_word state;
  std::optional<proto::id> case_id;
  if (auto f = read_body(ctx.body, field("referral", referral), field("state", state), field("case", case_id))) {
    co_return *f;
  }
  co_return co_await written(ctx, [&](auto done) {
    ctx.service.set_referral_state(*ctx.who, referral, state.state, case_id, std::move(done));
  });
}

awaitable<outcome> login_challenge(request_context& ctx) {
  proto::public_key identity{};
  if (auto f = read_body(ctx.body, field("identity", identity))) co_return *f;
  co_return ctx.service.login_challenge(identity);
}

awaitable<outcome> login(request_context& ctx) {
  proto::public_key identity{};
  proto::login_challenge challenge{};
  proto::signature sig{};
  if (auto f = read_body(ctx.body, field("identity", identity), field("challenge", challenge), field("signature", sig))) {
    co_return *f;
  }
  co_return co_await written(ctx, [&](auto done) { ctx.service.login(identity, challenge, sig, std::move(done)); });
}

awaitable<outcome> logout(request_context& ctx) {
  if (auto f = read_body(ctx.body)) co_return *f;
  co_return co_await written(ctx, [&](auto done) { ctx.service.logout(*ctx.who, std::move(done)); });
}

awaitable<outcome> me(request_context& ctx) { co_return ctx.service.me(*ctx.who); }

awaitable<outcome> event_ticket(request_context& ctx) {
  if (auto f = read_body(ctx.body)) co_return *f;
  co_return ctx.service.event_ticket(*ctx.who);
}
awaitable<outcome> my_cases(request_context& ctx) { co_return ctx.service.my_cases(*ctx.who); }

awaitable<outcome> open_case(request_context& ctx) {
  proto::case_open open;
  proto::key_statement keys;
  if (auto f = read_body(ctx.body, field("case_open", open), field("keys", keys))) co_return *f;
  co_return co_await written(ctx,
      [&](auto done) { ctx.service.open_case(*ctx.who, std::move(open), std::move(keys), std::move(done)); });
}

awaitable<outcome> case_detail(request_context& ctx) { co_return ctx.service.case_detail(*ctx.who); }

// One signed statement under `name`, handed to a service method.
template <class S, class Method>
awaitable<outcome> one_statement(request_context& ctx, std::string_view name, Method method) {
  S s;
  if (auto f = read_body(ctx.body, field(name, s))) co_return *f;
  co_return co_await written(ctx, [&](auto done) { (ctx.service.*method)(*ctx.who, std::move(s), std::move(done)); });
}

awaitable<outcome> invite(request_context& ctx) {
  return one_statement<proto::invitation>(ctx, "invitation", &relay_service::invite);
}
awaitable<outcome> publish_key(request_context& ctx) {
  return one_statement<proto::key_statement>(ctx, "key_statement", &relay_service::publish_key);
}
awaitable<outcome> attest(request_context& ctx) {
  return one_statement<proto::attestation>(ctx, "attestation", &relay_service::attest);
}
// A facilitator closes the case; with "close_open_checkins" even while a
// check-in is still open (SPEC 5.19).
awaitable<outcome> close_case(request_context& ctx) {
  proto::close s;
  std::optional<bool> anyway;
  if (auto f = read_body(ctx.body, field("close", s), field("close_open_checkins", anyway))) co_return *f;
  co_return co_await written(ctx, [&](auto done) {
    ctx.service.close_case(*ctx.who, std::move(s), anyway.value_or(false), std::move(done));
  });
}
awaitable<outcome> withdraw(request_context& ctx) {
  return one_statement<proto::withdraw>(ctx, "withdraw", &relay_service::withdraw);
}

awaitable<outcome> grant(request_context& ctx) {
  return one_statement<proto::grant>(ctx, "grant", &relay_service::grant);
}
awaitable<outcome> consent(request_context& ctx) {
  return one_statement<proto::consent>(ctx, "consent", &relay_service::consent);
}
awaitable<outcome> consent_texts(request_context& ctx) { co_return ctx.service.consent_texts(); }
awaitable<outcome> set_stage(request_context& ctx) {
  return one_statement<proto::stage_statement>(ctx, "stage", &relay_service::set_stage);
}
awaitable<outcome> pause(request_context& ctx) {
  return one_statement<proto::pause>(ctx, "pause", &relay_service::pause);
}
awaitable<outcome> agreement(request_context& ctx) { co_return ctx.service.agreement(*ctx.who); }
awaitable<outcome> sign_agreement(request_context& ctx) {
  return one_statement<proto::agreement_signature>(ctx, "signature", &relay_service::sign_agreement);
}
awaitable<outcome> mark_agreement(request_context& ctx) {
  return one_statement<proto::agreement_mark>(ctx, "mark", &relay_service::mark_agreement);
}

// The case label: one sealed copy per facilitator, 1 to 8 of them.
struct label_copies {
  std::vector<std::pair<proto::public_key, bytes>> boxes;
};
result<void> read_value(const boost::json::value& v, label_copies& out, const std::string& path) {
  const auto* list = v.if_array();
  if (!list) return make_error(errc::wrong_type, path);
  if (list->empty() || list->size() > proto::max_facilitators_per_case) return make_error(errc::bad_length, path);
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    proto::public_key reader{};
    proto::sealed_note box;
    proto::object_reader r((*list)[i], at);
    r("reader", reader)("box", box);
    if (auto done = r.finish(); !done) return done.error();
    out.boxes.emplace_back(reader, std::move(box.box));
  }
  return {};
}

// Writing aids: a purpose and one sealed copy per party, 1 or 2 of them.
struct aid_purpose {
  std::string word;
};
result<void> read_value(const boost::json::value& v, aid_purpose& out, const std::string& path) {
  const auto* s = v.if_string();
  if (!s || (*s != "names" && *s != "prompts")) return make_error(errc::bad_value, path);
  out.word.assign(s->data(), s->size());
  return {};
}

awaitable<outcome> set_writing_aids(request_context& ctx) {
  aid_purpose purpose;
  label_copies copies;
  if (auto f = read_body(ctx.body, field("purpose", purpose), field("aids", copies))) co_return *f;
  if (copies.boxes.size() > 2) co_return failure{failure_kind::invalid, "bad_length", "aids: one copy for each party, at most two"};
  co_return co_await written(ctx, [&](auto done) {
    ctx.service.set_writing_aids(*ctx.who, std::move(purpose.word), std::move(copies.boxes), std::move(done));
  });
}

awaitable<outcome> set_label(request_context& ctx) {
  label_copies copies;
  if (auto f = read_body(ctx.body, field("label", copies))) co_return *f;
  co_return co_await written(ctx,
      [&](auto done) { ctx.service.set_label(*ctx.who, std::move(copies.boxes), std::move(done)); });
}

// Quiet hours: an IANA time zone and two "HH:MM" clock times; start equal
// to end means none.
struct zone_name {
  std::string text;
};
result<void> read_value(const boost::json::value& v, zone_name& out, const std::string& path) {
  const auto* s = v.if_string();
  if (!s) return make_error(errc::wrong_type, path);
  if (!is_time_zone(std::string_view(s->data(), s->size()))) return make_error(errc::bad_value, path);
  out.text.assign(s->data(), s->size());
  return {};
}
struct clock_time {
  std::uint32_t minute = 0;
};
result<void> read_value(const boost::json::value& v, clock_time& out, const std::string& path) {
  const auto* s = v.if_string();
  if (!s) return make_error(errc::wrong_type, path);
  auto minute = parse_clock(std::string_view(s->data(), s->size()));
  if (!minute) return make_error(errc::bad_value, path);
  out.minute = *minute;
  return {};
}

awaitable<outcome> set_quiet_hours(request_context& ctx) {
  zone_name zone;
  clock_time start, end;
  if (auto f = read_body(ctx.body, field("time_zone", zone), field("start", start), field("end", end))) co_return *f;
  std::optional<quiet_hours> q;
  if (start.minute != end.minute) q = quiet_hours{zone.text, start.minute, end.minute};
  co_return co_await written(ctx, [&](auto done) { ctx.service.set_quiet_hours(*ctx.who, std::move(q), std::move(done)); });
}

// -- messages

// The ciphertext beside an envelope: base64url, at most the relay's limit.
struct message_ciphertext {
  bytes value;
};
result<void> read_value(const boost::json::value& v, message_ciphertext& out, const std::string& path) {
  return proto::read_bytes(v, out.value, 1, max_message_ciphertext_bytes, path);
}

awaitable<outcome> submit_message(request_context& ctx) {
  proto::envelope e;
  message_ciphertext ciphertext;
  std::optional<proto::revision> revision;
  std::optional<proto::checkin> checkin;
  if (auto f = read_body(ctx.body, field("envelope", e), field("ciphertext", ciphertext), field("revision", revision),
                         field("checkin", checkin))) {
    co_return *f;
  }
  co_return co_await written(ctx, [&](auto done) {
    ctx.service.submit_message(*ctx.who, std::move(e), std::move(ciphertext.value), std::move(revision),
                               std::move(checkin), std::move(done));
  });
}

awaitable<outcome> list_messages(request_context& ctx) { co_return ctx.service.list_messages(*ctx.who); }
awaitable<outcome> review_queue(request_context& ctx) { co_return ctx.service.review_queue(*ctx.who); }

awaitable<outcome> fetch_ciphertext(request_context& ctx) {
  std::string out;
  outcome o = ctx.service.fetch_ciphertext(*ctx.who, *ctx.message_id, out);
  if (o) ctx.raw_answer = request_context::raw{std::move(out), "application/octet-stream", {}, false};
  co_return o;
}

awaitable<outcome> fetch_message(request_context& ctx) {
  co_return co_await written(ctx, [&](auto done) { ctx.service.fetch_message(*ctx.who, *ctx.message_id, std::move(done)); });
}

// A step on the message of the path that takes no statement.
template <class Method>
awaitable<outcome> message_step(request_context& ctx, Method method) {
  if (auto f = read_body(ctx.body)) co_return *f;
  co_return co_await written(ctx,
      [&](auto done) { (ctx.service.*method)(*ctx.who, *ctx.message_id, std::move(done)); });
}

// A signed statement about the message of the path.
template <class S, class Method>
awaitable<outcome> message_statement(request_context& ctx, std::string_view name, Method method) {
  S s;
  if (auto f = read_body(ctx.body, field(name, s))) co_return *f;
  co_return co_await written(ctx,
      [&](auto done) { (ctx.service.*method)(*ctx.who, *ctx.message_id, std::move(s), std::move(done)); });
}

awaitable<outcome> claim(request_context& ctx) { return message_step(ctx, &relay_service::claim); }
awaitable<outcome> unclaim(request_context& ctx) { return message_step(ctx, &relay_service::unclaim); }
awaitable<outcome> receipt(request_context& ctx) { return message_step(ctx, &relay_service::receipt); }
awaitable<outcome> decline(request_context& ctx) { return message_step(ctx, &relay_service::decline); }
awaitable<outcome> tell_declined(request_context& ctx) {
  std::optional<proto::sealed_note> note;
  if (auto f = read_body(ctx.body, field("note", note))) co_return *f;
  std::optional<bytes> box;
  if (note) box = std::move(note->box);
  co_return co_await written(ctx,
      [&](auto done) { ctx.service.tell_declined(*ctx.who, *ctx.message_id, std::move(box), std::move(done)); });
}
awaitable<outcome> approve(request_context& ctx) {
  return message_statement<proto::approval>(ctx, "approval", &relay_service::approve);
}
awaitable<outcome> return_message(request_context& ctx) {
  return message_statement<proto::return_statement>(ctx, "return", &relay_service::return_message);
}
awaitable<outcome> revoke(request_context& ctx) {
  return message_statement<proto::revoke>(ctx, "revoke", &relay_service::revoke);
}

awaitable<outcome> audit_export(request_context& ctx) {
  co_return co_await written(ctx, [&](auto done) { ctx.service.audit_export(*ctx.who, std::move(done)); });
}

// The browser client (SPEC 16.5): the page, never cached, and its
// content-hashed assets, cached for good; both with the security headers.
awaitable<outcome> web_page(request_context& ctx) {
  if (!ctx.web) co_return not_found("This relay serves no web client.");
  ctx.raw_answer = request_context::raw{ctx.web->index().body, ctx.web->index().content_type, web_files::security_headers(), false};
  co_return answer{};
}

awaitable<outcome> web_asset(request_context& ctx) {
  const web_file* f = ctx.web ? ctx.web->asset(ctx.asset) : nullptr;
  if (!f) co_return not_found("No such file.");
  ctx.raw_answer = request_context::raw{f->body, f->content_type, web_files::security_headers(), true};
  // The build's compressed copy, when the browser takes it.
  auto takes = [&](std::string_view coding) {
    for (std::string_view list = ctx.accept_encoding; !list.empty();) {
      const auto comma = list.find(',');
      auto item = list.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      const auto q = item.find("q=");
      const auto weight = q == std::string_view::npos ? std::string_view("1") : item.substr(q + 2);
      const bool refused = weight.find_first_not_of("0.") == std::string_view::npos;  // q=0, q=0.0, ...
      if (item.substr(0, item.find(';')) == coding && !refused) return true;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    return false;
  };
  auto& raw = *ctx.raw_answer;
  if (!f->brotli.empty() && takes("br")) {
    raw.body = f->brotli;
    raw.headers.emplace_back("Content-Encoding", "br");
  } else if (!f->gzip.empty() && takes("gzip")) {
    raw.body = f->gzip;
    raw.headers.emplace_back("Content-Encoding", "gzip");
  }
  raw.headers.emplace_back("Vary", "Accept-Encoding");
  co_return answer{};
}

// The release's signed list of the files above (SPEC 16.6), for verifiers.
awaitable<outcome> web_manifest(request_context& ctx) {
  if (!ctx.web || !ctx.web->manifest()) co_return not_found("This relay serves no signed web manifest.");
  ctx.raw_answer = request_context::raw{ctx.web->manifest()->body, ctx.web->manifest()->content_type, {}, false};
  co_return answer{};
}

// Reached only by a request that is not a WebSocket upgrade (net/ takes those).
awaitable<outcome> events(request_context&) {
  co_return failure{failure_kind::invalid, "upgrade_required", "This path speaks WebSocket only."};
}

}  // namespace

const std::vector<route>& routes() {
  using http::verb;
  static const std::vector<route> table{
      {verb::get, "/healthz", access::anonymous, 0, false, healthz},
      {verb::get, "/", access::anonymous, 0, false, web_page},
      {verb::get, "/assets/{asset}", access::anonymous, 0, false, web_asset},
      {verb::get, "/.well-known/shuttle/web-manifest.json", access::anonymous, 0, false, web_manifest},
      {verb::post, "/v1/invitations/open", access::anonymous, small_body_bytes, true, open_invitation},
      {verb::post, "/v1/enrol", access::anonymous, statement_body_bytes, true, enrol},
      {verb::post, "/v1/login/challenge", access::anonymous, small_body_bytes, true, login_challenge},
      {verb::post, "/v1/login", access::anonymous, small_body_bytes, true, login},
      {verb::get, "/v1/referrals/keys", access::anonymous, 0, false, referral_keys},
      {verb::post, "/v1/referrals", access::anonymous, statement_body_bytes, true, refer},
      {verb::post, "/v1/referrals/status", access::anonymous, small_body_bytes, true, referral_status},
      {verb::post, "/v1/logout", access::account, small_body_bytes, false, logout},
      {verb::get, "/v1/me", access::account, 0, false, me},
      {verb::get, "/v1/consent", access::account, 0, false, consent_texts},
      {verb::get, "/v1/cases", access::account, 0, false, my_cases},
      {verb::post, "/v1/cases", access::facilitator_account, statement_body_bytes, false, open_case},
      {verb::post, "/v1/referral-key", access::facilitator_account, statement_body_bytes, false, publish_referral_key},
      {verb::get, "/v1/referrals", access::facilitator_account, 0, false, referrals},
      {verb::post, "/v1/referrals/entered", access::facilitator_account, statement_body_bytes, false, enter_referral},
      {verb::post, "/v1/referrals/state", access::facilitator_account, small_body_bytes, false, set_referral_state},
      {verb::get, "/v1/cases/{case}", access::case_participant, 0, false, case_detail},
      {verb::post, "/v1/cases/{case}/invitations", access::case_facilitator, statement_body_bytes, false, invite},
      {verb::post, "/v1/cases/{case}/keys", access::case_participant, statement_body_bytes, false, publish_key},
      {verb::post, "/v1/cases/{case}/attestations", access::case_facilitator, statement_body_bytes, false, attest},
      {verb::post, "/v1/cases/{case}/close", access::case_facilitator, statement_body_bytes, false, close_case},
      {verb::post, "/v1/cases/{case}/withdraw", access::case_party, statement_body_bytes, false, withdraw},
      {verb::post, "/v1/cases/{case}/grants", access::case_party, statement_body_bytes, false, grant},
      {verb::post, "/v1/cases/{case}/stage", access::case_facilitator, statement_body_bytes, false, set_stage},
      {verb::post, "/v1/cases/{case}/pause", access::case_party, statement_body_bytes, false, pause},
      {verb::post, "/v1/cases/{case}/consent", access::case_party, statement_body_bytes, false, consent},
      {verb::get, "/v1/cases/{case}/agreement", access::case_participant, 0, false, agreement},
      {verb::post, "/v1/cases/{case}/agreement/signatures", access::case_participant, statement_body_bytes, false,
       sign_agreement},
      {verb::post, "/v1/cases/{case}/agreement/marks", access::case_facilitator, statement_body_bytes, false,
       mark_agreement},
      {verb::post, "/v1/cases/{case}/label", access::case_facilitator, statement_body_bytes, false, set_label},
      {verb::post, "/v1/cases/{case}/writing-aids", access::case_facilitator, statement_body_bytes, false,
       set_writing_aids},
      {verb::post, "/v1/cases/{case}/quiet-hours", access::case_facilitator, small_body_bytes, false, set_quiet_hours},
      {verb::get, "/v1/cases/{case}/messages", access::case_participant, 0, false, list_messages},
      {verb::post, "/v1/cases/{case}/messages", access::case_participant, message_body_bytes, false, submit_message},
      {verb::get, "/v1/cases/{case}/messages/{message}", access::case_participant, 0, false, fetch_message},
      {verb::get, "/v1/cases/{case}/messages/{message}/ciphertext", access::case_participant, 0, false,
       fetch_ciphertext},
      {verb::post, "/v1/cases/{case}/messages/{message}/claim", access::case_facilitator, small_body_bytes, false, claim},
      {verb::post, "/v1/cases/{case}/messages/{message}/unclaim", access::case_facilitator, small_body_bytes, false,
       unclaim},
      {verb::post, "/v1/cases/{case}/messages/{message}/approve", access::case_facilitator, statement_body_bytes, false,
       approve},
      {verb::post, "/v1/cases/{case}/messages/{message}/return", access::case_facilitator, statement_body_bytes, false,
       return_message},
      {verb::post, "/v1/cases/{case}/messages/{message}/revoke", access::case_participant, statement_body_bytes, false,
       revoke},
      {verb::post, "/v1/cases/{case}/messages/{message}/receipt", access::case_party, small_body_bytes, false, receipt},
      {verb::post, "/v1/cases/{case}/messages/{message}/tell-declined", access::case_facilitator, small_body_bytes,
       false, tell_declined},
      {verb::post, "/v1/cases/{case}/messages/{message}/decline", access::case_party, small_body_bytes, false, decline},
      {verb::get, "/v1/queue", access::facilitator_account, 0, false, review_queue},
      {verb::get, "/v1/cases/{case}/audit", access::case_facilitator, 0, false, audit_export},
      {verb::get, "/v1/events", access::account, 0, false, events},
      {verb::post, "/v1/events/ticket", access::account, small_body_bytes, false, event_ticket},
  };
  return table;
}

}  // namespace shuttle::relay::api

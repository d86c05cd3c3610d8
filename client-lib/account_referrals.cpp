// Referrals as a facilitator's client handles them (proto/SPEC.md 5.20,
// 6.8): its referral key published, the open referrals opened with it, a
// referral's state said, and a referral entered on someone's behalf.
#include "client-lib/account_parts.hpp"
#include "client-lib/referral.hpp"
#include "client-lib/statements.hpp"

namespace shuttle::client {

using namespace account_detail;

result<void> account::publish_referral_key() {
  proto::referral_key k;
  k.header = header_for(proto::null_case);
  k.key = referral_key_of(keys_.identity()).public_key();
  auto signed_key = sign(std::move(k), keys_.identity());
  if (!signed_key) return signed_key.error();
  auto answer = relay_.post("/v1/referral-key", json::object{{"referral_key", as_json(*signed_key)}});
  if (!answer) return answer.error();
  return {};
}

result<void> account::ensure_referral_key() {
  auto listed = authenticated([&] { return relay_.get("/v1/referrals/keys"); });
  if (!listed) return listed.error();
  auto keys = parse_referral_keys_answer(*listed);
  if (!keys) return keys.error();
  const auto mine = referral_key_of(keys_.identity()).public_key();
  for (const auto& k : *keys) {
    if (k.identity == identity() && k.key == mine) return {};
  }
  auto published = authenticated([&]() -> result<boost::json::value> {
    if (auto ok = publish_referral_key(); !ok) return ok.error();
    return boost::json::value{};
  });
  if (!published) return published.error();
  return box_.set("referral_key", b64(mine));
}

result<std::vector<referral_entry>> account::referrals() {
  if (auto ok = ensure_referral_key(); !ok) return ok.error();
  auto answer = authenticated([&] { return relay_.get("/v1/referrals"); });
  if (!answer) return answer.error();
  auto listed = parse_referrals_answer(*answer);
  if (!listed) return listed.error();
  const auto key = referral_key_of(keys_.identity());
  std::vector<referral_entry> out;
  for (auto& l : *listed) {
    referral_entry e{l.referral, l.received_at, l.state, std::nullopt, l.entered_by.has_value(), l.entered_by_name,
                     l.case_id};
    if (l.wrap) {
      // One that does not open is shown as not readable here, never as if it said nothing.
      if (auto d = open_referral(l.referral, l.ciphertext, *l.wrap, key)) e.document = std::move(*d);
    }
    out.push_back(std::move(e));
  }
  return out;
}

result<void> account::set_referral_state(const proto::id& referral, proto::referral_state state,
                                         std::optional<proto::id> case_id) {
  json::object body{{"referral", b64(referral)}, {"state", proto::to_string(state)}};
  if (case_id) body["case"] = b64(*case_id);
  auto answer = authenticated([&] { return relay_.post("/v1/referrals/state", body); });
  if (!answer) return answer.error();
  return {};
}

result<proto::referral_code> account::enter_referral(const proto::referral_document& d) {
  if (auto ok = ensure_referral_key(); !ok) return ok.error();
  auto listed = authenticated([&] { return relay_.get("/v1/referrals/keys"); });
  if (!listed) return listed.error();
  auto keys = parse_referral_keys_answer(*listed);
  if (!keys) return keys.error();
  std::vector<proto::public_key> readers;
  for (const auto& k : *keys) readers.push_back(k.key);
  const auto sealed = seal_referral(d, readers);
  auto answer = authenticated([&] { return relay_.post("/v1/referrals/entered", referral_request(sealed)); });
  if (!answer) return answer.error();
  return sealed.code;
}

// ------------------------------------------------------------------ with no account

result<proto::referral_code> refer(relay_connection& relay, const proto::referral_document& d) {
  for (int attempt = 0;; ++attempt) {
    auto listed = relay.get("/v1/referrals/keys");
    if (!listed) return listed.error();
    auto keys = parse_referral_keys_answer(*listed);
    if (!keys) return keys.error();
    if (keys->empty()) {
      return make_error(errc::not_found, "this service takes no requests here yet: no facilitator has set up to read them");
    }
    std::vector<proto::public_key> readers;
    for (const auto& k : *keys) readers.push_back(k.key);
    const auto sealed = seal_referral(d, readers);
    auto sent = relay.post("/v1/referrals", referral_request(sealed));
    if (sent) return sealed.code;
    // The facilitators changed while it was sealed: sealed again to the new list, once.
    const auto& refusal = relay.last_refusal();
    if (attempt > 0 || !refusal || refusal->code != "wraps_mismatch") return sent.error();
  }
}

result<referral_status_answer> referral_status(relay_connection& relay, const proto::referral_code& code) {
  auto answer = relay.post("/v1/referrals/status",
                           json::object{{"referral", proto::base64url_encode(code.referral)},
                                        {"secret", proto::base64url_encode(code.secret)}});
  if (!answer) return answer.error();
  return parse_referral_status_answer(*answer);
}

}  // namespace shuttle::client

// Referrals (proto/SPEC.md 5.20, 6.8 and 16.2): a person with no account
// asks the service to contact them. The relay keeps the facilitators'
// signed referral keys, takes a request sealed to all of them (it cannot
// read it), and answers its receipt code with where the request is. A
// facilitator marks it contacted or closed; closing deletes what it said.
#include "server/domain/rules.hpp"
#include "server/limits.hpp"

#include <set>

namespace shuttle::relay {

using namespace rules;
namespace json = boost::json;

namespace {

// Open referrals the relay holds at most: past it, new ones wait (a flood
// from many addresses cannot fill the disk).
constexpr std::uint64_t max_open_referrals = 10000;
// What a referral's wrap is: crypto_box_seal of the content key and the id.
constexpr std::size_t referral_wrap_bytes = 48 + 32 + 16;
// The smallest sealed referral: the nonce, a padded document, the tag.
constexpr std::size_t min_referral_ciphertext_bytes = 24 + 16 + 16;

}  // namespace

outcome relay_service::referral_keys() {
  return store_.read([](reader& r) -> outcome {
    json::array keys;
    for (const auto& k : r.referral_keys()) {
      const auto account = r.account_by_id(k.account);
      if (!account || !account->facilitator) continue;
      json::object one{{"identity", b64(account->identity)}, {"referral_key", stored(k.statement)}};
      if (account->display_name) one["name"] = *account->display_name;
      keys.push_back(std::move(one));
    }
    answer a;
    a["keys"] = std::move(keys);
    return a;
  });
}

void relay_service::publish_referral_key(const caller& c, proto::referral_key k, completion done) {
  if (auto f = precheck(k, c)) return done(*f);
  const std::uint64_t now = now_();
  write(
      [k = std::move(k), account = c.account, now](writer& w, effects&) -> outcome {
        if (auto r = replay(w, k)) return *r;
        w.set_referral_key({account.id, k.key, proto::to_json(k), now});
        answer a;
        a["key"] = b64(k.key);
        remember(w, k, a);
        return a;
      },
      std::move(done));
}

void relay_service::refer(const proto::id& referral, const proto::hash& secret_hash, bytes ciphertext,
                          std::vector<std::pair<proto::public_key, bytes>> wraps,
                          std::optional<account_record> entered_by, completion done) {
  if (referral == proto::id{}) return done(invalid("bad_value", "referral"));
  if (ciphertext.size() < min_referral_ciphertext_bytes || ciphertext.size() > proto::max_referral_ciphertext_bytes) {
    return done(invalid("bad_length", "ciphertext"));
  }
  if (wraps.empty() || wraps.size() > proto::max_referral_readers) return done(invalid("bad_length", "wraps"));
  for (const auto& [reader, wrap] : wraps) {
    if (wrap.size() != referral_wrap_bytes) return done(invalid("bad_length", "wraps"));
  }
  const std::uint64_t now = now_();
  write(
      [=, ciphertext = std::move(ciphertext), wraps = std::move(wraps)](writer& w, effects&) -> outcome {
        if (w.referral(referral)) return conflict("id_in_use", "This referral id is already in use.");
        if (w.open_referral_count() >= max_open_referrals) {
          return failure{failure_kind::unavailable, "referrals_full",
                         "The service cannot take more requests here just now. Please try again later, or contact "
                         "the service another way.",
                         3600};
        }
        // Sealed to every facilitator's current referral key, once each.
        std::set<proto::public_key> current, sealed;
        for (const auto& k : w.referral_keys()) {
          if (auto a = w.account_by_id(k.account); a && a->facilitator) current.insert(k.key);
        }
        bool exact = !current.empty() && wraps.size() == current.size();
        for (const auto& [reader, wrap] : wraps) exact = exact && current.contains(reader) && sealed.insert(reader).second;
        if (!exact) {
          return invalid("wraps_mismatch",
                         "The service's facilitators changed while this was written; it is sealed again and sent.");
        }
        referral_record r{referral, secret_hash, ciphertext, now, "received", now, std::nullopt, std::nullopt};
        if (entered_by) r.entered_by = entered_by->id;
        w.insert_referral(r, wraps);
        answer a;
        a["referral"] = b64(referral);
        a["state"] = "received";
        return a;
      },
      std::move(done));
}

outcome relay_service::referral_status(const proto::id& referral, const proto::referral_secret& secret) {
  return store_.read([&](reader& r) -> outcome {
    auto found = r.referral(referral);
    if (!found || !equal_ct(found->secret_hash, proto::referral_secret_hash(secret))) {
      return not_found("This receipt code is not known here. Please check it, or contact the service another way.");
    }
    answer a;
    a["referral"] = b64(referral);
    a["state"] = found->state;
    a["received_at"] = found->received_at;
    return a;
  });
}

outcome relay_service::referrals(const caller& c) {
  return store_.read([&](reader& r) -> outcome {
    // The caller's own key: what its wraps were sealed to.
    std::optional<proto::public_key> mine;
    for (const auto& k : r.referral_keys()) {
      if (k.account == c.account.id) mine = k.key;
    }
    json::array list;
    for (const auto& ref : r.open_referrals(max_queue_items)) {
      json::object one{{"referral", b64(ref.id)}, {"received_at", ref.received_at}, {"state", ref.state},
                       {"state_at", ref.state_at}};
      if (ref.ciphertext) one["ciphertext"] = proto::base64url_encode(*ref.ciphertext);
      if (mine) {
        if (auto wrap = r.referral_wrap(ref.id, *mine)) one["wrap"] = proto::base64url_encode(*wrap);
      }
      if (ref.entered_by) {
        if (auto a = r.account_by_id(*ref.entered_by)) {
          one["entered_by"] = b64(a->identity);
          if (a->display_name) one["entered_by_name"] = *a->display_name;
        }
      }
      if (ref.case_id) one["case"] = b64(*ref.case_id);
      list.push_back(std::move(one));
    }
    answer a;
    a["referrals"] = std::move(list);
    return a;
  });
}

void relay_service::set_referral_state(const caller& c, const proto::id& referral, proto::referral_state state,
                                       std::optional<proto::id> case_id, completion done) {
  if (state == proto::referral_state::received) {
    return done(invalid("bad_value", "state: contacted or closed"));
  }
  const std::uint64_t now = now_();
  write(
      [=](writer& w, effects&) -> outcome {
        auto found = w.referral(referral);
        if (!found) return not_found("No such referral.");
        if (found->state == "closed") return conflict("referral_closed", "This referral is closed.");
        if (case_id) {
          // The case opened from it: one the caller facilitates.
          const auto p = w.participant(*case_id, c.account.id);
          if (!p || p->role != proto::role::facilitator || p->state != proto::participant_state::active) {
            return not_found("No such case.");
          }
        }
        const std::string word(proto::to_string(state));
        w.set_referral_state(referral, word, now, case_id);
        answer a;
        a["referral"] = b64(referral);
        a["state"] = word;
        if (case_id) a["case"] = b64(*case_id);
        return a;
      },
      std::move(done));
}

}  // namespace shuttle::relay

// Referrals (proto/SPEC.md 5.20, 6.8): a person with no account asks the
// service to contact them. The request is sealed on their device to every
// facilitator's referral key, so the relay cannot read it; they keep a
// receipt code to see where it is. A facilitator's referral key derives
// from its identity seed, so every client of the facilitator holds it.
#pragma once

#include "client-lib/keys.hpp"
#include "client-lib/relay_answers.hpp"
#include "client-lib/relay_connection.hpp"
#include "proto/referral.hpp"

#include <vector>

namespace shuttle::client {

// The facilitator's referral key (SPEC 5.20): crypto_kdf_derive_from_key
// (32 bytes, subkey 1, context "referral", identity seed) as an X25519 secret.
case_key referral_key_of(const identity_key& identity);

// A referral sealed to every facilitator's key, and its receipt code.
struct sealed_referral {
  proto::referral_code code;  // the id and the secret
  bytes ciphertext;           // nonce (24) || XChaCha20-Poly1305(pad(document))
  std::vector<std::pair<proto::public_key, bytes>> wraps;  // the content key and id, sealed to each key
};
sealed_referral seal_referral(const proto::referral_document& d, const std::vector<proto::public_key>& keys);
// Opens one with this facilitator's referral key (wrap_mismatch: not for it,
// or changed).
result<proto::referral_document> open_referral(const proto::id& referral, bytes_view ciphertext, bytes_view wrap,
                                               const case_key& key);

// The body of POST /v1/referrals (and /v1/referrals/entered).
boost::json::object referral_request(const sealed_referral& s);

// With no account (client-lib/account_referrals.cpp, in the networked
// library). Sends a referral: the facilitators' keys fetched, checked
// and sealed to (again, once, if they changed meanwhile). Returns the
// receipt code.
result<proto::referral_code> refer(relay_connection& relay, const proto::referral_document& d);
// Where a referral is, by its receipt code.
result<referral_status_answer> referral_status(relay_connection& relay, const proto::referral_code& code);

}  // namespace shuttle::client

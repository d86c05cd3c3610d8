// What accounts and cases share in the domain (accounts.cpp, cases.cpp):
// storing a key statement, the longest invitation. Internal to the domain.
#pragma once

#include "proto/codec.hpp"
#include "server/domain/relay_service.hpp"
#include "server/domain/rules.hpp"

namespace shuttle::relay::people {

using namespace rules;
using proto::audit_event;

inline constexpr std::uint64_t max_invitation_lifetime_seconds = 30 * 24 * 3600;

inline failure login_failed() {
  return {failure_kind::unauthorized, "login_failed", "The login did not succeed. Please try again."};
}

// Stores a participant's key statement and remembers its answer.
inline answer store_key(writer& w, effects& fx, const proto::key_statement& k, const proto::id& account,
                        std::uint64_t now) {
  w.insert_key({k.header.statement_id, k.header.case_id, k.header.signer, k.case_key, proto::to_json(k),
                k.header.created_at},
               account);
  audit(w, fx, k, audit_event::key_published, k.header.statement_id, now);
  answer a;
  a["key_statement"] = b64(k.header.statement_id);
  remember(w, k, a);
  return a;
}

}  // namespace shuttle::relay::people

// The payload of the PostgreSQL notifications by which relays on one
// database tell each other what changed (postgres_store.hpp): a committed
// event, an ended session or every session of an account ended. Text well
// under PostgreSQL's 8000 bytes, no content:
//
//   "e SEQ ACCOUNT CASE EVENT MESSAGE|- AT"   an event (ids in lowercase hex)
//   "s SESSION"                               one session ended (its token hash)
//   "a ACCOUNT"                               every session of the account ended
//
// Any role that may connect to the database can send a notification on the
// channel, so decoding treats a payload as hostile input: anything not in
// exactly this form gives nothing (tests/fuzz/fuzz_change_payload.cpp).
#pragma once

#include "server/store/storage.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace shuttle::relay {

std::string event_payload(const event_record& e);
std::string ended_session_payload(const proto::hash& token_hash);
std::string ended_account_payload(const proto::id& account);

// The change a payload names, or nothing for one not in the form above
// (numbers as plain decimal digits without a leading zero, ids as lowercase hex of their exact
// size, an event word of 1 to 32 characters of [a-z_]).
std::optional<change> decode_change(std::string_view payload);

}  // namespace shuttle::relay

// The rows the relay keeps, as the domain sees them. No field holds a
// secret: tokens and invitation secrets are stored only as hashes, statements
// hold public keys and signatures, and (later) ciphertexts hold no plaintext.
#pragma once

#include "proto/audit.hpp"
#include "proto/lifecycle.hpp"
#include "proto/statements.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace shuttle::relay {

struct account_record {
  proto::id id{};
  proto::public_key identity{};
  bool facilitator = false;
  std::uint64_t created_at = 0;
  std::optional<std::string> display_name;  // a facilitator's, from its enrolment
};

struct session_record {
  proto::hash token_hash{};
  proto::id account{};
  std::uint64_t created_at = 0;
  std::uint64_t last_used_at = 0;
  std::uint64_t expires_at = 0;  // absolute
};

struct invitation_record {
  proto::id id{};
  proto::id case_id{};  // null_case for a facilitator account
  proto::role role = proto::role::harmed;
  proto::hash secret_hash{};
  std::uint64_t expires_at = 0;
  proto::public_key inviter{};
  std::string statement;  // the signed invitation's JSON
  std::optional<std::uint64_t> used_at;
};

// A case's quiet hours: releases that fall between `start` and `end` (minutes
// after local midnight in `time_zone`, an IANA name) wait for `end`.
struct quiet_hours {
  std::string time_zone;
  std::uint32_t start_minute = 0;
  std::uint32_t end_minute = 0;
  friend bool operator==(const quiet_hours&, const quiet_hours&) = default;
};

struct case_record {
  proto::id id{};
  proto::case_state state = proto::case_state::open;
  std::uint64_t approvals_required = 1;
  std::string open_statement;
  std::optional<std::string> close_statement;
  std::uint64_t created_at = 0;
  std::optional<quiet_hours> quiet;
  proto::case_stage stage = proto::case_stage::referral;
  std::optional<std::string> stage_statement;  // the latest signed stage statement
  bool paused = false;                         // the person harmed paused it: nothing is released
  std::optional<std::string> pause_statement;  // the latest signed pause statement
};

struct participant_record {
  proto::id case_id{};
  proto::id account{};
  proto::public_key identity{};
  proto::role role = proto::role::harmed;
  proto::participant_state state = proto::participant_state::active;
  std::optional<std::string> enrolment;  // the signed enrolment (absent for the opening facilitator)
  std::uint64_t joined_at = 0;
  std::optional<std::string> display_name;  // the account's (facilitators only)
};

// A case's participants in the order every store gives them: by when they
// joined, then by identity key. Sorted here rather than by the database,
// whose sorter cost more than the handful of rows it sorts, on every letter.
inline void put_in_join_order(std::vector<participant_record>& people) {
  std::sort(people.begin(), people.end(), [](const participant_record& a, const participant_record& b) {
    return std::tie(a.joined_at, a.identity) < std::tie(b.joined_at, b.identity);
  });
}

// A party's grant to one of its supporters (the latest grant statement for
// that pair): while `reads`, the supporter reads the letters the party sends
// and receives that were wrapped for it.
struct grant_record {
  proto::id case_id{};
  proto::id party_account{};
  proto::public_key party{};
  proto::public_key supporter{};
  bool reads = false;
  std::string statement;
  std::uint64_t at = 0;
};

// A case's grants in the order every store gives them: by when they were
// given, then by the supporter's key (as put_in_join_order, not by the database).
inline void put_in_grant_order(std::vector<grant_record>& grants) {
  std::sort(grants.begin(), grants.end(), [](const grant_record& a, const grant_record& b) {
    return std::tie(a.at, a.supporter) < std::tie(b.at, b.supporter);
  });
}

// A participant's latest consent statement in a case (SPEC 5.16).
struct consent_record {
  proto::id case_id{};
  proto::id account{};
  proto::hash text_hash{};
  std::string statement;
  std::uint64_t at = 0;
};

// A signature of an outcome agreement, or a facilitator's mark of one of its
// items (SPEC 5.17, 5.18), in the order stored.
struct agreement_statement_record {
  proto::id message_id{};
  bool mark = false;  // a mark; otherwise a signature
  proto::public_key signer{};
  proto::hash agreement_hash{};
  std::string statement;  // its JSON text
  std::uint64_t at = 0;
};

// A facilitator's referral key (SPEC 5.20): the newest one it published.
struct referral_key_record {
  proto::id account{};
  proto::public_key key{};
  std::string statement;  // its JSON text
  std::uint64_t at = 0;
};

// A referral (SPEC 6.8, 16.2): sealed, with the hash of its receipt secret.
struct referral_record {
  proto::id id{};
  proto::hash secret_hash{};
  std::optional<bytes> ciphertext;  // nothing once closed
  std::uint64_t received_at = 0;
  std::string state;  // received, contacted, closed
  std::uint64_t state_at = 0;
  std::optional<proto::id> entered_by;  // the facilitator account that entered it for someone
  std::optional<proto::id> case_id;     // the case opened from it
};

// When an agreement bound, and the hash every needed signature named.
struct agreement_bound_record {
  proto::id message_id{};
  proto::hash agreement_hash{};
  std::uint64_t at = 0;
};

struct key_record {
  proto::id id{};
  proto::id case_id{};
  proto::public_key identity{};
  proto::public_key case_key{};
  std::string statement;
  std::uint64_t created_at = 0;
};

struct attestation_record {
  proto::id id{};
  proto::id case_id{};
  proto::public_key subject{};
  proto::id key_statement{};
  proto::public_key attested_by{};
  std::string statement;
};

// A message and where it is in its lifecycle. The envelope (which holds the
// sender's and facilitators' wraps) is gone once revoked or purged; the
// ciphertext is kept apart (ciphertexts table) and deleted with it.
struct message_record {
  proto::id id{};
  proto::id case_id{};
  proto::id sender_account{};
  proto::public_key sender{};
  proto::message_kind kind = proto::message_kind::letter;
  proto::role to = proto::role::responsible;
  std::optional<proto::id> supersedes;
  std::optional<proto::id> answers;  // a reply's letter
  proto::message_state state = proto::message_state::in_review;
  std::optional<std::string> envelope;
  std::uint64_t ciphertext_size = 0;
  proto::hash ciphertext_hash{};
  std::uint64_t submitted_at = 0;
  std::optional<std::uint64_t> release_at;   // approved, waiting for this time
  std::optional<std::uint64_t> released_at;
  std::optional<std::uint64_t> delivered_at;
  std::optional<std::uint64_t> changed_at;   // the last change of state
  std::optional<proto::public_key> claimed_by;
  std::optional<std::string> claimed_by_name;  // the claiming facilitator's display name
  std::optional<std::uint64_t> claim_expires_at;
  bool purged = false;
  // A declined letter's writer learns of it only when a facilitator passes
  // it on (then, and with a note sealed to the writer if they wrote one).
  std::optional<std::uint64_t> decline_told_at;
  std::optional<bytes> decline_note;
};

// A facilitator's decision on a message. The statement (recipient wraps or
// a sealed return note) is gone once the message is revoked or purged.
struct review_record {
  proto::id message_id{};
  proto::public_key facilitator{};
  bool approve = true;
  std::optional<std::string> statement;
  std::uint64_t created_at = 0;
};

// One content-free event for one account, numbered for replay.
struct event_record {
  std::uint64_t seq = 0;
  proto::id account{};
  proto::id case_id{};
  std::string event;  // queued, claimed, approved, released, returned, delivered, opened, declined, revoked, withdrawn, closed
  std::optional<proto::id> message;
  std::uint64_t at = 0;
};

// Every accepted signed statement, by id: replays answer the same, and a
// different statement under a used id is a conflict.
struct statement_record {
  proto::id id{};
  std::string type;
  proto::hash hash{};
  std::string answer;  // the JSON answer given the first time
};

}  // namespace shuttle::relay

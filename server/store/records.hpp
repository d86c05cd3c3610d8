// The rows the relay keeps, as the domain sees them. No field holds a
// secret: tokens and invitation secrets are stored only as hashes, statements
// hold public keys and signatures, and (later) ciphertexts hold no plaintext.
#pragma once

#include "proto/lifecycle.hpp"
#include "proto/statements.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace shuttle::relay {

struct account_record {
  proto::id id{};
  proto::public_key identity{};
  bool facilitator = false;
  std::uint64_t created_at = 0;
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

struct case_record {
  proto::id id{};
  proto::case_state state = proto::case_state::open;
  std::uint64_t approvals_required = 1;
  std::string open_statement;
  std::optional<std::string> close_statement;
  std::uint64_t created_at = 0;
};

struct participant_record {
  proto::id case_id{};
  proto::id account{};
  proto::public_key identity{};
  proto::role role = proto::role::harmed;
  proto::participant_state state = proto::participant_state::active;
  std::optional<std::string> enrolment;  // the signed enrolment (absent for the opening facilitator)
  std::uint64_t joined_at = 0;
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

// Every accepted signed statement, by id: replays answer the same, and a
// different statement under a used id is a conflict.
struct statement_record {
  proto::id id{};
  std::string type;
  proto::hash hash{};
  std::string answer;  // the JSON answer given the first time
};

}  // namespace shuttle::relay

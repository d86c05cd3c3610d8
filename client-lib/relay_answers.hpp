// The relay's answers and events as typed values. The relay is untrusted
// input like any other: every answer the client acts on is parsed here, in
// one place, and a missing field, a wrong type, a bad encoding or a statement
// that does not verify its own rules gives an error value (relay_refused
// with a detail naming the field), never an exception.
//
// Parsers are lenient about fields they do not know (a newer relay may add
// some) and strict about the ones they read. Statements inside answers are
// parsed with proto's strict statement parser; checking their signatures and
// who signed them is the roster's work (review.hpp), not this file's.
#pragma once

#include "proto/error.hpp"
#include "proto/login.hpp"
#include "proto/referral.hpp"
#include "proto/statements.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shuttle::client {

// POST /v1/invitations/open: the signed invitation behind a code.
result<proto::invitation> parse_open_invitation_answer(const boost::json::value& v);

// GET /v1/referrals/keys: each facilitator's signed referral key (SPEC 5.20).
// Each statement is checked here: signed by the identity it is listed with,
// for the null case; who the facilitators are is the relay's word.
struct listed_referral_key {
  proto::public_key identity{};
  std::optional<std::string> name;
  proto::public_key key{};
};
result<std::vector<listed_referral_key>> parse_referral_keys_answer(const boost::json::value& v);

// POST /v1/referrals/status
struct referral_status_answer {
  proto::referral_state state = proto::referral_state::received;
  std::uint64_t received_at = 0;
};
result<referral_status_answer> parse_referral_status_answer(const boost::json::value& v);

// GET /v1/referrals: the open referrals, with the caller's wrap of each.
struct listed_referral {
  proto::id referral{};
  std::uint64_t received_at = 0;
  proto::referral_state state = proto::referral_state::received;
  bytes ciphertext;
  std::optional<bytes> wrap;  // none: sealed before this facilitator's key was published
  std::optional<proto::public_key> entered_by;  // the facilitator who entered it on someone's behalf
  std::optional<std::string> entered_by_name;
  std::optional<proto::id> case_id;       // the case opened from it
};
result<std::vector<listed_referral>> parse_referrals_answer(const boost::json::value& v);

// POST /v1/login/challenge
struct challenge_answer {
  proto::login_challenge challenge{};
  proto::public_key relay_key{};
};
result<challenge_answer> parse_challenge_answer(const boost::json::value& v);

// POST /v1/login
struct login_answer {
  std::string token;
  bool facilitator = false;
};
result<login_answer> parse_login_answer(const boost::json::value& v);

// The service's consent text in one language (SPEC 5.16), as the relay
// offers it when an invitation is opened and at GET /v1/consent. The hash is
// the client's own, of what it shows.
struct consent_offer {
  std::string language;
  std::string text;
  proto::hash text_hash{};
};
// The list under "consent" (none when the service asks for no consent).
result<std::vector<consent_offer>> parse_consent_offers(const boost::json::value& v);

// GET /v1/cases: one entry per case of the account.
struct case_summary {
  proto::id case_id{};
  std::string state;              // open, closed
  proto::role role = proto::role::harmed;
  std::string participant_state;  // active, withdrawn
  std::uint64_t approvals_required = 1;
  std::optional<proto::sealed_note> label;  // for a facilitator: the case label sealed to it
  std::optional<std::string> label_text;    // that label, opened by the account
  std::vector<proto::role> withdrawn;       // for a facilitator: the roles of those who left
  std::vector<proto::id> declined_untold;   // for a facilitator: declined letters no facilitator has passed on
  proto::case_stage stage = proto::case_stage::referral;  // as the relay lists it (SPEC 5.14)
  bool paused = false;                                    // the person harmed paused the case
};
result<std::vector<case_summary>> parse_case_list(const boost::json::value& v);

// GET /v1/cases/{case}
struct listed_participant {
  proto::public_key identity{};
  proto::role role = proto::role::harmed;
  std::string state;  // invited, active, withdrawn
  std::optional<std::string> name;  // a facilitator's display name
  std::optional<proto::consent> consent;         // the consent statement it signed, if any
  bool consent_current = false;                  // ... to the service's current text
  std::optional<std::string> consent_language;  // ... in this language
};
struct quiet_hours_setting {
  std::string time_zone;  // IANA name
  std::string start, end; // "HH:MM" local to time_zone
};
struct case_detail {
  std::string state;
  std::uint64_t approvals_required = 1;
  proto::case_open case_open;
  std::vector<proto::key_statement> key_statements;  // oldest first
  std::vector<proto::attestation> attestations;
  std::vector<listed_participant> participants;
  std::vector<proto::grant> grants;  // each party's latest grant to each supporter
  std::optional<quiet_hours_setting> quiet_hours;
  std::optional<proto::sealed_note> label;  // for a facilitator
  proto::case_stage stage = proto::case_stage::referral;
  std::optional<proto::stage_statement> stage_statement;  // the one that set the stage
  bool paused = false;
  std::optional<proto::pause> pause_statement;  // the latest pause or resume
  std::optional<proto::sealed_note> names;      // for a party: the names to look for, sealed to it (SPEC 7)
  std::optional<proto::sealed_note> prompts;    // for a party: the guided writing prompts, sealed to it
};
result<case_detail> parse_case_detail(const boost::json::value& v);

// A message as the relay lists it (content-free).
struct message_summary {
  proto::id message{};
  proto::id case_id{};
  proto::message_kind kind = proto::message_kind::letter;
  proto::public_key sender{};
  proto::role to = proto::role::responsible;
  std::string state;  // in_review, returned, released, delivered, opened, declined, revoked; lost, lost_in_restore (account::messages)
  std::uint64_t size = 0;
  std::optional<std::uint64_t> submitted_at, released_at, release_at;
  std::optional<proto::id> supersedes;
  std::optional<proto::id> answers;  // a reply's letter
  std::uint64_t approvals = 0, approvals_required = 0;
  std::optional<proto::public_key> claimed_by;
  std::optional<std::string> claimed_by_name;
  std::optional<proto::sealed_note> case_label;  // in the queue: the case's label sealed to this facilitator
  std::optional<std::string> case_label_text;    // that label, opened by the account
  std::uint64_t waiting_seconds = 0;  // in the queue
  bool reviewed_by_me = false;        // in the queue: this facilitator already decided
  bool case_paused = false;           // approved, waiting: the person harmed paused the case
  bool mine = false;                  // sent by `me`
};
result<message_summary> parse_message_summary(const boost::json::value& v, const proto::public_key& me);
// The list under `key` ("messages", "queue").
result<std::vector<message_summary>> parse_message_list(const boost::json::value& v, std::string_view key,
                                                        const proto::public_key& me);

// GET /v1/cases/{case}/messages: the list, and whether the relay's store was
// restored from a backup (SPEC 16.2, "After a restore").
struct case_messages {
  std::vector<message_summary> messages;
  std::optional<std::uint64_t> restored_at;    // when the store was restored
  std::optional<std::uint64_t> copy_taken_at;  // when the backup's copy was taken, if it says
};
result<case_messages> parse_case_messages(const boost::json::value& v, const proto::public_key& me);

// GET /v1/cases/{case}/messages/{message}
struct fetched_message {
  message_summary summary;
  proto::envelope envelope;  // the ciphertext is fetched on its own (SPEC 16.2, .../ciphertext)
  std::vector<proto::approval> approvals;
  std::optional<proto::return_statement> returned;
  std::optional<proto::sealed_note> decline_note;  // for its writer, once a facilitator passed a decline on
};
result<fetched_message> parse_fetched_message(const boost::json::value& v, const proto::public_key& me);

// GET /v1/cases/{case}/agreement: the outcome agreement in force, its
// signatures and marks as stored (SPEC 5.17, 5.18); nothing when the case
// has none. Whether they count is the client's check (SPEC 9).
struct agreement_state {
  proto::id message{};
  std::uint64_t submitted_at = 0;
  std::vector<proto::agreement_signature> signatures;
  std::vector<proto::agreement_mark> marks;
  std::optional<std::uint64_t> bound_at;
  std::optional<proto::hash> agreement_hash;  // the hash it bound with
};
result<std::optional<agreement_state>> parse_agreement_answer(const boost::json::value& v);

// POST .../revoke: all its writer may know of what happened before.
struct revoke_answer {
  bool was_released = false;  // it had been available to the recipient
  bool was_opened = false;    // the recipient had shared that they opened it
};
result<revoke_answer> parse_revoke_answer(const boost::json::value& v);

// POST .../withdraw: how many of the party's letters were revoked with it.
result<std::uint64_t> parse_withdraw_answer(const boost::json::value& v);

// POST .../approve: the message's state afterwards (in_review while it waits
// for a second approval or its release time, released otherwise), with the
// approvals counted so far.
struct approve_answer {
  std::string state;
  std::uint64_t approvals = 0, approvals_required = 0;
  std::optional<std::uint64_t> release_at;
  bool quiet_hours = false;  // the release waits for the end of the case's quiet hours
  bool paused = false;       // the release waits for the person harmed to resume the case
};
result<approve_answer> parse_approve_answer(const boost::json::value& v);

// An answer that must report the message in `expected` state (POST
// .../decline: "declined"; .../receipt: "opened"); anything else is refused.
result<void> parse_state_answer(const boost::json::value& v, std::string_view expected);

// One text message of the event stream (/v1/events).
struct event {
  std::uint64_t seq = 0;
  std::string kind;  // queued, claimed, approved, released, returned, delivered, opened, declined, revoked, ...
  proto::id case_id{};
  std::optional<proto::id> message;
  std::uint64_t at = 0;
};
result<event> parse_event(std::string_view text);

}  // namespace shuttle::client

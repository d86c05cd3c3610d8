// The signed statements of protocol v1, as typed values.
//
// Every statement has the common fields of `statement_header` and then its
// own. Each type lists its own fields once, in `each_field`, in transcript
// order; the codec (proto/codec.hpp) derives JSON parsing, JSON writing and
// the signing transcript from that one list, so the three cannot disagree.
// proto/SPEC.md "Statements" is the normative description of the same list.
#pragma once

#include "proto/bytes.hpp"
#include "proto/limits.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shuttle::proto {

using id = fixed<id_bytes>;
using public_key = fixed<public_key_bytes>;
using hash = fixed<hash_bytes>;
using signature = fixed<signature_bytes>;
using stream_header = fixed<stream_header_bytes>;
using wrap_box = fixed<wrap_bytes>;

// The case id of account-level statements (a facilitator's own enrolment).
inline constexpr id null_case{};

enum class role { facilitator, harmed, responsible, harmed_support, responsible_support };
enum class message_kind { letter, reply, note, agreement, checkin };
// Where a case is in the restorative process (SPEC 5.14); closing is the
// `close` statement, not a stage.
enum class case_stage { referral, preparation, exchange, agreement, aftercare };

// A facilitator's name as colleagues and parties see it (SPEC 5.3): 1 to 64
// bytes of UTF-8 without control characters.
struct display_name {
  std::string text;
  friend bool operator==(const display_name&, const display_name&) = default;
};

// A value sealed (crypto_box_seal) to one reader's case key: a content note,
// a return note, an internal note. Its plaintext format is in SPEC.md "Notes".
struct sealed_note {
  bytes box;
  friend bool operator==(const sealed_note&, const sealed_note&) = default;
};

// A letter key sealed to one reader: crypto_box_seal(letter_key || message_id).
struct reader_wrap {
  public_key reader;  // the reader's identity key
  wrap_box box;
  friend bool operator==(const reader_wrap&, const reader_wrap&) = default;
};

struct statement_header {
  id statement_id{};
  id case_id{};
  public_key signer{};  // Ed25519 identity key of the author
  std::uint64_t created_at = 0;  // Unix seconds, UTC
  friend bool operator==(const statement_header&, const statement_header&) = default;
};

// Opens a case with its review policy. Signed by the opening facilitator.
struct case_open {
  static constexpr std::string_view type = "case_open";
  statement_header header;
  std::uint64_t approvals_required = 1;  // 1 or 2 distinct facilitators
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("approvals_required", s.approvals_required);
  }
  friend bool operator==(const case_open&, const case_open&) = default;
};

// A facilitator invites someone into a case in a role. The one-time secret
// travels only in the invitation code; the relay keeps its hash.
struct invitation {
  static constexpr std::string_view type = "invitation";
  statement_header header;
  proto::role role = role::harmed;
  hash secret_hash{};
  std::uint64_t expires_at = 0;
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("role", s.role);
    f("secret_hash", s.secret_hash);
    f("expires_at", s.expires_at);
  }
  friend bool operator==(const invitation&, const invitation&) = default;
};

// A new participant accepts an invitation with its identity key.
struct enrolment {
  static constexpr std::string_view type = "enrolment";
  statement_header header;
  id invitation_id{};
  proto::role role = role::harmed;
  std::optional<display_name> name;  // a facilitator account's name; no one else has one
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("invitation", s.invitation_id);
    f("role", s.role);
    f("name", s.name);
  }
  friend bool operator==(const enrolment&, const enrolment&) = default;
};

// A participant publishes its case key (X25519) for one case.
struct key_statement {
  static constexpr std::string_view type = "key_statement";
  statement_header header;
  public_key case_key{};
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("case_key", s.case_key);
  }
  friend bool operator==(const key_statement&, const key_statement&) = default;
};

// A facilitator vouches, after comparing safety numbers in person, that these
// keys belong to this participant in this role.
struct attestation {
  static constexpr std::string_view type = "attestation";
  statement_header header;
  public_key subject{};  // the participant's identity key
  proto::role subject_role = role::harmed;
  id key_statement_id{};
  public_key subject_case_key{};
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("subject", s.subject);
    f("subject_role", s.subject_role);
    f("key_statement", s.key_statement_id);
    f("subject_case_key", s.subject_case_key);
  }
  friend bool operator==(const attestation&, const attestation&) = default;
};

// A submitted message. header.statement_id is the message id.
struct envelope {
  static constexpr std::string_view type = "envelope";
  statement_header header;
  message_kind kind = message_kind::letter;
  proto::role to = role::responsible;  // harmed, responsible, or facilitator (internal notes)
  // Only in envelopes signed before SPEC 5.13's `revision` statement: kept
  // so their signatures still verify; the relay refuses a new one with it.
  std::optional<id> supersedes;
  std::optional<id> answers;           // for a reply: the letter it answers
  stream_header stream{};              // secretstream header
  std::uint64_t ciphertext_size = 0;
  hash ciphertext_hash{};              // BLAKE2b-256 of the whole ciphertext
  std::vector<reader_wrap> wraps;      // the sender first, then facilitators by key
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("kind", s.kind);
    f("to", s.to);
    f("supersedes", s.supersedes);
    f("answers", s.answers);
    f("stream", s.stream);
    f("ciphertext_size", s.ciphertext_size);
    f("ciphertext_hash", s.ciphertext_hash);
    f("wraps", s.wraps);
  }
  friend bool operator==(const envelope&, const envelope&) = default;
};

// A facilitator releases a message to its recipient.
struct approval {
  static constexpr std::string_view type = "approval";
  statement_header header;
  id message_id{};
  hash ciphertext_hash{};
  std::vector<reader_wrap> wraps;        // for the recipient(s)
  std::optional<sealed_note> note;       // content note sealed to the recipient
  std::optional<std::uint64_t> release_at;
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("message", s.message_id);
    f("ciphertext_hash", s.ciphertext_hash);
    f("wraps", s.wraps);
    f("note", s.note);
    f("release_at", s.release_at);
  }
  friend bool operator==(const approval&, const approval&) = default;
};

// A facilitator returns a message to its sender with a reason and a note,
// both inside `note`, sealed to the sender.
struct return_statement {
  static constexpr std::string_view type = "return";
  statement_header header;
  id message_id{};
  hash ciphertext_hash{};
  sealed_note note;
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("message", s.message_id);
    f("ciphertext_hash", s.ciphertext_hash);
    f("note", s.note);
  }
  friend bool operator==(const return_statement&, const return_statement&) = default;
};

// The sender takes a message back.
struct revoke {
  static constexpr std::string_view type = "revoke";
  statement_header header;
  id message_id{};
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("message", s.message_id);
  }
  friend bool operator==(const revoke&, const revoke&) = default;
};

// A participant leaves the process.
struct withdraw {
  static constexpr std::string_view type = "withdraw";
  statement_header header;
  bool revoke_released = false;  // also revoke letters already released
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("revoke_released", s.revoke_released);
  }
  friend bool operator==(const withdraw&, const withdraw&) = default;
};

// A party lets one of its supporters read the letters it sends and receives
// from now on (`reads` true), or ends that (`reads` false).
struct grant {
  static constexpr std::string_view type = "grant";
  statement_header header;
  public_key subject{};  // the supporter's identity key
  bool reads = true;
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("subject", s.subject);
    f("reads", s.reads);
  }
  friend bool operator==(const grant&, const grant&) = default;
};

// A sender names the returned message that its new message revises. It
// travels beside the new message's envelope, never inside it, and the relay
// shows it to the writer and the facilitators only: nothing a recipient can
// read or verify names an earlier version (SPEC 5.13). header.case_id and
// header.signer are the envelope's.
struct revision {
  static constexpr std::string_view type = "revision";
  statement_header header;
  id message_id{};  // the new message, the envelope's id
  id supersedes{};  // the returned message it revises
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("message", s.message_id);
    f("supersedes", s.supersedes);
  }
  friend bool operator==(const revision&, const revision&) = default;
};

// A facilitator closes a case.
struct close {
  static constexpr std::string_view type = "close";
  statement_header header;
  signature sig{};
  template <class S, class F>
  static void each_field(S&, F&&) {}
  friend bool operator==(const close&, const close&) = default;
};

// A facilitator moves the case to a stage of the process. Stages tell the
// people where they are; they gate nothing but themselves (SPEC 5.14).
struct stage_statement {
  static constexpr std::string_view type = "stage";
  statement_header header;
  case_stage stage = case_stage::referral;
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("stage", s.stage);
  }
  friend bool operator==(const stage_statement&, const stage_statement&) = default;
};

// The person harmed pauses the case (`paused` true): nothing is released to
// anyone until they resume it (`paused` false). SPEC 5.15.
struct pause {
  static constexpr std::string_view type = "pause";
  statement_header header;
  bool paused = true;
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("paused", s.paused);
  }
  friend bool operator==(const pause&, const pause&) = default;
};

// A participant agrees to the service's consent text, as read in one
// language (SPEC 5.16): at enrolment, and again when the text changes.
struct consent {
  static constexpr std::string_view type = "consent";
  statement_header header;
  hash text_hash{};  // consent_text_hash() of the text read
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("text_hash", s.text_hash);
  }
  friend bool operator==(const consent&, const consent&) = default;
};

// A party or facilitator signs an outcome agreement (SPEC 5.17): the hash of
// the agreement document it read (agreement_hash(), SPEC 6.6). It binds once
// both parties and every facilitator signed the same hash.
struct agreement_signature {
  static constexpr std::string_view type = "agreement_signature";
  statement_header header;
  id message_id{};       // the `agreement` message
  hash agreement_hash{};
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("message", s.message_id);
    f("agreement_hash", s.agreement_hash);
  }
  friend bool operator==(const agreement_signature&, const agreement_signature&) = default;
};

// A facilitator marks one item of a binding agreement done or not done
// (SPEC 5.18); the newest mark of an item counts.
struct agreement_mark {
  static constexpr std::string_view type = "agreement_mark";
  statement_header header;
  id message_id{};
  hash agreement_hash{};
  std::uint64_t item = 0;  // 1, 2, ... in the agreement's order
  bool done = false;
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("message", s.message_id);
    f("agreement_hash", s.agreement_hash);
    f("item", s.item);
    f("done", s.done);
  }
  friend bool operator==(const agreement_mark&, const agreement_mark&) = default;
};

// A facilitator schedules a check-in (SPEC 5.19): the `checkin` message it
// names reaches its party at `due_at` (quiet hours and a pause holding it).
struct checkin {
  static constexpr std::string_view type = "checkin";
  statement_header header;
  id message_id{};
  std::uint64_t due_at = 0;
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("message", s.message_id);
    f("due_at", s.due_at);
  }
  friend bool operator==(const checkin&, const checkin&) = default;
};

// A facilitator publishes the key referrals are sealed to (SPEC 5.20): an
// X25519 key its client derives from its identity seed; the null case.
struct referral_key {
  static constexpr std::string_view type = "referral_key";
  statement_header header;
  public_key key{};
  signature sig{};
  template <class S, class F>
  static void each_field(S& s, F&& f) {
    f("key", s.key);
  }
  friend bool operator==(const referral_key&, const referral_key&) = default;
};

std::string_view to_string(role r);
std::string_view to_string(message_kind k);
std::string_view to_string(case_stage s);
bool parse_enum(std::string_view word, role& out);
bool parse_enum(std::string_view word, message_kind& out);
bool parse_enum(std::string_view word, case_stage& out);

// 1 to 64 bytes, none a control character (below 0x20, or 0x7f). UTF-8
// validity is the JSON parser's (and the caller's) to check.
bool is_display_name(std::string_view text);

// A fresh random id (never the all-zero id), from libsodium's random source.
id random_id();

// The domain separation string of a statement type: "shuttle/v1/<type>".
template <class S>
std::string domain_of() {
  return std::string("shuttle/v1/") + std::string(S::type);
}

}  // namespace shuttle::proto

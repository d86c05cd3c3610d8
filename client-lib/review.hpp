// Trust and review: what a client accepts before it uses a key or shows a
// letter (../shared/DESIGN.md "Trust", proto/SPEC.md "Client checks").
//
// A roster holds the keys a client may use in one case. It starts from the
// facilitator pinned by the invitation and grows only through statements
// that verify: the case_open and key statements of trusted facilitators,
// and attestations by them of other participants' key statements. Nothing
// the relay says without such a signature enters it.
#pragma once

#include "client-lib/document.hpp"
#include "client-lib/keys.hpp"
#include "client-lib/letter.hpp"
#include "proto/statements.hpp"

#include <optional>
#include <string>
#include <vector>

namespace shuttle::client {

struct participant_keys {
  proto::public_key identity{};
  proto::role role = proto::role::harmed;
  proto::public_key case_key{};
  proto::id key_statement_id{};
};

class roster {
 public:
  // `pinned` is the identity key whose fingerprint the invitation carried.
  roster(const proto::id& case_id, const proto::public_key& pinned_facilitator);

  const proto::id& case_id() const { return case_id_; }
  std::uint64_t approvals_required() const { return approvals_required_; }

  // The case's policy, signed by a trusted facilitator.
  result<void> add_case_open(const proto::case_open& s);
  // A trusted facilitator's own case key.
  result<void> add_facilitator_keys(const proto::key_statement& s);
  // A participant (or co-facilitator) attested by a trusted facilitator, with
  // the key statement the attestation names. A co-facilitator attested this
  // way becomes trusted in turn once its key statement is added.
  result<void> add_attested(const proto::attestation& a, const proto::key_statement& keys);

  // not_attested when the identity has no attested keys here.
  result<participant_keys> find(const proto::public_key& identity) const;
  // key_changed when `case_key` is not the one attested for `identity`.
  result<void> check_current_key(const proto::public_key& identity, const proto::public_key& case_key) const;
  bool is_facilitator(const proto::public_key& identity) const;
  // Trusted facilitators with a known case key: the readers of every letter.
  std::vector<reader_key> facilitator_readers() const;
  // Attested participants in a role (the recipients of a letter).
  std::vector<participant_keys> in_role(proto::role r) const;
  // A party's grant to one of its supporters: kept when an attested party
  // signed it for an attested supporter of its own side; a later grant for
  // the same pair replaces an earlier one. Others are ignored (not_attested).
  result<void> add_grant(const proto::grant& g);
  // The attested supporters `party` lets read now (SPEC 12, "Who reads what").
  std::vector<reader_key> supporters_of(const proto::public_key& party) const;

 private:
  result<void> check_case(const proto::statement_header& h) const;
  proto::id case_id_;
  std::vector<proto::public_key> facilitators_;  // trusted identity keys
  std::vector<participant_keys> participants_;   // with attested case keys
  std::vector<proto::grant> grants_;             // the latest per party and supporter
  std::uint64_t approvals_required_ = 1;
};

// The party a supporter role stands beside (harmed_support: harmed), or nothing.
std::optional<proto::role> party_of(proto::role supporter);

// Why a facilitator returns a letter (proto/SPEC.md "Notes").
enum class return_reason {
  identifying_information,
  retraumatising_wording,
  asks_for_forgiveness_or_contact,
  threat,
  other,
};
std::string_view to_string(return_reason r);
bool parse_enum(std::string_view word, return_reason& out);

// The plaintext of a sealed note, bound to its message and purpose.
struct note {
  std::string purpose;  // "content" (approval to recipient), "return" (return to sender), "declined" (to the sender)
  std::optional<return_reason> reason;
  std::string text;     // at most max_note_text_bytes
};
result<proto::sealed_note> seal_note(const note& n, const proto::id& message_id, const proto::public_key& reader_case_key);
result<note> open_note(const proto::sealed_note& box, const proto::id& message_id, std::string_view purpose,
                       const case_key& mine);

// A facilitator reads a letter under review: the sender must be attested in
// the roster with the case key it wrapped for itself.
result<document> open_for_review(const roster& r, const proto::envelope& e, const ciphertext_source& ciphertext,
                                 const identity_key& me, const case_key& my_case_key);

// A facilitator approves: the letter key is unwrapped from the facilitator's
// own wrap and wrapped again for every attested participant in the
// envelope's `to` role; an optional content note is sealed to each of them.
struct approval_options {
  std::optional<std::string> content_note;
  std::optional<std::uint64_t> release_at;
  std::optional<proto::statement_header> header;  // fixed ids and times, for vectors
};
result<proto::approval> approve_letter(const roster& r, const proto::envelope& e, const identity_key& me,
                                       const case_key& my_case_key, const approval_options& options = {});

// A facilitator returns a letter with a reason and a note sealed to the sender.
result<proto::return_statement> return_letter(const roster& r, const proto::envelope& e, const identity_key& me,
                                              return_reason reason, std::string_view text,
                                              std::optional<proto::statement_header> header = std::nullopt);

// The sender reads why its letter came back.
result<note> open_return(const roster& r, const proto::envelope& e, const proto::return_statement& s,
                         const case_key& sender_case_key);

// What a recipient sees once every check passed.
// A note an approving facilitator sealed to the recipient.
struct facilitator_note {
  proto::public_key by{};  // the facilitator's identity key
  std::string text;
  std::string by_name;     // how the reader knows them (filled in by the account)
};

struct delivered_letter {
  document content;
  participant_keys sender;
  std::vector<proto::public_key> approved_by;
  std::optional<std::string> content_note;     // the first approver's note, if any
  std::vector<facilitator_note> content_notes;  // every counted approver's note, in approval order
};

// The recipient's check, in this order, before anything is decrypted: the
// envelope is for this case and for the recipient's role; its signature
// verifies; its sender is attested; at least approvals_required distinct
// trusted facilitators approved this message id and ciphertext hash, each
// signature verifying; the release time has come; the ciphertext has the
// signed size and hash. Then the recipient's wrap is opened from an
// approval, and the letter decrypted.
result<delivered_letter> open_delivered(const roster& r, const proto::envelope& e,
                                        const std::vector<proto::approval>& approvals,
                                        const ciphertext_source& ciphertext,
                                        const identity_key& me, const case_key& my_case_key,
                                        std::uint64_t now);

}  // namespace shuttle::client

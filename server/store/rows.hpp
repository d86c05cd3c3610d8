// One description of each stored row, shared by the SQLite and PostgreSQL
// stores: the columns a read selects, in their order, and the record they
// make. Each store gives its result row as a stored_row; each decoder checks
// every value's size, name and range and throws stored_value_error for one
// the schema could not have written, so a damaged or hostile row costs one
// failed request, never a read out of bounds (fuzz_stored_rows feeds them
// arbitrary rows).
#pragma once

#include "server/store/records.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace shuttle::relay {

struct stored_value_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace rows {

// One row of a result, as each store reads its own: whether a column is
// NULL, its bytes (a text's or a blob's; empty for NULL), an integer, a
// boolean. Each throws stored_value_error for a column past the row's end
// or a value of the wrong type.
class stored_row {
 public:
  virtual bool null(int col) const = 0;
  virtual std::string_view raw(int col) const = 0;
  virtual std::uint64_t u64(int col) const = 0;
  virtual bool boolean(int col) const = 0;

  std::string text(int col) const { return std::string(raw(col)); }
  std::optional<std::string> opt_text(int col) const;
  std::optional<std::uint64_t> opt_u64(int col) const;
  bytes blob(int col) const;
  template <std::size_t N>
  fixed<N> fixed_at(int col) const {
    const auto v = raw(col);
    if (v.size() != N) throw stored_value_error("stored value of unexpected size");
    fixed<N> out{};
    std::copy(v.begin(), v.end(), reinterpret_cast<char*>(out.data()));
    return out;
  }
  std::optional<proto::id> opt_id(int col) const;

 protected:
  ~stored_row() = default;
};

// The columns each decoder reads, in its order. The letters before the
// dots are the aliases the stores' queries give their tables.
inline const std::string account_columns = "id, identity_key, is_facilitator, created_at, display_name";
inline const std::string session_columns = "token_hash, account_id, created_at, last_used_at, expires_at";
inline const std::string invitation_columns =
    "id, case_id, role, secret_hash, expires_at, inviter_key, statement, used_at";
inline const std::string case_columns =
    "c.id, c.state, c.approvals_required, c.open_statement, c.close_statement, c.created_at, c.quiet_time_zone, "
    "c.quiet_start, c.quiet_end, c.stage, c.stage_statement, c.paused, c.pause_statement";
inline constexpr int case_column_count = 13;
inline const std::string participant_columns =
    "p.case_id, p.account_id, a.identity_key, p.role, p.state, p.enrolment, p.joined_at, a.display_name";
inline const std::string key_columns = "k.id, k.case_id, a.identity_key, k.case_key, k.statement, k.created_at";
inline const std::string attestation_columns =
    "t.id, t.case_id, s.identity_key, t.key_statement_id, b.identity_key, t.statement";
inline const std::string statement_columns = "id, type, hash, answer";
inline const std::string message_columns =
    "m.id, m.case_id, m.sender_account, a.identity_key, m.kind, m.to_role, m.supersedes, m.state, m.envelope, "
    "m.ciphertext_size, m.ciphertext_hash, m.submitted_at, m.release_at, m.released_at, m.delivered_at, "
    "m.changed_at, c.identity_key, m.claim_expires_at, m.purged_at, m.decline_told_at, m.decline_note, m.answers, "
    "c.display_name";
inline const std::string review_columns = "r.message_id, a.identity_key, r.decision, r.statement, r.created_at";
inline const std::string consent_columns = "case_id, account_id, text_hash, statement, at";
inline const std::string grant_columns =
    "g.case_id, g.party_account, a.identity_key, g.supporter_key, g.reads, g.statement, g.at";
inline const std::string agreement_statement_columns = "message_id, is_mark, signer_key, agreement_hash, statement, at";
inline const std::string agreement_bound_columns = "message_id, agreement_hash, at";
inline const std::string audit_columns = "seq, at, case_id, event, actor, subject, statement, prev, hash";
inline const std::string checkpoint_columns = "case_id, seq, head, at, sig";
inline const std::string event_columns = "seq, account_id, case_id, event, message_id, at";
inline const std::string referral_columns =
    "id, secret_hash, ciphertext, received_at, state, state_at, entered_by, case_id";
inline const std::string referral_key_columns = "account_id, key, statement, at";

account_record account_of(const stored_row& r);
session_record session_of(const stored_row& r);
invitation_record invitation_of(const stored_row& r);
// A case's columns from `at` on, and a participant's (cases_of reads both
// in one row: the participant's start at case_column_count).
case_record case_of(const stored_row& r, int at = 0);
participant_record participant_of(const stored_row& r, int at = 0);
key_record key_of(const stored_row& r);
attestation_record attestation_of(const stored_row& r);
statement_record statement_of(const stored_row& r);
message_record message_of(const stored_row& r);
review_record review_of(const stored_row& r);
grant_record grant_of(const stored_row& r);
consent_record consent_of(const stored_row& r);
agreement_statement_record agreement_statement_of(const stored_row& r);
agreement_bound_record agreement_bound_of(const stored_row& r);
referral_record referral_of(const stored_row& r);
referral_key_record referral_key_of(const stored_row& r);
proto::audit_entry audit_of(const stored_row& r);
proto::audit_checkpoint checkpoint_of(const stored_row& r);
event_record event_of(const stored_row& r);

}  // namespace rows
}  // namespace shuttle::relay

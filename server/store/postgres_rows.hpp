// Rows read back from PostgreSQL, in its binary format, as the store's
// records. Each decoder checks every value's size, name and range, and
// throws stored_value_error for one the schema could not have written, so a
// damaged or hostile row costs one failed request, never a read out of
// bounds (fuzz_postgres_rows feeds them arbitrary rows).
#pragma once

#include "server/store/records.hpp"

#include <libpq-fe.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace shuttle::relay::pg {

struct stored_value_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One PGresult, owned, with typed reads of its binary values.
class result {
 public:
  explicit result(PGresult* r) : r_(r, &PQclear) {}
  PGresult* get() const { return r_.get(); }
  int rows() const { return PQntuples(r_.get()); }
  bool null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string_view raw(int row, int col) const;
  std::string text(int row, int col) const { return std::string(raw(row, col)); }
  std::optional<std::string> opt_text(int row, int col) const;
  std::uint64_t u64(int row, int col) const;
  std::optional<std::uint64_t> opt_u64(int row, int col) const;
  bool boolean(int row, int col) const;
  bytes blob(int row, int col) const;
  template <std::size_t N>
  fixed<N> fixed_at(int row, int col) const {
    const auto v = raw(row, col);
    if (v.size() != N) throw stored_value_error("stored value of unexpected size");
    fixed<N> out{};
    std::memcpy(out.data(), v.data(), N);
    return out;
  }
  std::optional<proto::id> opt_id(int row, int col) const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

// The columns each decoder reads, in its order.
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
inline const std::string audit_columns = "seq, at, case_id, event, actor, subject, statement, prev, hash";
inline const std::string checkpoint_columns = "case_id, seq, head, at, sig";
inline const std::string event_columns = "seq, account_id, case_id, event, message_id, at";
inline const std::string referral_columns =
    "id, secret_hash, ciphertext, received_at, state, state_at, entered_by, case_id";

account_record account_of(const result& q, int row);
session_record session_of(const result& q, int row);
invitation_record invitation_of(const result& q, int row);
case_record case_of(const result& q, int row, int at);
participant_record participant_of(const result& q, int row, int at);
key_record key_of(const result& q, int row);
attestation_record attestation_of(const result& q, int row);
statement_record statement_of(const result& q, int row);
message_record message_of(const result& q, int row);
review_record review_of(const result& q, int row);
grant_record grant_of(const result& q, int row);
consent_record consent_of(const result& q, int row);
referral_record referral_of(const result& q, int row);
proto::audit_entry audit_of(const result& q, int row);
proto::audit_checkpoint checkpoint_of(const result& q, int row);
event_record event_of(const result& q, int row);

}  // namespace shuttle::relay::pg

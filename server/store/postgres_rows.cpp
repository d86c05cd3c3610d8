#include "server/store/postgres_rows.hpp"

namespace shuttle::relay::pg {

namespace {

proto::role role_from(const std::string& s) {
  proto::role r{};
  if (!proto::parse_enum(s, r)) throw stored_value_error("stored role unknown");
  return r;
}

template <class E>
E enum_from(const std::string& s, const char* what) {
  E e{};
  if (!proto::parse_enum(s, e)) throw stored_value_error(std::string("stored ") + what + " unknown");
  return e;
}

constexpr std::uint64_t minutes_a_day = 24 * 60;

}  // namespace

std::string_view result::raw(int row, int col) const {
  if (row < 0 || row >= rows() || col < 0 || col >= PQnfields(r_.get())) {
    throw stored_value_error("stored row has fewer columns than read");
  }
  return {PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
}

std::optional<std::string> result::opt_text(int row, int col) const {
  if (null(row, col)) return std::nullopt;
  return text(row, col);
}

std::uint64_t result::u64(int row, int col) const {
  const auto v = raw(row, col);
  if (v.size() != 8) throw stored_value_error("stored integer of unexpected size");
  std::uint64_t out = 0;
  for (char c : v) out = (out << 8) | static_cast<unsigned char>(c);
  return out;
}

std::optional<std::uint64_t> result::opt_u64(int row, int col) const {
  if (null(row, col)) return std::nullopt;
  return u64(row, col);
}

bool result::boolean(int row, int col) const {
  const auto v = raw(row, col);
  if (v.size() != 1 || static_cast<unsigned char>(v[0]) > 1) throw stored_value_error("stored boolean malformed");
  return v[0] == '\1';
}

bytes result::blob(int row, int col) const {
  const auto v = raw(row, col);
  return bytes(reinterpret_cast<const byte*>(v.data()), reinterpret_cast<const byte*>(v.data()) + v.size());
}

std::optional<proto::id> result::opt_id(int row, int col) const {
  if (null(row, col)) return std::nullopt;
  return fixed_at<proto::id_bytes>(row, col);
}

account_record account_of(const result& q, int row) {
  return account_record{q.fixed_at<16>(row, 0), q.fixed_at<32>(row, 1), q.boolean(row, 2), q.u64(row, 3),
                        q.opt_text(row, 4)};
}

session_record session_of(const result& q, int row) {
  return session_record{q.fixed_at<32>(row, 0), q.fixed_at<16>(row, 1), q.u64(row, 2), q.u64(row, 3),
                        q.u64(row, 4)};
}

invitation_record invitation_of(const result& q, int row) {
  invitation_record r;
  r.id = q.fixed_at<16>(row, 0);
  r.case_id = q.opt_id(row, 1).value_or(proto::null_case);
  r.role = role_from(q.text(row, 2));
  r.secret_hash = q.fixed_at<32>(row, 3);
  r.expires_at = q.u64(row, 4);
  r.inviter = q.fixed_at<32>(row, 5);
  r.statement = q.text(row, 6);
  r.used_at = q.opt_u64(row, 7);
  return r;
}

case_record case_of(const result& q, int row, int at) {
  case_record c;
  c.id = q.fixed_at<16>(row, at);
  const std::string state = q.text(row, at + 1);
  if (state != "open" && state != "closed") throw stored_value_error("stored case state unknown");
  c.state = state == "closed" ? proto::case_state::closed : proto::case_state::open;
  c.approvals_required = q.u64(row, at + 2);
  if (c.approvals_required != 1 && c.approvals_required != 2) throw stored_value_error("stored approvals out of range");
  c.open_statement = q.text(row, at + 3);
  c.close_statement = q.opt_text(row, at + 4);
  c.created_at = q.u64(row, at + 5);
  if (!q.null(row, at + 6)) {
    const std::uint64_t start = q.u64(row, at + 7);
    const std::uint64_t end = q.u64(row, at + 8);
    if (start >= minutes_a_day || end >= minutes_a_day) throw stored_value_error("stored quiet hours out of range");
    c.quiet = quiet_hours{q.text(row, at + 6), static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(end)};
  }
  if (!proto::parse_enum(q.text(row, at + 9), c.stage)) throw stored_value_error("stored stage unknown");
  c.stage_statement = q.opt_text(row, at + 10);
  c.paused = q.boolean(row, at + 11);
  c.pause_statement = q.opt_text(row, at + 12);
  return c;
}

participant_record participant_of(const result& q, int row, int at) {
  participant_record p;
  p.case_id = q.fixed_at<16>(row, at);
  p.account = q.fixed_at<16>(row, at + 1);
  p.identity = q.fixed_at<32>(row, at + 2);
  p.role = role_from(q.text(row, at + 3));
  const std::string state = q.text(row, at + 4);
  if (state != "active" && state != "withdrawn") throw stored_value_error("stored participant state unknown");
  p.state = state == "withdrawn" ? proto::participant_state::withdrawn : proto::participant_state::active;
  p.enrolment = q.opt_text(row, at + 5);
  p.joined_at = q.u64(row, at + 6);
  p.display_name = q.opt_text(row, at + 7);
  return p;
}

key_record key_of(const result& q, int row) {
  return {q.fixed_at<16>(row, 0), q.fixed_at<16>(row, 1), q.fixed_at<32>(row, 2), q.fixed_at<32>(row, 3),
          q.text(row, 4), q.u64(row, 5)};
}

attestation_record attestation_of(const result& q, int row) {
  return {q.fixed_at<16>(row, 0), q.fixed_at<16>(row, 1), q.fixed_at<32>(row, 2), q.fixed_at<16>(row, 3),
          q.fixed_at<32>(row, 4), q.text(row, 5)};
}

statement_record statement_of(const result& q, int row) {
  return statement_record{q.fixed_at<16>(row, 0), q.text(row, 1), q.fixed_at<32>(row, 2), q.text(row, 3)};
}

message_record message_of(const result& q, int row) {
  message_record m;
  m.id = q.fixed_at<16>(row, 0);
  m.case_id = q.fixed_at<16>(row, 1);
  m.sender_account = q.fixed_at<16>(row, 2);
  m.sender = q.fixed_at<32>(row, 3);
  m.kind = enum_from<proto::message_kind>(q.text(row, 4), "kind");
  m.to = role_from(q.text(row, 5));
  m.supersedes = q.opt_id(row, 6);
  m.state = enum_from<proto::message_state>(q.text(row, 7), "state");
  m.envelope = q.opt_text(row, 8);
  m.ciphertext_size = q.u64(row, 9);
  m.ciphertext_hash = q.fixed_at<32>(row, 10);
  m.submitted_at = q.u64(row, 11);
  m.release_at = q.opt_u64(row, 12);
  m.released_at = q.opt_u64(row, 13);
  m.delivered_at = q.opt_u64(row, 14);
  m.changed_at = q.opt_u64(row, 15);
  if (!q.null(row, 16)) m.claimed_by = q.fixed_at<32>(row, 16);
  m.claim_expires_at = q.opt_u64(row, 17);
  m.purged = !q.null(row, 18);
  m.decline_told_at = q.opt_u64(row, 19);
  if (!q.null(row, 20)) m.decline_note = q.blob(row, 20);
  m.answers = q.opt_id(row, 21);
  m.claimed_by_name = q.opt_text(row, 22);
  return m;
}

review_record review_of(const result& q, int row) {
  const std::string decision = q.text(row, 2);
  if (decision != "approve" && decision != "return") throw stored_value_error("stored decision unknown");
  return {q.fixed_at<16>(row, 0), q.fixed_at<32>(row, 1), decision == "approve", q.opt_text(row, 3), q.u64(row, 4)};
}

grant_record grant_of(const result& q, int row) {
  return {q.fixed_at<16>(row, 0), q.fixed_at<16>(row, 1), q.fixed_at<32>(row, 2), q.fixed_at<32>(row, 3),
          q.boolean(row, 4), q.text(row, 5), q.u64(row, 6)};
}

referral_record referral_of(const result& q, int row) {
  referral_record r{q.fixed_at<16>(row, 0), q.fixed_at<32>(row, 1), std::nullopt, q.u64(row, 3), q.text(row, 4),
                    q.u64(row, 5), q.opt_id(row, 6), q.opt_id(row, 7)};
  if (!q.null(row, 2)) r.ciphertext = q.blob(row, 2);
  return r;
}

consent_record consent_of(const result& q, int row) {
  return {q.fixed_at<16>(row, 0), q.fixed_at<16>(row, 1), q.fixed_at<32>(row, 2), q.text(row, 3), q.u64(row, 4)};
}

proto::audit_entry audit_of(const result& q, int row) {
  proto::audit_entry e;
  e.seq = q.u64(row, 0);
  e.at = q.u64(row, 1);
  e.case_id = q.fixed_at<16>(row, 2);
  e.event = enum_from<proto::audit_event>(q.text(row, 3), "audit event");
  e.actor = q.fixed_at<32>(row, 4);
  e.subject = q.fixed_at<16>(row, 5);
  e.statement = q.fixed_at<32>(row, 6);
  e.prev = q.fixed_at<32>(row, 7);
  e.entry_hash = q.fixed_at<32>(row, 8);
  return e;
}

proto::audit_checkpoint checkpoint_of(const result& q, int row) {
  proto::audit_checkpoint c;
  c.case_id = q.fixed_at<16>(row, 0);
  c.seq = q.u64(row, 1);
  c.head = q.fixed_at<32>(row, 2);
  c.at = q.u64(row, 3);
  c.sig = q.fixed_at<64>(row, 4);
  return c;
}

event_record event_of(const result& q, int row) {
  event_record e;
  e.seq = q.u64(row, 0);
  e.account = q.fixed_at<16>(row, 1);
  e.case_id = q.fixed_at<16>(row, 2);
  e.event = q.text(row, 3);
  e.message = q.opt_id(row, 4);
  e.at = q.u64(row, 5);
  return e;
}

}  // namespace shuttle::relay::pg

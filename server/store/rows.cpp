#include "server/store/rows.hpp"

namespace shuttle::relay::rows {

namespace {

template <class E>
E enum_from(const std::string& s, const char* what) {
  E e{};
  if (!proto::parse_enum(s, e)) throw stored_value_error(std::string("stored ") + what + " unknown");
  return e;
}

constexpr std::uint64_t minutes_a_day = 24 * 60;

}  // namespace

std::optional<std::string> stored_row::opt_text(int col) const {
  if (null(col)) return std::nullopt;
  return text(col);
}

std::optional<std::uint64_t> stored_row::opt_u64(int col) const {
  if (null(col)) return std::nullopt;
  return u64(col);
}

bytes stored_row::blob(int col) const {
  const auto v = raw(col);
  return bytes(reinterpret_cast<const byte*>(v.data()), reinterpret_cast<const byte*>(v.data()) + v.size());
}

std::optional<proto::id> stored_row::opt_id(int col) const {
  if (null(col)) return std::nullopt;
  return fixed_at<proto::id_bytes>(col);
}

account_record account_of(const stored_row& r) {
  return account_record{r.fixed_at<16>(0), r.fixed_at<32>(1), r.boolean(2), r.u64(3), r.opt_text(4)};
}

session_record session_of(const stored_row& r) {
  return session_record{r.fixed_at<32>(0), r.fixed_at<16>(1), r.u64(2), r.u64(3), r.u64(4)};
}

invitation_record invitation_of(const stored_row& r) {
  invitation_record i;
  i.id = r.fixed_at<16>(0);
  i.case_id = r.opt_id(1).value_or(proto::null_case);
  i.role = enum_from<proto::role>(r.text(2), "role");
  i.secret_hash = r.fixed_at<32>(3);
  i.expires_at = r.u64(4);
  i.inviter = r.fixed_at<32>(5);
  i.statement = r.text(6);
  i.used_at = r.opt_u64(7);
  return i;
}

case_record case_of(const stored_row& r, int at) {
  case_record c;
  c.id = r.fixed_at<16>(at);
  const std::string state = r.text(at + 1);
  if (state != "open" && state != "closed") throw stored_value_error("stored case state unknown");
  c.state = state == "closed" ? proto::case_state::closed : proto::case_state::open;
  c.approvals_required = r.u64(at + 2);
  if (c.approvals_required != 1 && c.approvals_required != 2) throw stored_value_error("stored approvals out of range");
  c.open_statement = r.text(at + 3);
  c.close_statement = r.opt_text(at + 4);
  c.created_at = r.u64(at + 5);
  if (!r.null(at + 6)) {
    const std::uint64_t start = r.u64(at + 7);
    const std::uint64_t end = r.u64(at + 8);
    if (start >= minutes_a_day || end >= minutes_a_day) throw stored_value_error("stored quiet hours out of range");
    c.quiet = quiet_hours{r.text(at + 6), static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(end)};
  }
  c.stage = enum_from<proto::case_stage>(r.text(at + 9), "stage");
  c.stage_statement = r.opt_text(at + 10);
  c.paused = r.boolean(at + 11);
  c.pause_statement = r.opt_text(at + 12);
  return c;
}

participant_record participant_of(const stored_row& r, int at) {
  participant_record p;
  p.case_id = r.fixed_at<16>(at);
  p.account = r.fixed_at<16>(at + 1);
  p.identity = r.fixed_at<32>(at + 2);
  p.role = enum_from<proto::role>(r.text(at + 3), "role");
  const std::string state = r.text(at + 4);
  if (state != "active" && state != "withdrawn") throw stored_value_error("stored participant state unknown");
  p.state = state == "withdrawn" ? proto::participant_state::withdrawn : proto::participant_state::active;
  p.enrolment = r.opt_text(at + 5);
  p.joined_at = r.u64(at + 6);
  p.display_name = r.opt_text(at + 7);
  return p;
}

key_record key_of(const stored_row& r) {
  return {r.fixed_at<16>(0), r.fixed_at<16>(1), r.fixed_at<32>(2), r.fixed_at<32>(3), r.text(4), r.u64(5)};
}

attestation_record attestation_of(const stored_row& r) {
  return {r.fixed_at<16>(0), r.fixed_at<16>(1), r.fixed_at<32>(2), r.fixed_at<16>(3), r.fixed_at<32>(4), r.text(5)};
}

statement_record statement_of(const stored_row& r) {
  return statement_record{r.fixed_at<16>(0), r.text(1), r.fixed_at<32>(2), r.text(3)};
}

message_record message_of(const stored_row& r) {
  message_record m;
  m.id = r.fixed_at<16>(0);
  m.case_id = r.fixed_at<16>(1);
  m.sender_account = r.fixed_at<16>(2);
  m.sender = r.fixed_at<32>(3);
  m.kind = enum_from<proto::message_kind>(r.text(4), "kind");
  m.to = enum_from<proto::role>(r.text(5), "role");
  m.supersedes = r.opt_id(6);
  m.state = enum_from<proto::message_state>(r.text(7), "state");
  m.envelope = r.opt_text(8);
  m.ciphertext_size = r.u64(9);
  m.ciphertext_hash = r.fixed_at<32>(10);
  m.submitted_at = r.u64(11);
  m.release_at = r.opt_u64(12);
  m.released_at = r.opt_u64(13);
  m.delivered_at = r.opt_u64(14);
  m.changed_at = r.opt_u64(15);
  if (!r.null(16)) m.claimed_by = r.fixed_at<32>(16);
  m.claim_expires_at = r.opt_u64(17);
  m.purged = !r.null(18);
  m.decline_told_at = r.opt_u64(19);
  if (!r.null(20)) m.decline_note = r.blob(20);
  m.answers = r.opt_id(21);
  m.claimed_by_name = r.opt_text(22);
  return m;
}

review_record review_of(const stored_row& r) {
  const std::string decision = r.text(2);
  if (decision != "approve" && decision != "return") throw stored_value_error("stored decision unknown");
  return {r.fixed_at<16>(0), r.fixed_at<32>(1), decision == "approve", r.opt_text(3), r.u64(4)};
}

grant_record grant_of(const stored_row& r) {
  return {r.fixed_at<16>(0), r.fixed_at<16>(1), r.fixed_at<32>(2), r.fixed_at<32>(3),
          r.boolean(4), r.text(5), r.u64(6)};
}

consent_record consent_of(const stored_row& r) {
  return {r.fixed_at<16>(0), r.fixed_at<16>(1), r.fixed_at<32>(2), r.text(3), r.u64(4)};
}

agreement_statement_record agreement_statement_of(const stored_row& r) {
  const std::uint64_t mark = r.u64(1);  // an integer, 0 or 1, in both schemas
  if (mark > 1) throw stored_value_error("stored mark out of range");
  return {r.fixed_at<16>(0), mark == 1, r.fixed_at<32>(2), r.fixed_at<32>(3), r.text(4), r.u64(5)};
}

agreement_bound_record agreement_bound_of(const stored_row& r) {
  return {r.fixed_at<16>(0), r.fixed_at<32>(1), r.u64(2)};
}

referral_record referral_of(const stored_row& r) {
  referral_record f{r.fixed_at<16>(0), r.fixed_at<32>(1), std::nullopt, r.u64(3), r.text(4),
                    r.u64(5), r.opt_id(6), r.opt_id(7)};
  if (!r.null(2)) f.ciphertext = r.blob(2);
  return f;
}

referral_key_record referral_key_of(const stored_row& r) {
  return {r.fixed_at<16>(0), r.fixed_at<32>(1), r.text(2), r.u64(3)};
}

proto::audit_entry audit_of(const stored_row& r) {
  proto::audit_entry e;
  e.seq = r.u64(0);
  e.at = r.u64(1);
  e.case_id = r.fixed_at<16>(2);
  e.event = enum_from<proto::audit_event>(r.text(3), "audit event");
  e.actor = r.fixed_at<32>(4);
  e.subject = r.fixed_at<16>(5);
  e.statement = r.fixed_at<32>(6);
  e.prev = r.fixed_at<32>(7);
  e.entry_hash = r.fixed_at<32>(8);
  return e;
}

proto::audit_checkpoint checkpoint_of(const stored_row& r) {
  proto::audit_checkpoint c;
  c.case_id = r.fixed_at<16>(0);
  c.seq = r.u64(1);
  c.head = r.fixed_at<32>(2);
  c.at = r.u64(3);
  c.sig = r.fixed_at<64>(4);
  return c;
}

event_record event_of(const stored_row& r) {
  event_record e;
  e.seq = r.u64(0);
  e.account = r.fixed_at<16>(1);
  e.case_id = r.fixed_at<16>(2);
  e.event = r.text(3);
  e.message = r.opt_id(4);
  e.at = r.u64(5);
  return e;
}

}  // namespace shuttle::relay::rows

// The SQL both stores run as it is, word for word: SQLite's placeholders
// (`?`, `?N`), which the PostgreSQL store numbers as `$N` when it prepares
// a statement (postgres_store.cpp, numbered()), and the columns of
// rows.hpp. A statement that must differ between the two databases (a
// conflict clause, a row order, a cast on a parameter) stays in its store.
#pragma once

#include "server/store/rows.hpp"

#include <string>

namespace shuttle::relay::sql {

inline const std::string clear_quiet_hours =
    "UPDATE cases SET quiet_time_zone = NULL, quiet_start = NULL, quiet_end = NULL WHERE id = ?";
inline const std::string close_case =
    "UPDATE cases SET state = 'closed', close_statement = ?, closed_at = ? WHERE id = ?";
inline const std::string count_open_referrals = "SELECT count(*) FROM referrals WHERE state <> 'closed'";
inline const std::string delete_ciphertext = "DELETE FROM ciphertexts WHERE message_id = ?";
inline const std::string delete_expired_login_challenges = "DELETE FROM used_login_challenges WHERE expires_at <= ?";
inline const std::string delete_labels = "DELETE FROM case_labels WHERE case_id = ?";
inline const std::string delete_referral_wraps = "DELETE FROM referral_wraps WHERE referral_id = ?";
inline const std::string delete_session = "DELETE FROM sessions WHERE token_hash = ?";
inline const std::string delete_sessions_of_account = "DELETE FROM sessions WHERE account_id = ?";
inline const std::string delete_writing_aids = "DELETE FROM writing_aids WHERE case_id = ?";
inline const std::string insert_agreement_bound =
    "INSERT INTO agreements_bound (message_id, agreement_hash, at) VALUES (?, ?, ?)";
inline const std::string insert_agreement_statement =
    "INSERT INTO agreement_statements (message_id, is_mark, signer_key, agreement_hash, statement, at) VALUES (?, "
    "?, ?, ?, ?, ?)";
inline const std::string insert_attestation =
    "INSERT INTO attestations (id, case_id, subject_account, key_statement_id, attested_by, statement) VALUES (?, "
    "?, ?, ?, ?, ?)";
inline const std::string insert_audit_entry =
    "INSERT INTO audit_entries (case_id, seq, at, event, actor, subject, statement, prev, hash) VALUES (?, ?, ?, "
    "?, ?, ?, ?, ?, ?)";
inline const std::string insert_case =
    "INSERT INTO cases (id, state, approvals_required, opened_by, open_statement, created_at) VALUES (?, 'open', "
    "?, ?, ?, ?)";
inline const std::string insert_ciphertext = "INSERT INTO ciphertexts (message_id, bytes) VALUES (?, ?)";
inline const std::string insert_key =
    "INSERT INTO key_statements (id, case_id, account_id, case_key, statement, created_at) VALUES (?, ?, ?, ?, ?, "
    "?)";
inline const std::string insert_label =
    "INSERT INTO case_labels (case_id, reader_key, box, set_at) VALUES (?, ?, ?, ?)";
inline const std::string insert_message =
    "INSERT INTO messages (id, case_id, sender_account, kind, to_role, supersedes, answers, state, envelope, "
    "ciphertext_size, ciphertext_hash, submitted_at, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
inline const std::string insert_referral_wrap =
    "INSERT INTO referral_wraps (referral_id, reader_key, wrap) VALUES (?, ?, ?)";
inline const std::string insert_review =
    "INSERT INTO reviews (message_id, facilitator_account, decision, statement, created_at) VALUES (?, ?, ?, ?, ?)";
inline const std::string insert_session =
    "INSERT INTO sessions (token_hash, account_id, created_at, last_used_at, expires_at) VALUES (?, ?, ?, ?, ?)";
inline const std::string insert_statement =
    "INSERT INTO statements (id, case_id, type, hash, answer) VALUES (?, ?, ?, ?, ?)";
inline const std::string mark_case_purged = "UPDATE messages SET purged_at = ? WHERE case_id = ? AND purged_at IS NULL";
inline const std::string mark_invitation_used = "UPDATE invitations SET used_at = ? WHERE id = ?";
inline const std::string record_maintenance_done =
    "INSERT INTO maintenance (job, done_at) VALUES (?, ?) ON CONFLICT (job) DO UPDATE SET done_at = "
    "excluded.done_at";
inline const std::string select_account_by_id = "SELECT " + rows::account_columns + " FROM accounts WHERE id = ?";
inline const std::string select_account_by_identity =
    "SELECT " + rows::account_columns + " FROM accounts WHERE identity_key = ?";
inline const std::string select_agreement_bound =
    "SELECT " + rows::agreement_bound_columns + " FROM agreements_bound WHERE message_id = ?";
inline const std::string select_audit_chains = "SELECT DISTINCT case_id FROM audit_entries ORDER BY case_id";
inline const std::string select_audit_head =
    "SELECT " + rows::audit_columns + " FROM audit_entries WHERE case_id = ? ORDER BY seq DESC LIMIT 1";
inline const std::string select_case = "SELECT " + rows::case_columns + " FROM cases c WHERE c.id = ?";
inline const std::string select_cases_of_account =
    "SELECT " + rows::case_columns + ", " + rows::participant_columns + " FROM participants p JOIN accounts a ON "
    "a.id = p.account_id JOIN cases c ON c.id = p.case_id WHERE p.account_id = ? ORDER BY c.created_at";
inline const std::string select_cases_to_purge =
    "SELECT c.id FROM cases c WHERE c.state = 'closed' AND c.closed_at <= ? AND EXISTS (SELECT 1 FROM messages m "
    "WHERE m.case_id = c.id AND m.purged_at IS NULL)";
inline const std::string select_consents =
    "SELECT " + rows::consent_columns + " FROM consents WHERE case_id = ? ORDER BY at, account_id";
inline const std::string select_events_after =
    "SELECT " + rows::event_columns + " FROM events WHERE account_id = ? AND seq > ? ORDER BY seq LIMIT ?";
// Letters whose release time has come, read every second: the partial
// index messages_due holds only approved letters waiting for their time, so
// the read costs what is due, not every letter in review.
inline const std::string select_due_for_release =
    "SELECT " + rows::message_columns + " FROM messages m JOIN accounts a ON a.id = m.sender_account LEFT JOIN "
    "accounts c ON c.id = m.claimed_by WHERE m.state = 'in_review' AND m.release_at IS NOT NULL AND "
    "m.release_at <= ? AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.id = m.case_id AND k.paused) "
    "ORDER BY m.release_at LIMIT 1000";
inline const std::string select_grants =
    "SELECT " + rows::grant_columns + " FROM grants g JOIN accounts a ON a.id = g.party_account WHERE g.case_id = "
    "?";  // put_in_grant_order
inline const std::string select_invitation = "SELECT " + rows::invitation_columns + " FROM invitations WHERE id = ?";
inline const std::string select_key =
    "SELECT " + rows::key_columns + " FROM key_statements k JOIN accounts a ON a.id = k.account_id WHERE k.id = ?";
inline const std::string select_label = "SELECT box FROM case_labels WHERE case_id = ? AND reader_key = ?";
inline const std::string select_latest_checkpoint =
    "SELECT " + rows::checkpoint_columns + " FROM audit_checkpoints WHERE case_id = ? ORDER BY seq DESC LIMIT 1";
inline const std::string select_maintenance_done = "SELECT done_at FROM maintenance WHERE job = ?";
inline const std::string select_message =
    "SELECT " + rows::message_columns + " FROM messages m JOIN accounts a ON a.id = m.sender_account LEFT JOIN "
    "accounts c ON c.id = m.claimed_by WHERE m.id = ?";
inline const std::string select_participant =
    "SELECT " + rows::participant_columns + " FROM participants p JOIN accounts a ON a.id = p.account_id WHERE "
    "p.case_id = ? AND p.account_id = ?";
inline const std::string select_participants =
    "SELECT " + rows::participant_columns + " FROM participants p JOIN accounts a ON a.id = p.account_id WHERE "
    "p.case_id = ?";  // put_in_join_order
inline const std::string select_referral_keys =
    "SELECT " + rows::referral_key_columns + " FROM referral_keys ORDER BY account_id";
inline const std::string select_referral_wrap =
    "SELECT wrap FROM referral_wraps WHERE referral_id = ? AND reader_key = ?";
inline const std::string select_session = "SELECT " + rows::session_columns + " FROM sessions WHERE token_hash = ?";
inline const std::string select_statement = "SELECT " + rows::statement_columns + " FROM statements WHERE id = ?";
inline const std::string select_unpurged_message_ids =
    "SELECT id FROM messages WHERE case_id = ? AND purged_at IS NULL";
inline const std::string select_unsigned_chains =
    "SELECT h.case_id FROM (SELECT case_id, MAX(seq) AS head FROM audit_entries GROUP BY case_id) h WHERE NOT "
    "EXISTS (SELECT 1 FROM audit_checkpoints c WHERE c.case_id = h.case_id AND c.seq = h.head)";
inline const std::string select_writing_aid =
    "SELECT box FROM writing_aids WHERE case_id = ? AND reader_key = ? AND purpose = ?";
inline const std::string set_participant_state =
    "UPDATE participants SET state = ?, left_at = ? WHERE case_id = ? AND account_id = ?";
inline const std::string set_paused = "UPDATE cases SET paused = ?, pause_statement = ? WHERE id = ?";
inline const std::string set_quiet_hours =
    "UPDATE cases SET quiet_time_zone = ?, quiet_start = ?, quiet_end = ? WHERE id = ?";
inline const std::string set_release_at = "UPDATE messages SET release_at = ? WHERE id = ?";
inline const std::string set_stage = "UPDATE cases SET stage = ?, stage_statement = ? WHERE id = ?";
inline const std::string shred_envelope = "UPDATE messages SET envelope = NULL, decline_note = NULL WHERE id = ?";
inline const std::string shred_referral = "UPDATE referrals SET ciphertext = NULL WHERE id = ?";
inline const std::string shred_reviews = "UPDATE reviews SET statement = NULL WHERE message_id = ?";
inline const std::string touch_session = "UPDATE sessions SET last_used_at = ? WHERE token_hash = ?";

}  // namespace shuttle::relay::sql

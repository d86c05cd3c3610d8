// Every read and write the domain makes, as one interface both stores
// implement (store/sqlite_store.hpp, store/postgres_store.hpp) and one
// conformance suite holds them to (tests/unit/server/storage_conformance_test.cpp).
//
// What every method shares: a missing row is an empty optional or an empty
// list, never an exception. Methods throw only when the storage fails (a
// broken or full disk, a lost database connection: storage_unreachable on a
// read) or on a bug (a foreign key or uniqueness the domain should have
// checked first); a write job that throws leaves nothing behind. Lists come in
// a stable order, named below. Nothing here checks a rule of the protocol:
// the domain checks, inside the same job, before it writes.
#pragma once

#include "server/store/records.hpp"

#include "proto/bytes.hpp"
#include "proto/login.hpp"

#include <optional>
#include <vector>

namespace shuttle::relay {

class reader {
 public:
  virtual ~reader() = default;

  // Accounts by their identity key (unique) or id.
  virtual std::optional<account_record> account_by_identity(const proto::public_key& identity) = 0;
  virtual std::optional<account_record> account_by_id(const proto::id& id) = 0;
  // A session by its token's hash, whether or not it has expired (the caller checks).
  virtual std::optional<session_record> session(const proto::hash& token_hash) = 0;
  // An invitation, used or not, expired or not.
  virtual std::optional<invitation_record> invitation(const proto::id& id) = 0;
  virtual std::optional<case_record> case_by_id(const proto::id& id) = 0;
  virtual std::optional<participant_record> participant(const proto::id& case_id, const proto::id& account) = 0;
  // Every participant of a case, withdrawn ones too, by joining time then identity key.
  virtual std::vector<participant_record> participants(const proto::id& case_id) = 0;
  // The cases an account takes part in, with its participation in each, oldest case first.
  virtual std::vector<std::pair<case_record, participant_record>> cases_of(const proto::id& account) = 0;
  // A case's key statements in the order they were published.
  virtual std::vector<key_record> keys(const proto::id& case_id) = 0;
  virtual std::optional<key_record> key(const proto::id& key_statement_id) = 0;
  // A case's attestations in the order they were made.
  virtual std::vector<attestation_record> attestations(const proto::id& case_id) = 0;
  // The first answer given to a signed statement, by its id (replays).
  virtual std::optional<statement_record> statement(const proto::id& id) = 0;

  virtual std::optional<message_record> message(const proto::id& id) = 0;
  // Every message of a case in every state (revoked and purged ones keep
  // their metadata), by submission time then insertion order.
  virtual std::vector<message_record> messages(const proto::id& case_id) = 0;
  // Messages waiting for review in the cases where `facilitator` is an active
  // facilitator, oldest first (notes and approved ones waiting for their
  // release time excluded), at most `limit`.
  virtual std::vector<message_record> review_queue(const proto::id& facilitator, std::size_t limit) = 0;
  // Approved messages whose release time has come, earliest first, at most 1000.
  virtual std::vector<message_record> due_for_release(std::uint64_t now) = 0;  // none of a paused case
  // A message's ciphertext, as the bytes of the answer that carries it (read
  // into it once: a letter can be 16 MiB); nothing once revoked or purged.
  virtual std::optional<std::string> ciphertext(const proto::id& message_id) = 0;
  // A message's reviews in the order they were made (their statements gone once shredded).
  virtual std::vector<review_record> reviews(const proto::id& message_id) = 0;
  // The supporters a message was wrapped for (in its envelope or an approval).
  virtual std::vector<proto::public_key> supporter_readers(const proto::id& message_id) = 0;
  // The latest grant of each party to each supporter in a case.
  virtual std::vector<grant_record> grants(const proto::id& case_id) = 0;
  // A writing aid sealed to a party (SPEC 7, purposes `names` and `prompts`).
  virtual std::optional<bytes> writing_aid(const proto::id& case_id, const proto::public_key& reader,
                                           const std::string& purpose) = 0;
  // Each participant's latest consent in a case.
  virtual std::vector<consent_record> consents(const proto::id& case_id) = 0;
  // An agreement's signatures and marks in the order stored, and whether it bound.
  virtual std::vector<agreement_statement_record> agreement_statements(const proto::id& message_id) = 0;
  virtual std::optional<agreement_bound_record> agreement_bound(const proto::id& message_id) = 0;
  // The newest referral key of each facilitator account, by account id (SPEC 5.20).
  virtual std::vector<referral_key_record> referral_keys() = 0;
  // A referral, with its ciphertext while it is not closed.
  virtual std::optional<referral_record> referral(const proto::id& id) = 0;
  // Referrals not closed, oldest first, at most `limit`; and how many there are.
  virtual std::vector<referral_record> open_referrals(std::size_t limit) = 0;
  virtual std::uint64_t open_referral_count() = 0;
  // A referral's content key sealed to one referral key; nothing once closed.
  virtual std::optional<bytes> referral_wrap(const proto::id& referral, const proto::public_key& reader) = 0;
  // The case's label sealed to this facilitator (SPEC 7, purpose `label`).
  virtual std::optional<bytes> label(const proto::id& case_id, const proto::public_key& reader) = 0;

  // The last entry of a case's audit chain (nothing for an empty chain).
  virtual std::optional<proto::audit_entry> audit_head(const proto::id& case_id) = 0;
  virtual std::vector<proto::audit_entry> audit_chain(const proto::id& case_id) = 0;
  virtual std::vector<proto::id> audit_chains() = 0;  // every case with a chain, the null case too
  virtual std::optional<proto::audit_checkpoint> latest_checkpoint(const proto::id& case_id) = 0;
  // The cases whose chain head no checkpoint signs yet (e.g. a checkpoint
  // that failed before a restart).
  virtual std::vector<proto::id> unsigned_chains() = 0;

  // An account's events with a sequence number above `seq`, rising, at most `limit`.
  virtual std::vector<event_record> events_after(const proto::id& account, std::uint64_t seq, std::size_t limit) = 0;
  // The case ids closed at or before `closed_before` that still hold ciphertexts.
  virtual std::vector<proto::id> cases_to_purge(std::uint64_t closed_before) = 0;
  // When a maintenance job ("purge", "backup") last finished; nothing if never.
  virtual std::optional<std::uint64_t> last_done(const std::string& job) = 0;
};

// Runs inside one transaction of the writer thread; everything a job writes
// commits together with the rest of its group, or not at all.
class writer : public reader {
 public:
  // Inserts throw on a duplicate key (the domain checks first).
  virtual void insert_account(const account_record& a) = 0;
  virtual void insert_session(const session_record& s) = 0;
  // Sets a session's last use (nothing for an unknown session).
  virtual void touch_session(const proto::hash& token_hash, std::uint64_t now) = 0;
  // Ends one session, or every session of an account; a store shared by
  // several relays tells them all (storage::watch_changes).
  virtual void delete_session(const proto::hash& token_hash) = 0;
  virtual void delete_sessions_of(const proto::id& account) = 0;
  // Clears sessions past their absolute end or idle for `idle_seconds`.
  virtual void delete_expired_sessions(std::uint64_t now, std::uint64_t idle_seconds) = 0;
  virtual void insert_invitation(const invitation_record& i) = 0;
  virtual void mark_invitation_used(const proto::id& id, std::uint64_t now) = 0;
  virtual void insert_case(const case_record& c, const proto::id& opened_by) = 0;
  virtual void close_case(const proto::id& id, const std::string& statement, std::uint64_t now) = 0;
  virtual void insert_participant(const participant_record& p) = 0;
  virtual void set_participant_state(const proto::id& case_id, const proto::id& account, proto::participant_state s,
                                     std::uint64_t now) = 0;
  virtual void insert_key(const key_record& k, const proto::id& account) = 0;
  virtual void insert_attestation(const attestation_record& a, const proto::id& subject_account,
                                  const proto::id& attested_by_account) = 0;
  virtual void insert_statement(const statement_record& s, const proto::id& case_id) = 0;

  virtual void insert_message(const message_record& m, const bytes& ciphertext) = 0;
  // Moves a message to `s` at `now`, clearing any claim; `released` also
  // records the release and clears a release time, `delivered` the delivery.
  virtual void set_message_state(const proto::id& id, proto::message_state s, std::uint64_t now) = 0;
  virtual void set_release_at(const proto::id& id, std::uint64_t at) = 0;
  // Claims a message for a facilitator account until `expires_at` (nothing: no claim).
  virtual void set_claim(const proto::id& id, const std::optional<proto::id>& account, std::uint64_t expires_at) = 0;
  virtual void insert_review(const proto::id& message_id, const proto::id& facilitator_account, bool approve,
                             const std::string& statement, std::uint64_t now) = 0;
  // Deletes the ciphertext, the envelope and every review statement of a
  // message (all the wraps and sealed notes it had), keeping its metadata.
  virtual void shred_message(const proto::id& id) = 0;
  // Records that a facilitator passed a decline on to the writer, with an
  // optional note sealed to the writer (shredded like the envelope).
  virtual void tell_declined(const proto::id& id, const std::optional<bytes>& note, std::uint64_t now) = 0;
  // Removes the case's labels too.
  virtual void mark_purged(const proto::id& case_id, std::uint64_t now) = 0;
  virtual void insert_supporter_readers(const proto::id& message_id, const std::vector<proto::public_key>& readers) = 0;
  // Replaces the grant of `g.party_account` to `g.supporter`.
  virtual void set_grant(const grant_record& g) = 0;
  // Replaces every sealed copy of the case's label.
  virtual void set_labels(const proto::id& case_id, const std::vector<std::pair<proto::public_key, bytes>>& boxes,
                          std::uint64_t now) = 0;
  virtual void set_quiet_hours(const proto::id& case_id, const std::optional<quiet_hours>& q) = 0;
  // The case's stage and the statement that set it (SPEC 5.14).
  virtual void set_stage(const proto::id& case_id, proto::case_stage stage, const std::string& statement) = 0;
  // Replaces a party's writing aid of one purpose.
  virtual void set_writing_aid(const proto::id& case_id, const proto::public_key& reader, const std::string& purpose,
                               const bytes& box, std::uint64_t now) = 0;
  // Replaces the participant's consent in the case (SPEC 5.16).
  virtual void set_consent(const consent_record& c) = 0;
  virtual void insert_agreement_statement(const agreement_statement_record& s) = 0;
  virtual void set_agreement_bound(const agreement_bound_record& b) = 0;
  // Replaces the account's referral key.
  virtual void set_referral_key(const referral_key_record& k) = 0;
  virtual void insert_referral(const referral_record& r,
                               const std::vector<std::pair<proto::public_key, bytes>>& wraps) = 0;
  // A referral's state and the case opened from it (kept when nothing is
  // given); closing it deletes its ciphertext and wraps.
  virtual void set_referral_state(const proto::id& id, const std::string& state, std::uint64_t at,
                                  const std::optional<proto::id>& case_id) = 0;
  // Pauses or resumes the case, with the statement that did (SPEC 5.15).
  virtual void set_paused(const proto::id& case_id, bool paused, const std::string& statement) = 0;
  // Appends an entry to a case's chain; throws if its sequence number is taken.
  virtual void insert_audit(const proto::audit_entry& e) = 0;
  // Records a signed checkpoint, replacing one of the same case and sequence number.
  virtual void insert_checkpoint(const proto::audit_checkpoint& c) = 0;
  // Appends an event for one account and returns its sequence number: above
  // every number committed before it, so a client asking for what came
  // after its last event misses none. A shared store tells every relay.
  virtual std::uint64_t insert_event(const event_record& e) = 0;
  // Records a login challenge as used until it expires (clearing those that
  // have expired by `now`); false when it was used before.
  virtual bool use_login_challenge(const proto::login_challenge& c, std::uint64_t expires_at, std::uint64_t now) = 0;
  // Asks for a WAL checkpoint that truncates the log after this commit, so
  // shredded bytes leave the WAL file too.
  virtual void truncate_log_after_commit() = 0;
  // Records that a maintenance job finished at `at`.
  virtual void record_done(const std::string& job, std::uint64_t at) = 0;
};

}  // namespace shuttle::relay

// The relay's storage, as the domain uses it. The SQLite store implements it
// (store/sqlite_store.hpp); a PostgreSQL store can follow without touching
// domain/ or api/. Methods throw only for infrastructure failures (a broken
// disk, a bug); a missing row is an empty optional.
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

  virtual std::optional<account_record> account_by_identity(const proto::public_key& identity) = 0;
  virtual std::optional<account_record> account_by_id(const proto::id& id) = 0;
  virtual std::optional<session_record> session(const proto::hash& token_hash) = 0;
  virtual std::optional<invitation_record> invitation(const proto::id& id) = 0;
  virtual std::optional<case_record> case_by_id(const proto::id& id) = 0;
  virtual std::optional<participant_record> participant(const proto::id& case_id, const proto::id& account) = 0;
  virtual std::vector<participant_record> participants(const proto::id& case_id) = 0;
  // The cases an account takes part in, with its participation in each.
  virtual std::vector<std::pair<case_record, participant_record>> cases_of(const proto::id& account) = 0;
  virtual std::vector<key_record> keys(const proto::id& case_id) = 0;
  virtual std::optional<key_record> key(const proto::id& key_statement_id) = 0;
  virtual std::vector<attestation_record> attestations(const proto::id& case_id) = 0;
  virtual std::optional<statement_record> statement(const proto::id& id) = 0;

  virtual std::optional<message_record> message(const proto::id& id) = 0;
  virtual std::vector<message_record> messages(const proto::id& case_id) = 0;
  // Messages waiting for review in the cases where `facilitator` is an active
  // facilitator, oldest first (notes excluded).
  virtual std::vector<message_record> review_queue(const proto::id& facilitator, std::size_t limit) = 0;
  // Approved messages whose release time has come.
  virtual std::vector<message_record> due_for_release(std::uint64_t now) = 0;
  virtual std::optional<bytes> ciphertext(const proto::id& message_id) = 0;
  virtual std::vector<review_record> reviews(const proto::id& message_id) = 0;
  // The supporters a message was wrapped for (in its envelope or an approval).
  virtual std::vector<proto::public_key> supporter_readers(const proto::id& message_id) = 0;
  // The latest grant of each party to each supporter in a case.
  virtual std::vector<grant_record> grants(const proto::id& case_id) = 0;
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

  virtual std::vector<event_record> events_after(const proto::id& account, std::uint64_t seq, std::size_t limit) = 0;
  // The case ids closed at or before `closed_before` that still hold ciphertexts.
  virtual std::vector<proto::id> cases_to_purge(std::uint64_t closed_before) = 0;
};

// Runs inside one transaction of the writer thread; everything a job writes
// commits together with the rest of its group, or not at all.
class writer : public reader {
 public:
  virtual void insert_account(const account_record& a) = 0;
  virtual void insert_session(const session_record& s) = 0;
  virtual void touch_session(const proto::hash& token_hash, std::uint64_t now) = 0;
  virtual void delete_session(const proto::hash& token_hash) = 0;
  virtual void delete_sessions_of(const proto::id& account) = 0;
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
  virtual void set_message_state(const proto::id& id, proto::message_state s, std::uint64_t now) = 0;
  virtual void set_release_at(const proto::id& id, std::uint64_t at) = 0;
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
  virtual void insert_audit(const proto::audit_entry& e) = 0;
  virtual void insert_checkpoint(const proto::audit_checkpoint& c) = 0;
  virtual std::uint64_t insert_event(const event_record& e) = 0;  // returns its seq
  // Records a login challenge as used until it expires (clearing those that
  // have expired by `now`); false when it was used before.
  virtual bool use_login_challenge(const proto::login_challenge& c, std::uint64_t expires_at, std::uint64_t now) = 0;
  // Asks for a WAL checkpoint that truncates the log after this commit, so
  // shredded bytes leave the WAL file too.
  virtual void truncate_log_after_commit() = 0;
};

}  // namespace shuttle::relay

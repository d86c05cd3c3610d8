// The relay's storage, as the domain uses it. The SQLite store implements it
// (store/sqlite_store.hpp); a PostgreSQL store can follow without touching
// domain/ or api/. Methods throw only for infrastructure failures (a broken
// disk, a bug); a missing row is an empty optional.
#pragma once

#include "server/store/records.hpp"

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
};

}  // namespace shuttle::relay

#include "server/store/postgres_store.hpp"
#include "server/store/migrations.hpp"
#include "server/store/schema.hpp"
#include "server/store/change_payload.hpp"
#include "server/store/postgres_rows.hpp"
#include "server/store/sql.hpp"

#include "server/limits.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <optional>
#include <random>
#include <stdexcept>
#include <unordered_map>
#include <utility>

namespace shuttle::relay {

namespace {

using pg::result;
using pg::row;
using namespace rows;  // the row decoders and their columns

// The schema that added schema_version.serves_from, and the oldest relay
// schema that can serve a database at the latest one (raise it with a
// migration that older relays cannot read past).
constexpr int serves_from_recorded = 2;
constexpr int oldest_serving_schema = 5;

constexpr int max_attempts = 20;  // a job that conflicted this often answers `busy`
constexpr std::int64_t migration_lock = 0x5348555454'4c45;  // "SHUTTLE"
constexpr std::int64_t write_lock = 0x5348555454'5752;       // "SHUTTWR": one write at a time, every relay

// PostgreSQL's answer to a statement that failed, the connection still up.
struct pg_error : std::runtime_error {
  std::string sqlstate;
  pg_error(const std::string& what, std::string state) : std::runtime_error(what), sqlstate(std::move(state)) {}
  // Another transaction got in the way: run the job again.
  bool conflict() const { return sqlstate == "40001" || sqlstate == "40P01"; }
  // A key taken: by a transaction that committed while this one ran (its
  // job, run again, sees the row and answers as the domain does), or by a
  // row the job should have looked for first (a bug, taken again on the
  // second run).
  bool duplicate() const { return sqlstate == "23505"; }
  bool disk_full() const { return sqlstate == "53100"; }
};

// The connection is gone (the server down, restarting, or unreachable).
struct pg_unreachable : storage_unreachable {
  using storage_unreachable::storage_unreachable;
};

// Parameters in PostgreSQL's binary format, each with its type.
class params {
 public:
  template <std::size_t N>
  void add(const fixed<N>& v) {
    add_raw(std::string(reinterpret_cast<const char*>(v.data()), N), 17);  // bytea
  }
  void add(const bytes& v) { add_raw(std::string(reinterpret_cast<const char*>(v.data()), v.size()), 17); }
  void add(std::uint64_t v) {
    std::string b(8, '\0');
    for (int i = 7; i >= 0; --i, v >>= 8) b[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xff);
    add_raw(std::move(b), 20);  // int8
  }
  void add(bool v) { add_raw(std::string(1, v ? '\1' : '\0'), 16); }
  void add(const std::string& v) { add_raw(v, 25); }  // text
  void add(std::string_view v) { add_raw(std::string(v), 25); }
  void add(const char* v) { add_raw(v, 25); }
  template <class T>
  void add(const std::optional<T>& v) {
    if (v) {
      add(*v);
    } else {
      values_.emplace_back();
      types_.push_back(0);  // the server infers it
      null_.push_back(true);
    }
  }

  int count() const { return static_cast<int>(values_.size()); }
  // The three arrays libpq takes for a prepared statement's parameters:
  // pointers into the values above, valid while this lives, unchanged.
  struct arrays {
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
  };
  arrays as_arrays() const {
    arrays a;
    for (std::size_t i = 0; i < values_.size(); ++i) {
      a.values.push_back(null_[i] ? nullptr : values_[i].data());
      a.lengths.push_back(static_cast<int>(values_[i].size()));
      a.formats.push_back(1);
    }
    return a;
  }
  const Oid* types() const { return types_.data(); }

 private:
  void add_raw(std::string v, Oid type) {
    values_.push_back(std::move(v));
    types_.push_back(type);
    null_.push_back(false);
  }
  std::vector<std::string> values_;
  std::vector<Oid> types_;
  std::vector<bool> null_;
};

// SQLite's placeholders (`?`, `?N`) as PostgreSQL's (`$N`).
std::string numbered(const std::string& sql) {
  std::string out;
  int next = 1;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] != '?') {
      out += sql[i];
    } else if (i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      out += '$';
    } else {
      out += '$' + std::to_string(next++);
    }
  }
  return out;
}

}  // namespace

namespace {

// Throws pg_error for a failed result (and notes a lost connection).
void check_result(PGconn* conn, PGresult* r) {
  const auto status = PQresultStatus(r);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  if (PQstatus(conn) != CONNECTION_OK || (state && std::string_view(state).starts_with("08")) ||
      (state && std::string_view(state).starts_with("57P"))) {
    throw pg_unreachable(std::string("the database connection was lost: ") + PQerrorMessage(conn));
  }
  throw pg_error(PQresultErrorMessage(r), state ? state : "");
}

// One connection, opened again on its next use once it was lost.
class pg_connection {
 public:
  explicit pg_connection(std::string conninfo) : conninfo_(std::move(conninfo)) {}
  ~pg_connection() { drop(); }
  pg_connection(const pg_connection&) = delete;
  pg_connection& operator=(const pg_connection&) = delete;

  PGconn* get() {
    if (conn_ && unawaited_) settle();
    if (conn_ && PQstatus(conn_) == CONNECTION_OK) return conn_;
    drop();
    conn_ = PQconnectdb(conninfo_.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string why = PQerrorMessage(conn_);
      drop();
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      throw pg_unreachable("the database cannot be reached (" + why + ")");
    }
    // Notices (e.g. "relation already exists, skipping") are not the log's business.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    return conn_;
  }
  void exec(const std::string& sql) {
    flush();
    PGconn* c = get();
    result r(PQexec(c, sql.c_str()));
    check_result(c, raw(r));
  }
  void drop() {
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
    prepared_.clear();
    deferred_.clear();
    unawaited_ = false;
  }

  // A statement sent now whose answer nobody waits for (a read-only
  // snapshot's COMMIT): the server runs it at once, and the connection's
  // next use reads the answer, which has long arrived by then; one that
  // failed, or a connection that cannot send, is dropped and opened again
  // then. Nothing when the connection is already lost.
  void send_unawaited(const char* sql) {
    if (!conn_) return;
    if (PQsendQuery(conn_, sql) != 1) return drop();
    unawaited_ = true;
  }

  // A write whose answer nobody reads (a prepared statement, or one plain
  // SQL statement when `name` is empty): sent with the next round trip
  // (a query's, or flush()) in one libpq pipeline instead of one of its own.
  // A deferred write that fails throws there, as pg_error, so it must be
  // flushed before its job's savepoint is released: run_group and run do.
  // A job that returns `undo` never sends what still waits, so a bad write
  // it made is not seen (SQLite throws on it at once); nothing is kept
  // either way.
  void defer(std::string name, params p, std::string sql = {}) {
    deferred_.push_back({std::move(name), std::move(sql), std::move(p)});
  }
  // A prepared statement's answer, after every deferred write (one round trip).
  result query(const std::string& name, params p) {
    if (deferred_.empty()) {
      PGconn* c = get();
      const auto a = p.as_arrays();
      result out(
          PQexecPrepared(c, name.c_str(), p.count(), a.values.data(), a.lengths.data(), a.formats.data(), 1));
      check_result(c, out.get());
      return out;
    }
    defer(name, std::move(p));
    return pipeline();
  }
  // Sends every deferred write and waits for their answers.
  void flush() {
    if (!deferred_.empty()) pipeline();
  }
  // Forgets the deferred writes (their job failed before they were sent).
  void discard() { deferred_.clear(); }
  bool has_deferred() const { return !deferred_.empty(); }
  // How many round trips carried deferred writes: a job whose SAVEPOINT was
  // deferred knows from it whether the savepoint reached the server.
  std::uint64_t pipelines_sent() const { return pipelines_; }
  static PGresult* raw(const result& r) { return r.get(); }

  // The name under which `sql` (with SQLite's placeholders) is prepared on
  // this connection for parameters of these types, preparing it on its
  // first use: the server parses and plans each statement once per
  // connection, not on every call. Lost with the connection.
  const std::string& prepared(const std::string& sql, int count, const Oid* types) {
    std::string key = sql;
    key.push_back('\0');
    key.append(reinterpret_cast<const char*>(types), static_cast<std::size_t>(count) * sizeof(Oid));
    const auto found = prepared_.find(key);
    if (found != prepared_.end()) return found->second;
    PGconn* c = get();
    std::string name = "q" + std::to_string(prepared_.size() + 1);
    result r(PQprepare(c, name.c_str(), numbered(sql).c_str(), count, types));
    check_result(c, r.get());
    return prepared_.emplace(std::move(key), std::move(name)).first->second;
  }

 private:
  struct deferred {
    std::string name;  // prepared; empty for plain `sql`
    std::string sql;
    params p;
  };

  // Sends the deferred commands in one pipeline and reads every answer (the
  // server skips those after a failed one); throws the first failure, else
  // answers the last command's result.
  result pipeline() {
    std::vector<deferred> sending;
    sending.swap(deferred_);
    ++pipelines_;
    PGconn* c = get();
    if (PQenterPipelineMode(c) != 1) throw pg_unreachable(std::string("pipeline mode refused: ") + PQerrorMessage(c));
    bool sent = true;
    for (const auto& d : sending) {
      const auto a = d.p.as_arrays();
      const int ok = d.name.empty()
                         ? PQsendQueryParams(c, d.sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 1)
                         : PQsendQueryPrepared(c, d.name.c_str(), d.p.count(), a.values.data(), a.lengths.data(),
                                               a.formats.data(), 1);
      if (ok != 1) {
        sent = false;
        break;
      }
    }
    if (!sent || PQpipelineSync(c) != 1) {
      const std::string why = PQerrorMessage(c);
      drop();  // a half-sent pipeline leaves the connection in no known state
      throw pg_unreachable("the database connection failed mid-pipeline: " + why);
    }
    std::optional<pg_error> failed;
    result last(nullptr);
    for (std::size_t i = 0; i < sending.size(); ++i) {
      result r(PQgetResult(c));
      if (!r.get()) {
        drop();
        throw pg_unreachable(std::string("the database connection was lost: ") + PQerrorMessage(c));
      }
      const auto status = PQresultStatus(r.get());
      if (status != PGRES_PIPELINE_ABORTED && !failed) {
        try {
          check_result(c, r.get());
        } catch (const pg_error& e) {
          failed = e;
        }
      }
      while (PGresult* more = PQgetResult(c)) PQclear(more);  // the NULL that ends each command's answer
      last = std::move(r);
    }
    for (;;) {  // up to the sync point
      result r(PQgetResult(c));
      if (!r.get()) {
        drop();
        throw pg_unreachable(std::string("the database connection was lost: ") + PQerrorMessage(c));
      }
      if (PQresultStatus(r.get()) == PGRES_PIPELINE_SYNC) break;
    }
    if (PQexitPipelineMode(c) != 1) {
      drop();
      throw pg_unreachable(std::string("the database connection failed leaving a pipeline: ") + PQerrorMessage(c));
    }
    if (failed) throw *failed;
    return last;
  }

  // Reads the answer of what send_unawaited() sent.
  void settle() {
    unawaited_ = false;
    bool ok = true;
    while (PGresult* r = PQgetResult(conn_)) {
      ok = ok && PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
    }
    if (!ok) drop();
  }

  std::string conninfo_;
  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // by SQL and parameter types: its name
  std::vector<deferred> deferred_;
  std::uint64_t pipelines_ = 0;
  bool unawaited_ = false;  // send_unawaited()'s answer is still to be read
};

// The SQL of every read and write, over one connection in a transaction the
// store opened.
class pg_repository final : public writer {
 public:
  explicit pg_repository(pg_connection& conn) : conn_(conn) {}

  std::optional<account_record> account_by_identity(const proto::public_key& identity) override {
    return one_account(sql::select_account_by_identity, identity);
  }
  std::optional<account_record> account_by_id(const proto::id& id) override {
    return one_account(sql::select_account_by_id, id);
  }
  std::optional<session_record> session(const proto::hash& token_hash) override {
    auto q = query(sql::select_session, token_hash);
    if (q.rows() == 0) return std::nullopt;
    return session_of(row(q, 0));
  }
  std::optional<invitation_record> invitation(const proto::id& id) override {
    auto q = query(sql::select_invitation, id);
    if (q.rows() == 0) return std::nullopt;
    return invitation_of(row(q, 0));
  }
  std::optional<case_record> case_by_id(const proto::id& id) override {
    auto q = query(sql::select_case, id);
    if (q.rows() == 0) return std::nullopt;
    return case_of(row(q, 0));
  }
  std::optional<participant_record> participant(const proto::id& case_id, const proto::id& account) override {
    auto q = query(sql::select_participant, case_id, account);
    if (q.rows() == 0) return std::nullopt;
    return participant_of(row(q, 0));
  }
  std::vector<participant_record> participants(const proto::id& case_id) override {
    auto q = query(sql::select_participants, case_id);
    std::vector<participant_record> out;
    for (int i = 0; i < q.rows(); ++i) out.push_back(participant_of(row(q, i)));
    put_in_join_order(out);
    return out;
  }
  std::vector<std::pair<case_record, participant_record>> cases_of(const proto::id& account) override {
    auto q = query(sql::select_cases_of_account, account);
    std::vector<std::pair<case_record, participant_record>> out;
    for (int i = 0; i < q.rows(); ++i) {
      const row r(q, i);
      out.emplace_back(case_of(r), participant_of(r, case_column_count));
    }
    return out;
  }
  std::vector<key_record> keys(const proto::id& case_id) override {
    auto q = query("SELECT " + key_columns + " FROM key_statements k JOIN accounts a ON a.id = k.account_id "
                                             "WHERE k.case_id = ? ORDER BY k.created_at, k.ord",
                   case_id);
    return all(q, &key_of);
  }
  std::optional<key_record> key(const proto::id& id) override {
    auto q = query(sql::select_key, id);
    if (q.rows() == 0) return std::nullopt;
    return key_of(row(q, 0));
  }
  std::vector<attestation_record> attestations(const proto::id& case_id) override {
    auto q = query("SELECT " + attestation_columns +
                       " FROM attestations t JOIN accounts s ON s.id = t.subject_account "
                   "JOIN accounts b ON b.id = t.attested_by WHERE t.case_id = ? ORDER BY t.ord",
                   case_id);
    return all(q, &attestation_of);
  }
  std::optional<statement_record> statement(const proto::id& id) override {
    auto q = query(sql::select_statement, id);
    if (q.rows() == 0) return std::nullopt;
    return statement_of(row(q, 0));
  }

  std::optional<message_record> message(const proto::id& id) override {
    auto q = query(sql::select_message, id);
    if (q.rows() == 0) return std::nullopt;
    return message_of(row(q, 0));
  }
  std::vector<message_record> messages(const proto::id& case_id) override {
    return all_messages(query("SELECT " + message_columns +
                                  " FROM messages m JOIN accounts a ON a.id = m.sender_account "
                                  "LEFT JOIN accounts c ON c.id = m.claimed_by "
                                  "WHERE m.case_id = ? ORDER BY m.submitted_at, m.ord",
                              case_id));
  }
  std::vector<message_record> review_queue(const proto::id& facilitator, std::size_t limit) override {
    return all_messages(query("SELECT " + message_columns +
                                  " FROM messages m JOIN accounts a ON a.id = m.sender_account "
                                  "LEFT JOIN accounts c ON c.id = m.claimed_by "
                                  "JOIN participants p ON p.case_id = m.case_id "
                                  "WHERE m.state = 'in_review' AND m.kind != 'note' "
                                  "AND m.release_at IS NULL AND p.account_id = ? "
                                  "AND p.role = 'facilitator' AND p.state = 'active' "
                                  "ORDER BY m.submitted_at, m.ord LIMIT ?",
                              facilitator, static_cast<std::uint64_t>(limit)));
  }
  std::vector<message_record> due_for_release(std::uint64_t now) override {
    return all_messages(query(sql::select_due_for_release, now));
  }
  std::optional<std::string> ciphertext(const proto::id& message_id) override {
    auto q = query("SELECT bytes FROM ciphertexts WHERE message_id = ?", message_id);
    if (q.rows() == 0) return std::nullopt;
    return std::string(q.raw(0, 0));  // the answer's bytes, copied once from libpq's result
  }
  std::vector<review_record> reviews(const proto::id& message_id) override {
    auto q = query("SELECT " + review_columns +
                       " FROM reviews r JOIN accounts a ON a.id = r.facilitator_account "
                   "WHERE r.message_id = ? ORDER BY r.created_at, r.ord",
                   message_id);
    return all(q, &review_of);
  }
  std::vector<proto::public_key> supporter_readers(const proto::id& message_id) override {
    auto q = query("SELECT reader_key FROM supporter_readers WHERE message_id = ? ORDER BY reader_key", message_id);
    std::vector<proto::public_key> out;
    for (int i = 0; i < q.rows(); ++i) out.push_back(q.fixed_at<32>(i, 0));
    return out;
  }
  std::vector<grant_record> grants(const proto::id& case_id) override {
    auto out = all(query(sql::select_grants, case_id), &grant_of);
    put_in_grant_order(out);
    return out;
  }
  std::vector<consent_record> consents(const proto::id& case_id) override {
    auto q = query(sql::select_consents, case_id);
    return all(q, &consent_of);
  }
  std::vector<referral_key_record> referral_keys() override {
    return all(query(sql::select_referral_keys), &referral_key_of);
  }
  std::optional<referral_record> referral(const proto::id& id) override {
    auto q = query("SELECT " + referral_columns + " FROM referrals WHERE id = ?", id);
    if (q.rows() == 0) return std::nullopt;
    return referral_of(row(q, 0));
  }
  std::vector<referral_record> open_referrals(std::size_t limit) override {
    auto q = query("SELECT " + referral_columns + " FROM referrals WHERE state <> 'closed' ORDER BY received_at, id LIMIT ?",
                   static_cast<std::uint64_t>(limit));
    return all(q, &referral_of);
  }
  std::uint64_t open_referral_count() override {
    auto q = query(sql::count_open_referrals);
    return q.u64(0, 0);
  }
  std::optional<bytes> referral_wrap(const proto::id& referral, const proto::public_key& reader_key) override {
    auto q = query(sql::select_referral_wrap, referral, reader_key);
    if (q.rows() == 0) return std::nullopt;
    return row(q, 0).blob(0);
  }
  std::vector<agreement_statement_record> agreement_statements(const proto::id& message_id) override {
    return all(query("SELECT " + agreement_statement_columns + " FROM agreement_statements WHERE message_id = ? "
                     "ORDER BY ord",
                     message_id),
               &agreement_statement_of);
  }
  std::optional<agreement_bound_record> agreement_bound(const proto::id& message_id) override {
    auto q = query(sql::select_agreement_bound, message_id);
    if (q.rows() == 0) return std::nullopt;
    return agreement_bound_of(row(q, 0));
  }
  std::optional<bytes> writing_aid(const proto::id& case_id, const proto::public_key& reader_key,
                                   const std::string& purpose) override {
    auto q = query(sql::select_writing_aid, case_id, reader_key, purpose);
    if (q.rows() == 0) return std::nullopt;
    return row(q, 0).blob(0);
  }
  std::optional<bytes> label(const proto::id& case_id, const proto::public_key& reader_key) override {
    auto q = query(sql::select_label, case_id, reader_key);
    if (q.rows() == 0) return std::nullopt;
    return row(q, 0).blob(0);
  }
  std::optional<proto::audit_entry> audit_head(const proto::id& case_id) override {
    auto q = query(sql::select_audit_head, case_id);
    if (q.rows() == 0) return std::nullopt;
    return audit_of(row(q, 0));
  }
  std::vector<proto::audit_entry> audit_chain(const proto::id& case_id) override {
    auto q = query("SELECT " + audit_columns + " FROM audit_entries WHERE case_id = ? ORDER BY seq", case_id);
    return all(q, &audit_of);
  }
  std::vector<proto::id> audit_chains() override { return ids(query(sql::select_audit_chains)); }
  std::vector<proto::id> unsigned_chains() override {
    return ids(query(sql::select_unsigned_chains));
  }
  std::optional<proto::audit_checkpoint> latest_checkpoint(const proto::id& case_id) override {
    auto q = query(sql::select_latest_checkpoint, case_id);
    if (q.rows() == 0) return std::nullopt;
    return checkpoint_of(row(q, 0));
  }
  std::vector<event_record> events_after(const proto::id& account, std::uint64_t seq, std::size_t limit) override {
    auto q = query(sql::select_events_after, account, seq, static_cast<std::uint64_t>(limit));
    return all(q, &event_of);
  }
  std::vector<proto::id> cases_to_purge(std::uint64_t closed_before) override {
    return ids(query(sql::select_cases_to_purge, closed_before));
  }

  void insert_message(const message_record& m, const bytes& ciphertext) override {
    write(sql::insert_message,
          m.id, m.case_id, m.sender_account, proto::to_string(m.kind), proto::to_string(m.to), m.supersedes,
          m.answers, proto::to_string(m.state), m.envelope, m.ciphertext_size, m.ciphertext_hash, m.submitted_at,
          m.submitted_at);
    write(sql::insert_ciphertext, m.id, ciphertext);
  }
  void set_message_state(const proto::id& id, proto::message_state s, std::uint64_t now) override {
    using ms = proto::message_state;
    const char* extra = s == ms::released ? ", released_at = ?1, release_at = NULL"
                        : s == ms::delivered ? ", delivered_at = ?1"
                                             : "";
    write(std::string("UPDATE messages SET state = ?2, changed_at = ?1, claimed_by = NULL, "
                      "claim_expires_at = NULL") + extra + " WHERE id = ?3",
          now, proto::to_string(s), id);
  }
  std::optional<std::uint64_t> last_done(const std::string& job) override {
    auto q = query(sql::select_maintenance_done, job);
    if (q.rows() == 0) return std::nullopt;
    return q.u64(0, 0);
  }
  void record_done(const std::string& job, std::uint64_t at) override {
    write(sql::record_maintenance_done, job, at);
  }
  void tell_declined(const proto::id& id, const std::optional<bytes>& note, std::uint64_t now) override {
    write("UPDATE messages SET decline_told_at = ?, decline_note = ?::bytea WHERE id = ?", now, note, id);
  }
  void set_release_at(const proto::id& id, std::uint64_t at) override {
    write(sql::set_release_at, at, id);
  }
  void set_claim(const proto::id& id, const std::optional<proto::id>& account, std::uint64_t expires_at) override {
    write("UPDATE messages SET claimed_by = ?::bytea, claim_expires_at = ? WHERE id = ?", account, expires_at, id);
  }
  void insert_review(const proto::id& message_id, const proto::id& facilitator_account, bool approve,
                     const std::string& statement, std::uint64_t now) override {
    write(sql::insert_review, message_id, facilitator_account, approve ? "approve" : "return", statement, now);
  }
  void shred_message(const proto::id& id) override {
    write(sql::delete_ciphertext, id);
    write(sql::shred_envelope, id);
    write(sql::shred_reviews, id);
  }
  void mark_purged(const proto::id& case_id, std::uint64_t now) override {
    for (const auto& id : ids(query(sql::select_unpurged_message_ids, case_id))) {
      shred_message(id);
    }
    write(sql::mark_case_purged, now, case_id);
    write(sql::delete_labels, case_id);
    write(sql::delete_writing_aids, case_id);
  }
  void insert_supporter_readers(const proto::id& message_id, const std::vector<proto::public_key>& readers) override {
    for (const auto& r : readers) {
      write("INSERT INTO supporter_readers (message_id, reader_key) VALUES (?, ?) ON CONFLICT DO NOTHING", message_id,
            r);
    }
  }
  void set_grant(const grant_record& g) override {
    write("INSERT INTO grants (case_id, party_account, supporter_key, reads, statement, at) VALUES (?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (case_id, party_account, supporter_key) DO UPDATE SET reads = EXCLUDED.reads, "
          "statement = EXCLUDED.statement, at = EXCLUDED.at",
          g.case_id, g.party_account, g.supporter, g.reads, g.statement, g.at);
  }
  void set_labels(const proto::id& case_id, const std::vector<std::pair<proto::public_key, bytes>>& boxes,
                  std::uint64_t now) override {
    write(sql::delete_labels, case_id);
    for (const auto& [reader_key, box] : boxes) {
      write(sql::insert_label, case_id, reader_key, box, now);
    }
  }
  void set_quiet_hours(const proto::id& case_id, const std::optional<quiet_hours>& q) override {
    if (q) {
      write(sql::set_quiet_hours, q->time_zone, std::uint64_t{q->start_minute}, std::uint64_t{q->end_minute}, case_id);
    } else {
      write(sql::clear_quiet_hours, case_id);
    }
  }
  void set_stage(const proto::id& case_id, proto::case_stage stage, const std::string& statement) override {
    write(sql::set_stage, std::string(proto::to_string(stage)), statement, case_id);
  }
  void set_writing_aid(const proto::id& case_id, const proto::public_key& reader_key, const std::string& purpose,
                       const bytes& box, std::uint64_t now) override {
    write("INSERT INTO writing_aids (case_id, reader_key, purpose, box, set_at) VALUES (?, ?, ?, ?, ?) "
          "ON CONFLICT (case_id, reader_key, purpose) DO UPDATE SET box = EXCLUDED.box, set_at = EXCLUDED.set_at",
          case_id, reader_key, purpose, box, now);
  }
  void set_referral_key(const referral_key_record& k) override {
    write("INSERT INTO referral_keys (account_id, key, statement, at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO "
          "UPDATE SET key = EXCLUDED.key, statement = EXCLUDED.statement, at = EXCLUDED.at",
          k.account, k.key, k.statement, k.at);
  }
  void insert_referral(const referral_record& r,
                       const std::vector<std::pair<proto::public_key, bytes>>& wraps) override {
    write("INSERT INTO referrals (id, secret_hash, ciphertext, received_at, state, state_at, entered_by, case_id) "
          "VALUES (?, ?, ?::bytea, ?, ?, ?, ?::bytea, ?::bytea)",
          r.id, r.secret_hash, r.ciphertext, r.received_at, r.state, r.state_at, r.entered_by, r.case_id);
    for (const auto& [key, wrap] : wraps) {
      write(sql::insert_referral_wrap, r.id, key, wrap);
    }
  }
  void set_referral_state(const proto::id& id, const std::string& state, std::uint64_t at,
                          const std::optional<proto::id>& case_id) override {
    write("UPDATE referrals SET state = ?, state_at = ?, case_id = coalesce(?::bytea, case_id) WHERE id = ?", state, at,
          case_id, id);
    if (state == "closed") {
      write(sql::shred_referral, id);
      write(sql::delete_referral_wraps, id);
    }
  }
  void set_consent(const consent_record& c) override {
    write("INSERT INTO consents (case_id, account_id, text_hash, statement, at) VALUES (?, ?, ?, ?, ?) "
          "ON CONFLICT (case_id, account_id) DO UPDATE SET text_hash = EXCLUDED.text_hash, "
          "statement = EXCLUDED.statement, at = EXCLUDED.at",
          c.case_id, c.account, c.text_hash, c.statement, c.at);
  }
  void insert_agreement_statement(const agreement_statement_record& s) override {
    write(sql::insert_agreement_statement,
          s.message_id, std::uint64_t{s.mark ? 1u : 0u}, s.signer, s.agreement_hash, s.statement, s.at);
  }
  void set_agreement_bound(const agreement_bound_record& b) override {
    write(sql::insert_agreement_bound, b.message_id, b.agreement_hash, b.at);
  }
  void set_paused(const proto::id& case_id, bool paused, const std::string& statement) override {
    write(sql::set_paused, paused, statement, case_id);
  }
  void insert_audit(const proto::audit_entry& e) override {
    write(sql::insert_audit_entry,
          e.case_id, e.seq, e.at, proto::to_string(e.event), e.actor, e.subject, e.statement, e.prev, e.entry_hash);
  }
  void insert_checkpoint(const proto::audit_checkpoint& c) override {
    write("INSERT INTO audit_checkpoints (case_id, seq, head, at, sig) VALUES (?, ?, ?, ?, ?) "
          "ON CONFLICT (case_id, seq) DO UPDATE SET head = EXCLUDED.head, at = EXCLUDED.at, sig = EXCLUDED.sig",
          c.case_id, c.seq, c.head, c.at, c.sig);
  }
  std::uint64_t insert_event(const event_record& e) override {
    // Numbers in commit order: writes run one at a time under the write lock
    // (postgres_store::run), so no later number commits before an earlier
    // one. A transaction that rolls back leaves a gap, which no client waits
    // for: it asks for what comes after the last event it saw.
    const std::uint64_t seq = query("SELECT nextval('event_seq')").u64(0, 0);
    write("INSERT INTO events (seq, account_id, case_id, event, message_id, at) VALUES (?, ?, ?, ?, ?::bytea, ?)", seq,
          e.account, e.case_id, e.event, e.message, e.at);
    event_record sent = e;
    sent.seq = seq;
    notify(event_payload(sent));
    return seq;
  }
  bool use_login_challenge(const proto::login_challenge& c, std::uint64_t expires_at, std::uint64_t now) override {
    write(sql::delete_expired_login_challenges, now);
    return query("INSERT INTO used_login_challenges (challenge, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING "
                 "RETURNING 1",
                 c, expires_at)
               .rows() == 1;
  }
  // PostgreSQL has no WAL truncation to ask for: shredded rows leave the
  // table files with VACUUM (SECURITY.md).
  void truncate_log_after_commit() override {}

  void insert_account(const account_record& a) override {
    write("INSERT INTO accounts (id, identity_key, is_facilitator, created_at, display_name) VALUES (?, ?, ?, ?, ?::text)",
          a.id, a.identity, a.facilitator, a.created_at, a.display_name);
  }
  void insert_session(const session_record& s) override {
    write(sql::insert_session, s.token_hash, s.account, s.created_at, s.last_used_at, s.expires_at);
  }
  void touch_session(const proto::hash& token_hash, std::uint64_t now) override {
    write(sql::touch_session, now, token_hash);
  }
  void delete_session(const proto::hash& token_hash) override {
    write(sql::delete_session, token_hash);
    notify(ended_session_payload(token_hash));
  }
  void delete_sessions_of(const proto::id& account) override {
    write(sql::delete_sessions_of_account, account);
    notify(ended_account_payload(account));
  }
  void delete_expired_sessions(std::uint64_t now, std::uint64_t idle_seconds) override {
    write("DELETE FROM sessions WHERE expires_at <= ?1 OR last_used_at + ?2 <= ?1", now, idle_seconds);
  }
  void insert_invitation(const invitation_record& i) override {
    std::optional<proto::id> case_id;
    if (i.case_id != proto::null_case) case_id = i.case_id;
    write("INSERT INTO invitations (id, case_id, role, secret_hash, expires_at, inviter_key, statement) "
          "VALUES (?, ?::bytea, ?, ?, ?, ?, ?)",
          i.id, case_id, proto::to_string(i.role), i.secret_hash, i.expires_at, i.inviter, i.statement);
  }
  void mark_invitation_used(const proto::id& id, std::uint64_t now) override {
    write(sql::mark_invitation_used, now, id);
  }
  void insert_case(const case_record& c, const proto::id& opened_by) override {
    write(sql::insert_case, c.id, c.approvals_required, opened_by, c.open_statement, c.created_at);
  }
  void close_case(const proto::id& id, const std::string& statement, std::uint64_t now) override {
    write(sql::close_case, statement, now, id);
  }
  void insert_participant(const participant_record& p) override {
    write("INSERT INTO participants (case_id, account_id, role, state, enrolment, joined_at) "
          "VALUES (?, ?, ?, ?, ?::text, ?)",
          p.case_id, p.account, proto::to_string(p.role), proto::to_string(p.state), p.enrolment, p.joined_at);
  }
  void set_participant_state(const proto::id& case_id, const proto::id& account, proto::participant_state s,
                             std::uint64_t now) override {
    write(sql::set_participant_state, proto::to_string(s), now, case_id, account);
  }
  void insert_key(const key_record& k, const proto::id& account) override {
    write(sql::insert_key, k.id, k.case_id, account, k.case_key, k.statement, k.created_at);
  }
  void insert_attestation(const attestation_record& a, const proto::id& subject_account,
                          const proto::id& attested_by_account) override {
    write(sql::insert_attestation, a.id, a.case_id, subject_account, a.key_statement, attested_by_account, a.statement);
  }
  void insert_statement(const statement_record& s, const proto::id& case_id) override {
    write(sql::insert_statement, s.id, case_id, s.type, s.hash, s.answer);
  }

 private:
  template <class... A>
  result query(const std::string& sql, const A&... args) {
    params p;
    (p.add(args), ...);
    const std::string& name = conn_.prepared(sql, p.count(), p.types());
    return conn_.query(name, std::move(p));
  }
  // A write whose answer the job does not read: sent with the job's next
  // round trip (pg_connection::defer).
  template <class... A>
  void write(const std::string& sql, const A&... args) {
    params p;
    (p.add(args), ...);
    const std::string& name = conn_.prepared(sql, p.count(), p.types());
    conn_.defer(name, std::move(p));
  }
  // Sent when (and only if) the transaction commits.
  void notify(const std::string& payload) { write("SELECT pg_notify('shuttle', ?)", payload); }

  template <class K>
  std::optional<account_record> one_account(const std::string& select, const K& key) {
    const result q = query(select, key);
    if (q.rows() == 0) return std::nullopt;
    return account_of(row(q, 0));
  }
  static std::vector<proto::id> ids(const result& q) {
    std::vector<proto::id> out;
    for (int i = 0; i < q.rows(); ++i) out.push_back(q.fixed_at<16>(i, 0));
    return out;
  }
  template <class R>
  static std::vector<R> all(const result& q, R (*decode)(const stored_row&)) {
    std::vector<R> out;
    out.reserve(static_cast<std::size_t>(q.rows()));
    for (int i = 0; i < q.rows(); ++i) out.push_back(decode(row(q, i)));
    return out;
  }
  static std::vector<message_record> all_messages(const result& q) { return all(q, &message_of); }

  pg_connection& conn_;
};

}  // namespace

struct postgres_store::connection {
  pg_connection pg;
  pg_repository repo{pg};
  explicit connection(const std::string& conninfo) : pg(conninfo) {}
};

struct postgres_store::pooled_reader {
  connection c;
  explicit pooled_reader(const std::string& conninfo) : c(conninfo) {}
};

bool postgres_store::names_postgres(std::string_view database) {
  return database.starts_with("postgresql://") || database.starts_with("postgres://");
}

int postgres_store::latest_schema_version() { return static_cast<int>(postgres_migrations().size()); }

postgres_store::postgres_store(std::string conninfo, std::size_t readers, std::size_t writers)
    : conninfo_(std::move(conninfo)) {
  {
    // Migrations under an advisory lock: relays starting together migrate once.
    pg_connection setup(conninfo_);
    setup.exec("SELECT pg_advisory_lock(" + std::to_string(migration_lock) + ")");
    try {
      setup.exec("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)");
      PGconn* c = setup.get();
      result q(PQexecParams(c, "SELECT version FROM schema_version", 0, nullptr, nullptr, nullptr, nullptr, 0));
      check_result(c, q.get());
      int version = 0;
      if (q.rows() == 0) {
        setup.exec("INSERT INTO schema_version (version) VALUES (0)");
      } else {
        version = std::stoi(q.text(0, 0));
      }
      int serves_from = 0;
      if (version >= serves_from_recorded) {
        result f(PQexecParams(c, "SELECT serves_from FROM schema_version", 0, nullptr, nullptr, nullptr, nullptr, 0));
        check_result(c, f.get());
        if (f.rows() > 0) serves_from = std::stoi(f.text(0, 0));
      }
      const int known = static_cast<int>(postgres_migrations().size());
      schema_version_ = version;
      if (must_migrate(version, serves_from, known)) {
        for (auto v = static_cast<std::size_t>(version); v < postgres_migrations().size(); ++v) {
          setup.exec("BEGIN");
          setup.exec(std::string(postgres_migrations()[v]));
          setup.exec("UPDATE schema_version SET version = " + std::to_string(v + 1));
          if (static_cast<int>(v) + 1 >= serves_from_recorded) {
            setup.exec("UPDATE schema_version SET serves_from = " + std::to_string(oldest_serving_schema) +
                       " WHERE serves_from < " + std::to_string(oldest_serving_schema));
          }
          setup.exec("COMMIT");
          spdlog::info("database migrated to schema {}", v + 1);
        }
        schema_version_ = known;
      } else if (version > known) {
        spdlog::warn("the database is at schema {}, newer than this relay's {}; it serves it", version, known);
      }
      setup.exec("SELECT pg_advisory_unlock(" + std::to_string(migration_lock) + ")");
    } catch (const schema_too_new&) {
      throw;
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("cannot migrate the database: ") + e.what());
    }
  }
  // Every connection is opened now, so a relay's memory is what it will be
  // from its start (one that fails is opened again on its first use).
  for (std::size_t i = 0; i < std::max<std::size_t>(readers, 1); ++i) {
    pool_.push_back(std::make_unique<pooled_reader>(conninfo_));
    idle_.push_back(pool_.back().get());
    try {
      pool_.back()->c.pg.get();
    } catch (const std::exception&) {
      // the database went away since the migration: the first read tries again
    }
  }
  for (std::size_t i = 0; i < std::max<std::size_t>(writers, 1); ++i) {
    auto c = std::make_shared<connection>(conninfo_);
    try {
      c->pg.get();
    } catch (const std::exception&) {
      // the first write tries again
    }
    writers_.emplace_back([this, c] { writer_loop(*c); });
  }
}

postgres_store::~postgres_store() { stop(); }

void postgres_store::stop() {
  queue_.close();
  for (auto& t : writers_) {
    if (t.joinable()) t.join();
  }
  feed_stopping_ = true;
  if (feed_.joinable()) feed_.join();
}

void postgres_store::watch_changes(std::function<void(const change&)> on_change) {
  feed_ = std::thread([this, on_change = std::move(on_change)] { feed_loop(on_change); });
}

// LISTEN on a connection of its own, waiting on its socket with poll() so
// that stop() is noticed within a quarter second.
void postgres_store::feed_loop(std::function<void(const change&)> on_change) {
  bool missed = false;  // the connection went: report catch_up once back
  while (!feed_stopping_) {
    pg_connection listener(conninfo_);
    try {
      listener.exec("LISTEN shuttle");
      // The feed is the store's heartbeat: while it holds its connection, the database is reachable.
      if (failing_.exchange(false)) spdlog::info("the database is reachable again");
      feed_up_ = true;
      if (missed) {
        spdlog::info("the change feed is back; subscribers catch up");
        on_change(change{std::nullopt, std::nullopt, std::nullopt, true});
        missed = false;
      }
      PGconn* c = listener.get();
      while (!feed_stopping_) {
        pollfd p{PQsocket(c), POLLIN, 0};
        if (::poll(&p, 1, 250) < 0 && errno != EINTR) throw pg_unreachable("poll failed");
        if (PQconsumeInput(c) == 0) throw pg_unreachable(PQerrorMessage(c));
        while (PGnotify* n = PQnotifies(c)) {
          if (auto ch = decode_change(n->extra)) {
            on_change(*ch);
          } else {
            spdlog::warn("a change notification was not understood; subscribers catch up");
            on_change(change{std::nullopt, std::nullopt, std::nullopt, true});
          }
          PQfreemem(n);
        }
      }
    } catch (const std::exception& e) {
      if (!missed) spdlog::warn("the change feed lost the database ({}); reconnecting", e.what());
      missed = true;
      failing_ = true;
      feed_up_ = false;
      for (int i = 0; i < 4 && !feed_stopping_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }
}

std::size_t postgres_store::queue_depth() const { return queue_.size(); }

storage_health postgres_store::health() const {
  storage_health h;
  h.failures = failures_;
  h.problem = failing_ ? "failing" : "";
  h.feed_up = feed_up_;
  return h;
}

void postgres_store::submit(job j, completion done, write_class) {
  queued q{std::move(j), std::move(done)};
  q.queued_at = write_stages::clock::now();
  if (!queue_.offer(q)) q.done(write_problem::busy);
}

void postgres_store::writer_loop(connection& c) {
  std::vector<queued> group;
  while (queue_.take(group, max_group_commit)) {
    const auto taken = write_stages::clock::now();
    for (const auto& q : group) timings().record(write_stage::queued, q.queued_at, taken);
    if (group.size() == 1) {
      group.front().result = run(c, group.front().j, taken);
    } else {
      run_group(c, group, taken);
    }
    const auto finished = write_stages::clock::now();
    for (auto& q : group) {
      timings().record(write_stage::handover, finished, write_stages::clock::now());
      q.done(q.result);
    }
    group.clear();
  }
}

// One round trip: the transaction and the write lock.
const std::string begin_write_sql =
    "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(" + std::to_string(write_lock) + ")";

namespace {

// Undoes what a job sent since its SAVEPOINT was deferred (`sent_before`:
// pipelines_sent() then): nothing, when no round trip carried it yet.
void undo_job(pg_connection& pg, std::uint64_t sent_before) {
  pg.discard();
  if (pg.pipelines_sent() != sent_before) pg.exec("ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job");
}

}  // namespace

// Group commit: the jobs queued together in one transaction under the write
// lock and one COMMIT (one wait for the server's disk), each in a savepoint
// of its own, so a job that fails or undoes rolls back alone. A job that met
// a conflict runs again alone once the group committed; so does every job
// when the transaction itself failed, since nothing of it was kept. Every
// completion runs after the COMMIT (writer_loop). A job's SAVEPOINT goes
// with its first read, and its writes no read follows with its RELEASE: one
// pipeline each (pg_connection::defer), not one round trip per statement.
void postgres_store::run_group(connection& c, std::vector<queued>& group, write_stages::clock::time_point taken) {
  try {
    c.pg.exec(begin_write_sql);
    for (auto& q : group) {
      const auto started = write_stages::clock::now();
      timings().record(write_stage::ahead, taken, started);
      const std::uint64_t sent_before = c.pg.pipelines_sent();
      c.pg.defer({}, {}, "SAVEPOINT job");
      try {
        if (q.j(c.repo) == verdict::keep) {
          c.pg.defer({}, {}, "RELEASE SAVEPOINT job");
          c.pg.flush();  // a deferred statement that fails throws here: this job's failure
        } else {
          undo_job(c.pg, sent_before);
        }
        q.result = write_problem::none;
      } catch (const pg_unreachable&) {
        throw;
      } catch (const pg_error& e) {
        undo_job(c.pg, sent_before);
        if (e.conflict() || e.duplicate()) {
          q.again = true;
          q.duplicate_seen = e.duplicate();
        } else if (e.disk_full()) {
          ++failures_;
          q.result = write_problem::full;
        } else {
          spdlog::error("a write failed and was rolled back: {}", e.what());
          q.result = write_problem::internal;
        }
      } catch (const std::exception& e) {
        undo_job(c.pg, sent_before);
        spdlog::error("a write failed and was rolled back: {}", e.what());
        q.result = write_problem::internal;
      }
      q.ran_at = write_stages::clock::now();
      timings().record(write_stage::job, started, q.ran_at);
    }
    c.pg.exec("COMMIT");
    const auto committed = write_stages::clock::now();
    for (auto& q : group) {
      if (!q.again) timings().record(write_stage::commit, q.ran_at, committed);
    }
    if (failing_.exchange(false)) spdlog::info("database writes succeed again");
  } catch (const pg_unreachable& e) {
    ++failures_;
    if (!failing_.exchange(true)) spdlog::error("writes are refused until the database is back: {}", e.what());
    c.pg.drop();
    for (auto& q : group) q.result = write_problem::failing;
    return;
  } catch (const pg_error&) {
    try {
      c.pg.discard();
      c.pg.exec("ROLLBACK");
    } catch (const std::exception&) {
      c.pg.drop();
    }
    for (auto& q : group) q.again = true;
  }
  for (auto& q : group) {
    if (q.again) q.result = run(c, q.j, taken, q.duplicate_seen);
  }
}

// One job in one transaction under the write lock, run again after a conflict
// (which the lock leaves only to deadlocks with an operator's own statements).
write_problem postgres_store::run(connection& c, job& j, write_stages::clock::time_point taken, bool duplicate_seen) {
  thread_local std::minstd_rand jitter{std::random_device{}()};
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    try {
      // One write at a time across every relay, each statement seeing every
      // write committed before it: the single writer of the SQLite store,
      // shared. (SERIALIZABLE alone lets transactions run side by side, but
      // its page-level conflicts made busy relays give writes up.)
      c.pg.exec(begin_write_sql);
      const auto started = write_stages::clock::now();
      const verdict v = j(c.repo);
      const auto ran = write_stages::clock::now();
      if (v == verdict::keep) {
        c.pg.defer({}, {}, "COMMIT");  // with the writes no read followed
        c.pg.flush();
      } else {
        c.pg.discard();
        c.pg.exec("ROLLBACK");
      }
      timings().record(write_stage::ahead, taken, started);
      timings().record(write_stage::job, started, ran);
      timings().record(write_stage::commit, ran, write_stages::clock::now());
      if (failing_.exchange(false)) spdlog::info("database writes succeed again");
      return write_problem::none;
    } catch (const pg_unreachable& e) {
      ++failures_;
      if (!failing_.exchange(true)) spdlog::error("writes are refused until the database is back: {}", e.what());
      c.pg.drop();
      return write_problem::failing;
    } catch (const pg_error& e) {
      try {
        c.pg.discard();
        c.pg.exec("ROLLBACK");
      } catch (const std::exception&) {
        c.pg.drop();
      }
      if (e.conflict() || (e.duplicate() && !duplicate_seen)) {
        duplicate_seen = duplicate_seen || e.duplicate();
        // Another writer got there first: wait a moment (longer each time) and run it again.
        std::this_thread::sleep_for(std::chrono::microseconds(200 * (attempt + 1) + jitter() % 1000));
        continue;
      }
      ++failures_;
      if (e.disk_full()) return write_problem::full;
      spdlog::error("a write failed and was rolled back: {}", e.what());
      return write_problem::internal;
    } catch (const std::exception& e) {
      try {
        c.pg.discard();
        c.pg.exec("ROLLBACK");
      } catch (const std::exception&) {
        c.pg.drop();
      }
      spdlog::error("a write failed and was rolled back: {}", e.what());
      return write_problem::internal;
    }
  }
  spdlog::error("a write conflicted {} times and was given up", max_attempts);
  return write_problem::busy;
}

reader& postgres_store::acquire_reader() {
  pooled_reader* p = nullptr;
  {
    std::unique_lock lock(pool_mutex_);
    pool_cv_.wait(lock, [this] { return !idle_.empty(); });
    p = idle_.back();
    idle_.pop_back();
  }
  try {
    // Connected (again, when it was lost) before the BEGIN is deferred, so
    // the BEGIN is not dropped with a lost connection; it then goes in one
    // round trip with the read's first query.
    p->c.pg.get();
    p->c.pg.defer({}, {}, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  } catch (const std::exception&) {
    p->c.pg.drop();
    {
      std::lock_guard lock(pool_mutex_);
      idle_.push_back(p);
    }
    pool_cv_.notify_one();
    throw;
  }
  return p->c.repo;
}

void postgres_store::release_reader(reader& r) {
  pooled_reader* p = nullptr;
  for (auto& item : pool_) {
    if (&item->c.repo == &r) p = item.get();
  }
  if (p->c.pg.has_deferred()) {
    p->c.pg.discard();  // nothing was read, so the BEGIN never left
  } else {
    p->c.pg.send_unawaited("COMMIT");  // ends the snapshot now; nobody waits for its answer
  }
  {
    std::lock_guard lock(pool_mutex_);
    idle_.push_back(p);
  }
  pool_cv_.notify_one();
}

struct postgres_store::exclusive::impl {
  pg_connection pg;
  explicit impl(const std::string& conninfo) : pg(conninfo) {}
};

postgres_store::exclusive::exclusive(postgres_store& store, std::int64_t key)
    : impl_(std::make_unique<impl>(store.conninfo_)) {
  PGconn* c = impl_->pg.get();
  const std::string sql = "SELECT pg_try_advisory_lock(" + std::to_string(key) + ")";
  result q(PQexecParams(c, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0));
  check_result(c, q.get());
  held_ = q.text(0, 0) == "t";
}

postgres_store::exclusive::~exclusive() = default;  // the lock ends with its connection

}  // namespace shuttle::relay

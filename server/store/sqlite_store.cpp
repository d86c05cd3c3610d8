#include "server/store/sqlite_store.hpp"
#include "server/store/migrations.hpp"
#include "server/store/schema.hpp"
#include "server/store/sql.hpp"
#include "server/store/sqlite_rows.hpp"
#include "server/store/wal_write_buffer.hpp"

#include "server/limits.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>

#include <sys/statvfs.h>

namespace shuttle::relay {

namespace {

using namespace rows;  // the row decoders and their columns, shared with the PostgreSQL store

// The schema that added schema_version.serves_from, and the oldest relay
// schema that can serve a database at the latest one (raise it with a
// migration that older relays cannot read past).
constexpr int serves_from_recorded = 6;
constexpr int oldest_serving_schema = 9;

// Savepoint journals kept in memory up to this size before SQLite writes
// them to a temporary file (its default is 64 KiB). Every queued write runs
// in a savepoint of its group's transaction, and a group of a few letters
// journals more than 64 KiB of the index pages it changes: spilled, that was
// two pwrite calls per page, most of the writer's system calls
// (docs/PERFORMANCE.md). A larger transaction (a purge) still spills.
constexpr int savepoint_journal_in_memory_bytes = 4 * 1024 * 1024;

// Process-wide, before the first connection: no memory statistics, which
// would take a global mutex on every allocation SQLite makes, and savepoint
// journals in memory up to the size above.
void configure_library() {
  static const bool done = [] {
    // Each refused (harmlessly: SQLite's defaults stay) if SQLite is already in use.
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, savepoint_journal_in_memory_bytes);
    return true;
  }();
  (void)done;
}

void configure(SQLite::Database& db) {
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA secure_delete = ON");
  db.exec("PRAGMA synchronous = FULL");
  db.setBusyTimeout(5000);
}

template <std::size_t N>
void bind(SQLite::Statement& s, int i, const fixed<N>& v) {
  s.bind(i, v.data(), static_cast<int>(N));
}
void bind(SQLite::Statement& s, int i, std::uint64_t v) { s.bind(i, static_cast<std::int64_t>(v)); }
void bind(SQLite::Statement& s, int i, std::string_view v) { s.bind(i, std::string(v)); }
void bind(SQLite::Statement& s, int i, const std::string& v) { s.bind(i, v); }
void bind(SQLite::Statement& s, int i, bool v) { s.bind(i, v ? 1 : 0); }
void bind(SQLite::Statement& s, int i, const bytes& v) { s.bind(i, v.data(), static_cast<int>(v.size())); }
// Without it, a string literal would convert to bool.
void bind(SQLite::Statement& s, int i, const char* v) { s.bind(i, std::string(v)); }
template <class T>
void bind(SQLite::Statement& s, int i, const std::optional<T>& v) {
  if (v) {
    bind(s, i, *v);
  } else {
    s.bind(i);
  }
}

template <class... A>
void bind_all(SQLite::Statement& s, const A&... args) {
  int i = 1;
  (bind(s, i++, args), ...);
}

// A prepared statement from a connection's cache, reset (and its read
// snapshot released) when the lease ends. Compiling SQL costs more than
// running these small statements, so each text is compiled once per
// connection; a text already in use (a nested call) gets a fresh statement.
class statement_cache {
 public:
  explicit statement_cache(SQLite::Database& db) : db_(db) {}

  class lease {
   public:
    lease(statement_cache& c, const std::string& sql) {
      auto& slot = c.cache_[sql];
      if (!slot.statement) slot.statement = std::make_unique<SQLite::Statement>(c.db_, sql);
      if (slot.in_use) {
        own_ = std::make_unique<SQLite::Statement>(c.db_, sql);
        s_ = own_.get();
      } else {
        slot.in_use = true;
        in_use_ = &slot.in_use;
        s_ = slot.statement.get();
      }
    }
    ~lease() {
      try {
        s_->reset();
        s_->clearBindings();
      } catch (const SQLite::Exception&) {
        // reset() repeats the last step's error, which the caller already saw
      }
      if (in_use_) *in_use_ = false;
    }
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    operator SQLite::Statement&() { return *s_; }
    bool executeStep() { return s_->executeStep(); }
    SQLite::Column getColumn(int i) { return s_->getColumn(i); }
    // The current row, as the shared decoders read it.
    sqlite_row row() const { return sqlite_row(*s_); }
    template <class... A>
    void bind(A&&... a) {
      s_->bind(std::forward<A>(a)...);
    }
    int exec() { return s_->exec(); }

   private:
    SQLite::Statement* s_ = nullptr;
    std::unique_ptr<SQLite::Statement> own_;
    bool* in_use_ = nullptr;
  };

 private:
  struct slot {
    std::unique_ptr<SQLite::Statement> statement;
    bool in_use = false;
  };
  SQLite::Database& db_;
  std::unordered_map<std::string, slot> cache_;
};

// The SQL of every read and write, over one connection.
class sqlite_repository final : public writer {
 public:
  explicit sqlite_repository(SQLite::Database& db) : db_(db), statements_(db) {}

  std::optional<account_record> account_by_identity(const proto::public_key& identity) override {
    return one_account(sql::select_account_by_identity, identity);
  }
  std::optional<account_record> account_by_id(const proto::id& id) override {
    return one_account(sql::select_account_by_id, id);
  }
  std::optional<session_record> session(const proto::hash& token_hash) override {
    statement_cache::lease q(statements_, sql::select_session);
    bind_all(q, token_hash);
    if (!q.executeStep()) return std::nullopt;
    return session_of(q.row());
  }
  std::optional<invitation_record> invitation(const proto::id& id) override {
    statement_cache::lease q(statements_, sql::select_invitation);
    bind_all(q, id);
    if (!q.executeStep()) return std::nullopt;
    return invitation_of(q.row());
  }
  std::optional<case_record> case_by_id(const proto::id& id) override {
    statement_cache::lease q(statements_, sql::select_case);
    bind_all(q, id);
    if (!q.executeStep()) return std::nullopt;
    return case_of(q.row());
  }
  std::optional<participant_record> participant(const proto::id& case_id, const proto::id& account) override {
    statement_cache::lease q(statements_, sql::select_participant);
    bind_all(q, case_id, account);
    if (!q.executeStep()) return std::nullopt;
    return participant_of(q.row());
  }
  std::vector<participant_record> participants(const proto::id& case_id) override {
    statement_cache::lease q(statements_, sql::select_participants);
    bind_all(q, case_id);
    std::vector<participant_record> out;
    while (q.executeStep()) out.push_back(participant_of(q.row()));
    put_in_join_order(out);
    return out;
  }
  std::vector<std::pair<case_record, participant_record>> cases_of(const proto::id& account) override {
    statement_cache::lease q(statements_, sql::select_cases_of_account);
    bind_all(q, account);
    std::vector<std::pair<case_record, participant_record>> out;
    while (q.executeStep()) {
      const sqlite_row r = q.row();
      out.emplace_back(case_of(r), participant_of(r, case_column_count));
    }
    return out;
  }
  std::vector<key_record> keys(const proto::id& case_id) override {
    statement_cache::lease q(statements_, "SELECT " + key_columns + " FROM key_statements k JOIN accounts a ON a.id = k.account_id "
                                                       "WHERE k.case_id = ? ORDER BY k.created_at, k.rowid");
    bind_all(q, case_id);
    std::vector<key_record> out;
    while (q.executeStep()) out.push_back(key_of(q.row()));
    return out;
  }
  std::optional<key_record> key(const proto::id& id) override {
    statement_cache::lease q(statements_, sql::select_key);
    bind_all(q, id);
    if (!q.executeStep()) return std::nullopt;
    return key_of(q.row());
  }
  std::vector<attestation_record> attestations(const proto::id& case_id) override {
    statement_cache::lease q(statements_, "SELECT " + attestation_columns + " FROM attestations t JOIN accounts s ON s.id = t.subject_account "
                             "JOIN accounts b ON b.id = t.attested_by WHERE t.case_id = ? ORDER BY t.rowid");
    bind_all(q, case_id);
    std::vector<attestation_record> out;
    while (q.executeStep()) out.push_back(attestation_of(q.row()));
    return out;
  }
  std::optional<statement_record> statement(const proto::id& id) override {
    statement_cache::lease q(statements_, sql::select_statement);
    bind_all(q, id);
    if (!q.executeStep()) return std::nullopt;
    return statement_of(q.row());
  }

  std::optional<message_record> message(const proto::id& id) override {
    statement_cache::lease q(statements_, sql::select_message);
    bind_all(q, id);
    if (!q.executeStep()) return std::nullopt;
    return message_of(q.row());
  }
  std::vector<message_record> messages(const proto::id& case_id) override {
    statement_cache::lease q(statements_, "SELECT " + message_columns + " FROM messages m JOIN accounts a ON a.id = m.sender_account "
                                                           "LEFT JOIN accounts c ON c.id = m.claimed_by "
                                                           "WHERE m.case_id = ? ORDER BY m.submitted_at, m.rowid");
    bind_all(q, case_id);
    return all_messages(q);
  }
  std::vector<message_record> review_queue(const proto::id& facilitator, std::size_t limit) override {
    statement_cache::lease q(statements_, "SELECT " + message_columns + " FROM messages m JOIN accounts a ON a.id = m.sender_account "
                                                           "LEFT JOIN accounts c ON c.id = m.claimed_by "
                                                           "JOIN participants p ON p.case_id = m.case_id "
                                                           "WHERE m.state = 'in_review' AND m.kind != 'note' "
                                                           "AND m.release_at IS NULL AND p.account_id = ? "
                                                           "AND p.role = 'facilitator' AND p.state = 'active' "
                                                           "ORDER BY m.submitted_at, m.rowid LIMIT ?");
    bind_all(q, facilitator, static_cast<std::uint64_t>(limit));
    return all_messages(q);
  }
  std::vector<message_record> due_for_release(std::uint64_t now) override {
    statement_cache::lease q(statements_, sql::select_due_for_release);
    bind_all(q, now);
    return all_messages(q);
  }
  std::optional<std::string> ciphertext(const proto::id& message_id) override {
    // Its row found by the key, then its bytes read straight into the answer
    // through SQLite's incremental I/O: no copy of the whole in SQLite's own
    // buffer, nor a second on the way.
    std::int64_t row = 0;
    {
      statement_cache::lease q(statements_, "SELECT rowid FROM ciphertexts WHERE message_id = ?");
      bind_all(q, message_id);
      if (!q.executeStep()) return std::nullopt;
      row = q.getColumn(0).getInt64();
    }
    sqlite3_blob* blob = nullptr;
    if (sqlite3_blob_open(db_.getHandle(), "main", "ciphertexts", "bytes", row, 0, &blob) != SQLITE_OK) {
      sqlite3_blob_close(blob);
      throw SQLite::Exception(db_.getHandle());
    }
    std::string out(static_cast<std::size_t>(sqlite3_blob_bytes(blob)), '\0');
    const int read = sqlite3_blob_read(blob, out.data(), static_cast<int>(out.size()), 0);
    sqlite3_blob_close(blob);
    if (read != SQLITE_OK) throw SQLite::Exception(db_.getHandle(), read);
    return out;
  }
  std::vector<review_record> reviews(const proto::id& message_id) override {
    statement_cache::lease q(statements_, "SELECT " + review_columns + " FROM reviews r JOIN accounts a ON a.id = r.facilitator_account "
                             "WHERE r.message_id = ? ORDER BY r.created_at, r.rowid");
    bind_all(q, message_id);
    std::vector<review_record> out;
    while (q.executeStep()) out.push_back(review_of(q.row()));
    return out;
  }
  std::vector<proto::public_key> supporter_readers(const proto::id& message_id) override {
    statement_cache::lease q(statements_, "SELECT reader_key FROM supporter_readers WHERE message_id = ?");
    bind_all(q, message_id);
    std::vector<proto::public_key> out;
    while (q.executeStep()) out.push_back(q.row().fixed_at<32>(0));
    return out;
  }
  std::vector<grant_record> grants(const proto::id& case_id) override {
    statement_cache::lease q(statements_, sql::select_grants);
    bind_all(q, case_id);
    std::vector<grant_record> out;
    while (q.executeStep()) out.push_back(grant_of(q.row()));
    put_in_grant_order(out);
    return out;
  }
  std::vector<consent_record> consents(const proto::id& case_id) override {
    statement_cache::lease q(statements_, sql::select_consents);
    bind_all(q, case_id);
    std::vector<consent_record> out;
    while (q.executeStep()) out.push_back(consent_of(q.row()));
    return out;
  }
  std::vector<referral_key_record> referral_keys() override {
    statement_cache::lease q(statements_, sql::select_referral_keys);
    std::vector<referral_key_record> out;
    while (q.executeStep()) out.push_back(referral_key_of(q.row()));
    return out;
  }
  std::optional<referral_record> referral(const proto::id& id) override {
    statement_cache::lease q(statements_, "SELECT " + std::string(referral_columns) + " FROM referrals WHERE id = ?");
    bind_all(q, id);
    if (!q.executeStep()) return std::nullopt;
    return referral_of(q.row());
  }
  std::vector<referral_record> open_referrals(std::size_t limit) override {
    statement_cache::lease q(statements_, "SELECT " + std::string(referral_columns) +
                                              " FROM referrals WHERE state <> 'closed' ORDER BY received_at, id LIMIT ?");
    bind_all(q, static_cast<std::uint64_t>(limit));
    std::vector<referral_record> out;
    while (q.executeStep()) out.push_back(referral_of(q.row()));
    return out;
  }
  std::uint64_t open_referral_count() override {
    statement_cache::lease q(statements_, sql::count_open_referrals);
    return q.executeStep() ? q.row().u64(0) : 0;
  }
  std::optional<bytes> referral_wrap(const proto::id& referral, const proto::public_key& reader_key) override {
    statement_cache::lease q(statements_, sql::select_referral_wrap);
    bind_all(q, referral, reader_key);
    if (!q.executeStep()) return std::nullopt;
    return q.row().blob(0);
  }
  std::vector<agreement_statement_record> agreement_statements(const proto::id& message_id) override {
    statement_cache::lease q(statements_, "SELECT " + agreement_statement_columns + " FROM agreement_statements WHERE message_id = ? ORDER BY rowid");
    bind_all(q, message_id);
    std::vector<agreement_statement_record> out;
    while (q.executeStep()) out.push_back(agreement_statement_of(q.row()));
    return out;
  }
  std::optional<agreement_bound_record> agreement_bound(const proto::id& message_id) override {
    statement_cache::lease q(statements_, sql::select_agreement_bound);
    bind_all(q, message_id);
    if (!q.executeStep()) return std::nullopt;
    return agreement_bound_of(q.row());
  }
  std::optional<bytes> writing_aid(const proto::id& case_id, const proto::public_key& reader_key,
                                   const std::string& purpose) override {
    statement_cache::lease q(statements_,
                             sql::select_writing_aid);
    bind_all(q, case_id, reader_key, purpose);
    if (!q.executeStep()) return std::nullopt;
    return q.row().blob(0);
  }
  std::optional<bytes> label(const proto::id& case_id, const proto::public_key& reader_key) override {
    statement_cache::lease q(statements_, sql::select_label);
    bind_all(q, case_id, reader_key);
    if (!q.executeStep()) return std::nullopt;
    return q.row().blob(0);
  }
  std::optional<proto::audit_entry> audit_head(const proto::id& case_id) override {
    statement_cache::lease q(statements_, sql::select_audit_head);
    bind_all(q, case_id);
    if (!q.executeStep()) return std::nullopt;
    return audit_of(q.row());
  }
  std::vector<proto::audit_entry> audit_chain(const proto::id& case_id) override {
    statement_cache::lease q(statements_, "SELECT " + audit_columns + " FROM audit_entries WHERE case_id = ? ORDER BY rowid");
    bind_all(q, case_id);
    std::vector<proto::audit_entry> out;
    while (q.executeStep()) out.push_back(audit_of(q.row()));
    return out;
  }
  std::vector<proto::id> audit_chains() override {
    statement_cache::lease q(statements_, sql::select_audit_chains);
    std::vector<proto::id> out;
    while (q.executeStep()) out.push_back(q.row().fixed_at<16>(0));
    return out;
  }
  std::vector<proto::id> unsigned_chains() override {
    statement_cache::lease q(statements_,
                             sql::select_unsigned_chains);
    std::vector<proto::id> out;
    while (q.executeStep()) out.push_back(q.row().fixed_at<16>(0));
    return out;
  }
  std::optional<proto::audit_checkpoint> latest_checkpoint(const proto::id& case_id) override {
    statement_cache::lease q(statements_, sql::select_latest_checkpoint);
    bind_all(q, case_id);
    if (!q.executeStep()) return std::nullopt;
    return checkpoint_of(q.row());
  }
  std::vector<event_record> events_after(const proto::id& account, std::uint64_t seq, std::size_t limit) override {
    statement_cache::lease q(statements_, sql::select_events_after);
    bind_all(q, account, seq, static_cast<std::uint64_t>(limit));
    std::vector<event_record> out;
    while (q.executeStep()) out.push_back(event_of(q.row()));
    return out;
  }
  std::vector<proto::id> cases_to_purge(std::uint64_t closed_before) override {
    statement_cache::lease q(statements_, sql::select_cases_to_purge);
    bind_all(q, closed_before);
    std::vector<proto::id> out;
    while (q.executeStep()) out.push_back(q.row().fixed_at<16>(0));
    return out;
  }

  void insert_message(const message_record& m, const bytes& ciphertext) override {
    exec(sql::insert_message,
         m.id, m.case_id, m.sender_account, proto::to_string(m.kind), proto::to_string(m.to), m.supersedes, m.answers,
         proto::to_string(m.state), m.envelope, m.ciphertext_size, m.ciphertext_hash, m.submitted_at, m.submitted_at);
    statement_cache::lease q(statements_, sql::insert_ciphertext);
    bind_all(q, m.id);
    q.bind(2, ciphertext.data(), static_cast<int>(ciphertext.size()));
    q.exec();
  }
  void set_message_state(const proto::id& id, proto::message_state s, std::uint64_t now) override {
    using ms = proto::message_state;
    const char* extra = s == ms::released ? ", released_at = ?1, release_at = NULL"
                        : s == ms::delivered ? ", delivered_at = ?1"
                                             : "";
    statement_cache::lease q(statements_, std::string("UPDATE messages SET state = ?2, changed_at = ?1, claimed_by = NULL, "
                                         "claim_expires_at = NULL") + extra + " WHERE id = ?3");
    bind_all(q, now, proto::to_string(s), id);
    q.exec();
  }
  std::optional<std::uint64_t> last_done(const std::string& job) override {
    statement_cache::lease q(statements_, sql::select_maintenance_done);
    bind_all(q, job);
    if (!q.executeStep()) return std::nullopt;
    return q.row().u64(0);
  }
  void record_done(const std::string& job, std::uint64_t at) override {
    exec(sql::record_maintenance_done, job, at);
  }
  void tell_declined(const proto::id& id, const std::optional<bytes>& note, std::uint64_t now) override {
    exec("UPDATE messages SET decline_told_at = ?, decline_note = ? WHERE id = ?", now, note, id);
  }
  void set_release_at(const proto::id& id, std::uint64_t at) override {
    exec(sql::set_release_at, at, id);
  }
  void set_claim(const proto::id& id, const std::optional<proto::id>& account, std::uint64_t expires_at) override {
    exec("UPDATE messages SET claimed_by = ?, claim_expires_at = ? WHERE id = ?", account, expires_at, id);
  }
  void insert_review(const proto::id& message_id, const proto::id& facilitator_account, bool approve,
                     const std::string& statement, std::uint64_t now) override {
    exec(sql::insert_review, message_id, facilitator_account, approve ? "approve" : "return", statement, now);
  }
  void shred_message(const proto::id& id) override {
    exec(sql::delete_ciphertext, id);
    exec(sql::shred_envelope, id);
    exec(sql::shred_reviews, id);
    truncate_log_after_commit();
  }
  void mark_purged(const proto::id& case_id, std::uint64_t now) override {
    statement_cache::lease q(statements_, sql::select_unpurged_message_ids);
    bind_all(q, case_id);
    std::vector<proto::id> ids;
    while (q.executeStep()) ids.push_back(q.row().fixed_at<16>(0));
    for (const auto& id : ids) shred_message(id);
    exec(sql::mark_case_purged, now, case_id);
    exec(sql::delete_labels, case_id);
    exec(sql::delete_writing_aids, case_id);
  }
  void insert_supporter_readers(const proto::id& message_id, const std::vector<proto::public_key>& readers) override {
    for (const auto& r : readers) {
      exec("INSERT OR IGNORE INTO supporter_readers (message_id, reader_key) VALUES (?, ?)", message_id, r);
    }
  }
  void set_grant(const grant_record& g) override {
    exec("INSERT OR REPLACE INTO grants (case_id, party_account, supporter_key, reads, statement, at) "
         "VALUES (?, ?, ?, ?, ?, ?)",
         g.case_id, g.party_account, g.supporter, g.reads, g.statement, g.at);
  }
  void set_labels(const proto::id& case_id, const std::vector<std::pair<proto::public_key, bytes>>& boxes,
                  std::uint64_t now) override {
    exec(sql::delete_labels, case_id);
    for (const auto& [reader_key, box] : boxes) {
      exec(sql::insert_label, case_id, reader_key, box, now);
    }
    truncate_log_after_commit();
  }
  void set_quiet_hours(const proto::id& case_id, const std::optional<quiet_hours>& q) override {
    if (q) {
      exec(sql::set_quiet_hours, q->time_zone, std::uint64_t{q->start_minute}, std::uint64_t{q->end_minute}, case_id);
    } else {
      exec(sql::clear_quiet_hours, case_id);
    }
  }
  void set_stage(const proto::id& case_id, proto::case_stage stage, const std::string& statement) override {
    exec(sql::set_stage, std::string(proto::to_string(stage)), statement, case_id);
  }
  void set_writing_aid(const proto::id& case_id, const proto::public_key& reader_key, const std::string& purpose,
                       const bytes& box, std::uint64_t now) override {
    exec("INSERT OR REPLACE INTO writing_aids (case_id, reader_key, purpose, box, set_at) VALUES (?, ?, ?, ?, ?)", case_id,
         reader_key, purpose, box, now);
  }
  void set_consent(const consent_record& c) override {
    exec("INSERT OR REPLACE INTO consents (case_id, account_id, text_hash, statement, at) VALUES (?, ?, ?, ?, ?)",
         c.case_id, c.account, c.text_hash, c.statement, c.at);
  }
  void set_referral_key(const referral_key_record& k) override {
    exec("INSERT OR REPLACE INTO referral_keys (account_id, key, statement, at) VALUES (?, ?, ?, ?)", k.account, k.key,
         k.statement, k.at);
  }
  void insert_referral(const referral_record& r,
                       const std::vector<std::pair<proto::public_key, bytes>>& wraps) override {
    exec("INSERT INTO referrals (id, secret_hash, ciphertext, received_at, state, state_at, entered_by, case_id) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
         r.id, r.secret_hash, r.ciphertext, r.received_at, r.state, r.state_at, r.entered_by, r.case_id);
    for (const auto& [key, wrap] : wraps) {
      exec(sql::insert_referral_wrap, r.id, key, wrap);
    }
  }
  void set_referral_state(const proto::id& id, const std::string& state, std::uint64_t at,
                          const std::optional<proto::id>& case_id) override {
    exec("UPDATE referrals SET state = ?, state_at = ?, case_id = coalesce(?, case_id) WHERE id = ?", state, at, case_id,
         id);
    if (state == "closed") {
      exec(sql::shred_referral, id);
      exec(sql::delete_referral_wraps, id);
    }
  }
  void insert_agreement_statement(const agreement_statement_record& s) override {
    exec(sql::insert_agreement_statement,
         s.message_id, std::uint64_t{s.mark ? 1u : 0u}, s.signer, s.agreement_hash, s.statement, s.at);
  }
  void set_agreement_bound(const agreement_bound_record& b) override {
    exec(sql::insert_agreement_bound, b.message_id, b.agreement_hash, b.at);
  }
  void set_paused(const proto::id& case_id, bool paused, const std::string& statement) override {
    exec(sql::set_paused, std::uint64_t{paused ? 1u : 0u}, statement, case_id);
  }
  void insert_audit(const proto::audit_entry& e) override {
    exec(sql::insert_audit_entry,
         e.case_id, e.seq, e.at, proto::to_string(e.event), e.actor, e.subject, e.statement, e.prev, e.entry_hash);
  }
  void insert_checkpoint(const proto::audit_checkpoint& c) override {
    exec("INSERT OR REPLACE INTO audit_checkpoints (case_id, seq, head, at, sig) VALUES (?, ?, ?, ?, ?)", c.case_id,
         c.seq, c.head, c.at, c.sig);
  }
  std::uint64_t insert_event(const event_record& e) override {
    exec("INSERT INTO events (account_id, case_id, event, message_id, at) VALUES (?, ?, ?, ?, ?)", e.account,
         e.case_id, e.event, e.message, e.at);
    return static_cast<std::uint64_t>(db_.getLastInsertRowid());
  }
  bool use_login_challenge(const proto::login_challenge& c, std::uint64_t expires_at, std::uint64_t now) override {
    exec(sql::delete_expired_login_challenges, now);
    return exec("INSERT OR IGNORE INTO used_login_challenges (challenge, expires_at) VALUES (?, ?)", c, expires_at) == 1;
  }
  void truncate_log_after_commit() override { truncate_requested_ = true; }
  bool take_truncate_request() { return std::exchange(truncate_requested_, false); }

  void insert_account(const account_record& a) override {
    exec("INSERT INTO accounts (id, identity_key, is_facilitator, created_at, display_name) VALUES (?, ?, ?, ?, ?)",
         a.id, a.identity, a.facilitator, a.created_at, a.display_name);
  }
  void insert_session(const session_record& s) override {
    exec(sql::insert_session, s.token_hash, s.account, s.created_at, s.last_used_at, s.expires_at);
  }
  void touch_session(const proto::hash& token_hash, std::uint64_t now) override {
    exec(sql::touch_session, now, token_hash);
  }
  void delete_session(const proto::hash& token_hash) override {
    exec(sql::delete_session, token_hash);
  }
  void delete_sessions_of(const proto::id& account) override {
    exec(sql::delete_sessions_of_account, account);
  }
  void delete_expired_sessions(std::uint64_t now, std::uint64_t idle_seconds) override {
    exec("DELETE FROM sessions WHERE expires_at <= ? OR last_used_at + ? <= ?", now, idle_seconds, now);
  }
  void insert_invitation(const invitation_record& i) override {
    std::optional<proto::id> case_id;
    if (i.case_id != proto::null_case) case_id = i.case_id;
    exec("INSERT INTO invitations (id, case_id, role, secret_hash, expires_at, inviter_key, statement) "
         "VALUES (?, ?, ?, ?, ?, ?, ?)",
         i.id, case_id, proto::to_string(i.role), i.secret_hash, i.expires_at, i.inviter, i.statement);
  }
  void mark_invitation_used(const proto::id& id, std::uint64_t now) override {
    exec(sql::mark_invitation_used, now, id);
  }
  void insert_case(const case_record& c, const proto::id& opened_by) override {
    exec(sql::insert_case, c.id, c.approvals_required, opened_by, c.open_statement, c.created_at);
  }
  void close_case(const proto::id& id, const std::string& statement, std::uint64_t now) override {
    exec(sql::close_case, statement, now, id);
  }
  void insert_participant(const participant_record& p) override {
    exec("INSERT INTO participants (case_id, account_id, role, state, enrolment, joined_at) VALUES (?, ?, ?, ?, ?, ?)",
         p.case_id, p.account, proto::to_string(p.role), proto::to_string(p.state), p.enrolment, p.joined_at);
  }
  void set_participant_state(const proto::id& case_id, const proto::id& account, proto::participant_state s,
                             std::uint64_t now) override {
    exec(sql::set_participant_state, proto::to_string(s), now, case_id, account);
  }
  void insert_key(const key_record& k, const proto::id& account) override {
    exec(sql::insert_key, k.id, k.case_id, account, k.case_key, k.statement, k.created_at);
  }
  void insert_attestation(const attestation_record& a, const proto::id& subject_account,
                          const proto::id& attested_by_account) override {
    exec(sql::insert_attestation, a.id, a.case_id, subject_account, a.key_statement, attested_by_account, a.statement);
  }
  void insert_statement(const statement_record& s, const proto::id& case_id) override {
    exec(sql::insert_statement, s.id, case_id, s.type, s.hash, s.answer);
  }

 private:
  template <class... A>
  int exec(const std::string& text, const A&... args) {
    statement_cache::lease q(statements_, text);
    bind_all(q, args...);
    return q.exec();
  }
  template <class K>
  std::optional<account_record> one_account(const std::string& select, const K& key) {
    statement_cache::lease q(statements_, select);
    bind_all(q, key);
    if (!q.executeStep()) return std::nullopt;
    return account_of(q.row());
  }
  static std::vector<message_record> all_messages(statement_cache::lease& q) {
    std::vector<message_record> out;
    while (q.executeStep()) out.push_back(message_of(q.row()));
    return out;
  }
  SQLite::Database& db_;
  statement_cache statements_;
  bool truncate_requested_ = false;
};

int migrate(SQLite::Database& db) {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  int version = 0;
  int serves_from = 0;
  {
    SQLite::Statement q(db, "SELECT version FROM schema_version");
    if (q.executeStep()) {
      version = q.getColumn(0).getInt();
    } else {
      db.exec("INSERT INTO schema_version (version) VALUES (0)");
    }
  }
  if (version >= serves_from_recorded) {
    SQLite::Statement q(db, "SELECT serves_from FROM schema_version");
    if (q.executeStep()) serves_from = q.getColumn(0).getInt();
  }
  const int known = static_cast<int>(sqlite_migrations().size());
  if (!must_migrate(version, serves_from, known)) {
    if (version > known) spdlog::warn("the database is at schema {}, newer than this relay's {}; it serves it", version, known);
    return version;
  }
  for (auto v = static_cast<std::size_t>(version); v < sqlite_migrations().size(); ++v) {
    SQLite::Transaction t(db, SQLite::TransactionBehavior::IMMEDIATE);
    db.exec(std::string(sqlite_migrations()[v]));
    db.exec("UPDATE schema_version SET version = " + std::to_string(v + 1));
    if (v + 1 >= serves_from_recorded) {
      db.exec("UPDATE schema_version SET serves_from = " + std::to_string(oldest_serving_schema) +
              " WHERE serves_from < " + std::to_string(oldest_serving_schema));
    }
    t.commit();
    spdlog::info("database migrated to schema {}", v + 1);
  }
  return known;
}

}  // namespace

struct sqlite_store::pooled {
  std::unique_ptr<SQLite::Database> db;
  std::unique_ptr<reader> repo;
};

reader& sqlite_store::acquire_reader() {
  std::unique_lock lock(pool_mutex_);
  pool_cv_.wait(lock, [this] { return !idle_.empty(); });
  pooled* p = idle_.back();
  idle_.pop_back();
  return *p->repo;
}

void sqlite_store::release_reader(reader& r) {
  {
    std::lock_guard lock(pool_mutex_);
    for (auto& p : pool_) {
      if (p->repo.get() == &r) idle_.push_back(p.get());
    }
  }
  pool_cv_.notify_one();
}

sqlite_store::sqlite_store(const std::filesystem::path& file, std::size_t readers)
    : directory_(file.has_parent_path() ? file.parent_path() : std::filesystem::path(".")),
      reserve_(std::make_unique<space_reserve>(directory_ / "space-reserve")) {
  configure_library();
  try {
    // The writer's log writes go to the disk in one call per commit
    // (wal_write_buffer.hpp); every other connection reads the log as written.
    writer_db_ = std::make_unique<SQLite::Database>(
        file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX, 0,
        wal_write_buffer::vfs_name());
    writer_db_->exec("PRAGMA journal_mode = WAL");
    configure(*writer_db_);
    // The writer touches the newest pages of every index at once; keep them (up to 32 MiB).
    writer_db_->exec("PRAGMA cache_size = -32768");
    schema_version_ = migrate(*writer_db_);
    writer_db_->exec("PRAGMA wal_autocheckpoint = 0");  // the checkpointer's work, below
    sqlite3_wal_hook(writer_db_->getHandle(), &sqlite_store::on_commit, this);
    checkpoint_db_ = std::make_unique<SQLite::Database>(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX);
    configure(*checkpoint_db_);
    writer_repo_ = std::make_unique<sqlite_repository>(*writer_db_);
    for (std::size_t i = 0; i < std::max<std::size_t>(readers, 1); ++i) {
      auto p = std::make_unique<pooled>();
      p->db = std::make_unique<SQLite::Database>(file.string(), SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX);
      p->db->exec("PRAGMA foreign_keys = ON");
      p->db->setBusyTimeout(5000);
      p->repo = std::make_unique<sqlite_repository>(*p->db);
      idle_.push_back(p.get());
      pool_.push_back(std::move(p));
    }
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error("cannot open the database " + file.string() + ": " + e.what());
  }
  writer_thread_ = std::thread([this] { writer_loop(); });
  checkpoint_thread_ = std::thread([this] { checkpoint_loop(); });
}

// Called by SQLite on the writer thread after each commit, with the log's size.
int sqlite_store::on_commit(void* self, sqlite3*, const char*, int pages) {
  auto* store = static_cast<sqlite_store*>(self);
  const int wake_at = store->checkpoint_pages_.load(std::memory_order_relaxed);
  if (pages >= wal_hard_limit_pages || (pages >= wake_at && store->residue_due_.exchange(false))) {
    // No other write can come in between: this copies the whole log, and
    // the next commit starts it again from its beginning.
    sqlite3_wal_checkpoint_v2(store->writer_db_->getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= wake_at) {
    {
      std::lock_guard lock(store->checkpoint_mutex_);
      store->checkpoint_due_ = true;
    }
    store->checkpoint_cv_.notify_one();
  }
  return SQLITE_OK;
}

// Copies the log into the database whenever the writer says it grew, while
// writes go on (PASSIVE: it never blocks the writer or a reader). The next
// commit after a complete copy starts the log again from its beginning.
// Once a second it also takes the space reserve back when the disk has
// room for it and for as much again besides.
void sqlite_store::checkpoint_loop() {
  for (;;) {
    {
      std::unique_lock lock(checkpoint_mutex_);
      const bool due = checkpoint_cv_.wait_for(lock, std::chrono::seconds(1),
                                               [this] { return checkpoint_due_ || checkpoint_stopping_; });
      if (checkpoint_stopping_) return;
      if (!due) {
        lock.unlock();
        if (reserve_bytes_ > 0 && !reserve_->held() && measure_free_bytes() >= 2 * reserve_bytes_) {
          reserve_->hold_again();
        }
        continue;
      }
      checkpoint_due_ = false;
    }
    const int rc =
        sqlite3_wal_checkpoint_v2(checkpoint_db_->getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc == SQLITE_OK) {
      residue_due_ = true;
    } else if (rc != SQLITE_BUSY) {
      spdlog::warn("WAL checkpoint failed: {}", sqlite3_errstr(rc));
    }
  }
}

sqlite_store::~sqlite_store() { stop(); }

int sqlite_store::latest_schema_version() { return static_cast<int>(sqlite_migrations().size()); }

// Copies the WAL into the database and truncates it to zero bytes, so bytes
// shredded by the last commit no longer sit in the log. Readers hold the log
// only for a moment; a checkpoint that could not finish is retried briefly.
void sqlite_store::truncate_log() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    try {
      SQLite::Statement q(*writer_db_, "PRAGMA wal_checkpoint(TRUNCATE)");
      if (q.executeStep() && q.getColumn(0).getInt() == 0) return;  // 0: not blocked
    } catch (const SQLite::Exception& e) {
      spdlog::warn("WAL checkpoint failed: {}", e.what());
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  spdlog::warn("WAL checkpoint stayed blocked by readers; it will run again after the next shredding write");
}

void sqlite_store::set_free_space_reserve(std::uint64_t bytes) {
  reserve_bytes_ = bytes;
  // The log is copied and started again before it holds a quarter of the
  // reserve: on a full disk it grows only into space the reserve gave back.
  const std::uint64_t quarter = bytes / 4 / 4096;
  checkpoint_pages_ = bytes == 0 ? wal_checkpoint_pages
                                 : static_cast<int>(std::clamp<std::uint64_t>(quarter, 256, wal_checkpoint_pages));
  reserve_->hold(bytes);
}

void sqlite_store::stop() {
  if (!queue_.close() && !writer_thread_.joinable()) return;
  if (writer_thread_.joinable()) writer_thread_.join();
  {
    std::lock_guard lock(checkpoint_mutex_);
    checkpoint_stopping_ = true;
  }
  checkpoint_cv_.notify_all();
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
  if (writer_db_) {
    try {
      writer_db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (const SQLite::Exception& e) {
      spdlog::warn("WAL checkpoint at close failed: {}", e.what());
    }
  }
}

std::size_t sqlite_store::queue_depth() const { return queue_.size(); }

std::uint64_t sqlite_store::measure_free_bytes() const {
  struct statvfs fs {};
  if (::statvfs(directory_.c_str(), &fs) == 0) free_bytes_ = std::uint64_t{fs.f_bavail} * fs.f_frsize;
  free_checked_at_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now().time_since_epoch()).count();
  return free_bytes_;
}

std::uint64_t sqlite_store::free_bytes() const {
  // statvfs is cheap, but not free on every request: once a second is enough
  // here, as the writer looks again before each group.
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now().time_since_epoch()).count();
  if (now_ms - free_checked_at_ms_.load() >= 1000) return measure_free_bytes();
  return free_bytes_;
}

storage_health sqlite_store::health() const {
  storage_health h;
  h.free_bytes = free_bytes();
  h.failures = storage_failures_;
  switch (problem_.load()) {
    case 1: h.problem = "full"; break;
    case 2: h.problem = "failing"; break;
    default: h.problem = reserve_bytes_ > 0 && (h.free_bytes < reserve_bytes_ || !reserve_->held()) ? "low" : ""; break;
  }
  return h;
}

write_problem sqlite_store::problem_of(const std::exception& e) {
  int code = 0;
  if (const auto* s = dynamic_cast<const SQLite::Exception*>(&e)) code = s->getErrorCode() & 0xff;
  if (code != SQLITE_FULL && code != SQLITE_IOERR) return write_problem::internal;
  ++storage_failures_;
  const int problem = code == SQLITE_FULL ? 1 : 2;
  if (problem_.exchange(problem) != problem) {
    spdlog::error("storage {}: writes are refused until it recovers ({})", problem == 1 ? "full" : "failing", e.what());
  }
  return problem == 1 ? write_problem::full : write_problem::failing;
}

void sqlite_store::submit(job j, completion done, write_class c) {
  if (c == write_class::ordinary && reserve_bytes_ > 0 && (free_bytes() < reserve_bytes_ || !reserve_->held())) {
    ++storage_failures_;
    return done(write_problem::full);
  }
  queued q{std::move(j), std::move(done), c};
  q.queued_at = write_stages::clock::now();
  if (!queue_.offer(q)) q.done(write_problem::busy);
}

bool sqlite_store::below_reserve() const {
  if (reserve_bytes_ == 0) return false;
  return !reserve_->held() || measure_free_bytes() < reserve_bytes_;
}

// Runs the jobs in one transaction, each in its own savepoint, and records
// each one's outcome in it; a commit that fails gives every job its failure.
void sqlite_store::run_group(const std::vector<queued*>& jobs, write_stages::clock::time_point taken) {
  bool wrote = false;
  std::optional<write_problem> group_failure;
  try {
    begin_->exec();
    begin_->reset();
    for (queued* q : jobs) {
      const auto started = write_stages::clock::now();
      timings().record(write_stage::ahead, taken, started);
      savepoint_->exec();
      savepoint_->reset();
      try {
        const verdict v = q->j(*writer_repo_);
        if (v == verdict::keep) {
          release_->exec();
          release_->reset();
          wrote = true;
        } else {
          rollback_->exec();
          rollback_->reset();
          release_->exec();
          release_->reset();
        }
        q->result = write_problem::none;
      } catch (const std::exception& e) {
        const write_problem f = problem_of(e);
        if (f == write_problem::internal) spdlog::error("a write failed and was rolled back: {}", e.what());
        try {
          rollback_->reset();
          rollback_->exec();
          rollback_->reset();
          release_->reset();
          release_->exec();
          release_->reset();
        } catch (const std::exception&) {
          // SQLite rolled the whole transaction back itself (it does on a
          // full disk): every job of the group fails the same way.
          group_failure = f;
          throw;
        }
        q->result = f;
      }
      q->ran_at = write_stages::clock::now();
      timings().record(write_stage::job, started, q->ran_at);
    }
    commit_->exec();
    commit_->reset();
    const auto committed = write_stages::clock::now();
    for (queued* q : jobs) timings().record(write_stage::commit, q->ran_at, committed);
    if (wrote && problem_.exchange(0) != 0) spdlog::info("storage writes succeed again");
    if (static_cast<sqlite_repository&>(*writer_repo_).take_truncate_request()) truncate_log();
  } catch (const std::exception& e) {
    for (auto& st : {begin_.get(), commit_.get(), savepoint_.get(), release_.get(), rollback_.get(), abandon_.get()}) {
      try {
        st->reset();
      } catch (const SQLite::Exception&) {
        // reset() repeats an earlier error; the statement is ready again all the same
      }
    }
    // A transaction SQLite did not end itself (it does on a full disk) ends here.
    if (sqlite3_get_autocommit(writer_db_->getHandle()) == 0) {
      try {
        abandon_->exec();
        abandon_->reset();
      } catch (const SQLite::Exception& again) {
        spdlog::error("a failed group commit could not be rolled back: {}", again.what());
      }
    }
    const write_problem f = group_failure ? *group_failure : problem_of(e);
    if (f == write_problem::internal) spdlog::error("a group commit failed: {}", e.what());
    for (queued* q : jobs) q->result = f;
  }
}

void sqlite_store::writer_loop() {
  std::vector<queued> group;
  std::vector<queued*> runnable, essential;
  // Compiled once: they run around every group and every job (a statement
  // given as text is parsed again each time it runs).
  begin_ = std::make_unique<SQLite::Statement>(*writer_db_, "BEGIN IMMEDIATE");
  commit_ = std::make_unique<SQLite::Statement>(*writer_db_, "COMMIT");
  abandon_ = std::make_unique<SQLite::Statement>(*writer_db_, "ROLLBACK");
  savepoint_ = std::make_unique<SQLite::Statement>(*writer_db_, "SAVEPOINT job");
  release_ = std::make_unique<SQLite::Statement>(*writer_db_, "RELEASE job");
  rollback_ = std::make_unique<SQLite::Statement>(*writer_db_, "ROLLBACK TO job");
  while (queue_.take(group, max_group_commit)) {
    const auto taken = write_stages::clock::now();
    for (const auto& q : group) timings().record(write_stage::queued, q.queued_at, taken);
    // Ordinary writes are held to the reserve as the disk is now, not as it
    // was when they were queued: a disk that fills fast lets none through.
    const bool low = std::any_of(group.begin(), group.end(), [](const queued& q) { return q.c == write_class::ordinary; }) &&
                     below_reserve();
    runnable.clear();
    for (auto& q : group) {
      if (low && q.c == write_class::ordinary) {
        ++storage_failures_;
        q.result = write_problem::full;
      } else {
        runnable.push_back(&q);
      }
    }
    if (!runnable.empty()) run_group(runnable, taken);
    // An essential write the disk had no room for goes on in the reserve's
    // space; the ordinary writes beside it wait until the disk has room.
    essential.clear();
    for (queued* q : runnable) {
      if (q->c == write_class::essential && q->result == write_problem::full) essential.push_back(q);
    }
    if (!essential.empty() && reserve_->release()) run_group(essential, write_stages::clock::now());
    const auto finished = write_stages::clock::now();
    for (auto& q : group) {
      timings().record(write_stage::handover, finished, write_stages::clock::now());
      q.done(q.result);
    }
    group.clear();
  }
}

std::string sqlite_store::integrity_check(const std::filesystem::path& file) {
  SQLite::Database db(file.string(), SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "PRAGMA integrity_check");
  return q.executeStep() ? q.getColumn(0).getString() : "no answer";
}

void sqlite_store::backup(const std::filesystem::path& file, const std::filesystem::path& target) {
  {
    SQLite::Database db(file.string(), SQLite::OPEN_READONLY);
    db.setBusyTimeout(5000);
    SQLite::Statement q(db, "VACUUM INTO ?");
    q.bind(1, target.string());
    q.exec();
  }
  std::filesystem::permissions(target, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);
  const std::string integrity = integrity_check(target);
  if (integrity != "ok") throw std::runtime_error("the backup's database does not check out: " + integrity);
}

}  // namespace shuttle::relay

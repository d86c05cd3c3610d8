// PostgreSQL storage, for services that run several relays on one database
// (--database postgresql://...). The same schema as SQLite's in PostgreSQL's
// types, versioned migrations applied at open under an advisory lock.
//
// How many relays stay correct together: every write job runs in its own
// transaction that first takes one transaction-level advisory lock, the
// write lock, held to its commit, in READ COMMITTED: writes run one at a
// time across every relay on the database, and each statement sees every
// write committed before it. That is the SQLite store's single writer,
// shared: a rule the domain checks inside a job (the audit head it extends,
// one review per facilitator, an exact resubmit, an invitation used once)
// holds across relays as on one, and event sequence numbers (a sequence,
// taken under the lock) rise in commit order. Several relays add capacity
// for TLS, reads and live streams, and availability; writes stay as fast as
// one database commit each (docs/PERFORMANCE.md). A transaction that still
// fails on a conflict (a deadlock with an operator's own statement) is run
// again from the start, up to 20 times.
//
// Reads run on a pool of connections, each read in one read-only snapshot
// (REPEATABLE READ): its BEGIN goes in one round trip with its first query,
// and its COMMIT is sent without waiting for the answer (the connection's
// next use reads it), so a read of one query costs one round trip.
// When the database cannot be reached, reads throw storage_unreachable and
// writes answer `failing`; the connections are opened again on the next use.
// health() says "failing" from a failed write until the change feed (whose
// connection is the heartbeat) or a write gets through again.
#pragma once

#include "server/store/storage.hpp"
#include "server/store/write_queue.hpp"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace shuttle::relay {

class postgres_store final : public storage {
 public:
  // Connects (`conninfo`: a postgresql:// URI or key=value pairs), migrates,
  // and starts `writers` writer threads. Throws std::runtime_error when the
  // database cannot be reached or migrated.
  postgres_store(std::string conninfo, std::size_t readers, std::size_t writers);
  ~postgres_store() override;
  postgres_store(const postgres_store&) = delete;
  postgres_store& operator=(const postgres_store&) = delete;

  void submit(job j, completion done, write_class c = write_class::ordinary) override;
  // PostgreSQL keeps its own disk: the reserve is the operator's to watch there.
  void set_free_space_reserve(std::uint64_t) override {}
  storage_health health() const override;
  std::size_t queue_depth() const override;
  int schema_version() const override { return schema_version_; }
  void stop() override;

  // Changes reach every relay through LISTEN/NOTIFY on channel "shuttle":
  // the notification is sent by the writing transaction, so it exists only
  // once committed, and PostgreSQL delivers them in commit order. A feed
  // that lost its connection reconnects and reports `catch_up`.
  bool shares_changes() const override { return true; }
  void watch_changes(std::function<void(const change&)> on_change) override;

  static int latest_schema_version();
  // Whether `database` names a PostgreSQL database rather than a file.
  static bool names_postgres(std::string_view database);

  // Holds a session-level advisory lock while it lives: work that must run
  // once across every relay (the retention purge). False when another relay
  // holds it.
  class exclusive {
   public:
    explicit exclusive(postgres_store& store, std::int64_t key);
    ~exclusive();
    bool held() const { return held_; }

   private:
    struct impl;
    std::unique_ptr<impl> impl_;
    bool held_ = false;
  };

 private:
  struct connection;
  struct pooled_reader;
  reader& acquire_reader() override;
  void release_reader(reader& r) override;
  struct queued {
    job j;
    completion done;
    write_problem result = write_problem::none;
    bool again = false;           // met a conflict in its group: runs again alone
    bool duplicate_seen = false;  // that conflict was a duplicate key
    write_stages::clock::time_point queued_at{}, ran_at{};  // its job's end, set by run_group
  };
  void writer_loop(connection& c);
  // Runs a group of jobs in one transaction, each in a savepoint of its own.
  // `taken`: when the writer took them from the queue.
  void run_group(connection& c, std::vector<queued>& group, write_stages::clock::time_point taken);
  // Runs one job in a transaction of its own, again after a conflict;
  // `duplicate_seen`: it met a duplicate key once already.
  write_problem run(connection& c, job& j, write_stages::clock::time_point taken, bool duplicate_seen = false);

  std::string conninfo_;
  int schema_version_ = 0;

  std::vector<std::unique_ptr<pooled_reader>> pool_;
  std::vector<pooled_reader*> idle_;
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;

  write_queue<queued> queue_;
  std::vector<std::thread> writers_;
  std::thread feed_;
  std::atomic<bool> feed_stopping_{false};
  void feed_loop(std::function<void(const change&)> on_change);
  std::atomic<bool> failing_{false};
  std::atomic<bool> feed_up_{false};
  std::atomic<std::uint64_t> failures_{0};
};

}  // namespace shuttle::relay

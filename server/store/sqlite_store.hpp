// SQLite storage: one file in WAL mode with synchronous=FULL, secure_delete
// and foreign keys on; versioned migrations applied at open.
//
// Writes go through one writer thread that commits queued jobs in groups
// (group commit): each job runs in its own savepoint inside the group's
// transaction, so a failing job rolls back alone, and every job's completion
// runs only after the group's COMMIT returned, i.e. after fsync. Reads use a
// pool of separate read-only connections and may run on any thread.
//
// The log is copied into the database (checkpointed) by a thread of its
// own once it holds wal_checkpoint_pages, so a commit does not wait for that
// copy. What the writer appended meanwhile, the writer copies itself right
// after its next commit (a few pages), so the log can start again from its
// beginning; a log grown past wal_hard_limit_pages is copied by the writer
// at once.
#pragma once

#include "server/store/space_reserve.hpp"
#include "server/store/storage.hpp"
#include "server/store/write_queue.hpp"

#include <atomic>
#include <cstdint>
#include <string_view>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

struct sqlite3;

namespace SQLite {
class Database;
class Statement;
}

namespace shuttle::relay {

class sqlite_store final : public storage {
 public:
  // Pages of log that wake the checkpointer (at most: a quarter of the
  // free-space reserve when that is smaller), and the size at which the
  // writer stops waiting for it (4 KiB pages: 16 MiB and 64 MiB). A page
  // changed many times while the log grows is copied into the database once
  // per checkpoint: at 4 MiB the checkpointer wrote 6.6 pages per letter and
  // synced the database 0.19 times per letter, at 16 MiB 4.0 and 0.07
  // (docs/PERFORMANCE.md).
  static constexpr int wal_checkpoint_pages = 4000;
  static constexpr int wal_hard_limit_pages = 16000;

  // Opens (creating if needed) and migrates the database, starts the writer.
  // Throws std::runtime_error when the file cannot be opened or migrated.
  sqlite_store(const std::filesystem::path& file, std::size_t readers);
  // Finishes every queued write, then closes all connections.
  ~sqlite_store() override;
  sqlite_store(const sqlite_store&) = delete;
  sqlite_store& operator=(const sqlite_store&) = delete;

  // The storage interface (store/storage.hpp). A write that fails because
  // the disk is full or failing is `full` or `failing`; nothing of it is
  // kept, nothing before it is touched.
  void submit(job j, completion done, write_class c = write_class::ordinary) override;
  // Holds `bytes` in the file space-reserve beside the database
  // (space_reserve.hpp): ordinary writes are refused while less than that
  // is free besides, or while the file is released; an essential write the
  // full disk cannot take runs again in the released file's space.
  void set_free_space_reserve(std::uint64_t bytes) override;
  storage_health health() const override;
  std::size_t queue_depth() const override;
  int schema_version() const override { return schema_version_; }
  void stop() override;

  static int latest_schema_version();

  // SQLite's integrity check of a database file: "ok", or what is wrong.
  static std::string integrity_check(const std::filesystem::path& file);
  // An online, consistent copy of a (running) relay's database into `target`
  // (a new file, mode 0600): VACUUM INTO, a snapshot taken in one read
  // transaction, so freed pages (e.g. of revoked letters) are not carried
  // over. Throws when the copy does not pass the integrity check.
  static void backup(const std::filesystem::path& file, const std::filesystem::path& target);

 private:
  struct pooled;
  reader& acquire_reader() override;
  void release_reader(reader& r) override;
  void writer_loop();
  void checkpoint_loop();
  void truncate_log();
  // What an exception from a write means, noting storage trouble.
  write_problem problem_of(const std::exception& e);
  std::uint64_t free_bytes() const;          // as looked at within the last second
  std::uint64_t measure_free_bytes() const;  // looked at now
  static int on_commit(void* self, ::sqlite3* db, const char* name, int pages);

  struct queued {
    job j;
    completion done;
    write_class c = write_class::ordinary;
    write_problem result = write_problem::none;  // set by run_group
    write_stages::clock::time_point queued_at{}, ran_at{};  // its job's end, set by run_group
  };
  // `taken`: when the writer took the group from the queue.
  void run_group(const std::vector<queued*>& jobs, write_stages::clock::time_point taken);
  // Looks at the free space now: whether an ordinary write must be refused.
  bool below_reserve() const;

  std::unique_ptr<SQLite::Database> writer_db_;
  // The writer thread's: around every group and every job.
  std::unique_ptr<SQLite::Statement> begin_, commit_, abandon_, savepoint_, release_, rollback_;
  std::unique_ptr<writer> writer_repo_;
  std::vector<std::unique_ptr<pooled>> pool_;
  std::vector<pooled*> idle_;
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;

  write_queue<queued> queue_;
  std::thread writer_thread_;
  int schema_version_ = 0;

  std::unique_ptr<SQLite::Database> checkpoint_db_;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_due_ = false;     // guarded by checkpoint_mutex_
  bool checkpoint_stopping_ = false;  // guarded by checkpoint_mutex_
  std::atomic<bool> residue_due_{false};

  std::filesystem::path directory_;
  std::unique_ptr<space_reserve> reserve_;
  std::atomic<std::uint64_t> reserve_bytes_{0};
  // Pages of log that wake the checkpointer: wal_checkpoint_pages, or less
  // under a small free-space reserve (set_free_space_reserve).
  std::atomic<int> checkpoint_pages_{wal_checkpoint_pages};
  std::atomic<int> problem_{0};  // 0 ok, 1 full, 2 failing: the last write's verdict
  std::atomic<std::uint64_t> storage_failures_{0};
  mutable std::atomic<std::int64_t> free_checked_at_ms_{-1000000};
  mutable std::atomic<std::uint64_t> free_bytes_{0};  // the checkpointer copied the bulk; the writer copies the rest
  std::thread checkpoint_thread_;
};

}  // namespace shuttle::relay

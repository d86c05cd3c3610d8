// The SQLite VFS that sends a commit's log writes in one call
// (server/store/wal_write_buffer.hpp): fewer calls, the same bytes, and
// nothing committed lost when the process dies without closing.
#include "server/store/wal_write_buffer.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace shuttle::relay {
namespace {

namespace fs = std::filesystem;

class WalWriteBuffer : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("shuttle-wal-buffer-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    file_ = (dir_ / "test.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A connection as the relay's writer opens it: through the buffering VFS,
  // in WAL mode, synced at every commit, never checkpointing by itself.
  SQLite::Database writer() const {
    SQLite::Database db(file_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 0, wal_write_buffer::vfs_name());
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    db.exec("PRAGMA wal_autocheckpoint = 0");
    db.exec("CREATE TABLE IF NOT EXISTS letters (n INTEGER PRIMARY KEY, body BLOB NOT NULL)");
    return db;
  }
  // A reader on the platform's own VFS, as the relay's readers and checkpointer are.
  SQLite::Database plain() const { return SQLite::Database(file_, SQLite::OPEN_READWRITE); }

  static void commit_letters(SQLite::Database& db, int first, int count, int size) {
    SQLite::Transaction t(db);
    SQLite::Statement q(db, "INSERT INTO letters (n, body) VALUES (?, zeroblob(?))");
    for (int n = first; n < first + count; ++n) {
      q.bind(1, n);
      q.bind(2, size);
      q.exec();
      q.reset();
    }
    t.commit();
  }
  static int count_letters(SQLite::Database& db) {
    return db.execAndGet("SELECT count(*) FROM letters").getInt();
  }

  fs::path dir_;
  std::string file_;
};

TEST_F(WalWriteBuffer, ACommitsFramesGoInOneWriteAndReadBackTheSame) {
  auto db = writer();
  const auto before = wal_write_buffer::log_writes();
  for (int i = 0; i < 20; ++i) commit_letters(db, i * 10, 10, 2048);
  const auto after = wal_write_buffer::log_writes();
  const auto asked = after.asked - before.asked;
  const auto sent = after.sent - before.sent;
  // Each commit of ten 2 KiB rows asks for a dozen frames or more, two
  // writes each; the VFS sends one write per commit.
  EXPECT_GE(asked, 20u * 10u);
  EXPECT_LE(sent, 20u * 2u);
  auto other = plain();
  EXPECT_EQ(count_letters(other), 200);
  EXPECT_EQ(other.execAndGet("PRAGMA integrity_check").getString(), "ok");
}

TEST_F(WalWriteBuffer, ATransactionLargerThanTheBufferIsWrittenWhole) {
  auto db = writer();
  commit_letters(db, 0, 600, 8192);  // about 5 MiB of log in one commit
  auto other = plain();
  EXPECT_EQ(count_letters(other), 600);
  EXPECT_EQ(other.execAndGet("SELECT sum(length(body)) FROM letters").getInt64(), 600LL * 8192);
}

TEST_F(WalWriteBuffer, TheLogTruncatedByAnotherConnectionIsWrittenAgainFromItsStart) {
  auto db = writer();
  commit_letters(db, 0, 50, 2048);
  {
    auto checkpointer = plain();
    checkpointer.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  EXPECT_EQ(fs::file_size(file_ + "-wal"), 0u);
  commit_letters(db, 50, 50, 2048);
  auto other = plain();
  EXPECT_EQ(count_letters(other), 100);
  EXPECT_EQ(other.execAndGet("PRAGMA integrity_check").getString(), "ok");
}

// The writer dies (kill -9, a crash) with its log never checkpointed and a
// transaction half written: every commit it finished is there, the half
// transaction is not.
TEST_F(WalWriteBuffer, WhatWasCommittedSurvivesTheWriterDyingAndNothingElse) {
  (void)writer();  // the table exists before the child starts
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto db = writer();
    for (int i = 0; i < 30; ++i) commit_letters(db, i * 5, 5, 2048);
    db.exec("BEGIN");
    db.exec("INSERT INTO letters (n, body) VALUES (10000, zeroblob(2048))");
    ::_exit(0);  // no close, no checkpoint, no rollback
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  auto other = plain();
  EXPECT_EQ(count_letters(other), 150);
  EXPECT_EQ(other.execAndGet("SELECT count(*) FROM letters WHERE n = 10000").getInt(), 0);
  EXPECT_EQ(other.execAndGet("PRAGMA integrity_check").getString(), "ok");
}

}  // namespace
}  // namespace shuttle::relay

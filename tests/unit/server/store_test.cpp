// The store's log (WAL) is copied into the database by the checkpointer
// thread while writes go on, so neither the log nor a commit waits for it.
#include "server/store/sqlite_store.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

namespace shuttle::relay {
namespace {

namespace fs = std::filesystem;

struct temporary_directory {
  fs::path path = fs::temp_directory_path() / ("shuttle-store-" + std::to_string(::getpid()));
  temporary_directory() { fs::create_directories(path); }
  ~temporary_directory() { fs::remove_all(path); }
};

// Commits one row of `size` bytes and waits for the commit.
void write_row(sqlite_store& store, std::uint32_t n, std::size_t size) {
  std::promise<bool> done;
  store.submit(
      [n, size](writer& w) {
        statement_record s;
        s.id[0] = static_cast<byte>(n);
        s.id[1] = static_cast<byte>(n >> 8);
        s.id[2] = static_cast<byte>(n >> 16);
        s.type = "test";
        s.answer = std::string(size, 'a');
        w.insert_statement(s, proto::id{});
        return verdict::keep;
      },
      [&done](write_problem p) { done.set_value(p == write_problem::none); });
  ASSERT_TRUE(done.get_future().get());
}

TEST(Store, TheLogIsCopiedIntoTheDatabaseWhileWritesGoOn) {
  temporary_directory dir;
  const auto db = dir.path / "relay.db";
  const auto wal = dir.path / "relay.db-wal";
  // Six times the log that wakes the checkpointer (wal_checkpoint_pages), in 3,000 commits.
  constexpr std::size_t rows = 3000, row_bytes = 6 * sqlite_store::wal_checkpoint_pages * 4096 / rows;
  sqlite_store store(db, 1);
  for (std::uint32_t i = 0; i < rows; ++i) write_row(store, i, row_bytes);

  // Most of it reaches the database file while the store is open (the
  // writer alone would have left it all in the log).
  const auto written = rows * row_bytes;
  for (int i = 0; i < 200 && fs::file_size(db) < written * 3 / 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GE(fs::file_size(db), written * 3 / 4);
  // And the log started again from its beginning instead of growing with every write.
  EXPECT_LT(fs::file_size(wal), written / 2);
}

}  // namespace
}  // namespace shuttle::relay

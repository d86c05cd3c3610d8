// Free space the relay holds on its own disk for the writes a person in
// distress needs most (revoking, withdrawing, declining, logging in and out,
// closing): a file in the data directory whose blocks are allocated up front
// (posix_fallocate), so no other process can take them. When the disk is
// full and an essential write cannot be kept, the store releases the file
// and the write goes on in the space it gave back; the store takes the space
// again once the disk has room (see sqlite_store).
//
// Thread-safe: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>

namespace shuttle::relay {

class space_reserve {
 public:
  // The file it keeps; nothing is allocated until hold().
  explicit space_reserve(std::filesystem::path file) : file_(std::move(file)) {}

  // Makes the file exactly `bytes` long, every block allocated (0: removes
  // it). Returns whether the whole reserve is held; when the disk lacks the
  // room, holds nothing and returns false (try again later).
  bool hold(std::uint64_t bytes);
  // Takes the reserve again at its last size; false when the disk lacks room.
  bool hold_again();
  // Gives the reserve's blocks back to the file system (the file stays,
  // empty). Returns whether there was anything to give.
  bool release();

  bool held() const;

 private:
  const std::filesystem::path file_;
  mutable std::mutex mutex_;
  std::uint64_t bytes_ = 0;  // guarded by mutex_: the size it should have
  bool held_ = false;        // guarded by mutex_
};

}  // namespace shuttle::relay

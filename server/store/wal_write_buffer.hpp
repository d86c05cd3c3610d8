// A SQLite VFS that gathers a transaction's writes to its write-ahead log
// and hands them to the file system in one call when SQLite syncs the log.
//
// SQLite writes each log frame as two calls (its 24-byte header, then the
// page), so a commit of ten pages is twenty pwrite calls before its
// fdatasync; on this project's machines the system calls, not the bytes,
// are what a letter costs the writer (docs/PERFORMANCE.md). The log's bytes
// are the same and reach the disk before the same fdatasync: what SQLite
// has committed is exactly what it was. Frames not yet synced were never
// committed, and a crash loses them in either case.
//
// Everything else (the database file, the shared-memory index, locks) goes
// straight to the VFS it wraps, the platform's default.
#pragma once

#include <cstdint>

namespace shuttle::relay::wal_write_buffer {

// The VFS's name, registered on the first call (not as the default: only a
// connection that asks for it by name uses it). Safe from any thread.
const char* vfs_name();

// Since the process started (for tests and the bench): how many writes
// SQLite asked for on its logs, how many reached the wrapped VFS, and how
// many savepoint journals were opened as files (spilled from memory).
struct counts {
  std::uint64_t asked = 0;
  std::uint64_t sent = 0;
  std::uint64_t savepoint_journal_files = 0;
};
counts log_writes();

}  // namespace shuttle::relay::wal_write_buffer

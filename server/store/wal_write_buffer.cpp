#include "server/store/wal_write_buffer.hpp"

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <new>
#include <vector>

namespace shuttle::relay::wal_write_buffer {

namespace {

// Writes are gathered up to this many bytes (31 frames of 4 KiB pages), and
// a larger transaction sends them in pieces of at most this size: SQLite's
// unix VFS writes at most 128 KiB - 1 bytes per call (os_unix.c,
// seekAndWriteFd masks the length with 0x1ffff) and reports a longer write
// as a full disk.
constexpr std::size_t buffer_limit = 0x1ffff;

std::atomic<std::uint64_t> asked{0};
std::atomic<std::uint64_t> sent{0};
std::atomic<std::uint64_t> savepoint_journals{0};

sqlite3_vfs* wrapped() {
  static sqlite3_vfs* const v = sqlite3_vfs_find(nullptr);
  return v;
}

// A log file: SQLite's handle first, then the wrapped VFS's own handle in
// the memory after it (szOsFile below leaves room for both).
struct log_file {
  sqlite3_file base;
  sqlite3_file* real;
  std::vector<char> pending;  // bytes SQLite wrote, not yet sent
  sqlite3_int64 pending_at;   // the file offset of pending's first byte
};

log_file* as_log(sqlite3_file* f) { return reinterpret_cast<log_file*>(f); }

// Sends what is pending in one write. The buffer is emptied even when the
// write fails: SQLite then fails the commit that synced, and a commit
// after it writes its frames again.
int send(log_file* f) {
  if (f->pending.empty()) return SQLITE_OK;
  const int rc = f->real->pMethods->xWrite(f->real, f->pending.data(), static_cast<int>(f->pending.size()),
                                           f->pending_at);
  f->pending.clear();
  sent.fetch_add(1, std::memory_order_relaxed);
  return rc;
}

int log_close(sqlite3_file* file) {
  log_file* f = as_log(file);
  const int sent_rc = send(f);
  const int rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
  f->pending.~vector();
  return sent_rc != SQLITE_OK ? sent_rc : rc;
}

// Passes a call to the wrapped file as it is.
template <typename Method, typename... Args>
int passed(sqlite3_file* file, Method method, Args... args) {
  sqlite3_file* r = as_log(file)->real;
  return (r->pMethods->*method)(r, args...);
}

// Sends what waits, then passes the call on: whatever reads, resizes,
// syncs or asks about the log sees every byte SQLite wrote to it.
template <typename Method, typename... Args>
int sent_then_passed(sqlite3_file* file, Method method, Args... args) {
  if (const int rc = send(as_log(file)); rc != SQLITE_OK) return rc;
  return passed(file, method, args...);
}

int log_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  return sent_then_passed(file, &sqlite3_io_methods::xRead, out, amount, offset);
}

int log_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  log_file* f = as_log(file);
  asked.fetch_add(1, std::memory_order_relaxed);
  const auto* bytes = static_cast<const char*>(data);
  const auto size = static_cast<std::size_t>(amount);
  const sqlite3_int64 end = f->pending_at + static_cast<sqlite3_int64>(f->pending.size());
  if (!f->pending.empty() && offset >= f->pending_at && offset + amount <= end) {
    // Written again before it was sent (a frame's checksum rewritten).
    std::memcpy(f->pending.data() + (offset - f->pending_at), bytes, size);
    return SQLITE_OK;
  }
  if (!f->pending.empty() && (offset != end || f->pending.size() + size > buffer_limit)) {
    if (const int rc = send(f); rc != SQLITE_OK) return rc;
  }
  if (f->pending.empty()) f->pending_at = offset;
  try {
    f->pending.insert(f->pending.end(), bytes, bytes + size);
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;  // never an exception through SQLite's C frames
  }
  return SQLITE_OK;
}

int log_truncate(sqlite3_file* file, sqlite3_int64 size) {
  return sent_then_passed(file, &sqlite3_io_methods::xTruncate, size);
}
int log_sync(sqlite3_file* file, int flags) {
  return sent_then_passed(file, &sqlite3_io_methods::xSync, flags);
}
int log_file_size(sqlite3_file* file, sqlite3_int64* size) {
  return sent_then_passed(file, &sqlite3_io_methods::xFileSize, size);
}
int log_file_control(sqlite3_file* file, int op, void* arg) {
  return sent_then_passed(file, &sqlite3_io_methods::xFileControl, op, arg);
}
int log_lock(sqlite3_file* file, int level) { return passed(file, &sqlite3_io_methods::xLock, level); }
int log_unlock(sqlite3_file* file, int level) { return passed(file, &sqlite3_io_methods::xUnlock, level); }
int log_check_reserved(sqlite3_file* file, int* out) {
  return passed(file, &sqlite3_io_methods::xCheckReservedLock, out);
}
int log_sector_size(sqlite3_file* file) { return passed(file, &sqlite3_io_methods::xSectorSize); }
int log_device_characteristics(sqlite3_file* file) {
  return passed(file, &sqlite3_io_methods::xDeviceCharacteristics);
}

// A log is never memory-mapped or given shared memory of its own: SQLite
// asks for those on the database file only, and gets them from the
// wrapped VFS directly (the database file is opened with its methods).
const sqlite3_io_methods log_methods = {
    1,  // iVersion: no xShm* or xFetch for a log
    log_close,  log_read,      log_write,        log_truncate,       log_sync,
    log_file_size, log_lock,   log_unlock,       log_check_reserved, log_file_control,
    log_sector_size, log_device_characteristics,
    nullptr, nullptr, nullptr, nullptr,  // xShmMap, xShmLock, xShmBarrier, xShmUnmap
    nullptr, nullptr,                    // xFetch, xUnfetch
};

int open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_vfs* real_vfs = wrapped();
  if ((flags & SQLITE_OPEN_SUBJOURNAL) != 0) savepoint_journals.fetch_add(1, std::memory_order_relaxed);
  if ((flags & SQLITE_OPEN_WAL) == 0) {
    // Anything but a log is the wrapped VFS's own file, in place.
    return real_vfs->xOpen(real_vfs, name, file, flags, out_flags);
  }
  (void)vfs;
  auto* f = reinterpret_cast<log_file*>(file);
  f->base.pMethods = nullptr;
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + sizeof(log_file));
  const int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    // SQLite calls no xClose when xOpen fails with base.pMethods null, so
    // the wrapped handle is closed here if it was left open.
    if (f->real->pMethods) f->real->pMethods->xClose(f->real);
    return rc;
  }
  new (&f->pending) std::vector<char>();
  f->pending_at = 0;
  f->base.pMethods = &log_methods;
  return SQLITE_OK;
}

sqlite3_vfs* make_vfs() {
  static sqlite3_vfs v;
  sqlite3_vfs* real_vfs = wrapped();
  v = *real_vfs;
  v.iVersion = real_vfs->iVersion;
  v.szOsFile = static_cast<int>(sizeof(log_file)) + real_vfs->szOsFile;
  v.pNext = nullptr;
  v.zName = "shuttle-wal-write-buffer";
  v.xOpen = open;
  // Every other entry (delete, access, full path, randomness, time, the
  // system calls) and pAppData are the wrapped VFS's own: SQLite passes
  // them this VFS, whose fields they read are copies of the wrapped one's.
  return &v;
}

}  // namespace

const char* vfs_name() {
  static const char* const name = [] {
    sqlite3_vfs* v = make_vfs();
    if (sqlite3_vfs_register(v, 0) != SQLITE_OK) return static_cast<const char*>(nullptr);
    return v->zName;
  }();
  return name;
}

counts log_writes() {
  return {asked.load(std::memory_order_relaxed), sent.load(std::memory_order_relaxed),
          savepoint_journals.load(std::memory_order_relaxed)};
}

}  // namespace shuttle::relay::wal_write_buffer

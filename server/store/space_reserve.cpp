#include "server/store/space_reserve.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace shuttle::relay {

namespace {

// Allocates [0, bytes) of the file; on failure leaves it empty.
bool allocate(const std::filesystem::path& file, std::uint64_t bytes) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    spdlog::warn("cannot open the space reserve {}: {}", file.string(), std::strerror(errno));
    return false;
  }
  bool ok = ::ftruncate(fd, 0) == 0 && ::posix_fallocate(fd, 0, static_cast<off_t>(bytes)) == 0 && ::fsync(fd) == 0;
  if (!ok) (void)::ftruncate(fd, 0);
  ::close(fd);
  return ok;
}

}  // namespace

bool space_reserve::hold(std::uint64_t bytes) {
  std::lock_guard lock(mutex_);
  bytes_ = bytes;
  if (bytes == 0) {
    std::error_code ignored;
    std::filesystem::remove(file_, ignored);
    held_ = false;
    return false;
  }
  held_ = allocate(file_, bytes);
  if (!held_) spdlog::warn("the disk lacks room for the {} MiB space reserve; trying again later", bytes >> 20);
  return held_;
}

bool space_reserve::hold_again() {
  std::lock_guard lock(mutex_);
  if (held_ || bytes_ == 0) return held_;
  held_ = allocate(file_, bytes_);
  if (held_) spdlog::info("the space reserve is held again");
  return held_;
}

bool space_reserve::release() {
  std::lock_guard lock(mutex_);
  if (!held_) return false;
  const int fd = ::open(file_.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  const bool released = fd >= 0 && ::ftruncate(fd, 0) == 0;
  if (fd >= 0) ::close(fd);
  held_ = false;
  if (released) spdlog::error("storage full: the space reserve was released for essential writes");
  return released;
}

bool space_reserve::held() const {
  std::lock_guard lock(mutex_);
  return held_;
}

}  // namespace shuttle::relay

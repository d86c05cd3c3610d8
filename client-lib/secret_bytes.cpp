#include "client-lib/secret_bytes.hpp"

#include <sodium.h>

#include <algorithm>
#include <new>
#include <utility>

namespace shuttle::client {

secret_bytes::secret_bytes(std::size_t size) : size_(size) {
  if (size == 0) return;
  data_ = static_cast<byte*>(sodium_malloc(size));
  if (!data_) throw std::bad_alloc();
  sodium_memzero(data_, size);
}

secret_bytes secret_bytes::copy_of(bytes_view data) {
  secret_bytes s(data.size());
  std::copy(data.begin(), data.end(), s.data());
  return s;
}

secret_bytes secret_bytes::random(std::size_t size) {
  secret_bytes s(size);
  randombytes_buf(s.data(), size);
  return s;
}

secret_bytes::secret_bytes(secret_bytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

secret_bytes& secret_bytes::operator=(secret_bytes&& other) noexcept {
  if (this != &other) {
    if (data_) sodium_free(data_);  // sodium_free wipes before freeing
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

secret_bytes::~secret_bytes() {
  if (data_) sodium_free(data_);
}

}  // namespace shuttle::client

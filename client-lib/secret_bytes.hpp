// Memory for secrets: private keys, letter keys, passphrases, plaintext
// keys of the keystore. Allocated with sodium_malloc (guard pages, locked
// against swapping where the system allows), wiped and freed on destruction.
// Move-only; never copied, never logged.
#pragma once

#include "proto/bytes.hpp"

#include <cstddef>

namespace shuttle::client {

class secret_bytes {
 public:
  secret_bytes() = default;
  // `size` zero bytes. Throws std::bad_alloc when sodium_malloc fails.
  explicit secret_bytes(std::size_t size);
  // A copy of `data` in protected memory.
  static secret_bytes copy_of(bytes_view data);
  // `size` bytes from the operating system's random source.
  static secret_bytes random(std::size_t size);

  secret_bytes(secret_bytes&& other) noexcept;
  secret_bytes& operator=(secret_bytes&& other) noexcept;
  secret_bytes(const secret_bytes&) = delete;
  secret_bytes& operator=(const secret_bytes&) = delete;
  ~secret_bytes();

  byte* data() { return data_; }
  const byte* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bytes_view view() const { return {data_, size_}; }

 private:
  byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace shuttle::client

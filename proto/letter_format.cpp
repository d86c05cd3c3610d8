#include "proto/letter_format.hpp"

#include "proto/limits.hpp"

#include <bit>

namespace shuttle::proto {

std::uint64_t padme(std::uint64_t n) {
  if (n < 2) return n;
  const auto e = static_cast<std::uint64_t>(std::bit_width(n) - 1);  // floor(log2 n)
  const auto s = static_cast<std::uint64_t>(std::bit_width(e) - 1) + 1;  // floor(log2 e) + 1
  const std::uint64_t last_bits = e - s;
  const std::uint64_t mask = (std::uint64_t{1} << last_bits) - 1;
  return (n + mask) & ~mask;
}

bool is_padded_size(std::uint64_t padded_size) { return padded_size >= 8 && padme(padded_size) == padded_size; }

std::uint64_t ciphertext_size_for(std::uint64_t plaintext_size) {
  const std::uint64_t chunks = (plaintext_size + chunk_plaintext_bytes - 1) / chunk_plaintext_bytes;
  return plaintext_size + chunks * chunk_overhead_bytes;
}

std::optional<std::uint64_t> plaintext_size_for(std::uint64_t ciphertext_size) {
  constexpr std::uint64_t full = chunk_plaintext_bytes + chunk_overhead_bytes;
  const std::uint64_t whole = ciphertext_size / full;
  const std::uint64_t rest = ciphertext_size % full;
  if (rest == 0) {
    if (whole == 0) return std::nullopt;
    return whole * chunk_plaintext_bytes;
  }
  if (rest <= chunk_overhead_bytes) return std::nullopt;
  return whole * chunk_plaintext_bytes + (rest - chunk_overhead_bytes);
}

}  // namespace shuttle::proto

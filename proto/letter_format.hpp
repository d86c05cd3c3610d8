// Sizes of the letter format (proto/SPEC.md "Letters"): Padmé padding and
// the fixed-size secretstream chunks. Public arithmetic, no secrets.
#pragma once

#include <cstdint>
#include <optional>

namespace shuttle::proto {

// Padmé (Nikitin et al., PETS 2019): the padded length for a length n,
// leaking at most O(log log n) bits of n. padme(n) >= n; padme(0) == 0.
std::uint64_t padme(std::uint64_t n);

// Whether a padded plaintext can be this long: at least the 8-byte length
// prefix, and a length Padmé gives (every such length is its own padme).
bool is_padded_size(std::uint64_t padded_size);

// The ciphertext size for a padded plaintext of `plaintext_size` (> 0) bytes:
// every chunk but the last holds chunk_plaintext_bytes; each adds its tag.
std::uint64_t ciphertext_size_for(std::uint64_t plaintext_size);

// The inverse: the padded plaintext size, or nothing when no chunking gives
// this ciphertext size (e.g. a last chunk too short to hold one byte).
std::optional<std::uint64_t> plaintext_size_for(std::uint64_t ciphertext_size);

}  // namespace shuttle::proto

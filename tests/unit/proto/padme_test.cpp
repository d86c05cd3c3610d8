#include "proto/letter_format.hpp"
#include "proto/limits.hpp"

#include <gtest/gtest.h>

#include <bit>

namespace shuttle::proto {
namespace {

TEST(Padme, NeverShrinksAndLeaksFewBits) {
  for (std::uint64_t n = 2; n < 200'000; n += (n < 5000 ? 1 : 997)) {
    const std::uint64_t p = padme(n);
    ASSERT_GE(p, n);
    // Overhead stays under 12% for lengths past the first few hundred bytes.
    if (n > 256) {
      ASSERT_LT(static_cast<double>(p - n) / static_cast<double>(n), 0.12) << n;
    }
    // The padded length has at most floor(log2 e) + 1 significant bits, e = floor(log2 n).
    const auto e = static_cast<unsigned>(std::bit_width(n) - 1);
    const auto s = static_cast<unsigned>(std::bit_width(e));
    ASSERT_LE(static_cast<unsigned>(std::bit_width(p) - std::countr_zero(p)), s + 1) << n;
  }
}

TEST(Padme, KnownValues) {
  EXPECT_EQ(padme(0), 0u);
  EXPECT_EQ(padme(9), 10u);
  EXPECT_EQ(padme(100), 104u);
  EXPECT_EQ(padme(1000), 1024u);
  EXPECT_EQ(padme(70'000), 71'680u);
}

TEST(ChunkSizes, CiphertextAndPlaintextSizesAreInverse) {
  for (std::uint64_t p : {1ull, 17ull, 65'535ull, 65'536ull, 65'537ull, 131'072ull, 1'000'000ull}) {
    EXPECT_EQ(plaintext_size_for(ciphertext_size_for(p)), p) << p;
  }
}

TEST(ChunkSizes, RefusesSizesNoChunkingGives) {
  constexpr std::uint64_t full = chunk_plaintext_bytes + chunk_overhead_bytes;
  EXPECT_FALSE(plaintext_size_for(0));
  EXPECT_FALSE(plaintext_size_for(17));  // a last chunk with no plaintext
  EXPECT_FALSE(plaintext_size_for(full + 5));
  EXPECT_TRUE(plaintext_size_for(18));
}

}  // namespace
}  // namespace shuttle::proto

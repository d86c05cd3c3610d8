// The relay's token buckets: a burst, then a steady rate; a refusal says
// how long until the next token; keys do not share buckets.
#include "server/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace shuttle::relay {
namespace {

TEST(RateLimiter, ABurstThenTheWaitForTheNextToken) {
  rate_limiter limits(3, 6);  // one token every 10 s
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limits.take("a"), 0u) << i;
  const auto wait = limits.take("a");
  EXPECT_GE(wait, 9u);
  EXPECT_LE(wait, 10u);
  EXPECT_EQ(limits.take("b"), 0u);  // another key has its own bucket
}

TEST(RateLimiter, TokensComeBackAtTheRate) {
  rate_limiter limits(1, 600);  // one token every 100 ms
  EXPECT_EQ(limits.take("a"), 0u);
  EXPECT_EQ(limits.take("a"), 1u);  // rounded up to a whole second for Retry-After
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_EQ(limits.take("a"), 0u);
}

TEST(RateLimiter, ForgettingAGenerationChangesNoAnswer) {
  // Generations last as long as an empty bucket takes to refill (here 200 ms):
  // a key last seen two generations ago is forgotten, and a fresh bucket is full.
  rate_limiter limits(2, 600);
  EXPECT_EQ(limits.take("a"), 0u);
  EXPECT_EQ(limits.take("a"), 0u);
  EXPECT_NE(limits.take("a"), 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(450));
  for (int i = 0; i < 1000; ++i) (void)limits.take("other-" + std::to_string(i));
  EXPECT_EQ(limits.take("a"), 0u);
  EXPECT_EQ(limits.take("a"), 0u);
  EXPECT_NE(limits.take("a"), 0u);
}

}  // namespace
}  // namespace shuttle::relay

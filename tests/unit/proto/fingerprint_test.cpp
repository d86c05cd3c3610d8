#include "proto/fingerprint.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace shuttle::proto {
namespace {

TEST(SafetyNumber, IsTwelveGroupsOfFiveDigits) {
  public_key k{};
  k[0] = 1;
  const std::string s = safety_number(k);
  EXPECT_TRUE(std::regex_match(s, std::regex("([0-9]{5} ){11}[0-9]{5}"))) << s;
}

TEST(SafetyNumber, DiffersForEveryOneBitChangeOfTheKey) {
  public_key k{};
  const std::string base = safety_number(k);
  for (std::size_t i = 0; i < k.size(); ++i) {
    public_key other = k;
    other[i] ^= 1;
    EXPECT_NE(safety_number(other), base) << i;
    EXPECT_NE(fingerprint(other), fingerprint(k)) << i;
  }
}

}  // namespace
}  // namespace shuttle::proto

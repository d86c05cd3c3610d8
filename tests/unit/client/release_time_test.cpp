// Release times as a facilitator types them, read in the user's time zone.
#include "client-lib/release_time.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace shuttle::client {
namespace {

// Runs the tests in Oslo's time zone (CET, CEST in summer), then restores.
class ReleaseTime : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    saved_ = tz ? std::optional<std::string>(tz) : std::nullopt;
    ::setenv("TZ", "Europe/Oslo", 1);
    ::tzset();
  }
  void TearDown() override {
    if (saved_) {
      ::setenv("TZ", saved_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }
  std::optional<std::string> saved_;
};

// Tue 1 Dec 2026, 15:00 in Oslo (14:00 UTC).
constexpr std::uint64_t now = 1796133600;

TEST_F(ReleaseTime, AClockTimeIsTheNextOneInTheLocalZone) {
  EXPECT_EQ(*parse_release_time("18:00", now), now + 3 * 3600);        // later today
  EXPECT_EQ(*parse_release_time("9:30", now), now + 18 * 3600 + 1800);  // tomorrow morning
  EXPECT_EQ(*parse_release_time("tomorrow 09:00", now), now + 18 * 3600);
  EXPECT_EQ(*parse_release_time("today 18:00", now), now + 3 * 3600);
  EXPECT_EQ(local_time_words(*parse_release_time("18:00", now)), "Tue 1 Dec 2026, 18:00 CET");
}

TEST_F(ReleaseTime, DatesOffsetsAndRelativeTimes) {
  EXPECT_EQ(*parse_release_time("2026-12-02 14:30", now), now + 23 * 3600 + 1800);
  EXPECT_EQ(*parse_release_time("2026-12-02T14:30", now), now + 23 * 3600 + 1800);
  EXPECT_EQ(*parse_release_time("2026-12-02T14:30+01:00", now), now + 23 * 3600 + 1800);
  EXPECT_EQ(*parse_release_time("2026-12-02T13:30Z", now), now + 23 * 3600 + 1800);
  EXPECT_EQ(*parse_release_time("2026-12-02T13:30:15Z", now), now + 23 * 3600 + 1815);
  EXPECT_EQ(*parse_release_time("+2h", now), now + 7200);
  EXPECT_EQ(*parse_release_time("+30m", now), now + 1800);
  EXPECT_EQ(*parse_release_time("+45", now), now + 2700);
  EXPECT_EQ(*parse_release_time("+1d", now), now + 86400);
  EXPECT_EQ(*parse_release_time("  18:00 ", now), now + 3 * 3600);
  // Summer time: 2027-07-01 12:00 in Oslo is 10:00 UTC.
  EXPECT_EQ(*parse_release_time("2027-07-01 12:00", now), 1814436000u);
}

TEST_F(ReleaseTime, WhatIsNotATimeOrHasPassedIsRefusedInASentence) {
  for (const char* wrong : {"18", "1800", "25:00", "18:60", "tomorow 09:00", "2026-02-30 10:00", "next week", "",
                            "+0m", "+2x", "2026-12-02T14:30+1", "1796133600"}) {
    auto r = parse_release_time(wrong, now);
    ASSERT_FALSE(r) << wrong;
    EXPECT_EQ(r.error().code, errc::invalid_argument);
    EXPECT_NE(r.error().detail.find("is not a time"), std::string::npos) << r.error().detail;
    EXPECT_NE(r.error().detail.find("tomorrow 09:00"), std::string::npos) << "it says how to write it";
  }
  auto bare = parse_release_time("tomorrow", now);
  ASSERT_FALSE(bare);
  EXPECT_NE(bare.error().detail.find("give a time too"), std::string::npos);
  auto past = parse_release_time("2026-12-01 10:00", now);
  ASSERT_FALSE(past);
  EXPECT_NE(past.error().detail.find("already passed (Tue 1 Dec 2026, 10:00 CET)"), std::string::npos)
      << past.error().detail;
  auto far = parse_release_time("+400d", now);
  ASSERT_FALSE(far);
}

}  // namespace
}  // namespace shuttle::client

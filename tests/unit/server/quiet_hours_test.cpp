// Quiet hours in a real time zone: releases inside them wait for their end,
// across midnight and across the clock changes of Europe/Oslo.
#include "server/domain/quiet_hours.hpp"

#include <gtest/gtest.h>

namespace shuttle::relay {
namespace {

// 2026-11-29 12:00:00 UTC = 13:00 in Oslo (CET, UTC+1).
constexpr std::uint64_t noon_utc = 1795953600;
constexpr std::uint64_t hour = 3600;

quiet_hours oslo(const char* start, const char* end) {
  return {"Europe/Oslo", *parse_clock(start), *parse_clock(end)};
}

TEST(QuietHours, OutsideThemNothingWaits) {
  EXPECT_EQ(after_quiet_hours(oslo("22:00", "07:00"), noon_utc), noon_utc);
  EXPECT_EQ(after_quiet_hours(oslo("14:00", "15:00"), noon_utc), noon_utc);  // 13:00 local
  EXPECT_EQ(after_quiet_hours(oslo("08:00", "08:00"), noon_utc), noon_utc);  // start == end: none
}

TEST(QuietHours, InsideThemTheReleaseWaitsForTheirLocalEnd) {
  // 13:00 local inside 12:30-13:30: waits until 13:30 local = 12:30 UTC.
  EXPECT_EQ(after_quiet_hours(oslo("12:30", "13:30"), noon_utc), noon_utc + hour / 2);
  // The end itself is outside.
  EXPECT_EQ(after_quiet_hours(oslo("12:00", "13:00"), noon_utc), noon_utc);
  // Across midnight: 23:00 local (22:00 UTC) waits for 07:00 local next day (06:00 UTC).
  const std::uint64_t late = noon_utc + 10 * hour;
  EXPECT_EQ(after_quiet_hours(oslo("22:00", "07:00"), late), noon_utc + 18 * hour);
  // ... and 03:00 local the same morning waits until 07:00 local.
  const std::uint64_t night = noon_utc + 14 * hour;
  EXPECT_EQ(after_quiet_hours(oslo("22:00", "07:00"), night), noon_utc + 18 * hour);
}

TEST(QuietHours, TheClockChangeMovesTheHoursNotTheRule) {
  // 2026-03-29: Oslo moves from UTC+1 to UTC+2 at 02:00 local (01:00 UTC).
  // 00:30 UTC that night is 01:30 local: quiet until 07:00 CEST = 05:00 UTC.
  constexpr std::uint64_t spring_night = 1774747800;  // 2026-03-29 01:30 UTC
  EXPECT_EQ(after_quiet_hours(oslo("22:00", "07:00"), spring_night - hour), 1774760400u);
  // 2026-10-25: back to UTC+1; 07:00 CET = 06:00 UTC.
  constexpr std::uint64_t autumn_night = 1792890000;  // 2026-10-25 01:00 UTC
  EXPECT_EQ(after_quiet_hours(oslo("22:00", "07:00"), autumn_night), 1792908000u);
}

TEST(QuietHours, ZoneNamesAndClockTimesAreChecked) {
  EXPECT_TRUE(is_time_zone("Europe/Oslo"));
  EXPECT_TRUE(is_time_zone("UTC"));
  EXPECT_FALSE(is_time_zone("Mars/Olympus"));
  EXPECT_FALSE(is_time_zone(""));
  EXPECT_FALSE(is_time_zone("../../etc/passwd"));
  EXPECT_EQ(parse_clock("07:05"), 425u);
  EXPECT_FALSE(parse_clock("24:00"));
  EXPECT_FALSE(parse_clock("7:05"));
  EXPECT_FALSE(parse_clock("07:60"));
  EXPECT_EQ(clock_text(425), "07:05");
}

}  // namespace
}  // namespace shuttle::relay

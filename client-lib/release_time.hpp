// Times as people type them, for a release time: read in the user's own time
// zone (the TZ environment variable, else the system's, as the C library
// reads it), and shown back the same way.
//
//   +30m, +2h, +1d, +45    minutes, hours or days from now (a bare number is minutes)
//   18:00                  the next 18:00: today if it is still ahead, else tomorrow
//   today 18:00, tomorrow 09:00
//   2026-12-01 14:30       a local date and time (also with a T between them)
//   2026-12-01T14:30+01:00 ISO 8601 with an offset, or Z for UTC (seconds allowed)
//
// Anything else, a time that has passed, and a time more than a year ahead
// are refused with a sentence that says what was understood and how to write
// it (errc::invalid_argument).
#pragma once

#include "proto/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace shuttle::client {

result<std::uint64_t> parse_release_time(std::string_view text, std::uint64_t now);

// "Tue 1 Dec 2026, 18:00 CET": a moment in the user's local time.
std::string local_time_words(std::uint64_t t);

// This machine's IANA time zone name (from $TZ, /etc/timezone or the
// /etc/localtime link), or "UTC" when none can be found.
std::string local_time_zone_name();

}  // namespace shuttle::client

// A case's quiet hours (SPEC section 12, "Release"): a release that would
// fall inside them waits for their end. Times are read in the case's IANA
// time zone from the system's tz database (tzdata), so a clock change moves
// the local hours, not the rule.
#pragma once

#include "server/store/records.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace shuttle::relay {

// Whether the tz database knows this zone name (e.g. "Europe/Oslo").
bool is_time_zone(std::string_view name);

// "HH:MM" (00:00 to 23:59) as minutes after midnight.
std::optional<std::uint32_t> parse_clock(std::string_view text);
std::string clock_text(std::uint32_t minute);

// The earliest time at or after `t` (Unix seconds) outside the quiet hours:
// `t` itself, or the end of the quiet period `t` falls in. Quiet hours whose
// start equals their end are none.
std::uint64_t after_quiet_hours(const quiet_hours& q, std::uint64_t t);

}  // namespace shuttle::relay

#include "server/domain/quiet_hours.hpp"

#include <date/tz.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace shuttle::relay {

namespace {

const date::time_zone* zone(std::string_view name) {
  try {
    return date::locate_zone(std::string(name));
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

bool is_time_zone(std::string_view name) { return !name.empty() && name.size() <= 64 && zone(name) != nullptr; }

std::optional<std::uint32_t> parse_clock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9' ? text[i] - '0' : -1; };
  const int h1 = digit(0), h2 = digit(1), m1 = digit(3), m2 = digit(4);
  if (h1 < 0 || h2 < 0 || m1 < 0 || m2 < 0) return std::nullopt;
  const int hour = h1 * 10 + h2, minute = m1 * 10 + m2;
  if (hour > 23 || minute > 59) return std::nullopt;
  return static_cast<std::uint32_t>(hour * 60 + minute);
}

std::string clock_text(std::uint32_t minute) {
  char out[8];
  std::snprintf(out, sizeof out, "%02u:%02u", minute / 60 % 24, minute % 60);
  return out;
}

std::uint64_t after_quiet_hours(const quiet_hours& q, std::uint64_t t) {
  using namespace std::chrono;
  if (q.start_minute == q.end_minute) return t;
  const auto* z = zone(q.time_zone);
  if (!z) return t;  // a zone the tz database lost since it was set: no hold rather than a stuck letter
  const date::sys_seconds at{seconds(static_cast<std::int64_t>(t))};
  const auto local = z->to_local(at);
  const auto midnight = date::floor<date::days>(local);
  const auto minute = static_cast<std::uint32_t>(duration_cast<minutes>(local - midnight).count());
  std::optional<date::local_seconds> end;
  if (q.start_minute < q.end_minute) {
    // Within one day, e.g. 12:00-13:00.
    if (minute >= q.start_minute && minute < q.end_minute) end = midnight + minutes(q.end_minute);
  } else if (minute >= q.start_minute) {
    // Across midnight, e.g. 22:00-07:00: the evening part ends tomorrow.
    end = midnight + date::days(1) + minutes(q.end_minute);
  } else if (minute < q.end_minute) {
    end = midnight + minutes(q.end_minute);
  }
  if (!end) return t;
  // A local end time skipped or repeated by a clock change resolves to the later instant.
  const auto sys = z->to_sys(*end, date::choose::latest);
  const auto out = static_cast<std::uint64_t>(sys.time_since_epoch().count());
  return out > t ? out : t;
}

}  // namespace shuttle::relay

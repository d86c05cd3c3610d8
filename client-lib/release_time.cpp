#include "client-lib/release_time.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ctime>
#include <optional>

namespace shuttle::client {

namespace {

constexpr std::uint64_t max_ahead_seconds = 366ull * 24 * 3600;

const std::string forms =
    "Write it like 18:00, tomorrow 09:00, 2026-12-01 14:30, 2026-12-01T14:30+01:00, +2h or +30m.";

error not_understood(std::string_view text) {
  return make_error(errc::invalid_argument, "\"" + std::string(text) + "\" is not a time this program can read. " + forms);
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// Exactly `digits` decimal digits at `at`, or nothing.
std::optional<int> number(std::string_view s, std::size_t at, std::size_t digits) {
  if (at + digits > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = at; i < at + digits; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// "HH:MM" (or "H:MM"), whole.
std::optional<std::pair<int, int>> clock_time(std::string_view s) {
  std::size_t hour_digits = s.size() == 4 ? 1 : 2;
  if (s.size() != hour_digits + 3 || s[hour_digits] != ':') return std::nullopt;
  auto h = number(s, 0, hour_digits);
  auto m = number(s, hour_digits + 1, 2);
  if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
  return std::pair{*h, *m};
}

// A local date and time to Unix seconds; nothing for a date that does not
// exist (30 February) or a local time skipped by a clock change.
std::optional<std::uint64_t> local(int year, int month, int day, int hour, int minute, int second = 0) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  tm.tm_isdst = -1;
  const std::tm asked = tm;
  const std::time_t t = std::mktime(&tm);
  if (t == static_cast<std::time_t>(-1) || tm.tm_year != asked.tm_year || tm.tm_mon != asked.tm_mon ||
      tm.tm_mday != asked.tm_mday || tm.tm_hour != asked.tm_hour || tm.tm_min != asked.tm_min) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(t);
}

// Days from 1970-01-01 to a civil date (proleptic Gregorian), for UTC times.
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153u * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::tm local_tm(std::uint64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  return tm;
}

// "+30m", "+2h", "+1d", "+45".
std::optional<std::uint64_t> relative(std::string_view s, std::uint64_t now) {
  if (s.size() < 2 || s.front() != '+') return std::nullopt;
  s.remove_prefix(1);
  std::uint64_t unit = 60;
  if (s.back() == 'm' || s.back() == 'h' || s.back() == 'd') {
    unit = s.back() == 'm' ? 60 : s.back() == 'h' ? 3600 : 86400;
    s.remove_suffix(1);
  }
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || n == 0 || n > max_ahead_seconds / unit) {
    return std::nullopt;
  }
  return now + n * unit;
}

// "YYYY-MM-DD HH:MM", "YYYY-MM-DDTHH:MM[:SS]" with an optional Z or ±HH:MM.
std::optional<std::uint64_t> dated(std::string_view s) {
  auto y = number(s, 0, 4), mo = number(s, 5, 2), d = number(s, 8, 2), h = number(s, 11, 2), mi = number(s, 14, 2);
  if (!y || !mo || !d || !h || !mi || s.size() < 16 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') ||
      s[13] != ':' || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59) {
    return std::nullopt;
  }
  std::size_t at = 16;
  int second = 0;
  if (at < s.size() && s[at] == ':') {
    auto sec = number(s, at + 1, 2);
    if (!sec || *sec > 59) return std::nullopt;
    second = *sec;
    at += 3;
  }
  if (at == s.size()) return local(*y, *mo, *d, *h, *mi, second);
  if (s[10] != 'T') return std::nullopt;
  // An offset: the time is UTC plus that offset.
  std::int64_t offset = 0;
  const auto zone = s.substr(at);
  if (zone != "Z") {
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return std::nullopt;
    auto oh = number(zone, 1, 2), om = number(zone, 4, 2);
    if (!oh || !om || *oh > 14 || *om > 59) return std::nullopt;
    offset = (zone[0] == '+' ? 1 : -1) * (*oh * 3600 + *om * 60);
  }
  const auto days = days_from_civil(*y, *mo, *d);
  // The date must exist: a day past its month's end changes the month back.
  if (days_from_civil(*y, *mo, 1) + *d - 1 != days || (*mo < 12 ? days >= days_from_civil(*y, *mo + 1, 1)
                                                               : days >= days_from_civil(*y + 1, 1, 1))) {
    return std::nullopt;
  }
  const std::int64_t t = days * 86400 + *h * 3600 + *mi * 60 + second - offset;
  if (t < 0) return std::nullopt;
  return static_cast<std::uint64_t>(t);
}

// "18:00", "today 18:00", "tomorrow 09:00".
std::optional<std::uint64_t> day_and_clock(std::string_view s, std::uint64_t now) {
  int add_days = -1;  // -1: the next occurrence
  if (s.starts_with("today ")) {
    add_days = 0;
    s.remove_prefix(6);
  } else if (s.starts_with("tomorrow ")) {
    add_days = 1;
    s.remove_prefix(9);
  }
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  auto hm = clock_time(s);
  if (!hm) return std::nullopt;
  const std::tm today = local_tm(now);
  auto on = [&](int days) {
    return local(today.tm_year + 1900, today.tm_mon + 1, today.tm_mday + days, hm->first, hm->second);
  };
  if (add_days >= 0) {
    // mktime normalises the day after the month's last: compare against a normalised copy.
    std::tm day{};
    day.tm_year = today.tm_year;
    day.tm_mon = today.tm_mon;
    day.tm_mday = today.tm_mday + add_days;
    day.tm_hour = 12;
    day.tm_isdst = -1;
    std::mktime(&day);
    return local(day.tm_year + 1900, day.tm_mon + 1, day.tm_mday, hm->first, hm->second);
  }
  auto t = on(0);
  if (t && *t > now) return t;
  std::tm day{};
  day.tm_year = today.tm_year;
  day.tm_mon = today.tm_mon;
  day.tm_mday = today.tm_mday + 1;
  day.tm_hour = 12;
  day.tm_isdst = -1;
  std::mktime(&day);
  return local(day.tm_year + 1900, day.tm_mon + 1, day.tm_mday, hm->first, hm->second);
}

}  // namespace

std::string local_time_words(std::uint64_t t) {
  const std::tm tm = local_tm(t);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %-d %b %Y, %H:%M %Z", &tm);
  return buf;
}

result<std::uint64_t> parse_release_time(std::string_view text, std::uint64_t now) {
  std::string s = trimmed(text);
  for (auto& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' && c != 'T' && c != 'Z' ? c - 'A' + 'a' : c);
  if (s == "tomorrow" || s == "today") {
    return make_error(errc::invalid_argument, "Please give a time too, e.g. \"" + s + " 09:00\".");
  }
  std::optional<std::uint64_t> at = relative(s, now);
  if (!at) at = dated(s);
  if (!at) at = day_and_clock(s, now);
  if (!at) return not_understood(text);
  if (*at <= now) {
    return make_error(errc::invalid_argument, "That time has already passed (" + local_time_words(*at) +
                                                  "). Please give a time in the future.");
  }
  if (*at - now > max_ahead_seconds) {
    return make_error(errc::invalid_argument,
                      "That is more than a year ahead (" + local_time_words(*at) + "). Please give a nearer time.");
  }
  return *at;
}

std::string local_time_zone_name() {
  if (const char* tz = std::getenv("TZ"); tz && *tz) {
    std::string name(tz[0] == ':' ? tz + 1 : tz);
    if (!name.empty() && name.front() != '/') return name;
  }
  if (std::ifstream in("/etc/timezone"); in) {
    std::string name;
    if (std::getline(in, name) && !name.empty()) return name;
  }
  std::error_code ec;
  const auto target = std::filesystem::read_symlink("/etc/localtime", ec).string();
  if (const auto at = target.find("zoneinfo/"); !ec && at != std::string::npos) return target.substr(at + 9);
  return "UTC";
}

}  // namespace shuttle::client

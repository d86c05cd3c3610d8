#include "server/api/request_target.hpp"

#include <algorithm>

namespace shuttle::relay::api {

std::optional<std::vector<std::string_view>> path_segments(std::string_view target) {
  target = target.substr(0, target.find('?'));
  if (!target.starts_with('/')) return std::nullopt;
  std::vector<std::string_view> out;
  if (target == "/") return out;
  target.remove_prefix(1);
  for (;;) {
    const auto end = target.find('/');
    const auto segment = target.substr(0, end);
    if (segment.empty()) return std::nullopt;
    out.push_back(segment);
    if (end == std::string_view::npos) return out;
    target.remove_prefix(end + 1);
  }
}

bool asset_name(std::string_view segment) {
  return !segment.empty() && segment.size() <= 128 && segment.front() != '.' &&
         std::all_of(segment.begin(), segment.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == '-';
         });
}

}  // namespace shuttle::relay::api

// A check-in's document (proto/SPEC.md 5.19): the question a facilitator
// asks a party in aftercare, and the support services they point to.
#pragma once

#include "proto/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace shuttle::proto {

inline constexpr std::string_view checkin_content_type = "application/vnd.shuttle.checkin+json";
inline constexpr std::size_t max_checkin_question_bytes = 2000;
inline constexpr std::size_t max_checkin_support = 16;
inline constexpr std::size_t max_checkin_support_bytes = 500;

struct checkin_document {
  std::string question;
  std::vector<std::string> support;  // services the facilitators listed: a name, how to reach them
  friend bool operator==(const checkin_document&, const checkin_document&) = default;
};

// {"v":1,"question":text,"support":[text, ...]}
std::string checkin_body(const checkin_document& d);
// Strict: the question 1 to 2000 bytes, 0 to 16 support lines of 1 to 500
// bytes, no control character but the line feed, no other key.
result<checkin_document> parse_checkin_body(std::string_view body);

}  // namespace shuttle::proto

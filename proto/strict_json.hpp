// Strict JSON parsing for everything that arrives from outside. On top of
// Boost.JSON's RFC 8259 parser (valid UTF-8, no comments, no trailing commas)
// it bounds the input size and nesting depth and rejects duplicate keys,
// which Boost.JSON would otherwise resolve silently to the last one.
#pragma once

#include "proto/error.hpp"
#include "proto/limits.hpp"

#include <boost/json/value.hpp>

#include <string_view>

namespace shuttle::proto {

// Errors: too_large (more than max_bytes), malformed_json (syntax, depth),
// duplicate_field (detail names the key). Never throws for bad input.
result<boost::json::value> parse_strict_json(std::string_view text, std::size_t max_bytes,
                                             std::size_t max_depth = max_json_depth);

}  // namespace shuttle::proto

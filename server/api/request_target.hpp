// What a request's target names, before any route is looked at: its path in
// the one canonical spelling the relay takes, and whether a segment may name
// a file of the browser client. Pure functions of the target text, with no
// state, so tests/fuzz/fuzz_http_request.cpp can run them on any bytes.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace shuttle::relay::api {

// Splits "/v1/cases/abc/keys?x" into segments, ignoring the query. A path
// that is not in its one canonical spelling (an empty segment from "//", a
// trailing "/", no leading "/") gives nothing, so a proxy's rules written for
// "/v1/login" cannot be passed by "/v1//login/". "/" gives no segments.
// The views point into `target`.
std::optional<std::vector<std::string_view>> path_segments(std::string_view target);

// Whether a segment may name a browser client asset: 1 to 128 characters of
// [A-Za-z0-9._-], not starting with '.' (so never "." or "..", no hidden
// file), and never a percent-escape or a separator of any spelling.
bool asset_name(std::string_view segment);

}  // namespace shuttle::relay::api

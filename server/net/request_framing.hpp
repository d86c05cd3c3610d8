// What RFC 9112 refuses in a request's framing, decided from its parsed
// header before anything else: a proxy in front may frame such a request
// differently from the relay, and a second request hidden in the body of
// the first would pass the proxy's rules (request smuggling). Pure, so
// tests/fuzz/fuzz_http_request.cpp runs it on whatever Beast parses.
#pragma once

#include <boost/beast/http/message.hpp>

#include <optional>
#include <string_view>

namespace shuttle::relay::net {

// Why the request must be refused (400, and its connection closed), in a
// sentence for the answer, or nothing: a Host header missing (HTTP/1.1) or
// repeated; a Transfer-Encoding other than exactly "chunked", repeated, or
// beside a Content-Length.
std::optional<std::string_view> framing_problem(const boost::beast::http::request_header<>& head);

}  // namespace shuttle::relay::net

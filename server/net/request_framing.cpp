#include "server/net/request_framing.hpp"

#include <boost/beast/core/string.hpp>

namespace shuttle::relay::net {

namespace http = boost::beast::http;

std::optional<std::string_view> framing_problem(const http::request_header<>& head) {
  const auto hosts = head.count(http::field::host);
  if (hosts > 1 || (hosts == 0 && head.version() >= 11)) return "The request must name its Host exactly once.";
  const auto codings = head.count(http::field::transfer_encoding);
  if (codings == 0) return std::nullopt;
  if (codings > 1 || head.count(http::field::content_length) > 0) {
    return "The request gives its length twice: Transfer-Encoding with Content-Length, or more than one of either.";
  }
  std::string_view coding = head[http::field::transfer_encoding];
  while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) coding.remove_prefix(1);
  while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) coding.remove_suffix(1);
  if (!boost::beast::iequals(coding, "chunked")) return "The relay takes no Transfer-Encoding but chunked.";
  return std::nullopt;
}

}  // namespace shuttle::relay::net

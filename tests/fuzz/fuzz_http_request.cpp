// A request's bytes as the relay reads them (server/net/server.cpp): Beast's
// parser with the relay's header limit, the framing rules of RFC 9112
// (request_framing.hpp) and the mapping of its target to a path and to a
// browser client file (request_target.hpp). Never a crash; a request whose
// length is given twice never passes; a file name never leaves assets/.
#include "server/api/request_target.hpp"
#include "server/net/request_framing.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdlib>

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(8 * 1024);
  parser.body_limit(64 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!parser.is_header_done()) return 0;
  const auto& head = parser.get();
  const auto problem = shuttle::relay::net::framing_problem(head);
  if (!problem) {
    // What passes names its length at most once, and its Host once (HTTP/1.1).
    if (head.count(http::field::transfer_encoding) > 0 && head.count(http::field::content_length) > 0) std::abort();
    if (head.count(http::field::transfer_encoding) > 1 || head.count(http::field::host) > 1) std::abort();
    if (head.version() >= 11 && head.count(http::field::host) != 1) std::abort();
  }
  const std::string_view target(head.target().data(), head.target().size());
  const auto segments = shuttle::relay::api::path_segments(target);
  if (!segments) return 0;
  for (const auto segment : *segments) {
    if (segment.empty() || segment.find('/') != std::string_view::npos || segment.find('?') != std::string_view::npos) {
      std::abort();
    }
    if (shuttle::relay::api::asset_name(segment)) {
      // A name the relay would look up among the files it holds: nothing
      // that could step out of assets/ or name a hidden file, however spelled.
      if (segment.front() == '.' || segment.find('%') != std::string_view::npos ||
          segment.find('\\') != std::string_view::npos || segment.find('\0') != std::string_view::npos) {
        std::abort();
      }
    }
  }
  return 0;
}

#include "proto/strict_json.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace shuttle::proto {

namespace {

namespace json = boost::json;
using boost::system::error_code;

// Builds the value like boost::json::parser does, and remembers the keys of
// every open object to refuse a repeated one when the object closes (sorted,
// so a body of many keys costs n log n; short keys allocate nothing).
struct handler {
  explicit handler(json::storage_ptr sp) : storage(std::move(sp)) {}

  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);

  json::storage_ptr storage;  // where the value is built
  json::value_stack stack;
  std::vector<std::string> keys;           // of every open object, innermost last
  std::vector<std::size_t> object_starts;  // where each open object's keys begin
  std::string key;
  std::string duplicate;

  bool on_document_begin(error_code&) {
    stack.reset(storage);
    return true;
  }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t n, error_code&) {
    stack.push_array(n);
    return true;
  }
  bool on_object_begin(error_code&) {
    object_starts.push_back(keys.size());
    return true;
  }
  bool on_object_end(std::size_t n, error_code& ec) {
    const auto first = keys.begin() + static_cast<std::ptrdiff_t>(object_starts.back());
    std::sort(first, keys.end());
    if (const auto twice = std::adjacent_find(first, keys.end()); twice != keys.end()) {
      duplicate = *twice;
      ec = json::error::syntax;  // stops the parse; `duplicate` tells why
      return false;
    }
    keys.erase(first, keys.end());
    object_starts.pop_back();
    stack.push_object(n);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, error_code&) {
    stack.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, error_code&) {
    stack.push_string(s);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, error_code&) {
    stack.push_chars(s);
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, error_code&) {
    key.append(s.data(), s.size());
    keys.push_back(std::move(key));
    key.clear();
    stack.push_key(s);
    return true;
  }
  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, error_code&) {
    stack.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, error_code&) {
    stack.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view, error_code&) {
    stack.push_double(d);
    return true;
  }
  bool on_bool(bool b, error_code&) {
    stack.push_bool(b);
    return true;
  }
  bool on_null(error_code&) {
    stack.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }
};

}  // namespace

result<boost::json::value> parse_strict_json(std::string_view text, std::size_t max_bytes,
                                             std::size_t max_depth) {
  if (text.size() > max_bytes) return make_error(errc::too_large);
  json::parse_options options;
  options.max_depth = max_depth;
  try {
    // The whole value in one arena, freed with it: a request's body is
    // read once and dropped, and its many small nodes and strings would
    // otherwise each be a malloc and a free.
    json::basic_parser<handler> parser(options, json::make_shared_resource<json::monotonic_resource>(text.size() * 2 + 256));
    error_code ec;
    const std::size_t n = parser.write_some(false, text.data(), text.size(), ec);
    if (!parser.handler().duplicate.empty()) {
      return make_error(errc::duplicate_field, parser.handler().duplicate);
    }
    if (ec || n != text.size() || !parser.done()) return make_error(errc::malformed_json);
    return parser.handler().stack.release();
  } catch (const std::length_error&) {
    return make_error(errc::too_large);
  }
}

}  // namespace shuttle::proto

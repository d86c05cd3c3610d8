// Reading and writing typed fields of JSON objects, shared by every parser in
// proto. Internal to proto (it includes Boost.JSON); the public entry points
// are in codec.hpp, audit.hpp and the client's keystore.
//
//   object_reader r(value, "wraps[0]");
//   r("reader", w.reader)("box", w.box);
//   if (auto done = r.finish(); !done) return done.error();
//
// A reader stops at the first error and reports it with the field's path.
// Every field named is required unless its type is std::optional, which
// means "the key may be absent" (null is never accepted).
#pragma once

#include "proto/base64.hpp"
#include "proto/statements.hpp"
#include "proto/transcript.hpp"

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shuttle::proto {

class object_reader;

// Fixed-size binary: canonical base64url of exactly N bytes.
template <std::size_t N>
result<void> read_value(const boost::json::value& v, fixed<N>& out, const std::string& path) {
  const auto* s = v.if_string();
  if (!s) return make_error(errc::wrong_type, path);
  auto decoded = base64url_decode(std::string_view(s->data(), s->size()));
  if (!decoded) return make_error(errc::bad_encoding, path);
  if (decoded->size() != N) return make_error(errc::bad_length, path);
  std::copy(decoded->begin(), decoded->end(), out.begin());
  return {};
}
result<void> read_value(const boost::json::value& v, std::uint64_t& out, const std::string& path);
result<void> read_value(const boost::json::value& v, bool& out, const std::string& path);
result<void> read_value(const boost::json::value& v, role& out, const std::string& path);
result<void> read_value(const boost::json::value& v, message_kind& out, const std::string& path);
result<void> read_value(const boost::json::value& v, case_stage& out, const std::string& path);
result<void> read_value(const boost::json::value& v, sealed_note& out, const std::string& path);
result<void> read_value(const boost::json::value& v, display_name& out, const std::string& path);
result<void> read_value(const boost::json::value& v, std::vector<reader_wrap>& out, const std::string& path);
// Binary of any length within [min, max] bytes that is no secret to whoever
// can time its decoding (ciphertext, sealed boxes): base64url_decode_public.
result<void> read_bytes(const boost::json::value& v, bytes& out, std::size_t min, std::size_t max,
                        const std::string& path);

// Text a person wrote (an agreement's item, a check-in's question): a JSON
// string of 1 to `max_bytes` bytes with no control character but the line
// feed (UTF-8 validity is the JSON parser's). Errors name `path`.
result<std::string> read_person_text(const boost::json::value* v, std::size_t max_bytes, const std::string& path);

class object_reader {
 public:
  // `path` prefixes field names in errors ("" at the top level).
  object_reader(const boost::json::value& v, std::string path);

  template <class T>
  object_reader& operator()(std::string_view name, T& out) {
    if (!status_) return *this;
    const boost::json::value* v = find(name);
    if (!v) {
      status_ = make_error(errc::missing_field, path_of(name));
    } else {
      status_ = read_value(*v, out, path_of(name));
    }
    return *this;
  }
  template <class T>
  object_reader& operator()(std::string_view name, std::optional<T>& out) {
    if (!status_) return *this;
    const boost::json::value* v = find(name);
    if (!v) {
      out.reset();
      return *this;
    }
    out.emplace();
    status_ = read_value(*v, *out, path_of(name));
    return *this;
  }
  // Marks a key as known without reading it (for "v" and "type").
  object_reader& known(std::string_view name);
  const boost::json::value* find(std::string_view name);

  // The first error, or unknown_field for any key that no call named.
  result<void> finish();
  std::string path_of(std::string_view name) const;
  void fail(error e) {
    if (status_) status_ = std::move(e);
  }

 private:
  const boost::json::object* object_ = nullptr;
  std::string path_;
  std::vector<std::string_view> named_;
  result<void> status_;
};

// Writing: each value in its canonical JSON form.
class object_writer {
 public:
  explicit object_writer(boost::json::object& out) : out_(out) {}
  template <std::size_t N>
  object_writer& operator()(std::string_view name, const fixed<N>& v) {
    out_[name] = base64url_encode(v);
    return *this;
  }
  object_writer& operator()(std::string_view name, std::uint64_t v);
  object_writer& operator()(std::string_view name, bool v);
  object_writer& operator()(std::string_view name, role v);
  object_writer& operator()(std::string_view name, message_kind v);
  object_writer& operator()(std::string_view name, case_stage v);
  object_writer& operator()(std::string_view name, const sealed_note& v);
  object_writer& operator()(std::string_view name, const display_name& v);
  object_writer& operator()(std::string_view name, const std::vector<reader_wrap>& v);
  template <class T>
  object_writer& operator()(std::string_view name, const std::optional<T>& v) {
    if (v) (*this)(name, *v);
    return *this;
  }

 private:
  boost::json::object& out_;
};

// Transcript framing of each field type (proto/SPEC.md "Transcripts").
template <std::size_t N>
void add_field(transcript& t, const fixed<N>& v) {
  t.add(v);
}
void add_field(transcript& t, std::uint64_t v);
void add_field(transcript& t, bool v);
void add_field(transcript& t, role v);
void add_field(transcript& t, message_kind v);
void add_field(transcript& t, case_stage v);
void add_field(transcript& t, const sealed_note& v);
void add_field(transcript& t, const display_name& v);
void add_field(transcript& t, const std::vector<reader_wrap>& v);
template <class T>
void add_field(transcript& t, const std::optional<T>& v) {
  if (v) {
    add_field(t, *v);
  } else {
    t.add_absent();
  }
}

}  // namespace shuttle::proto

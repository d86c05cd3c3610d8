#include "proto/json_fields.hpp"

#include <algorithm>

namespace shuttle::proto {

namespace json = boost::json;

result<void> read_value(const json::value& v, std::uint64_t& out, const std::string& path) {
  if (const auto* i = v.if_int64()) {
    if (*i < 0) return make_error(errc::bad_value, path);
    out = static_cast<std::uint64_t>(*i);
  } else if (const auto* u = v.if_uint64()) {
    out = *u;
  } else {
    return make_error(errc::wrong_type, path);
  }
  if (out > max_json_integer) return make_error(errc::bad_value, path);
  return {};
}

result<void> read_value(const json::value& v, bool& out, const std::string& path) {
  const auto* b = v.if_bool();
  if (!b) return make_error(errc::wrong_type, path);
  out = *b;
  return {};
}

namespace {
template <class E>
result<void> read_enum(const json::value& v, E& out, const std::string& path) {
  const auto* s = v.if_string();
  if (!s) return make_error(errc::wrong_type, path);
  if (!parse_enum(std::string_view(s->data(), s->size()), out)) return make_error(errc::bad_value, path);
  return {};
}
}  // namespace

result<void> read_value(const json::value& v, role& out, const std::string& path) {
  return read_enum(v, out, path);
}
result<void> read_value(const json::value& v, message_kind& out, const std::string& path) {
  return read_enum(v, out, path);
}
result<void> read_value(const json::value& v, case_stage& out, const std::string& path) {
  return read_enum(v, out, path);
}

result<std::string> read_person_text(const json::value* v, std::size_t max_bytes, const std::string& path) {
  if (!v) return make_error(errc::missing_field, path);
  const auto* s = v->if_string();
  if (!s) return make_error(errc::wrong_type, path);
  if (s->empty() || s->size() > max_bytes) return make_error(errc::bad_value, path);
  for (const char ch : *s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\n') || c == 0x7f) return make_error(errc::bad_value, path);
  }
  return std::string(s->data(), s->size());
}

result<void> read_bytes(const json::value& v, bytes& out, std::size_t min, std::size_t max,
                        const std::string& path) {
  const auto* s = v.if_string();
  if (!s) return make_error(errc::wrong_type, path);
  // Reject before decoding anything that cannot fit.
  if (s->size() > (max + 2) / 3 * 4) return make_error(errc::bad_length, path);
  auto decoded = base64url_decode_public(std::string_view(s->data(), s->size()));
  if (!decoded) return make_error(errc::bad_encoding, path);
  if (decoded->size() < min || decoded->size() > max) return make_error(errc::bad_length, path);
  out = std::move(*decoded);
  return {};
}

result<void> read_value(const json::value& v, display_name& out, const std::string& path) {
  const auto* s = v.if_string();
  if (!s) return make_error(errc::wrong_type, path);
  // The JSON parser has refused invalid UTF-8 already.
  if (!is_display_name(std::string_view(s->data(), s->size()))) return make_error(errc::bad_value, path);
  out.text.assign(s->data(), s->size());
  return {};
}

result<void> read_value(const json::value& v, sealed_note& out, const std::string& path) {
  return read_bytes(v, out.box, min_sealed_note_bytes, max_sealed_note_bytes, path);
}

result<void> read_value(const json::value& v, std::vector<reader_wrap>& out, const std::string& path) {
  const auto* a = v.if_array();
  if (!a) return make_error(errc::wrong_type, path);
  if (a->empty() || a->size() > max_wraps) return make_error(errc::bad_length, path);
  out.clear();
  out.reserve(a->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    reader_wrap w;
    object_reader r((*a)[i], path + "[" + std::to_string(i) + "]");
    r("reader", w.reader)("box", w.box);
    if (auto done = r.finish(); !done) return done.error();
    out.push_back(w);
  }
  return {};
}

object_reader::object_reader(const json::value& v, std::string path) : path_(std::move(path)) {
  object_ = v.if_object();
  if (!object_) status_ = make_error(errc::not_an_object, path_);
}

const json::value* object_reader::find(std::string_view name) {
  named_.push_back(name);
  if (!object_) return nullptr;
  return object_->if_contains(name);
}

object_reader& object_reader::known(std::string_view name) {
  named_.push_back(name);
  return *this;
}

std::string object_reader::path_of(std::string_view name) const {
  if (path_.empty()) return std::string(name);
  return path_ + "." + std::string(name);
}

result<void> object_reader::finish() {
  if (!status_) return status_;
  for (const auto& kv : *object_) {
    const std::string_view key(kv.key().data(), kv.key().size());
    if (std::find(named_.begin(), named_.end(), key) == named_.end()) {
      return make_error(errc::unknown_field, path_of(key));
    }
  }
  return {};
}

object_writer& object_writer::operator()(std::string_view name, std::uint64_t v) {
  out_[name] = v;
  return *this;
}
object_writer& object_writer::operator()(std::string_view name, bool v) {
  out_[name] = v;
  return *this;
}
object_writer& object_writer::operator()(std::string_view name, role v) {
  out_[name] = to_string(v);
  return *this;
}
object_writer& object_writer::operator()(std::string_view name, message_kind v) {
  out_[name] = to_string(v);
  return *this;
}
object_writer& object_writer::operator()(std::string_view name, case_stage v) {
  out_[name] = to_string(v);
  return *this;
}
object_writer& object_writer::operator()(std::string_view name, const display_name& v) {
  out_[name] = v.text;
  return *this;
}

object_writer& object_writer::operator()(std::string_view name, const sealed_note& v) {
  out_[name] = base64url_encode(v.box);
  return *this;
}
object_writer& object_writer::operator()(std::string_view name, const std::vector<reader_wrap>& v) {
  json::array a;
  for (const auto& w : v) {
    json::object o;
    object_writer{o}("reader", w.reader)("box", w.box);
    a.push_back(std::move(o));
  }
  out_[name] = std::move(a);
  return *this;
}

void add_field(transcript& t, std::uint64_t v) { t.add_u64(v); }
void add_field(transcript& t, bool v) { t.add_bool(v); }
void add_field(transcript& t, role v) { t.add(to_string(v)); }
void add_field(transcript& t, message_kind v) { t.add(to_string(v)); }
void add_field(transcript& t, case_stage v) { t.add(to_string(v)); }
void add_field(transcript& t, const sealed_note& v) { t.add(v.box); }
void add_field(transcript& t, const display_name& v) { t.add(std::string_view(v.text)); }
void add_field(transcript& t, const std::vector<reader_wrap>& v) {
  t.add_count(v.size());
  for (const auto& w : v) t.add(w.reader).add(w.box);
}

}  // namespace shuttle::proto

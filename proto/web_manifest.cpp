#include "proto/web_manifest.hpp"

#include "proto/base64.hpp"
#include "proto/json_fields.hpp"
#include "proto/strict_json.hpp"
#include "proto/transcript.hpp"

#include <boost/json/serialize.hpp>
#include <sodium.h>

#include <algorithm>

namespace shuttle::proto {

namespace json = boost::json;

namespace {

bool printable_ascii(std::string_view s, std::size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

}  // namespace

bool web_manifest_path(std::string_view path) {
  if (path == "/") return true;
  constexpr std::string_view prefix = "/assets/";
  if (!path.starts_with(prefix)) return false;
  const std::string_view name = path.substr(prefix.size());
  return !name.empty() && name.size() <= 128 && name.front() != '.' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == '-';
         });
}

hash web_file_digest(std::string_view body) {
  hash h{};
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(body.data()), body.size());
  return h;
}

bytes web_manifest_transcript(const web_manifest& m) {
  transcript t("shuttle/v1/web-manifest");
  t.add(std::string_view(m.version)).add(std::string_view(m.csp)).add_count(m.files.size());
  for (const auto& [path, digest] : m.files) t.add(std::string_view(path)).add(digest);
  return t.data();
}

result<web_manifest> parse_web_manifest(std::string_view text) {
  auto value = parse_strict_json(text, max_web_manifest_bytes, 3);
  if (!value) return value.error();
  if (!value->is_object()) return make_error(errc::not_an_object, "web manifest");
  const json::object& o = value->as_object();
  const auto* v = o.if_contains("v");
  if (!v || !v->is_int64() || v->as_int64() != 1) return make_error(errc::unsupported_version, "v");
  const auto* type = o.if_contains("type");
  if (!type || !type->is_string() || type->as_string() != "web_manifest") return make_error(errc::wrong_statement, "type");

  web_manifest m;
  object_reader r(*value, "");
  r.known("v").known("type").known("version").known("csp").known("files");
  r("key", m.key)("signature", m.sig);
  if (auto done = r.finish(); !done) return done.error();

  for (const char* field : {"version", "csp"}) {
    const auto* s = o.if_contains(field);
    if (!s) return make_error(errc::missing_field, field);
    if (!s->is_string()) return make_error(errc::wrong_type, field);
    const std::string_view text_of = s->as_string();
    if (!printable_ascii(text_of, field == std::string_view("version") ? 64 : 1024)) {
      return make_error(errc::bad_value, field);
    }
    (field == std::string_view("version") ? m.version : m.csp) = std::string(text_of);
  }
  const auto* files = o.if_contains("files");
  if (!files) return make_error(errc::missing_field, "files");
  if (!files->is_object()) return make_error(errc::wrong_type, "files");
  if (files->as_object().empty() || files->as_object().size() > max_web_manifest_files) {
    return make_error(errc::bad_value, "files");
  }
  for (const auto& [path, digest] : files->as_object()) {
    const std::string where = "files." + std::string(path);
    if (!web_manifest_path(path)) return make_error(errc::bad_value, where);
    hash h{};
    if (auto ok = read_value(digest, h, where); !ok) return ok.error();
    m.files.emplace(std::string(path), h);
  }
  if (!m.files.contains("/")) return make_error(errc::missing_field, "files./");

  const bytes t = web_manifest_transcript(m);
  if (crypto_sign_verify_detached(m.sig.data(), t.data(), t.size(), m.key.data()) != 0) {
    return make_error(errc::bad_signature, "web manifest");
  }
  return m;
}

std::string to_json(const web_manifest& m) {
  json::object files;
  for (const auto& [path, digest] : m.files) files[path] = base64url_encode(digest);
  json::object o{{"v", 1}, {"type", "web_manifest"}, {"version", m.version}, {"csp", m.csp}, {"files", std::move(files)},
                 {"key", base64url_encode(m.key)}, {"signature", base64url_encode(m.sig)}};
  return json::serialize(o) + "\n";
}

}  // namespace shuttle::proto

#include "client-lib/profile_file.hpp"

#include "client-lib/keys.hpp"
#include "proto/base64.hpp"
#include "proto/json_fields.hpp"
#include "proto/strict_json.hpp"
#include "proto/transcript.hpp"

#include <boost/json.hpp>
#include <sodium.h>

namespace shuttle::client {

namespace json = boost::json;

namespace {

constexpr std::size_t max_relay_text = 255;

result<std::string> text_field(const json::value* v, std::string_view name, std::size_t max) {
  if (!v) return make_error(errc::missing_field, std::string(name));
  if (!v->is_string()) return make_error(errc::wrong_type, std::string(name));
  if (v->get_string().size() > max) return make_error(errc::too_large, std::string(name));
  return std::string(v->get_string());
}

}  // namespace

result<profile_file> parse_profile_file(std::string_view text) {
  auto value = proto::parse_strict_json(text, max_profile_file_bytes);
  if (!value) return value.error();
  proto::object_reader r(*value, "");
  const json::value* v = r.find("v");
  const json::value* type = r.find("type");
  if (!v || !v->is_int64() || v->get_int64() != 1) return make_error(errc::unsupported_version, "v");
  if (!type || !type->is_string() || type->get_string() != "profile") return make_error(errc::bad_value, "type");
  profile_file p;
  auto keystore = text_field(r.find("keystore"), "keystore", proto::max_keystore_file_bytes);
  if (!keystore) return keystore.error();
  p.keystore_text = std::move(*keystore);
  if (const json::value* relay = r.find("relay")) {
    auto t = text_field(relay, "relay", max_relay_text);
    if (!t) return t.error();
    p.relay = std::move(*t);
  }
  r("relay_key", p.relay_key)("relay_certificate_sha256", p.relay_certificate_sha256)("sig", p.sig);
  const json::value* cases = r.find("cases");
  if (auto done = r.finish(); !done) return done.error();
  if (!cases || !cases->is_array()) return make_error(errc::wrong_type, "cases");
  if (cases->get_array().size() > max_profile_cases) return make_error(errc::too_large, "cases");
  for (std::size_t i = 0; i < cases->get_array().size(); ++i) {
    const std::string path = "cases[" + std::to_string(i) + "]";
    case_entry c;
    proto::object_reader cr(cases->get_array()[i], path);
    cr("case", c.case_id)("role", c.role)("pinned", c.pinned);
    if (auto done = cr.finish(); !done) return done.error();
    p.cases.push_back(c);
  }
  return p;
}

std::string serialize_profile_file(const profile_file& p) {
  json::array cases;
  for (const auto& c : p.cases) {
    cases.push_back(json::object{{"case", proto::base64url_encode(c.case_id)}, {"role", proto::to_string(c.role)},
                                 {"pinned", proto::base64url_encode(c.pinned)}});
  }
  json::object o{{"v", 1}, {"type", "profile"}, {"keystore", p.keystore_text},
                 {"relay_key", proto::base64url_encode(p.relay_key)}, {"cases", std::move(cases)},
                 {"sig", proto::base64url_encode(p.sig)}};
  if (p.relay) o["relay"] = *p.relay;
  if (p.relay_certificate_sha256) o["relay_certificate_sha256"] = proto::base64url_encode(*p.relay_certificate_sha256);
  return json::serialize(o) + "\n";
}

bytes profile_transcript(const profile_file& p) {
  proto::transcript t("shuttle/v1/profile");
  t.add(std::string_view(p.keystore_text)).add(p.relay_key);
  if (p.relay) {
    t.add(std::string_view(*p.relay));
  } else {
    t.add_absent();
  }
  if (p.relay_certificate_sha256) {
    t.add(*p.relay_certificate_sha256);
  } else {
    t.add_absent();
  }
  t.add_u64(p.cases.size());
  for (const auto& c : p.cases) t.add(c.case_id).add(proto::to_string(c.role)).add(c.pinned);
  return t.data();
}

void sign_profile(profile_file& p, const identity_key& me) { p.sig = me.sign(profile_transcript(p)); }

result<void> check_profile(const profile_file& p, const proto::public_key& me) {
  const bytes t = profile_transcript(p);
  if (crypto_sign_verify_detached(p.sig.data(), t.data(), t.size(), me.data()) != 0) {
    return make_error(errc::bad_signature, "the file was changed after it was saved");
  }
  return {};
}

}  // namespace shuttle::client

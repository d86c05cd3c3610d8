#include "proto/referral.hpp"

#include "proto/base64.hpp"
#include "proto/codec.hpp"
#include "proto/enum_words.hpp"
#include "proto/json_fields.hpp"
#include "proto/strict_json.hpp"
#include "proto/transcript.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace shuttle::proto {

namespace json = boost::json;

namespace {
constexpr enum_words<referral_state, 3> state_words{{"received", "contacted", "closed"}};
}  // namespace

std::string_view to_string(referral_state s) { return state_words.word(s); }
bool parse_enum(std::string_view word, referral_state& out) { return state_words.parse(word, out); }

std::string referral_body(const referral_document& d) {
  json::object o;
  o["v"] = 1;
  o["language"] = d.language;
  o["what_happened"] = d.what_happened;
  o["contact"] = d.contact;
  if (d.about) o["about"] = to_string(*d.about);
  if (d.referrer) o["referrer"] = *d.referrer;
  return json::serialize(o);
}

result<referral_document> parse_referral_body(std::string_view body) {
  auto value = parse_strict_json(body, 64 * 1024);
  if (!value) return value.error();
  object_reader r(*value, "");
  if (const json::value* v = r.find("v"); !v || !v->is_int64() || v->get_int64() != 1) {
    return make_error(v ? errc::unsupported_version : errc::missing_field, "v");
  }
  referral_document d;
  const json::value* language = r.find("language");
  if (!language) return make_error(errc::missing_field, "language");
  if (!language->is_string() || (language->get_string() != "en" && language->get_string() != "nb")) {
    return make_error(errc::bad_value, "language");
  }
  d.language = std::string(language->get_string());
  auto what = read_person_text(r.find("what_happened"), max_referral_text_bytes, "what_happened");
  if (!what) return what.error();
  d.what_happened = std::move(*what);
  auto contact = read_person_text(r.find("contact"), max_referral_contact_bytes, "contact");
  if (!contact) return contact.error();
  d.contact = std::move(*contact);
  if (const json::value* about = r.find("about")) {
    role who{};
    if (!about->is_string() || !parse_enum(about->get_string(), who) || (who != role::harmed && who != role::responsible)) {
      return make_error(errc::bad_value, "about");
    }
    d.about = who;
  }
  if (const json::value* referrer = r.find("referrer")) {
    auto text = read_person_text(referrer, max_referral_referrer_bytes, "referrer");
    if (!text) return text.error();
    d.referrer = std::move(*text);
  }
  if (auto done = r.finish(); !done) return done.error();
  return d;
}

std::string encode(const referral_code& code) {
  bytes raw(code.referral.begin(), code.referral.end());
  raw.insert(raw.end(), code.secret.begin(), code.secret.end());
  return std::string(referral_code_prefix) + base64url_encode(raw);
}

result<referral_code> parse_referral_code(std::string_view typed) {
  if (typed.size() > 1024) return make_error(errc::too_large, "receipt code");
  std::string kept;
  for (char c : typed) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') kept += c;
  }
  const std::string_view text = kept;
  if (!text.starts_with(referral_code_prefix)) return make_error(errc::bad_value, "not a Shuttle receipt code");
  auto raw = base64url_decode(text.substr(referral_code_prefix.size()));
  if (!raw || raw->size() != id_bytes + 32) {
    return make_error(errc::bad_value, "the receipt code is incomplete or damaged");
  }
  referral_code code;
  std::copy_n(raw->begin(), id_bytes, code.referral.begin());
  std::copy_n(raw->begin() + id_bytes, 32, code.secret.begin());
  if (code.referral == id{}) return make_error(errc::bad_value, "the receipt code is incomplete or damaged");
  return code;
}

hash referral_secret_hash(const referral_secret& secret) {
  transcript t("shuttle/v1/referral-secret");
  t.add(secret);
  return blake2b_256(t.data());
}

bytes referral_associated_data(const id& referral) {
  transcript t("shuttle/v1/referral");
  t.add(referral);
  return t.data();
}

}  // namespace shuttle::proto

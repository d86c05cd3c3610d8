#include "proto/invitation_code.hpp"

#include "proto/base64.hpp"
#include "proto/codec.hpp"
#include "proto/limits.hpp"
#include "proto/transcript.hpp"

#include <algorithm>

namespace shuttle::proto {

namespace {
constexpr std::string_view code_domain = "shuttle/v1/invitation-code";

bool relay_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == ':' || c == '-' || c == '[' || c == ']';
}

template <std::size_t N>
bool take(frame_reader& r, fixed<N>& out) {
  auto f = r.next_exact(N);
  if (!f) return false;
  std::copy(f->begin(), f->end(), out.begin());
  return true;
}
}  // namespace

std::string encode(const invitation_code& code) {
  transcript t(code_domain);
  t.add(code.invitation_id).add(code.case_id).add(to_string(code.role)).add(code.secret);
  t.add(code.inviter_fingerprint).add(code.relay);
  if (code.relay_certificate_sha256) {
    t.add(*code.relay_certificate_sha256);
  } else {
    t.add_absent();
  }
  return std::string(invitation_code_prefix) + base64url_encode(t.data());
}

result<invitation_code> parse_invitation_code(std::string_view typed) {
  // A code pasted from an e-mail arrives wrapped, or typed in groups: white
  // space anywhere is dropped (a code holds none of its own). Bounded first.
  if (typed.size() > 4 * max_invitation_code_chars) return make_error(errc::too_large, "invitation code");
  std::string kept;
  for (char c : typed) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') kept += c;
  }
  const std::string_view text = kept;
  if (text.size() > max_invitation_code_chars) return make_error(errc::too_large, "invitation code");
  if (!text.starts_with(invitation_code_prefix)) {
    return make_error(errc::bad_value, "not a Shuttle invitation code");
  }
  auto raw = base64url_decode(text.substr(invitation_code_prefix.size()));
  if (!raw) return make_error(errc::bad_encoding, "invitation code");

  const auto damaged = make_error(errc::bad_value, "the invitation code is incomplete or damaged");
  frame_reader r(*raw);
  invitation_code code;
  auto domain = r.next();
  if (!domain || as_chars(*domain) != code_domain) return damaged;
  if (!take(r, code.invitation_id) || !take(r, code.case_id)) return damaged;
  auto role_word = r.next();
  if (!role_word || !parse_enum(as_chars(*role_word), code.role)) return damaged;
  if (!take(r, code.secret) || !take(r, code.inviter_fingerprint)) return damaged;
  auto relay = r.next();
  if (!relay || relay->size() > 255) return damaged;
  code.relay = std::string(as_chars(*relay));
  if (!std::all_of(code.relay.begin(), code.relay.end(), relay_char)) return damaged;
  auto pin = r.next();
  if (!pin || (pin->size() != 0 && pin->size() != hash_bytes)) return damaged;
  if (pin->size() == hash_bytes) {
    code.relay_certificate_sha256.emplace();
    std::copy(pin->begin(), pin->end(), code.relay_certificate_sha256->begin());
  }
  if (!r.at_end()) return damaged;
  if (code.invitation_id == id{}) return damaged;
  if (code.case_id == null_case && code.role != role::facilitator) return damaged;
  return code;
}

hash invitation_secret_hash(const invitation_secret& secret) {
  transcript t("shuttle/v1/invitation-secret");
  t.add(secret);
  return blake2b_256(t.data());
}

}  // namespace shuttle::proto

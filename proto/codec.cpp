#include "proto/codec.hpp"

#include "proto/enum_words.hpp"
#include "proto/json_fields.hpp"
#include "proto/letter_format.hpp"
#include "proto/strict_json.hpp"

#include <boost/json/serialize.hpp>
#include <sodium.h>

#include <algorithm>

namespace shuttle::proto {

namespace json = boost::json;

namespace {

constexpr enum_words<role, 5> role_words{
    {"facilitator", "harmed", "responsible", "harmed_support", "responsible_support"}};
constexpr enum_words<message_kind, 5> kind_words{{"letter", "reply", "note", "agreement", "checkin"}};
constexpr enum_words<case_stage, 5> stage_words{{"referral", "preparation", "exchange", "agreement", "aftercare"}};

bool is_zero(const id& v) { return v == id{}; }

// Rules shared by every statement's header.
result<void> validate_header(const statement_header& h, bool case_may_be_null) {
  if (is_zero(h.statement_id)) return make_error(errc::bad_value, "id");
  if (!case_may_be_null && is_zero(h.case_id)) return make_error(errc::bad_value, "case");
  if (h.created_at == 0 || h.created_at > max_json_integer) return make_error(errc::bad_value, "created_at");
  return {};
}

result<void> validate_readers(const std::vector<reader_wrap>& wraps, std::string_view field) {
  if (wraps.empty() || wraps.size() > max_wraps) return make_error(errc::bad_length, std::string(field));
  for (std::size_t i = 0; i < wraps.size(); ++i) {
    for (std::size_t j = i + 1; j < wraps.size(); ++j) {
      if (wraps[i].reader == wraps[j].reader) {
        return make_error(errc::bad_value, std::string(field) + "[" + std::to_string(j) + "].reader");
      }
    }
  }
  return {};
}

result<void> check(const case_open& s) {
  if (auto h = validate_header(s.header, false); !h) return h;
  if (s.approvals_required != 1 && s.approvals_required != 2) {
    return make_error(errc::bad_value, "approvals_required");
  }
  return {};
}

result<void> check(const invitation& s) {
  // An account-level invitation (null case) can only make a facilitator.
  if (auto h = validate_header(s.header, s.role == role::facilitator); !h) return h;
  if (s.expires_at <= s.header.created_at || s.expires_at > max_json_integer) {
    return make_error(errc::bad_value, "expires_at");
  }
  return {};
}

result<void> check(const enrolment& s) {
  if (auto h = validate_header(s.header, s.role == role::facilitator); !h) return h;
  if (is_zero(s.invitation_id)) return make_error(errc::bad_value, "invitation");
  // Only a facilitator account has a name: the parties stay unnamed on the relay.
  if (s.name && (s.role != role::facilitator || !is_zero(s.header.case_id) || !is_display_name(s.name->text))) {
    return make_error(errc::bad_value, "name");
  }
  return {};
}

result<void> check(const key_statement& s) { return validate_header(s.header, false); }

result<void> check(const attestation& s) {
  if (auto h = validate_header(s.header, false); !h) return h;
  if (s.subject == s.header.signer) return make_error(errc::bad_value, "subject");
  if (is_zero(s.key_statement_id)) return make_error(errc::bad_value, "key_statement");
  return {};
}

result<void> check(const envelope& s) {
  if (auto h = validate_header(s.header, false); !h) return h;
  if (s.to != role::harmed && s.to != role::responsible && s.to != role::facilitator) {
    return make_error(errc::bad_value, "to");
  }
  // Only a note or an agreement goes to the facilitators (an internal note,
  // a party's or supporter's words to them; the facilitators' agreement for
  // both parties); a note to a party is a facilitator's message to that
  // party (SPEC 5.6). Letters and replies go to a party.
  const bool to_facilitators_allowed = s.kind == message_kind::note || s.kind == message_kind::agreement;
  if (!to_facilitators_allowed && s.to == role::facilitator) return make_error(errc::bad_value, "to");
  if (s.kind == message_kind::agreement && s.to != role::facilitator) return make_error(errc::bad_value, "to");
  if (s.supersedes && (is_zero(*s.supersedes) || *s.supersedes == s.header.statement_id)) {
    return make_error(errc::bad_value, "supersedes");
  }
  // A check-in goes to one party.
  if (s.kind == message_kind::checkin && s.to == role::facilitator) return make_error(errc::bad_value, "to");
  // A reply names the letter it answers, a note to the facilitators may
  // name the check-in it answers (SPEC 5.19); nothing else names one.
  const bool may_answer = s.kind == message_kind::note && s.to == role::facilitator;
  if ((s.kind == message_kind::reply ? !s.answers : s.answers && !may_answer) ||
      (s.answers && (is_zero(*s.answers) || *s.answers == s.header.statement_id))) {
    return make_error(errc::bad_value, "answers");
  }
  // A size that chunking gives for a Padmé-padded plaintext (sections 6.2, 6.3).
  if (const auto padded = plaintext_size_for(s.ciphertext_size);
      s.ciphertext_size > max_ciphertext_bytes || !padded || !is_padded_size(*padded)) {
    return make_error(errc::bad_value, "ciphertext_size");
  }
  if (auto r = validate_readers(s.wraps, "wraps"); !r) return r;
  // The sender first, then the other readers in ascending order of key bytes.
  if (s.wraps.front().reader != s.header.signer) return make_error(errc::bad_value, "wraps[0].reader");
  for (std::size_t i = 2; i < s.wraps.size(); ++i) {
    if (!(s.wraps[i - 1].reader < s.wraps[i].reader)) {
      return make_error(errc::bad_value, "wraps[" + std::to_string(i) + "].reader");
    }
  }
  return {};
}

result<void> check(const approval& s) {
  if (auto h = validate_header(s.header, false); !h) return h;
  if (is_zero(s.message_id)) return make_error(errc::bad_value, "message");
  if (s.release_at && (*s.release_at == 0 || *s.release_at > max_json_integer)) {
    return make_error(errc::bad_value, "release_at");
  }
  return validate_readers(s.wraps, "wraps");
}

result<void> check(const return_statement& s) {
  if (auto h = validate_header(s.header, false); !h) return h;
  if (is_zero(s.message_id)) return make_error(errc::bad_value, "message");
  if (s.note.box.size() < min_sealed_note_bytes || s.note.box.size() > max_sealed_note_bytes) {
    return make_error(errc::bad_length, "note");
  }
  return {};
}

result<void> check(const revoke& s) {
  if (auto h = validate_header(s.header, false); !h) return h;
  if (is_zero(s.message_id)) return make_error(errc::bad_value, "message");
  return {};
}

result<void> check(const withdraw& s) { return validate_header(s.header, false); }

result<void> check(const grant& s) {
  if (auto h = validate_header(s.header, false); !h) return h;
  if (s.subject == s.header.signer) return make_error(errc::bad_value, "subject");
  return {};
}
result<void> check(const revision& s) {
  if (auto h = validate_header(s.header, false); !h) return h;
  if (is_zero(s.message_id)) return make_error(errc::bad_value, "message");
  if (is_zero(s.supersedes) || s.supersedes == s.message_id) return make_error(errc::bad_value, "supersedes");
  return {};
}
result<void> check(const close& s) { return validate_header(s.header, false); }
result<void> check(const stage_statement& s) { return validate_header(s.header, false); }
result<void> check(const pause& s) { return validate_header(s.header, false); }
result<void> check(const consent& s) { return validate_header(s.header, false); }
result<void> check(const agreement_signature& s) {
  if (auto r = validate_header(s.header, false); !r) return r;
  if (is_zero(s.message_id)) return make_error(errc::bad_value, "message");
  return {};
}
result<void> check(const checkin& s) {
  if (auto r = validate_header(s.header, false); !r) return r;
  if (is_zero(s.message_id)) return make_error(errc::bad_value, "message");
  if (s.due_at == 0) return make_error(errc::bad_value, "due_at");
  return {};
}
result<void> check(const referral_key& s) {
  if (auto r = validate_header(s.header, true); !r) return r;
  if (!is_zero(s.header.case_id)) return make_error(errc::bad_value, "case");
  if (s.key == public_key{}) return make_error(errc::bad_value, "key");
  return {};
}
result<void> check(const agreement_mark& s) {
  if (auto r = validate_header(s.header, false); !r) return r;
  if (is_zero(s.message_id)) return make_error(errc::bad_value, "message");
  if (s.item < 1 || s.item > max_agreement_items) return make_error(errc::bad_value, "item");
  return {};
}

}  // namespace

std::string_view to_string(role r) { return role_words.word(r); }
std::string_view to_string(message_kind k) { return kind_words.word(k); }
std::string_view to_string(case_stage s) { return stage_words.word(s); }
bool parse_enum(std::string_view word, role& out) { return role_words.parse(word, out); }
bool parse_enum(std::string_view word, message_kind& out) { return kind_words.parse(word, out); }
bool parse_enum(std::string_view word, case_stage& out) { return stage_words.parse(word, out); }

bool is_display_name(std::string_view text) {
  if (text.empty() || text.size() > max_display_name_bytes) return false;
  return std::none_of(text.begin(), text.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b < 0x20 || b == 0x7f;
  });
}

id random_id() {
  id v{};
  do {
    randombytes_buf(v.data(), v.size());
  } while (v == id{});
  return v;
}

hash consent_text_hash(std::string_view language, std::string_view text) {
  transcript t("shuttle/v1/consent-text");
  t.add(language).add(text);
  return blake2b_256(t.data());
}

hash blake2b_256(bytes_view data) {
  hash out{};
  crypto_generichash(out.data(), out.size(), data.data(), data.size(), nullptr, 0);
  return out;
}

template <class S>
result<S> parse_statement(const json::value& value, const std::string& path) {
  S s{};
  object_reader r(value, path);
  // Version and type come first so a newer or different statement is named as such.
  if (const json::value* v = r.find("v")) {
    if (!v->is_int64() || v->get_int64() != 1) return make_error(errc::unsupported_version, r.path_of("v"));
  } else {
    return make_error(errc::missing_field, r.path_of("v"));
  }
  if (const json::value* t = r.find("type")) {
    const auto* word = t->if_string();
    if (!word) return make_error(errc::wrong_type, r.path_of("type"));
    if (std::string_view(word->data(), word->size()) != S::type) {
      return make_error(errc::wrong_statement, r.path_of("type"));
    }
  } else {
    return make_error(errc::missing_field, r.path_of("type"));
  }
  r("id", s.header.statement_id)("case", s.header.case_id)("signer", s.header.signer)(
      "created_at", s.header.created_at);
  S::each_field(s, [&r](std::string_view name, auto& field) { r(name, field); });
  r("sig", s.sig);
  if (auto done = r.finish(); !done) return done.error();
  if (auto ok = check(s); !ok) {
    auto e = ok.error();
    e.detail = r.path_of(e.detail);
    return e;
  }
  return s;
}

template <class S>
result<S> parse_statement(std::string_view json_text) {
  auto value = parse_strict_json(json_text, max_statement_json_bytes);
  if (!value) return value.error();
  return parse_statement<S>(*value, std::string{});
}

template <class S>
std::string to_json(const S& s) {
  json::object o;
  o["v"] = 1;
  o["type"] = S::type;
  object_writer w(o);
  w("id", s.header.statement_id)("case", s.header.case_id)("signer", s.header.signer)(
      "created_at", s.header.created_at);
  S::each_field(s, [&w](std::string_view name, const auto& field) { w(name, field); });
  w("sig", s.sig);
  return json::serialize(o);
}

template <class S>
result<void> validate(const S& s) {
  return check(s);
}

template <class S>
bytes signing_transcript(const S& s) {
  transcript t(domain_of<S>());
  t.add(s.header.statement_id).add(s.header.case_id).add(s.header.signer).add_u64(s.header.created_at);
  S::each_field(s, [&t](std::string_view, const auto& field) { add_field(t, field); });
  return t.data();
}

template <class S>
result<void> verify_signature(const S& s) {
  const bytes t = signing_transcript(s);
  if (crypto_sign_verify_detached(s.sig.data(), t.data(), t.size(), s.header.signer.data()) != 0) {
    return make_error(errc::bad_signature, std::string(S::type));
  }
  return {};
}

template <class S>
hash statement_hash(const S& s) {
  transcript t("shuttle/v1/statement-hash");
  t.add(signing_transcript(s)).add(s.sig);
  return blake2b_256(t.data());
}

#define SHUTTLE_INSTANTIATE(S)                                                  \
  template result<S> parse_statement<S>(std::string_view);                      \
  template result<S> parse_statement<S>(const json::value&, const std::string&); \
  template std::string to_json<S>(const S&);                                    \
  template result<void> validate<S>(const S&);                                  \
  template bytes signing_transcript<S>(const S&);                               \
  template result<void> verify_signature<S>(const S&);                          \
  template hash statement_hash<S>(const S&);

SHUTTLE_INSTANTIATE(case_open)
SHUTTLE_INSTANTIATE(invitation)
SHUTTLE_INSTANTIATE(enrolment)
SHUTTLE_INSTANTIATE(key_statement)
SHUTTLE_INSTANTIATE(attestation)
SHUTTLE_INSTANTIATE(envelope)
SHUTTLE_INSTANTIATE(approval)
SHUTTLE_INSTANTIATE(return_statement)
SHUTTLE_INSTANTIATE(revoke)
SHUTTLE_INSTANTIATE(withdraw)
SHUTTLE_INSTANTIATE(close)
SHUTTLE_INSTANTIATE(grant)
SHUTTLE_INSTANTIATE(revision)
SHUTTLE_INSTANTIATE(stage_statement)
SHUTTLE_INSTANTIATE(pause)
SHUTTLE_INSTANTIATE(consent)
SHUTTLE_INSTANTIATE(agreement_signature)
SHUTTLE_INSTANTIATE(agreement_mark)
SHUTTLE_INSTANTIATE(checkin)
SHUTTLE_INSTANTIATE(referral_key)

#undef SHUTTLE_INSTANTIATE

}  // namespace shuttle::proto

// Strict parsing, writing, transcripts and signatures of every statement
// type, driven through the JSON text as a hostile peer would send it.
#include "proto/codec.hpp"

#include "client-lib/statements.hpp"
#include "proto/base64.hpp"
#include "proto/limits.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace shuttle::proto {
namespace {

namespace json = boost::json;

const client::identity_key& author() {
  static const auto k = client::identity_key::generate();
  return k;
}

reader_wrap some_wrap(const public_key& reader) {
  reader_wrap w{reader, {}};
  w.box.fill(7);
  return w;
}

// Enum words ("harmed", "letter") are also valid base64url; tell them apart.
bool is_word(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

template <class S>
S sample();
template <>
case_open sample<case_open>() {
  case_open s;
  s.approvals_required = 2;
  return s;
}
template <>
invitation sample<invitation>() {
  invitation s;
  s.role = role::responsible;
  s.secret_hash.fill(3);
  s.expires_at = client::unix_now() + 3600;
  return s;
}
template <>
enrolment sample<enrolment>() {
  enrolment s;
  s.invitation_id = client::new_id();
  s.role = role::responsible;
  return s;
}
template <>
key_statement sample<key_statement>() {
  key_statement s;
  s.case_key.fill(9);
  return s;
}
template <>
attestation sample<attestation>() {
  attestation s;
  s.subject.fill(1);
  s.subject_role = role::harmed;
  s.key_statement_id = client::new_id();
  s.subject_case_key.fill(2);
  return s;
}
template <>
envelope sample<envelope>() {
  envelope s;
  s.kind = message_kind::reply;
  s.to = role::harmed;
  s.supersedes = client::new_id();
  s.answers = client::new_id();
  s.stream.fill(4);
  s.ciphertext_size = 1041;
  s.ciphertext_hash.fill(5);
  s.wraps.push_back(some_wrap(author().public_key()));
  public_key f{};
  f.fill(0xee);
  s.wraps.push_back(some_wrap(f));
  return s;
}
template <>
approval sample<approval>() {
  approval s;
  s.message_id = client::new_id();
  s.ciphertext_hash.fill(6);
  public_key r{};
  r.fill(0x11);
  s.wraps.push_back(some_wrap(r));
  s.note = sealed_note{bytes(64, 8)};
  s.release_at = client::unix_now() + 60;
  return s;
}
template <>
return_statement sample<return_statement>() {
  return_statement s;
  s.message_id = client::new_id();
  s.ciphertext_hash.fill(6);
  s.note = sealed_note{bytes(80, 9)};
  return s;
}
template <>
revoke sample<revoke>() {
  revoke s;
  s.message_id = client::new_id();
  return s;
}
template <>
withdraw sample<withdraw>() {
  withdraw s;
  s.revoke_released = true;
  return s;
}
template <>
close sample<close>() {
  return close{};
}
template <>
grant sample<grant>() {
  grant s;
  s.subject.fill(0x42);
  s.reads = true;
  return s;
}
template <>
revision sample<revision>() {
  revision s;
  s.message_id = client::new_id();
  s.supersedes = client::new_id();
  return s;
}

template <class S>
S signed_sample() {
  S s = sample<S>();
  s.header = client::header_for(client::new_id());
  auto signed_s = client::sign(std::move(s), author());
  EXPECT_TRUE(signed_s) << signed_s.error().message();
  return *signed_s;
}

template <class S>
json::object sample_json() {
  return json::parse(to_json(signed_sample<S>())).as_object();
}

template <class S>
result<S> parse_object(const json::object& o) {
  return parse_statement<S>(json::serialize(o));
}

template <class S>
class Statement : public ::testing::Test {};
using all_statements = ::testing::Types<case_open, invitation, enrolment, key_statement, attestation, envelope, approval,
                                        return_statement, revoke, withdraw, close, grant, revision>;
TYPED_TEST_SUITE(Statement, all_statements);

TYPED_TEST(Statement, RoundTripsThroughJson) {
  const TypeParam s = signed_sample<TypeParam>();
  auto back = parse_statement<TypeParam>(to_json(s));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, s);
  EXPECT_TRUE(verify_signature(*back));
  EXPECT_EQ(signing_transcript(*back), signing_transcript(s));
  EXPECT_EQ(to_json(*back), to_json(s));
}

TYPED_TEST(Statement, TranscriptStartsWithItsFramedDomain) {
  const bytes t = signing_transcript(signed_sample<TypeParam>());
  const std::string domain = domain_of<TypeParam>();
  ASSERT_GT(t.size(), 4 + domain.size());
  EXPECT_EQ(t[3], domain.size());
  EXPECT_EQ(as_chars(bytes_view(t).subspan(4, domain.size())), domain);
}

TYPED_TEST(Statement, NamesEveryMissingField) {
  const json::object good = sample_json<TypeParam>();
  for (const auto& kv : good) {
    json::object o = good;
    o.erase(kv.key());
    auto r = parse_object<TypeParam>(o);
    const std::string key(kv.key());
    if (r) {
      // Only an optional field may be absent, and then the signature no longer holds.
      EXPECT_FALSE(verify_signature(*r)) << key;
      continue;
    }
    if (key == "answers") {  // required exactly when kind is reply: its absence breaks that rule
      EXPECT_EQ(r.error(), make_error(errc::bad_value, "answers"));
      continue;
    }
    EXPECT_EQ(r.error().code, errc::missing_field) << key << ": " << r.error().message();
    EXPECT_EQ(r.error().detail, key);
  }
}

TYPED_TEST(Statement, NamesAnUnknownField) {
  json::object o = sample_json<TypeParam>();
  o["comment"] = "hello";
  auto r = parse_object<TypeParam>(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), make_error(errc::unknown_field, "comment"));
}

TYPED_TEST(Statement, NamesEveryFieldOfTheWrongType) {
  const json::object good = sample_json<TypeParam>();
  for (const auto& kv : good) {
    if (kv.key() == "v") continue;
    json::object o = good;
    o[kv.key()] = json::object{};
    auto r = parse_object<TypeParam>(o);
    ASSERT_FALSE(r) << kv.key();
    EXPECT_EQ(r.error().code, errc::wrong_type) << kv.key() << ": " << r.error().message();
    EXPECT_EQ(r.error().detail, std::string(kv.key()));
  }
}

TYPED_TEST(Statement, RefusesOtherVersionsAndTypes) {
  json::object o = sample_json<TypeParam>();
  o["v"] = 2;
  EXPECT_EQ(parse_object<TypeParam>(o).error().code, errc::unsupported_version);
  o["v"] = "1";
  EXPECT_EQ(parse_object<TypeParam>(o).error().code, errc::unsupported_version);
  o = sample_json<TypeParam>();
  o["type"] = TypeParam::type == "revoke" ? "close" : "revoke";
  EXPECT_EQ(parse_object<TypeParam>(o).error().code, errc::wrong_statement);
}

TYPED_TEST(Statement, RefusesBadBase64AndWrongLengths) {
  const json::object good = sample_json<TypeParam>();
  for (const auto& kv : good) {
    const auto* text = kv.value().if_string();
    if (!text || is_word(std::string_view(*text))) continue;
    const std::string key(kv.key());
    json::object o = good;
    o[key] = std::string(*text) + "=";
    auto padded = parse_object<TypeParam>(o);
    ASSERT_FALSE(padded) << key;
    EXPECT_EQ(padded.error(), make_error(errc::bad_encoding, key));
    // An accented letter (two bytes of UTF-8) for two characters, as a
    // hostile peer or a mangled paste sends it: libsodium read it as "__".
    o[key] = "\xc3\xa9" + std::string(*text).substr(2);
    auto accented = parse_object<TypeParam>(o);
    ASSERT_FALSE(accented) << key;
    EXPECT_EQ(accented.error(), make_error(errc::bad_encoding, key));
    o[key] = *text;
    bytes fewer = *base64url_decode(std::string_view(*text));
    fewer.resize(fewer.size() - 3);
    o[key] = base64url_encode(fewer);
    auto shorter = parse_object<TypeParam>(o);
    if (key == "note") {
      // Sealed notes vary in length: a shorter one parses, and its signature fails.
      EXPECT_TRUE(!shorter || !verify_signature(*shorter));
      continue;
    }
    ASSERT_FALSE(shorter) << key;
    EXPECT_EQ(shorter.error(), make_error(errc::bad_length, key));
  }
}

TYPED_TEST(Statement, RefusesNonCanonicalIntegers) {
  const json::object good = sample_json<TypeParam>();
  for (const auto& kv : good) {
    if (!kv.value().is_int64() || kv.key() == "v") continue;
    const std::string key(kv.key());
    json::object o = good;
    o[key] = static_cast<double>(kv.value().as_int64());
    EXPECT_EQ(parse_object<TypeParam>(o).error(), make_error(errc::wrong_type, key));
    o[key] = -1;
    EXPECT_EQ(parse_object<TypeParam>(o).error(), make_error(errc::bad_value, key));
    o[key] = max_json_integer + 1;
    EXPECT_EQ(parse_object<TypeParam>(o).error(), make_error(errc::bad_value, key));
  }
}

TYPED_TEST(Statement, RefusesOversizeText) {
  std::string text = to_json(signed_sample<TypeParam>());
  text.insert(text.size() - 1, std::string(max_statement_json_bytes, ' '));
  EXPECT_EQ(parse_statement<TypeParam>(text).error().code, errc::too_large);
}

// Changing any byte of any field, through the JSON, breaks the signature (or the parse).
TYPED_TEST(Statement, EverySingleByteTamperIsRejected) {
  const json::object good = sample_json<TypeParam>();
  std::size_t tried = 0;
  for (const auto& kv : good) {
    const std::string key(kv.key());
    if (key == "v" || key == "type") continue;
    auto reject = [&](const json::value& v) {
      json::object o = good;
      o[key] = v;
      auto r = parse_object<TypeParam>(o);
      EXPECT_TRUE(!r || !verify_signature(*r)) << key;
      ++tried;
    };
    if (kv.value().is_string()) {
      auto raw = base64url_decode(std::string_view(kv.value().as_string()));
      if (is_word(std::string_view(kv.value().as_string()))) {
        reject(json::value(std::string(kv.value().as_string()) == "harmed" ? "responsible" : "harmed"));
        continue;
      }
      for (std::size_t i = 0; i < raw->size(); ++i) {
        bytes changed = *raw;
        changed[i] ^= 0x01;
        reject(json::value(base64url_encode(changed)));
      }
    } else if (kv.value().is_int64()) {
      reject(json::value(kv.value().as_int64() + 1));
    } else if (kv.value().is_bool()) {
      reject(json::value(!kv.value().as_bool()));
    } else if (kv.value().is_array()) {
      for (std::size_t w = 0; w < kv.value().as_array().size(); ++w) {
        for (const char* field : {"reader", "box"}) {
          auto raw = *base64url_decode(std::string_view(kv.value().as_array()[w].at(field).as_string()));
          for (std::size_t i = 0; i < raw.size(); ++i) {
            bytes changed = raw;
            changed[i] ^= 0x80;
            json::value v = kv.value();
            v.as_array()[w].as_object()[field] = base64url_encode(changed);
            reject(v);
          }
        }
      }
    }
  }
  EXPECT_GT(tried, 100u);
}

TEST(StatementRules, ApprovalsRequiredIsOneOrTwo) {
  auto o = sample_json<case_open>();
  o["approvals_required"] = 3;
  EXPECT_EQ(parse_object<case_open>(o).error(), make_error(errc::bad_value, "approvals_required"));
}

TEST(StatementRules, TheSenderIsTheFirstReaderAndReadersAreOrdered) {
  envelope e = sample<envelope>();
  e.header = client::header_for(client::new_id());
  std::swap(e.wraps[0], e.wraps[1]);
  EXPECT_FALSE(client::sign(e, author()));
  e = sample<envelope>();
  e.header = client::header_for(client::new_id());
  public_key low{};
  e.wraps.push_back(some_wrap(low));  // after 0xee..., out of order
  auto r = client::sign(e, author());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), make_error(errc::bad_value, "wraps[2].reader"));
}

TEST(StatementRules, OnlyNotesGoToFacilitatorsAndANoteGoesToThemOrOneParty) {
  envelope e = sample<envelope>();
  e.header = client::header_for(client::new_id());
  e.kind = message_kind::note;
  e.answers.reset();
  e.to = role::responsible;  // a facilitator's note to one party
  EXPECT_TRUE(client::sign(e, author()));
  e.to = role::harmed_support;
  EXPECT_EQ(client::sign(e, author()).error(), make_error(errc::bad_value, "to"));
  e.to = role::facilitator;
  EXPECT_TRUE(client::sign(e, author()));
  e.kind = message_kind::letter;
  EXPECT_EQ(client::sign(e, author()).error(), make_error(errc::bad_value, "to"));
}

TEST(StatementRules, AReplyAndOnlyAReplyNamesTheLetterItAnswers) {
  envelope e = sample<envelope>();
  e.header = client::header_for(client::new_id());
  e.answers.reset();
  EXPECT_EQ(client::sign(e, author()).error(), make_error(errc::bad_value, "answers"));
  e.answers = e.header.statement_id;
  EXPECT_EQ(client::sign(e, author()).error(), make_error(errc::bad_value, "answers"));
  e.answers = client::new_id();
  EXPECT_TRUE(client::sign(e, author()));
  e.kind = message_kind::letter;
  EXPECT_EQ(client::sign(e, author()).error(), make_error(errc::bad_value, "answers"));
}

TEST(StatementRules, OnlyAFacilitatorAccountHasADisplayName) {
  enrolment e;
  e.header = client::header_for(null_case);
  e.invitation_id = client::new_id();
  e.role = role::facilitator;
  e.name = display_name{"Ingrid Berg"};
  EXPECT_TRUE(client::sign(e, author()));
  for (const char* bad : {"", "tab\there", "a name far too long for anyone to read in a queue line at a glance, really"}) {
    e.name = display_name{bad};
    EXPECT_EQ(client::sign(e, author()).error(), make_error(errc::bad_value, "name")) << bad;
  }
  e.name = display_name{"Ingrid Berg"};
  e.header = client::header_for(client::new_id());
  e.role = role::harmed;
  EXPECT_EQ(client::sign(e, author()).error(), make_error(errc::bad_value, "name"));
}

TEST(StatementRules, CiphertextSizeMustBeAChunking) {
  auto o = sample_json<envelope>();
  o["ciphertext_size"] = 17;
  EXPECT_EQ(parse_object<envelope>(o).error(), make_error(errc::bad_value, "ciphertext_size"));
  o["ciphertext_size"] = max_ciphertext_bytes + 1;
  EXPECT_EQ(parse_object<envelope>(o).error(), make_error(errc::bad_value, "ciphertext_size"));
}

TEST(StatementRules, OnlyFacilitatorsEnrolOutsideACase) {
  enrolment s = sample<enrolment>();
  s.header = client::header_for(null_case);
  EXPECT_EQ(client::sign(s, author()).error(), make_error(errc::bad_value, "case"));
  s.role = role::facilitator;
  EXPECT_TRUE(client::sign(s, author()));
}

TEST(StatementRules, DuplicateReadersAreRefused) {
  auto o = sample_json<approval>();
  auto& wraps = o["wraps"].as_array();
  wraps.push_back(wraps[0]);
  EXPECT_EQ(parse_object<approval>(o).error(), make_error(errc::bad_value, "wraps[1].reader"));
}

TEST(StatementRules, WrapErrorsNameTheElement) {
  auto o = sample_json<envelope>();
  o["wraps"].as_array()[1].as_object().erase("box");
  EXPECT_EQ(parse_object<envelope>(o).error(), make_error(errc::missing_field, "wraps[1].box"));
  o = sample_json<envelope>();
  o["wraps"].as_array()[0].as_object()["extra"] = 1;
  EXPECT_EQ(parse_object<envelope>(o).error(), make_error(errc::unknown_field, "wraps[0].extra"));
  o = sample_json<envelope>();
  o["wraps"] = json::array{};
  EXPECT_EQ(parse_object<envelope>(o).error(), make_error(errc::bad_length, "wraps"));
}

TEST(StatementHash, NamesOneExactStatement) {
  revoke a = signed_sample<revoke>();
  revoke b = a;
  EXPECT_EQ(statement_hash(a), statement_hash(b));
  b.sig[0] ^= 1;
  EXPECT_NE(statement_hash(a), statement_hash(b));
}

}  // namespace
}  // namespace shuttle::proto

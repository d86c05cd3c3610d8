// The vectors in proto/vectors/, in both directions: this build produces the
// same bytes from the same seeds, and it accepts the stored files through
// the ordinary parsers and checks (as an independent client would).
#include "tests/vectors/vectors.hpp"

#include "client-lib/keystore.hpp"
#include "client-lib/profile_file.hpp"
#include "client-lib/review.hpp"
#include "proto/agreement.hpp"
#include "proto/audit.hpp"
#include "proto/checkin.hpp"
#include "proto/referral.hpp"
#include "client-lib/referral.hpp"
#include "proto/base64.hpp"
#include "proto/codec.hpp"
#include "proto/json_fields.hpp"
#include "proto/fingerprint.hpp"
#include "proto/invitation_code.hpp"
#include "proto/letter_format.hpp"
#include "proto/web_manifest.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <set>

#include <map>
#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace shuttle {
namespace {

namespace json = boost::json;
std::filesystem::path vectors_dir;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json::object load(std::string_view name) {
  const std::string text = read_file(vectors_dir / name);
  EXPECT_FALSE(text.empty()) << "missing vector file " << name;
  return json::parse(text).as_object();
}

std::string str(const json::value& v) { return std::string(v.as_string().c_str()); }

template <std::size_t N>
fixed<N> b64(const json::value& v) {
  auto decoded = proto::base64url_decode(str(v));
  EXPECT_TRUE(decoded && decoded->size() == N);
  fixed<N> out{};
  if (decoded && decoded->size() == N) std::copy(decoded->begin(), decoded->end(), out.begin());
  return out;
}

TEST(Vectors, ThisBuildProducesTheStoredBytes) {
  for (const auto& [name, text] : vectors::make_vectors()) {
    EXPECT_EQ(read_file(vectors_dir / name), text)
        << name << " differs: run shuttle-vectors --out proto/vectors and review the diff";
  }
}

TEST(Vectors, TranscriptsAndPadme) {
  // Framing, spelled out here by hand rather than through proto::transcript.
  auto t = load("transcript.json");
  const auto& cases = t["cases"].as_array();
  ASSERT_EQ(cases.size(), 6u);
  EXPECT_EQ(str(cases[0].at("bytes")), "00000012" + to_hex(as_bytes("shuttle/v1/example")));
  EXPECT_EQ(str(cases[3].at("bytes")), "00000012" + to_hex(as_bytes("shuttle/v1/example")) + "000000080000000000000102");

  const auto padme = load("padme.json");
  for (const auto& c : padme.at("cases").as_array()) {
    const auto n = c.at("length").to_number<std::uint64_t>();
    EXPECT_EQ(proto::padme(n), c.at("padded").to_number<std::uint64_t>()) << n;
  }
}

TEST(Vectors, KeysFingerprintsAndSafetyNumbers) {
  auto k = load("keys.json");
  for (const auto& entry : k.at("keys").as_array()) {
    const auto& o = entry.as_object();
    bytes seed(32);
    ASSERT_EQ(sodium_hex2bin(seed.data(), seed.size(), o.at("identity_seed").as_string().c_str(), 64, nullptr,
                             nullptr, nullptr),
              0);
    const auto id = client::identity_key::from_seed(seed);
    EXPECT_EQ(id.public_key(), b64<32>(o.at("identity_key")));
    EXPECT_EQ(proto::fingerprint(id.public_key()), b64<32>(o.at("fingerprint")));
    EXPECT_EQ(proto::safety_number(id.public_key()), str(o.at("safety_number")));
  }
}

TEST(Vectors, InvitationCodesParse) {
  const auto codes = load("invitation_code.json");
  for (const auto& c : codes.at("cases").as_array()) {
    auto code = proto::parse_invitation_code(str(c.at("code")));
    ASSERT_TRUE(code) << code.error().message();
    EXPECT_EQ(code->invitation_id, b64<16>(c.at("invitation")));
    EXPECT_EQ(code->case_id, b64<16>(c.at("case")));
    EXPECT_EQ(code->secret, b64<32>(c.at("secret")));
    EXPECT_EQ(proto::invitation_secret_hash(code->secret), b64<32>(c.at("secret_hash")));
    EXPECT_EQ(code->relay, str(c.at("relay")));
    EXPECT_EQ(encode(*code), str(c.at("code")));
  }
}

// Parses every stored statement with the strict parser, verifies it, and
// checks the stored transcript and hash.
struct story {
  std::map<std::string, proto::case_open> opens;
  std::vector<proto::key_statement> keys;
  std::vector<proto::attestation> attestations;
  std::vector<proto::envelope> envelopes;
  std::vector<proto::approval> approvals;
  std::vector<proto::return_statement> returns;
  std::size_t verified = 0;
};

template <class S>
void accept(const json::object& entry, std::vector<S>* out, story& s) {
  auto parsed = proto::parse_statement<S>(str(entry.at("json")));
  ASSERT_TRUE(parsed) << entry.at("type") << ": " << parsed.error().message();
  EXPECT_TRUE(proto::verify_signature(*parsed)) << entry.at("type");
  EXPECT_EQ(to_hex(proto::signing_transcript(*parsed)), str(entry.at("transcript")));
  EXPECT_EQ(proto::base64url_encode(proto::statement_hash(*parsed)), str(entry.at("statement_hash")));
  EXPECT_EQ(proto::to_json(*parsed), str(entry.at("json")));
  if (out) out->push_back(*parsed);
  ++s.verified;
}

story load_story() {
  story s;
  const auto file = load("statements.json");
  for (const auto& v : file.at("statements").as_array()) {
    const auto& e = v.as_object();
    const std::string type = str(e.at("type"));
    if (type == "case_open") {
      std::vector<proto::case_open> one;
      accept(e, &one, s);
      if (!one.empty()) s.opens["case"] = one.front();
    } else if (type == "invitation") {
      accept<proto::invitation>(e, nullptr, s);
    } else if (type == "enrolment") {
      accept<proto::enrolment>(e, nullptr, s);
    } else if (type == "key_statement") {
      accept(e, &s.keys, s);
    } else if (type == "attestation") {
      accept(e, &s.attestations, s);
    } else if (type == "envelope") {
      accept(e, &s.envelopes, s);
    } else if (type == "approval") {
      accept(e, &s.approvals, s);
    } else if (type == "return") {
      accept(e, &s.returns, s);
    } else if (type == "revoke") {
      accept<proto::revoke>(e, nullptr, s);
    } else if (type == "withdraw") {
      accept<proto::withdraw>(e, nullptr, s);
    } else if (type == "close") {
      accept<proto::close>(e, nullptr, s);
    } else if (type == "grant") {
      accept<proto::grant>(e, nullptr, s);
    } else if (type == "revision") {
      accept<proto::revision>(e, nullptr, s);
    } else if (type == "stage") {
      accept<proto::stage_statement>(e, nullptr, s);
    } else if (type == "pause") {
      accept<proto::pause>(e, nullptr, s);
    } else if (type == "consent") {
      accept<proto::consent>(e, nullptr, s);
    } else if (type == "agreement_signature") {
      accept<proto::agreement_signature>(e, nullptr, s);
    } else if (type == "agreement_mark") {
      accept<proto::agreement_mark>(e, nullptr, s);
    } else if (type == "checkin") {
      accept<proto::checkin>(e, nullptr, s);
    } else {
      ADD_FAILURE() << "unknown statement type " << type;
    }
  }
  return s;
}

// SPEC section 15's table names every file of proto/vectors/ with the
// description the file gives of itself, and nothing else.
TEST(Vectors, TheSpecListsEveryFileAsItDescribesItself) {
  const std::string spec = read_file(vectors_dir.parent_path() / "SPEC.md");
  const auto start = spec.find("## 15. Vectors");
  ASSERT_NE(start, std::string::npos);
  const std::string section = spec.substr(start, spec.find("\n## 16.", start) - start);
  std::map<std::string, std::string> listed;
  std::istringstream lines(section);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("| `")) continue;
    const auto name_end = line.find("` | ");
    ASSERT_NE(name_end, std::string::npos) << line;
    listed[line.substr(3, name_end - 3)] = line.substr(name_end + 4, line.size() - name_end - 6);
  }
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(vectors_dir)) {
    const std::string name = entry.path().filename().string();
    files.insert(name);
    const auto description = std::string(load(name).at("description").as_string());
    EXPECT_EQ(listed[name], description) << "SPEC 15's row for " << name << " should read:\n| `" << name << "` | "
                                         << description << " |";
  }
  for (const auto& [name, _] : listed) EXPECT_TRUE(files.contains(name)) << "SPEC 15 lists " << name << ", which is not there";
}

TEST(Vectors, EveryStatementParsesAndVerifies) {
  const story s = load_story();
  EXPECT_EQ(s.verified, 29u);
  EXPECT_EQ(s.envelopes.size(), 3u);
}

TEST(Vectors, TheConsentTextHashIsTheOneTheConsentNames) {
  const auto file = load("statements.json");
  const auto& c = file.at("consent_text").as_object();
  const auto hash = proto::consent_text_hash(str(c.at("language")), str(c.at("text")));
  EXPECT_EQ(proto::base64url_encode(hash), str(c.at("text_hash")));
  bool named = false;
  for (const auto& v : file.at("statements").as_array()) {
    if (str(v.at("type")) != "consent") continue;
    const auto k = proto::parse_statement<proto::consent>(str(v.at("json")));
    ASSERT_TRUE(k);
    named = k->text_hash == hash;
  }
  EXPECT_TRUE(named);
}

TEST(Vectors, TheAgreementHashIsTheOneItsSignaturesAndMarkName) {
  const auto file = load("statements.json");
  const auto& a = file.at("agreement").as_object();
  const std::string body = str(a.at("body"));
  const auto doc = proto::parse_agreement_body(body);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->items.size(), 2u);
  proto::id case_id{}, message{};
  ASSERT_TRUE(proto::read_value(file.at("case"), case_id, std::string("case")));
  ASSERT_TRUE(proto::read_value(a.at("message"), message, std::string("message")));
  const auto hash = proto::agreement_hash(case_id, message, body);
  EXPECT_EQ(proto::base64url_encode(hash), str(a.at("agreement_hash")));
  int named = 0;
  for (const auto& v : file.at("statements").as_array()) {
    const std::string type = str(v.at("type"));
    if (type == "agreement_signature") {
      const auto k = proto::parse_statement<proto::agreement_signature>(str(v.at("json")));
      ASSERT_TRUE(k);
      named += k->agreement_hash == hash && k->message_id == message;
    } else if (type == "agreement_mark") {
      const auto k = proto::parse_statement<proto::agreement_mark>(str(v.at("json")));
      ASSERT_TRUE(k);
      named += k->agreement_hash == hash && k->message_id == message && k->item == 1 && k->done;
    }
  }
  EXPECT_EQ(named, 4);
}

TEST(Vectors, TheCheckInsBodyParsesAndItsStatementNamesItsMessage) {
  const auto file = load("statements.json");
  const auto& c = file.at("checkin").as_object();
  const auto body = proto::parse_checkin_body(str(c.at("body")));
  ASSERT_TRUE(body);
  EXPECT_EQ(body->support.size(), 1u);
  bool named = false;
  for (const auto& v : file.at("statements").as_array()) {
    if (str(v.at("type")) != "checkin") continue;
    const auto k = proto::parse_statement<proto::checkin>(str(v.at("json")));
    ASSERT_TRUE(k);
    named = proto::base64url_encode(k->message_id) == str(c.at("message"));
  }
  EXPECT_TRUE(named);
}

TEST(Vectors, AReferralOpensForEachFacilitatorWithTheKeyItsSeedGives) {
  const auto file = load("referral.json");
  std::vector<client::case_key> keys;
  for (const auto& v : file.at("referral_keys").as_array()) {
    const auto k = proto::parse_statement<proto::referral_key>(str(v.at("json")));
    ASSERT_TRUE(k) << k.error().message();
    EXPECT_TRUE(proto::verify_signature(*k));
    const auto id = vectors::identity_of(str(v.at("signer")));
    EXPECT_EQ(k->header.signer, id.public_key());
    EXPECT_EQ(k->header.case_id, proto::null_case);
    keys.push_back(client::referral_key_of(id));
    EXPECT_EQ(k->key, keys.back().public_key());
    EXPECT_EQ(str(v.at("referral_secret_key")), proto::base64url_encode(keys.back().secret()));
  }
  ASSERT_EQ(keys.size(), 2u);
  const auto code = proto::parse_referral_code(str(file.at("receipt_code")));
  ASSERT_TRUE(code);
  EXPECT_EQ(proto::base64url_encode(code->referral), str(file.at("referral")));
  EXPECT_EQ(proto::base64url_encode(proto::referral_secret_hash(code->secret)), str(file.at("secret_hash")));
  const auto ciphertext = proto::base64url_decode(str(file.at("ciphertext")));
  ASSERT_TRUE(ciphertext);
  const auto& wraps = file.at("wraps").as_array();
  ASSERT_EQ(wraps.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(str(wraps[i].at("reader")), proto::base64url_encode(keys[i].public_key()));
    const auto wrap = proto::base64url_decode(str(wraps[i].at("wrap")));
    ASSERT_TRUE(wrap);
    auto opened = client::open_referral(code->referral, *ciphertext, *wrap, keys[i]);
    ASSERT_TRUE(opened) << opened.error().message();
    EXPECT_EQ(proto::referral_body(*opened), str(file.at("body")));
  }
}

TEST(Vectors, LettersOpenForEachReader) {
  story s = load_story();
  ASSERT_EQ(s.envelopes.size(), 3u);
  const auto f1 = vectors::identity_of("facilitator-1");
  const auto f2 = vectors::identity_of("facilitator-2");
  const auto h = vectors::identity_of("harmed");
  const auto r = vectors::identity_of("responsible");
  client::roster roster(s.envelopes[0].header.case_id, f1.public_key());
  ASSERT_TRUE(roster.add_case_open(s.opens["case"]));
  for (const auto& k : s.keys) {
    if (k.header.signer == f1.public_key()) {
      ASSERT_TRUE(roster.add_facilitator_keys(k));
    }
  }
  for (const auto& a : s.attestations) {
    for (const auto& k : s.keys) {
      if (k.header.statement_id == a.key_statement_id) {
        ASSERT_TRUE(roster.add_attested(a, k));
      }
    }
  }
  auto letters = load("letters.json")["letters"].as_array();
  ASSERT_EQ(letters.size(), 3u);
  auto ciphertext = [&](std::size_t i) { return *proto::base64url_decode(str(letters[i].at("ciphertext"))); };

  // Letter 1: the facilitator reads it in review, the recipient after release.
  const bytes c1 = ciphertext(0);
  auto review = client::open_for_review(roster, s.envelopes[0], c1, f2, vectors::case_key_of("facilitator-2"));
  ASSERT_TRUE(review) << review.error().message();
  EXPECT_EQ(to_hex(*client::serialize(*review)), str(letters[0].at("document")));
  const std::uint64_t release_at = *s.approvals[0].release_at;
  auto early = client::open_delivered(roster, s.envelopes[0], s.approvals, c1, r, vectors::case_key_of("responsible"),
                                      release_at - 1);
  EXPECT_EQ(early.error().code, errc::not_approved);
  auto delivered = client::open_delivered(roster, s.envelopes[0], s.approvals, c1, r,
                                          vectors::case_key_of("responsible"), release_at);
  ASSERT_TRUE(delivered) << delivered.error().message();
  EXPECT_EQ(*delivered->content_note, "Read this when you have an hour to yourself.");
  EXPECT_EQ(delivered->sender.identity, h.public_key());

  // Letter 2: two chunks; returned with a note only the sender opens.
  const bytes c2 = ciphertext(1);
  EXPECT_GT(c2.size(), proto::chunk_plaintext_bytes + proto::chunk_overhead_bytes);
  auto back = client::open_return(roster, s.envelopes[1], s.returns[0], vectors::case_key_of("harmed"));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->reason, client::return_reason::identifying_information);
  EXPECT_EQ(back->text, "Please leave out the name of the street.");
  auto mine = client::open_for_review(roster, s.envelopes[1], c2, h, vectors::case_key_of("harmed"));
  ASSERT_TRUE(mine) << mine.error().message();
  EXPECT_EQ(mine->attachments.size(), 1u);
  // The returned letter was never approved: the recipient cannot open it.
  auto refused = client::open_delivered(roster, s.envelopes[1], s.approvals, c2, r, vectors::case_key_of("responsible"),
                                        release_at);
  EXPECT_EQ(refused.error().code, errc::not_approved);

  // Letter 3: a reply naming letter 1; its writer and the facilitators read it.
  const auto& reply = s.envelopes[2];
  EXPECT_EQ(reply.kind, proto::message_kind::reply);
  ASSERT_TRUE(reply.answers.has_value());
  EXPECT_EQ(*reply.answers, s.envelopes[0].header.statement_id);
  const bytes c3 = ciphertext(2);
  auto own = client::open_for_review(roster, reply, c3, r, vectors::case_key_of("responsible"));
  ASSERT_TRUE(own) << own.error().message();
  EXPECT_EQ(to_hex(*client::serialize(*own)), str(letters[2].at("document")));
  EXPECT_TRUE(client::open_for_review(roster, reply, c3, f1, vectors::case_key_of("facilitator-1")));
}

TEST(Vectors, AuditExportVerifies) {
  auto a = load("audit.json");
  auto x = proto::parse_audit_export(str(a["export"]));
  ASSERT_TRUE(x) << x.error().message();
  const auto relay_key = b64<32>(load("keys.json")["relay_key"]);
  EXPECT_TRUE(proto::verify_audit_export(*x, relay_key));
  EXPECT_EQ(to_hex(proto::checkpoint_transcript(x->checkpoint)), str(a["checkpoint_transcript"]));
}

TEST(Vectors, WebManifestVerifiesAndNamesTheFiles) {
  auto w = load("web_manifest.json");
  auto m = proto::parse_web_manifest(str(w["manifest"]));
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->key, b64<32>(w["release_key"]));
  EXPECT_EQ(to_hex(proto::web_manifest_transcript(*m)), str(w["transcript"]));
  auto sha = [](const std::string& body) {
    proto::hash h{};
    crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(body.data()), body.size());
    return h;
  };
  EXPECT_EQ(m->files.at("/"), sha(str(w["page"])));
  EXPECT_EQ(m->files.at("/assets/app-1a2b.js"), sha(str(w["script"])));
  std::string edited = str(w["manifest"]);
  edited.replace(edited.find("1.0.0"), 5, "1.0.1");
  EXPECT_EQ(proto::parse_web_manifest(edited).error().code, errc::bad_signature);
}

TEST(Vectors, KeystoreOpensWithItsPassphrase) {
  auto k = load("keystore.json");
  auto ks = client::keystore::open(str(k["file"]), vectors::keystore_passphrase);
  ASSERT_TRUE(ks) << ks.error().message();
  EXPECT_EQ(ks->identity().public_key(), b64<32>(k["identity_key"]));
  const auto* ck = ks->find_case_key(b64<16>(k["case"]));
  ASSERT_NE(ck, nullptr);
  EXPECT_EQ(ck->public_key(), b64<32>(k["case_key"]));

  auto phone = client::keystore::open(str(k["phone_file"]), vectors::keystore_passphrase);
  ASSERT_TRUE(phone) << phone.error().message();
  EXPECT_EQ(phone->identity().public_key(), b64<32>(k["identity_key"]));

  auto weak = client::keystore::open(str(k["too_weak_file"]), vectors::keystore_passphrase);
  ASSERT_FALSE(weak);
  EXPECT_EQ(weak.error().code, errc::keystore_corrupt);
}

TEST(Vectors, KeysFileVerifiesWithTheKeystoresIdentityAndAnEditIsRefused) {
  auto k = load("keys_file.json");
  auto p = client::parse_profile_file(str(k["file"]));
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(to_hex(client::profile_transcript(*p)), str(k["transcript"]));
  auto ks = client::keystore::open(p->keystore_text, vectors::keystore_passphrase);
  ASSERT_TRUE(ks) << ks.error().message();
  EXPECT_TRUE(client::check_profile(*p, ks->identity().public_key()));
  EXPECT_EQ(client::serialize_profile_file(*p), str(k["file"]));
  auto edited = client::parse_profile_file(str(k["edited"]));
  ASSERT_TRUE(edited) << "an edited file still parses; its signature is what fails";
  auto refused = client::check_profile(*edited, ks->identity().public_key());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::bad_signature);
}

}  // namespace
}  // namespace shuttle

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--vectors=")) shuttle::vectors_dir = std::string(arg.substr(10));
  }
  if (shuttle::vectors_dir.empty()) shuttle::vectors_dir = "proto/vectors";
  return RUN_ALL_TESTS();
}

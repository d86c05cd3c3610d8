#include "tests/vectors/vectors.hpp"

#include "client-lib/document.hpp"
#include "client-lib/keystore.hpp"
#include "client-lib/letter.hpp"
#include "client-lib/profile_file.hpp"
#include "client-lib/referral.hpp"
#include "client-lib/review.hpp"
#include "client-lib/statements.hpp"
#include "proto/agreement.hpp"
#include "proto/audit.hpp"
#include "proto/checkin.hpp"
#include "proto/base64.hpp"
#include "proto/codec.hpp"
#include "proto/fingerprint.hpp"
#include "proto/invitation_code.hpp"
#include "proto/letter_format.hpp"
#include "proto/referral.hpp"
#include "proto/transcript.hpp"
#include "proto/web_manifest.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace shuttle::vectors {

namespace json = boost::json;
using proto::base64url_encode;

namespace {

// ---------------------------------------------------------------- random source

fixed<32> random_seed{};
std::uint64_t random_counter = 0;

void deterministic_buf(void* buf, std::size_t size) {
  proto::transcript t("shuttle/test-vectors/random");
  t.add(random_seed).add_u64(random_counter++);
  const proto::hash block_seed = proto::blake2b_256(t.data());
  randombytes_buf_deterministic(buf, size, block_seed.data());
}
std::uint32_t deterministic_random() {
  std::uint32_t v = 0;
  deterministic_buf(&v, sizeof v);
  return v;
}
const char* deterministic_name() { return "shuttle-test-vectors"; }

randombytes_implementation deterministic_impl = {
    deterministic_name, deterministic_random, nullptr, nullptr, deterministic_buf, nullptr,
};

fixed<32> seed_of(std::string_view label) {
  proto::transcript t("shuttle/test-vectors/seed");
  t.add(label);
  return proto::blake2b_256(t.data());
}

template <class T>
T must(result<T> r) {
  if (!r) throw std::runtime_error("vector generation failed: " + r.error().message());
  return std::move(*r);
}

void must_ok(result<void> r) {
  if (!r) throw std::runtime_error("vector generation failed: " + r.error().message());
}

// Arrays print one element per line; everything else compactly.
std::string render(const json::object& top) {
  std::string out = "{\n";
  bool first = true;
  for (const auto& kv : top) {
    if (!first) out += ",\n";
    first = false;
    out += "  " + json::serialize(json::value(kv.key())) + ": ";
    if (const auto* a = kv.value().if_array(); a && !a->empty()) {
      out += "[\n";
      for (std::size_t i = 0; i < a->size(); ++i) {
        out += "    " + json::serialize((*a)[i]);
        out += i + 1 < a->size() ? ",\n" : "\n";
      }
      out += "  ]";
    } else {
      out += json::serialize(kv.value());
    }
  }
  return out + "\n}\n";
}

// Every vector file starts with its version and what it holds.
json::object vector_file(const std::string& description) {
  json::object top;
  top["v"] = 1;
  top["description"] = description;
  return top;
}

constexpr std::uint64_t t0 = 1'790'000'000;  // 2026-09-21T12:53:20Z

proto::statement_header header(std::string_view id_label, std::uint64_t at, const proto::id& case_id) {
  proto::statement_header h;
  h.statement_id = id_of(id_label);
  h.case_id = case_id;
  h.created_at = at;
  return h;
}

template <class S>
json::object statement_entry(const S& s, std::string_view signer_label) {
  json::object o;
  o["type"] = S::type;
  o["signer"] = signer_label;
  o["transcript"] = to_hex(proto::signing_transcript(s));
  o["statement_hash"] = base64url_encode(proto::statement_hash(s));
  o["json"] = proto::to_json(s);
  return o;
}

}  // namespace

void use_deterministic_random(std::string_view label) {
  randombytes_set_implementation(&deterministic_impl);
  random_seed = seed_of(std::string("random/") + std::string(label));
  random_counter = 0;
}

client::identity_key identity_of(std::string_view label) {
  const auto seed = seed_of(std::string("identity/") + std::string(label));
  return client::identity_key::from_seed(seed);
}

client::case_key case_key_of(std::string_view label) {
  const auto seed = seed_of(std::string("case-key/") + std::string(label));
  return client::case_key::from_secret(seed);
}

proto::id id_of(std::string_view label) {
  const auto seed = seed_of(std::string("id/") + std::string(label));
  proto::id out{};
  std::copy_n(seed.begin(), out.size(), out.begin());
  return out;
}

std::map<std::string, std::string> make_vectors() {
  std::map<std::string, std::string> files;
  const std::vector<std::string> people{"facilitator-1", "facilitator-2", "harmed", "responsible", "harmed-support"};
  const proto::id case_id = id_of("case");

  // ------------------------------------------------------------ transcripts
  {
    json::array cases;
    auto add = [&](std::string_view what, const proto::transcript& t) {
      json::object o;
      o["what"] = what;
      o["bytes"] = to_hex(t.data());
      cases.push_back(std::move(o));
    };
    add("domain only", proto::transcript("shuttle/v1/example"));
    add("empty field", proto::transcript("shuttle/v1/example").add_absent());
    add("text field \"abc\"", proto::transcript("shuttle/v1/example").add(std::string_view("abc")));
    add("u64 258", proto::transcript("shuttle/v1/example").add_u64(258));
    add("bool true, bool false", proto::transcript("shuttle/v1/example").add_bool(true).add_bool(false));
    add("list of two fields", proto::transcript("shuttle/v1/example").add_count(2).add(std::string_view("a")).add(std::string_view("bc")));
    json::object top = vector_file("Transcript framing: every field, the domain included, is a 4-byte big-endian length and its bytes.");
    top["cases"] = std::move(cases);
    files["transcript.json"] = render(top);
  }

  // ------------------------------------------------------------ padme
  {
    json::array cases;
    for (std::uint64_t n : {0ull, 1ull, 8ull, 9ull, 100ull, 1000ull, 4097ull, 65'536ull, 70'000ull, 1'000'000ull,
                            104'857'600ull}) {
      json::object o;
      o["length"] = n;
      o["padded"] = proto::padme(n);
      o["ciphertext_size_of_padded"] = n == 0 ? 0 : proto::ciphertext_size_for(proto::padme(n));
      cases.push_back(std::move(o));
    }
    json::object top = vector_file("Padmé lengths, and the ciphertext size of a padded plaintext in 64 KiB chunks.");
    top["cases"] = std::move(cases);
    files["padme.json"] = render(top);
  }

  // ------------------------------------------------------------ keys and fingerprints
  {
    json::array keys;
    for (const auto& label : people) {
      const auto id = identity_of(label);
      const auto ck = case_key_of(label);
      json::object o;
      o["label"] = label;
      o["identity_seed"] = to_hex(id.seed());
      o["identity_key"] = base64url_encode(id.public_key());
      o["case_secret"] = to_hex(ck.secret());
      o["case_key"] = base64url_encode(ck.public_key());
      o["fingerprint"] = base64url_encode(proto::fingerprint(id.public_key()));
      o["safety_number"] = proto::safety_number(id.public_key());
      keys.push_back(std::move(o));
    }
    const auto relay = identity_of("relay");
    json::object top = vector_file("The story's people: identity keys (Ed25519 from seed), case keys (X25519), fingerprints and safety numbers.");
    top["relay_key"] = base64url_encode(relay.public_key());
    top["relay_seed"] = to_hex(relay.seed());
    top["keys"] = std::move(keys);
    files["keys.json"] = render(top);
  }

  const auto f1 = identity_of("facilitator-1");
  const auto f2 = identity_of("facilitator-2");
  const auto h = identity_of("harmed");
  const auto r = identity_of("responsible");
  const auto f1c = case_key_of("facilitator-1");
  const auto f2c = case_key_of("facilitator-2");
  const auto hc = case_key_of("harmed");
  const auto rc = case_key_of("responsible");
  const auto hs = identity_of("harmed-support");

  // ------------------------------------------------------------ invitation codes
  const proto::invitation_secret secret_h = seed_of("invitation-secret/harmed");
  {
    json::array cases;
    proto::invitation_code c;
    c.invitation_id = id_of("invitation/harmed");
    c.case_id = case_id;
    c.role = proto::role::harmed;
    c.secret = secret_h;
    c.inviter_fingerprint = proto::fingerprint(f1.public_key());
    c.relay = "relay.example.org:8443";
    json::object o;
    o["invitation"] = base64url_encode(c.invitation_id);
    o["case"] = base64url_encode(c.case_id);
    o["role"] = proto::to_string(c.role);
    o["secret"] = base64url_encode(c.secret);
    o["secret_hash"] = base64url_encode(proto::invitation_secret_hash(c.secret));
    o["inviter_fingerprint"] = base64url_encode(c.inviter_fingerprint);
    o["relay"] = c.relay;
    o["code"] = encode(c);
    cases.push_back(o);
    c.relay = "127.0.0.1:8443";
    c.relay_certificate_sha256 = seed_of("relay-certificate");
    o["relay"] = c.relay;
    o["relay_certificate_sha256"] = base64url_encode(*c.relay_certificate_sha256);
    o["code"] = encode(c);
    cases.push_back(std::move(o));
    json::object top = vector_file("Invitation codes: the prefix and base64url of the framed fields.");
    top["cases"] = std::move(cases);
    files["invitation_code.json"] = render(top);
  }

  // ------------------------------------------------------------ the story's statements
  json::array statements;
  json::array letters;
  use_deterministic_random("story");

  proto::case_open open;
  open.header = header("statement/case-open", t0, case_id);
  open.approvals_required = 1;
  open = must(client::sign(open, f1));
  statements.push_back(statement_entry(open, "facilitator-1"));

  proto::invitation inv;
  inv.header = header("invitation/harmed", t0 + 10, case_id);
  inv.role = proto::role::harmed;
  inv.secret_hash = proto::invitation_secret_hash(secret_h);
  inv.expires_at = t0 + 14 * 86400;
  inv = must(client::sign(inv, f1));
  statements.push_back(statement_entry(inv, "facilitator-1"));

  proto::enrolment enrol;
  enrol.header = header("statement/enrolment-harmed", t0 + 3600, case_id);
  enrol.invitation_id = inv.header.statement_id;
  enrol.role = proto::role::harmed;
  enrol = must(client::sign(enrol, h));
  statements.push_back(statement_entry(enrol, "harmed"));

  // Facilitator 2's own account, from the operator's invitation: the only
  // enrolment that carries a name.
  proto::enrolment enrol_f2;
  enrol_f2.header = header("statement/enrolment-facilitator-2", t0 - 86400, proto::null_case);
  enrol_f2.invitation_id = id_of("invitation/facilitator-2");
  enrol_f2.role = proto::role::facilitator;
  enrol_f2.name = proto::display_name{"Tomas Lie"};
  enrol_f2 = must(client::sign(enrol_f2, f2));
  statements.push_back(statement_entry(enrol_f2, "facilitator-2"));

  auto key_statement = [&](const client::identity_key& who, const client::case_key& key, std::string_view label,
                           std::uint64_t at) {
    proto::key_statement k;
    k.header = header(std::string("statement/keys-") + std::string(label), at, case_id);
    k.case_key = key.public_key();
    k = must(client::sign(k, who));
    statements.push_back(statement_entry(k, label));
    return k;
  };
  const auto k_f1 = key_statement(f1, f1c, "facilitator-1", t0 + 1);
  const auto k_f2 = key_statement(f2, f2c, "facilitator-2", t0 + 2);
  const auto k_h = key_statement(h, hc, "harmed", t0 + 3601);
  const auto k_r = key_statement(r, rc, "responsible", t0 + 7200);

  auto attest = [&](const proto::key_statement& k, proto::role role, std::string_view label, std::uint64_t at) {
    proto::attestation a;
    a.header = header(std::string("statement/attest-") + std::string(label), at, case_id);
    a.subject = k.header.signer;
    a.subject_role = role;
    a.key_statement_id = k.header.statement_id;
    a.subject_case_key = k.case_key;
    a = must(client::sign(a, f1));
    statements.push_back(statement_entry(a, "facilitator-1"));
    return a;
  };
  const auto a_f2 = attest(k_f2, proto::role::facilitator, "facilitator-2", t0 + 5);
  const auto a_h = attest(k_h, proto::role::harmed, "harmed", t0 + 86400);
  const auto a_r = attest(k_r, proto::role::responsible, "responsible", t0 + 86400 + 60);

  client::roster roster(case_id, f1.public_key());
  must_ok(roster.add_case_open(open));
  must_ok(roster.add_facilitator_keys(k_f1));
  must_ok(roster.add_attested(a_f2, k_f2));
  must_ok(roster.add_attested(a_h, k_h));
  must_ok(roster.add_attested(a_r, k_r));

  // Letter 1: short, approved with a content note and a release time.
  client::letter_draft d1;
  d1.header = header("message/letter-1", t0 + 2 * 86400, case_id);
  d1.kind = proto::message_kind::letter;
  d1.to = proto::role::responsible;
  client::document doc1 = client::document::text(
      "I have thought for a long time about what I want to say to you.\n"
      "I want you to know what that night changed for me.\n");
  const auto letter1 = must(client::seal_letter(h, hc, d1, roster.facilitator_readers(), doc1));
  statements.push_back(statement_entry(letter1.envelope, "harmed"));

  client::approval_options opts;
  opts.content_note = "Read this when you have an hour to yourself.";
  opts.release_at = t0 + 3 * 86400;
  opts.header = header("statement/approve-letter-1", t0 + 2 * 86400 + 600, case_id);
  const auto approval1 = must(client::approve_letter(roster, letter1.envelope, f1, f1c, opts));
  statements.push_back(statement_entry(approval1, "facilitator-1"));

  // Letter 2: long enough for two chunks, with an attachment; returned.
  client::letter_draft d2;
  d2.header = header("message/letter-2", t0 + 4 * 86400, case_id);
  d2.kind = proto::message_kind::letter;
  d2.to = proto::role::responsible;
  client::document doc2 = client::document::text(std::string(70'000, 'x'));
  doc2.attachments.push_back({"drawing.txt", "text/plain; charset=utf-8", bytes(100, 'y')});
  const auto letter2 = must(client::seal_letter(h, hc, d2, roster.facilitator_readers(), doc2));
  statements.push_back(statement_entry(letter2.envelope, "harmed"));
  const auto ret2 = must(client::return_letter(roster, letter2.envelope, f2, client::return_reason::identifying_information,
                                               "Please leave out the name of the street.",
                                               header("statement/return-letter-2", t0 + 4 * 86400 + 900, case_id)));
  statements.push_back(statement_entry(ret2, "facilitator-2"));
  // The writer's revision of letter 2 names it beside its own envelope (SPEC
  // 5.13); the revised letter itself is not part of the story.
  proto::revision rv2;
  rv2.header = header("statement/revision-letter-2", t0 + 4 * 86400 + 3600, case_id);
  rv2.message_id = header("message/letter-2-revised", t0 + 4 * 86400 + 3600, case_id).statement_id;
  rv2.supersedes = d2.header.statement_id;
  rv2 = must(client::sign(rv2, h));
  statements.push_back(statement_entry(rv2, "harmed"));

  // Letter 3: the responsible party's reply to letter 1, naming it.
  client::letter_draft d3;
  d3.header = header("message/reply-3", t0 + 3 * 86400 + 3600, case_id);
  d3.kind = proto::message_kind::reply;
  d3.to = proto::role::harmed;
  d3.answers = d1.header.statement_id;
  client::document doc3 = client::document::text("Thank you for writing. I read it twice.\n");
  const auto letter3 = must(client::seal_letter(r, rc, d3, roster.facilitator_readers(), doc3));
  statements.push_back(statement_entry(letter3.envelope, "responsible"));

  // The harmed party lets their supporter read their letters from now on.
  proto::grant gr;
  gr.header = header("statement/grant-harmed-support", t0 + 3 * 86400 + 7200, case_id);
  gr.subject = hs.public_key();
  gr.reads = true;
  gr = must(client::sign(gr, h));
  statements.push_back(statement_entry(gr, "harmed"));

  // The facilitator moves the case to the exchange of letters (SPEC 5.14);
  // the person harmed pauses it for a while (5.15).
  proto::stage_statement stg;
  stg.header = header("statement/stage-exchange", t0 + 2 * 86400 + 600, case_id);
  stg.stage = proto::case_stage::exchange;
  stg = must(client::sign(stg, f1));
  statements.push_back(statement_entry(stg, "facilitator-1"));
  proto::pause pa;
  pa.header = header("statement/pause-harmed", t0 + 3 * 86400 + 9000, case_id);
  pa.paused = true;
  pa = must(client::sign(pa, h));
  statements.push_back(statement_entry(pa, "harmed"));
  // The person harmed agreed to the service's consent text when enrolling (SPEC 5.16).
  const std::string consent_language = "en";
  const std::string consent_text = "What is said in this case stays between the people who take part in it.\n";
  proto::consent co;
  co.header = header("statement/consent-harmed", t0 + 20, case_id);
  co.text_hash = proto::consent_text_hash(consent_language, consent_text);
  co = must(client::sign(co, h));
  statements.push_back(statement_entry(co, "harmed"));
  // An outcome agreement's document (SPEC 6.6; its envelope is not in the
  // story), signed by both parties and facilitator-1, and an item marked done.
  proto::agreement_document agreement_doc;
  agreement_doc.items.push_back({"Pay for the repair of the garden fence", "the responsible party", "by 31 January",
                                 "the harmed party tells the facilitators it is paid"});
  agreement_doc.items.push_back({"Write a letter about what has changed since", "the responsible party",
                                 "within three months", "the facilitators pass it on after review"});
  const std::string agreement_body = proto::agreement_body(agreement_doc);
  const proto::id agreement_id = header("message/agreement", t0 + 5 * 86400, case_id).statement_id;
  const proto::hash agreement_hash = proto::agreement_hash(case_id, agreement_id, agreement_body);
  auto agreement_signature = [&](const client::identity_key& who, std::string_view label, std::uint64_t at) {
    proto::agreement_signature s;
    s.header = header("statement/agreement-signature-" + std::string(label), at, case_id);
    s.message_id = agreement_id;
    s.agreement_hash = agreement_hash;
    statements.push_back(statement_entry(must(client::sign(s, who)), label));
  };
  agreement_signature(h, "harmed", t0 + 5 * 86400 + 600);
  agreement_signature(r, "responsible", t0 + 5 * 86400 + 700);
  agreement_signature(f1, "facilitator-1", t0 + 5 * 86400 + 800);
  proto::agreement_mark mark;
  mark.header = header("statement/agreement-mark-1", t0 + 5 * 86400 + 900, case_id);
  mark.message_id = agreement_id;
  mark.agreement_hash = agreement_hash;
  mark.item = 1;
  mark.done = true;
  statements.push_back(statement_entry(must(client::sign(mark, f1)), "facilitator-1"));
  // An aftercare check-in for the person harmed, scheduled by facilitator-1
  // (SPEC 5.19; its envelope is not in the story), and its document's body.
  const std::string checkin_body =
      proto::checkin_body({"How are things since the agreement?", {"Victim support: 116 006"}});
  proto::checkin ck;
  ck.header = header("statement/checkin-harmed", t0 + 5 * 86400 + 1000, case_id);
  ck.message_id = header("message/checkin-harmed", t0 + 5 * 86400 + 1000, case_id).statement_id;
  ck.due_at = t0 + 35 * 86400;
  statements.push_back(statement_entry(must(client::sign(ck, f1)), "facilitator-1"));

  auto letter_entry = [&](const client::sealed_letter& l, const client::document& doc, std::string_view label,
                          const client::identity_key& writer, const client::case_key& writer_key) {
    const auto key = must(client::unwrap_for(l.envelope.wraps, l.envelope.header.statement_id, writer, writer_key));
    json::object o;
    o["label"] = label;
    o["message"] = base64url_encode(l.envelope.header.statement_id);
    o["document"] = to_hex(must(client::serialize(doc)));
    o["padded_size"] = client::padded_size(must(client::serialize(doc)).size());
    o["letter_ad"] = to_hex(client::letter_ad(client::letter_context::of(l.envelope)));
    o["letter_key"] = to_hex(key.view());
    o["ciphertext"] = base64url_encode(l.ciphertext);
    letters.push_back(std::move(o));
  };
  letter_entry(letter1, doc1, "letter-1", h, hc);
  letter_entry(letter2, doc2, "letter-2", h, hc);
  letter_entry(letter3, doc3, "reply-3", r, rc);

  proto::revoke rev;
  rev.header = header("statement/revoke-letter-1", t0 + 5 * 86400, case_id);
  rev.message_id = letter1.envelope.header.statement_id;
  rev = must(client::sign(rev, h));
  statements.push_back(statement_entry(rev, "harmed"));

  proto::withdraw wd;
  wd.header = header("statement/withdraw-harmed", t0 + 6 * 86400, case_id);
  wd.revoke_released = true;
  wd = must(client::sign(wd, h));
  statements.push_back(statement_entry(wd, "harmed"));

  proto::close cl;
  cl.header = header("statement/close", t0 + 7 * 86400, case_id);
  cl = must(client::sign(cl, f1));
  statements.push_back(statement_entry(cl, "facilitator-1"));
  {
    // Says how many of each type, in the order they first come, so SPEC 15's
    // table (checked against this text) cannot drift from the file.
    std::vector<std::pair<std::string, int>> counts;
    for (const auto& e : statements) {
      const std::string type(e.at("type").as_string());
      auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == type; });
      if (it == counts.end()) {
        counts.emplace_back(type, 1);
      } else {
        ++it->second;
      }
    }
    std::string listed;
    for (const auto& [type, n] : counts) listed += (listed.empty() ? "" : ", ") + std::to_string(n) + " " + type;
    json::object top = vector_file("One case from opening to closing, " + std::to_string(statements.size()) +
                                   " statements (" + listed +
                                   "). Each entry: the signer's label (keys.json), the signing transcript in hex, the "
                                   "statement hash, and the statement's JSON text.");
    top["case"] = base64url_encode(case_id);
    top["invitation_secret_harmed"] = base64url_encode(secret_h);
    top["consent_text"] = json::object{{"language", consent_language}, {"text", consent_text},
                                       {"text_hash", base64url_encode(proto::consent_text_hash(consent_language, consent_text))}};
    top["agreement"] = json::object{{"message", base64url_encode(agreement_id)}, {"body", agreement_body},
                                    {"agreement_hash", base64url_encode(agreement_hash)}};
    top["checkin"] = json::object{{"message", base64url_encode(ck.message_id)}, {"body", checkin_body}};
    top["statements"] = std::move(statements);
    files["statements.json"] = render(top);
  }
  {
    json::object top = vector_file("The ciphertexts of the story's letters (envelopes in statements.json), with their serialised documents, chunk additional data and letter keys. letter-1: content note \"Read this when you have an hour to yourself.\" approved by facilitator-1 for responsible; letter-2: returned by facilitator-2 with reason identifying_information and note \"Please leave out the name of the street.\"");
    top["letters"] = std::move(letters);
    files["letters.json"] = render(top);
  }

  // ------------------------------------------------------------ audit trail
  {
    const auto relay = identity_of("relay");
    proto::audit_export x;
    x.case_id = case_id;
    struct step {
      proto::audit_event event;
      const client::identity_key* actor;
      proto::id subject;
      proto::hash statement;
      std::uint64_t at;
    };
    const std::vector<step> steps{
        // Subjects as SPEC section 10's table says: the case, the invitation,
        // the invitation again (for enrolled), the key statement attested.
        {proto::audit_event::case_opened, &f1, case_id, proto::statement_hash(open), t0},
        {proto::audit_event::invited, &f1, inv.header.statement_id, proto::statement_hash(inv), t0 + 10},
        {proto::audit_event::enrolled, &h, enrol.invitation_id, proto::statement_hash(enrol), t0 + 3600},
        {proto::audit_event::attested, &f1, a_h.key_statement_id, proto::statement_hash(a_h), t0 + 86400},
        {proto::audit_event::submitted, &h, d1.header.statement_id, proto::statement_hash(letter1.envelope), t0 + 2 * 86400},
        {proto::audit_event::approved, &f1, d1.header.statement_id, proto::statement_hash(approval1), t0 + 2 * 86400 + 600},
        {proto::audit_event::released, nullptr, d1.header.statement_id, {}, t0 + 3 * 86400},
        {proto::audit_event::revoked, &h, d1.header.statement_id, proto::statement_hash(rev), t0 + 5 * 86400},
        {proto::audit_event::closed, &f1, case_id, proto::statement_hash(cl), t0 + 7 * 86400},
    };
    proto::hash prev{};
    for (const auto& s : steps) {
      proto::audit_entry e;
      e.seq = x.entries.size() + 1;
      e.at = s.at;
      e.case_id = case_id;
      e.event = s.event;
      if (s.actor) e.actor = s.actor->public_key();
      e.subject = s.subject;
      e.statement = s.statement;
      e.prev = prev;
      e.entry_hash = proto::audit_entry_hash(e);
      prev = e.entry_hash;
      x.entries.push_back(e);
    }
    x.checkpoint.case_id = case_id;
    x.checkpoint.seq = x.entries.size();
    x.checkpoint.head = prev;
    x.checkpoint.at = t0 + 7 * 86400 + 1;
    x.checkpoint.relay_key = relay.public_key();
    x.checkpoint.sig = relay.sign(proto::checkpoint_transcript(x.checkpoint));
    json::object top = vector_file("An audit export of the story's case, checkpoint signed by the relay key in keys.json.");
    top["checkpoint_transcript"] = to_hex(proto::checkpoint_transcript(x.checkpoint));
    top["export"] = proto::to_json(x);
    files["audit.json"] = render(top);
  }

  // ------------------------------------------------------------ keystore
  {
    use_deterministic_random("keystore");
    auto ks = client::keystore::create();
    const proto::public_key identity = ks.identity().public_key();
    const proto::public_key case_public = ks.case_key_for(case_id).public_key();
    json::object top = vector_file(
        "A keystore file (MODERATE limits) with one case key, opened by the passphrase; the same keys at the "
        "browser's limits (phone_file); and a file whose limits are below SPEC 11's floor, refused as "
        "keystore_corrupt before any derivation (too_weak_file).");
    top["passphrase"] = keystore_passphrase;
    top["identity_key"] = base64url_encode(identity);
    top["case"] = base64url_encode(case_id);
    top["case_key"] = base64url_encode(case_public);
    top["file"] = ks.seal(keystore_passphrase);
    top["phone_file"] = ks.seal(keystore_passphrase, client::kdf_limits::phone());
    top["too_weak_file"] = ks.seal(keystore_passphrase, client::kdf_limits{3, client::kdf_limits::phone().memlimit});
    files["keystore.json"] = render(top);

    // The keys file of SPEC 11.1 around that keystore: the facilitator opened the case.
    client::profile_file p;
    p.keystore_text = std::string(top["file"].as_string());
    p.relay = "127.0.0.1:8443";
    p.relay_certificate_sha256 = seed_of("relay-certificate");
    p.relay_key = identity_of("relay").public_key();
    p.cases.push_back({case_id, proto::role::facilitator, identity});
    client::sign_profile(p, ks.identity());
    json::object kf = vector_file(
        "A keys file (SPEC 11.1) around keystore.json's file, for the case it holds a key for, signed by its "
        "identity: its transcript, and a copy whose root of trust was swapped, refused as bad_signature once the "
        "keystore opens (edited).");
    kf["transcript"] = to_hex(client::profile_transcript(p));
    kf["file"] = client::serialize_profile_file(p);
    client::profile_file edited = p;
    edited.cases[0].pinned = identity_of("relay").public_key();
    kf["edited"] = client::serialize_profile_file(edited);
    files["keys_file.json"] = render(kf);
  }

  // ------------------------------------------------------------ web manifest
  {
    use_deterministic_random("web-manifest");
    const auto release = client::identity_key::generate();
    const std::string page = "<!doctype html><script type=module src=/assets/app-1a2b.js></script>\n";
    const std::string script = "console.log('Shuttle');\n";
    auto digest = [](const std::string& body) {
      proto::hash out{};
      crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(body.data()), body.size());
      return out;
    };
    proto::web_manifest m;
    m.version = "1.0.0";
    m.csp = std::string(proto::web_csp);
    m.files["/"] = digest(page);
    m.files["/assets/app-1a2b.js"] = digest(script);
    m.key = release.public_key();
    m.sig = release.sign(proto::web_manifest_transcript(m));
    json::object top = vector_file(
        "The browser client's signed manifest (SPEC 16.6) for a page and one script, with the files' bytes, the "
        "release key, the transcript it signs and the file a relay serves.");
    top["page"] = page;
    top["script"] = script;
    top["release_key"] = base64url_encode(release.public_key());
    top["transcript"] = to_hex(proto::web_manifest_transcript(m));
    top["manifest"] = proto::to_json(m);
    files["web_manifest.json"] = render(top);
  }

  // ------------------------------------------------------------ a referral
  {
    json::array keys;
    std::vector<proto::public_key> readers;
    for (const std::string label : {"facilitator-1", "facilitator-2"}) {
      const auto id = identity_of(label);
      const auto key = client::referral_key_of(id);
      proto::referral_key k;
      k.header = header("statement/referral-key-" + label, t0 - 86400, proto::null_case);
      k.key = key.public_key();
      auto signed_key = client::sign(k, id);
      if (!signed_key) throw std::runtime_error("referral key: " + signed_key.error().message());
      auto entry = statement_entry(*signed_key, label);
      entry["referral_secret_key"] = base64url_encode(key.secret());
      keys.push_back(std::move(entry));
      readers.push_back(key.public_key());
    }
    use_deterministic_random("referral");
    const proto::referral_document d{"en", "Someone broke into our flat in March.\nI would like to talk about it.",
                                     "Call me on weekdays after five.", proto::role::harmed, std::nullopt};
    const auto sealed = client::seal_referral(d, readers);
    json::array wraps;
    for (const auto& [reader, box] : sealed.wraps) {
      wraps.push_back(json::object{{"reader", base64url_encode(reader)}, {"wrap", base64url_encode(box)}});
    }
    json::object top = vector_file(
        "A referral (SPEC 5.20, 6.8): each facilitator's referral key derived from its identity seed (keys.json) "
        "and the signed referral_key statement, the request's body, its receipt code with the secret's hash, the "
        "additional data, and the ciphertext with its content key sealed to both keys (deterministic randomness).");
    top["referral_keys"] = std::move(keys);
    top["body"] = proto::referral_body(d);
    top["referral"] = base64url_encode(sealed.code.referral);
    top["secret"] = base64url_encode(sealed.code.secret);
    top["secret_hash"] = base64url_encode(proto::referral_secret_hash(sealed.code.secret));
    top["receipt_code"] = proto::encode(sealed.code);
    top["associated_data"] = to_hex(proto::referral_associated_data(sealed.code.referral));
    top["ciphertext"] = base64url_encode(sealed.ciphertext);
    top["wraps"] = std::move(wraps);
    files["referral.json"] = render(top);
  }
  return files;
}

}  // namespace shuttle::vectors

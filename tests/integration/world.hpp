// People and a relay for integration tests: facilitators and parties with
// real keys, enrolling, logging in and acting through the real relay
// binary, the way a client does (client-lib checks included).
#pragma once

#include "client-lib/enrolment.hpp"
#include "client-lib/letter.hpp"
#include "client-lib/relay_answers.hpp"
#include "client-lib/review.hpp"
#include "client-lib/statements.hpp"
#include "proto/base64.hpp"
#include "proto/codec.hpp"
#include "proto/fingerprint.hpp"
#include <sodium.h>

#include <map>
#include "tests/integration/https_client.hpp"
#include "tests/integration/relay_process.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>

namespace shuttle::testing {

namespace json = boost::json;

struct actor {
  client::identity_key identity = client::identity_key::generate();
  client::case_key case_key = client::case_key::generate();
  std::string token;
};

template <class S>
json::value as_json(const S& s) {
  return json::parse(proto::to_json(s));
}
template <std::size_t N>
json::value b64(const fixed<N>& v) {
  return json::value(proto::base64url_encode(v));
}

// The next event of a kind from a stream, skipping others; nothing if it does not come in time.
inline std::optional<json::value> next_of(event_stream& s, std::string_view kind,
                                          std::chrono::milliseconds limit = std::chrono::milliseconds(3000)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    auto e = s.next(std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()));
    if (!e) return std::nullopt;
    if (e->at("event").as_string() == kind) return e;
  }
  return std::nullopt;
}

class world {
 public:
  explicit world(std::vector<std::string> relay_args = {"--address-burst", "100000", "--address-per-minute", "100000",
                                                        "--account-write-burst", "100000"},
                 const relay_process::preparation& prepare = {})
      : relay(std::move(relay_args), prepare),
        http(relay.port(), certificate_pin((relay.data_dir() / "data" / "tls-certificate.pem").string())) {}

  // A failing test shows the relay's log.
  ~world() {
    if (::testing::Test::HasFailure()) {
      std::ifstream log(relay.data_dir() / "relay.log");
      std::cerr << "---- relay log ----\n" << log.rdbuf() << "-------------------\n";
    }
  }

  relay_process relay;
  https_client http;

  // Starts the relay again on its data (stopping it first if it runs) and
  // talks to it on its new port.
  void restart_relay() {
    relay.restart();
    http = https_client(relay.port(), certificate_pin((relay.data_dir() / "data" / "tls-certificate.pem").string()));
  }

  std::string login(actor& a) {
    auto ch = http.post("/v1/login/challenge", json::object{{"identity", b64(a.identity.public_key())}});
    EXPECT_EQ(ch.status, 200u) << ch.text;
    const auto challenge = decode<32>(ch.body.at("challenge"));
    const auto relay_key = decode<32>(ch.body.at("relay_key"));
    auto r = http.post("/v1/login", json::object{{"identity", b64(a.identity.public_key())},
                                                 {"challenge", b64(challenge)},
                                                 {"signature", b64(client::sign_login(a.identity, challenge, relay_key))}});
    EXPECT_EQ(r.status, 200u) << r.text;
    a.token = r.status == 200 ? std::string(r.body.at("token").as_string()) : "";
    return a.token;
  }

  // Opens an invitation with the relay, checks it as a client does, enrols.
  reply enrol(actor& a, const std::string& code_text, bool with_keys = true) {
    auto code = proto::parse_invitation_code(code_text);
    EXPECT_TRUE(code) << code.error().message();
    auto opened = http.post("/v1/invitations/open",
                            json::object{{"invitation", b64(code->invitation_id)}, {"secret", b64(code->secret)}});
    if (opened.status != 200) return opened;
    auto presented = proto::parse_statement<proto::invitation>(opened.body.at("invitation"));
    EXPECT_TRUE(presented);
    auto checked = client::check_invitation(*code, *presented);
    EXPECT_TRUE(checked) << checked.error().message();
    auto e = client::make_enrolment(a.identity, *code);
    json::object body{{"enrolment", as_json(*e)}, {"secret", b64(code->secret)}};
    if (with_keys && code->case_id != proto::null_case) {
      body["keys"] = as_json(*client::make_key_statement(a.identity, code->case_id, a.case_key));
    }
    // A service with a consent text: the person reads the first one offered and agrees.
    if (auto offers = client::parse_consent_offers(opened.body); offers && !offers->empty()) {
      proto::consent k;
      k.header = client::header_for(code->case_id);
      k.text_hash = offers->front().text_hash;
      body["consent"] = as_json(*client::sign(k, a.identity));
    }
    return http.post("/v1/enrol", body);
  }

  actor facilitator() {
    actor f;
    auto r = enrol(f, relay.invite_facilitator());
    EXPECT_EQ(r.status, 200u) << r.text;
    login(f);
    return f;
  }

  proto::id open_case(actor& f, std::uint64_t approvals = 1) {
    proto::case_open open;
    open.header = client::header_for(client::new_id());
    open.approvals_required = approvals;
    auto r = http.post("/v1/cases",
                       json::object{{"case_open", as_json(*client::sign(open, f.identity))},
                                    {"keys", as_json(*client::make_key_statement(f.identity, open.header.case_id,
                                                                                 f.case_key))}},
                       f.token);
    EXPECT_EQ(r.status, 200u) << r.text;
    return open.header.case_id;
  }

  // A facilitator's client makes an invitation, registers it, and encodes the code.
  std::string invite(actor& f, const proto::id& case_id, proto::role role, std::uint64_t lifetime = 3600) {
    proto::invitation_code code;
    code.invitation_id = client::new_id();
    code.case_id = case_id;
    code.role = role;
    code.secret = fixed<32>{};
    randombytes_buf(code.secret.data(), code.secret.size());
    code.inviter_fingerprint = proto::fingerprint(f.identity.public_key());
    code.relay = "127.0.0.1:" + std::to_string(relay.port());
    proto::invitation inv;
    inv.header = client::header_for(case_id);
    inv.header.statement_id = code.invitation_id;
    inv.role = role;
    inv.secret_hash = proto::invitation_secret_hash(code.secret);
    inv.expires_at = inv.header.created_at + lifetime;
    auto r = http.post(case_path(case_id, "/invitations"),
                       json::object{{"invitation", as_json(*client::sign(inv, f.identity))}}, f.token);
    EXPECT_EQ(r.status, 200u) << r.text;
    return proto::encode(code);
  }

  // Invites, enrols with keys, logs in, and has the facilitator attest.
  actor party(actor& f, const proto::id& case_id, proto::role role) {
    actor p;
    auto r = enrol(p, invite(f, case_id, role));
    EXPECT_EQ(r.status, 200u) << r.text;
    login(p);
    attest(f, case_id, p, role);
    return p;
  }

  void attest(actor& f, const proto::id& case_id, actor& subject, proto::role role) {
    auto detail = http.get(case_path(case_id), f.token);
    for (const auto& k : detail.body.at("key_statements").as_array()) {
      auto ks = proto::parse_statement<proto::key_statement>(k);
      if (ks && ks->header.signer == subject.identity.public_key() && ks->case_key == subject.case_key.public_key()) {
        auto r = http.post(case_path(case_id, "/attestations"),
                           json::object{{"attestation", as_json(*client::make_attestation(f.identity, *ks, role))}},
                           f.token);
        EXPECT_EQ(r.status, 200u) << r.text;
        return;
      }
    }
    ADD_FAILURE() << "no key statement to attest";
  }

  // -- letters, the way a client handles them

  // A reader's roster of a case, from the relay's case detail alone, trusting
  // only what the pinned facilitator (and those it attested) signed.
  client::roster roster(const proto::id& case_id, const actor& reader, const proto::public_key& pinned) {
    client::roster r(case_id, pinned);
    auto detail = http.get(case_path(case_id), reader.token);
    EXPECT_EQ(detail.status, 200u) << detail.text;
    if (detail.status != 200) return r;
    EXPECT_TRUE(r.add_case_open(*proto::parse_statement<proto::case_open>(detail.body.at("case_open"))));
    std::vector<proto::key_statement> keys;
    for (const auto& k : detail.body.at("key_statements").as_array()) {
      keys.push_back(*proto::parse_statement<proto::key_statement>(k));
    }
    for (int round = 0; round < 3; ++round) {  // co-facilitators become trusted step by step
      for (const auto& k : keys) {
        if (r.is_facilitator(k.header.signer)) (void)r.add_facilitator_keys(k);
      }
      for (const auto& a : detail.body.at("attestations").as_array()) {
        auto att = *proto::parse_statement<proto::attestation>(a);
        for (const auto& k : keys) {
          if (k.header.statement_id == att.key_statement_id) (void)r.add_attested(att, k);
        }
      }
    }
    return r;
  }

  struct sent {
    reply answer;
    proto::envelope envelope;
    bytes ciphertext;
    proto::id id() const { return envelope.header.statement_id; }
  };

  // A letter sealed by `from` for the facilitators `r` trusts, not sent.
  static result<client::sealed_letter> seal(const actor& from, const client::roster& r, const proto::id& case_id,
                                            proto::role to, const std::string& text,
                                            proto::message_kind kind = proto::message_kind::letter) {
    client::letter_draft draft;
    draft.header = client::header_for(case_id);
    draft.kind = kind;
    draft.to = to;
    return client::seal_letter(from.identity, from.case_key, draft, r.facilitator_readers(),
                               client::document::text(text));
  }

  sent send(actor& from, const proto::id& case_id, const proto::public_key& pinned, proto::role to,
            const std::string& text, proto::message_kind kind = proto::message_kind::letter,
            std::optional<proto::id> supersedes = std::nullopt) {
    auto r = roster(case_id, from, pinned);
    auto sealed = seal(from, r, case_id, to, text, kind);
    EXPECT_TRUE(sealed) << sealed.error().message();
    std::optional<proto::revision> revision;
    if (supersedes) {
      auto made = client::revision_of(from.identity, case_id, sealed->envelope.header.statement_id, *supersedes);
      EXPECT_TRUE(made) << made.error().message();
      revision = *made;
    }
    sent out{post_letter(from, case_id, sealed->envelope, sealed->ciphertext, revision), sealed->envelope,
             sealed->ciphertext};
    return out;
  }

  // A sealed letter posted as a client does, with the revision statement
  // beside it when it revises a returned one.
  reply post_letter(actor& from, const proto::id& case_id, const proto::envelope& e, const bytes& ciphertext,
                    const std::optional<proto::revision>& revision = std::nullopt) {
    json::object body{{"envelope", as_json(e)}, {"ciphertext", proto::base64url_encode(ciphertext)}};
    if (revision) body["revision"] = as_json(*revision);
    return http.post(case_path(case_id, "/messages"), body, from.token);
  }

  reply fetch(actor& who, const proto::id& case_id, const proto::id& message) {
    return http.get(message_path(case_id, message), who.token);
  }
  // A message's ciphertext, from its own route (raw bytes).
  bytes ciphertext_of(actor& who, const proto::id& case_id, const proto::id& message) {
    auto got = http.get(message_path(case_id, message, "/ciphertext"), who.token);
    EXPECT_EQ(got.status, 200u) << got.text;
    EXPECT_NE(got.headers.find("Content-Type: application/octet-stream"), std::string::npos) << got.headers;
    return bytes(got.text.begin(), got.text.end());
  }

  // A facilitator's approval, made by its client from the fetched letter.
  reply approve(actor& f, const proto::id& case_id, const proto::public_key& pinned, const proto::id& message,
                client::approval_options options = {}) {
    auto got = fetch(f, case_id, message);
    EXPECT_EQ(got.status, 200u) << got.text;
    if (got.status != 200) return got;
    auto e = *proto::parse_statement<proto::envelope>(got.body.at("envelope"));
    auto a = client::approve_letter(roster(case_id, f, pinned), e, f.identity, f.case_key, options);
    EXPECT_TRUE(a) << a.error().message();
    return http.post(message_path(case_id, message, "/approve"), json::object{{"approval", as_json(*a)}}, f.token);
  }

  reply return_letter(actor& f, const proto::id& case_id, const proto::public_key& pinned, const proto::id& message,
                      const std::string& note) {
    auto got = fetch(f, case_id, message);
    EXPECT_EQ(got.status, 200u) << got.text;
    if (got.status != 200) return got;
    auto e = *proto::parse_statement<proto::envelope>(got.body.at("envelope"));
    auto s = client::return_letter(roster(case_id, f, pinned), e, f.identity, client::return_reason::identifying_information,
                                   note);
    EXPECT_TRUE(s) << s.error().message();
    return http.post(message_path(case_id, message, "/return"), json::object{{"return", as_json(*s)}}, f.token);
  }

  reply revoke(actor& sender, const proto::id& case_id, const proto::id& message) {
    proto::revoke rv;
    rv.header = client::header_for(case_id);
    rv.message_id = message;
    return http.post(message_path(case_id, message, "/revoke"),
                     json::object{{"revoke", as_json(*client::sign(rv, sender.identity))}}, sender.token);
  }

  reply withdraw(actor& party, const proto::id& case_id, bool revoke_released = false) {
    proto::withdraw wd;
    wd.header = client::header_for(case_id);
    wd.revoke_released = revoke_released;
    return http.post(case_path(case_id, "/withdraw"),
                     json::object{{"withdraw", as_json(*client::sign(wd, party.identity))}}, party.token);
  }

  // The recipient fetches and opens a released letter with every client check.
  result<client::delivered_letter> open_letter(actor& r, const proto::id& case_id, const proto::public_key& pinned,
                                               const proto::id& message) {
    auto got = fetch(r, case_id, message);
    if (got.status != 200) return make_error(errc::invalid_argument, got.text);
    auto e = *proto::parse_statement<proto::envelope>(got.body.at("envelope"));
    std::vector<proto::approval> approvals;
    for (const auto& a : got.body.at("approvals").as_array()) approvals.push_back(*proto::parse_statement<proto::approval>(a));
    const bytes ciphertext = ciphertext_of(r, case_id, message);
    return client::open_delivered(roster(case_id, r, pinned), e, approvals, ciphertext, r.identity, r.case_key,
                                  client::unix_now());
  }

  static std::string message_path(const proto::id& case_id, const proto::id& message, const std::string& rest = "") {
    return case_path(case_id, "/messages/" + proto::base64url_encode(message) + rest);
  }

  static std::string case_path(const proto::id& case_id, const std::string& rest = "") {
    return "/v1/cases/" + proto::base64url_encode(case_id) + rest;
  }

  template <std::size_t N>
  static fixed<N> decode(const json::value& v) {
    auto raw = proto::base64url_decode(std::string(v.as_string()));
    fixed<N> out{};
    if (raw && raw->size() == N) std::copy(raw->begin(), raw->end(), out.begin());
    return out;
  }
};

// A case with a facilitator and both parties, attested.
struct exchange {
  world w;
  actor f;
  proto::id case_id{};
  actor h, r;
  proto::public_key pin{};

  explicit exchange(std::uint64_t approvals = 1, std::vector<std::string> relay_args = {},
                    const relay_process::preparation& prepare = {})
      : w(with_defaults(std::move(relay_args)), prepare) {
    f = w.facilitator();
    case_id = w.open_case(f, approvals);
    h = w.party(f, case_id, proto::role::harmed);
    r = w.party(f, case_id, proto::role::responsible);
    pin = f.identity.public_key();
  }
  // A second facilitator: a facilitator account from the operator, joined
  // to this case and attested by the first.
  actor second_facilitator() {
    actor g;
    EXPECT_EQ(w.enrol(g, w.relay.invite_facilitator()).status, 200u);
    w.login(g);
    EXPECT_EQ(w.enrol(g, w.invite(f, case_id, proto::role::facilitator)).status, 200u);
    w.attest(f, case_id, g, proto::role::facilitator);
    return g;
  }
  static std::vector<std::string> with_defaults(std::vector<std::string> extra) {
    std::vector<std::string> args{"--address-burst", "100000", "--address-per-minute", "100000",
                                  "--account-write-burst", "100000"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  std::string state_of(actor& who, const proto::id& message) {
    auto list = w.http.get(world::case_path(case_id, "/messages"), who.token);
    for (const auto& m : list.body.at("messages").as_array()) {
      if (m.at("message") == b64(message)) return std::string(m.at("state").as_string());
    }
    return "absent";
  }
};

// Each message of a case the caller lists, by id, with its state (to
// compare a relay's messages before and after a restart, restore or upgrade).
inline std::map<std::string, std::string> message_states(https_client& http, const proto::id& case_id,
                                                         const std::string& token) {
  std::map<std::string, std::string> out;
  auto list = http.get(world::case_path(case_id, "/messages"), token);
  EXPECT_EQ(list.status, 200u) << list.text;
  for (const auto& m : list.body.at("messages").as_array()) {
    out[std::string(m.at("message").as_string())] = std::string(m.at("state").as_string());
  }
  return out;
}

}  // namespace shuttle::testing

// People and a relay for integration tests: facilitators and parties with
// real keys, enrolling, logging in and acting through the real relay
// binary, the way a client does (client-lib checks included).
#pragma once

#include "client-lib/enrolment.hpp"
#include "client-lib/statements.hpp"
#include "proto/base64.hpp"
#include "proto/codec.hpp"
#include "proto/fingerprint.hpp"
#include <sodium.h>
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

class world {
 public:
  explicit world(std::vector<std::string> relay_args = {"--address-burst", "100000", "--address-per-minute", "100000",
                                                        "--account-write-burst", "100000"})
      : relay(std::move(relay_args)),
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

}  // namespace shuttle::testing

// The real relay binary over TLS on a loopback port: enrolment, login,
// sessions, cases, keys and attestations, authorization, limits and bad input.
#include "client-lib/review.hpp"
#include "server/limits.hpp"
#include "tests/integration/world.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace shuttle::testing {
namespace {

using proto::role;

TEST(Relay, AnswersHealthzOverTlsWithNoStore) {
  world w;
  auto r = w.http.get("/healthz");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, json::parse(R"({"status":"ok"})"));
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
  EXPECT_EQ(w.http.get("/v1/me").header("Cache-Control"), "no-store");
}

TEST(Enrolment, AWholeCaseComesTogetherAndVerifiesOnTheClient) {
  world w;
  actor f = w.facilitator();
  const proto::id case_id = w.open_case(f);
  actor h = w.party(f, case_id, role::harmed);
  actor r = w.party(f, case_id, role::responsible);

  auto detail = w.http.get(world::case_path(case_id), h.token);
  ASSERT_EQ(detail.status, 200u) << detail.text;
  EXPECT_EQ(detail.body.at("participants").as_array().size(), 3u);
  EXPECT_EQ(detail.body.at("key_statements").as_array().size(), 3u);
  EXPECT_EQ(detail.body.at("attestations").as_array().size(), 2u);

  // The harmed party's client builds its roster from the relay's answer alone.
  client::roster roster(case_id, f.identity.public_key());
  ASSERT_TRUE(roster.add_case_open(*proto::parse_statement<proto::case_open>(detail.body.at("case_open"))));
  std::vector<proto::key_statement> keys;
  for (const auto& k : detail.body.at("key_statements").as_array()) {
    keys.push_back(*proto::parse_statement<proto::key_statement>(k));
    if (keys.back().header.signer == f.identity.public_key()) {
      ASSERT_TRUE(roster.add_facilitator_keys(keys.back()));
    }
  }
  for (const auto& a : detail.body.at("attestations").as_array()) {
    auto att = *proto::parse_statement<proto::attestation>(a);
    for (const auto& k : keys) {
      if (k.header.statement_id == att.key_statement_id) {
        ASSERT_TRUE(roster.add_attested(att, k));
      }
    }
  }
  EXPECT_EQ(roster.find(r.identity.public_key())->case_key, r.case_key.public_key());
  EXPECT_EQ(roster.find(h.identity.public_key())->role, role::harmed);

  auto mine = w.http.get("/v1/cases", r.token);
  ASSERT_EQ(mine.status, 200u);
  EXPECT_EQ(mine.body.at("cases").as_array().size(), 1u);
  EXPECT_EQ(mine.body.at("cases").as_array()[0].at("role"), "responsible");
}

TEST(Enrolment, ACoFacilitatorJoinsWithAFacilitatorAccountOnly) {
  world w;
  actor f = w.facilitator();
  actor co = w.facilitator();
  const proto::id case_id = w.open_case(f);
  // A party's identity cannot take a facilitator's place.
  actor pretender;
  auto refused = w.enrol(pretender, w.invite(f, case_id, role::facilitator));
  EXPECT_EQ(refused.status, 403u) << refused.text;
  EXPECT_EQ(refused.error(), "not_a_facilitator");
  auto joined = w.enrol(co, w.invite(f, case_id, role::facilitator));
  ASSERT_EQ(joined.status, 200u) << joined.text;
  w.attest(f, case_id, co, role::facilitator);
  // The co-facilitator may now invite into the case.
  actor h;
  EXPECT_EQ(w.enrol(h, w.invite(co, case_id, role::harmed)).status, 200u);
  EXPECT_EQ(w.http.get(world::case_path(case_id), co.token).body.at("participants").as_array().size(), 3u);
}

TEST(Enrolment, AnExpiredInvitationIsGone) {
  world w;
  actor f = w.facilitator();
  const proto::id case_id = w.open_case(f);
  const std::string code = w.invite(f, case_id, role::harmed, 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  actor h;
  auto r = w.enrol(h, code);
  EXPECT_EQ(r.status, 410u) << r.text;
  EXPECT_EQ(r.error(), "invitation_expired");
}

TEST(Enrolment, AnInvitationWorksOnceAndAReplayAnswersTheSame) {
  world w;
  actor f = w.facilitator();
  const proto::id case_id = w.open_case(f);
  const std::string code_text = w.invite(f, case_id, role::harmed);
  actor h;
  const auto code = *proto::parse_invitation_code(code_text);
  const auto e = *client::make_enrolment(h.identity, code);
  const json::object body{{"enrolment", as_json(e)}, {"secret", b64(code.secret)}};
  auto first = w.http.post("/v1/enrol", body);
  ASSERT_EQ(first.status, 200u) << first.text;
  auto again = w.http.post("/v1/enrol", body);
  EXPECT_EQ(again.status, 200u);
  EXPECT_EQ(again.body, first.body);

  actor someone_else;
  auto reused = w.enrol(someone_else, code_text);
  EXPECT_EQ(reused.status, 410u);
  EXPECT_EQ(reused.error(), "invitation_used");
}

TEST(Enrolment, AWrongSecretLooksLikeNoInvitation) {
  world w;
  actor f = w.facilitator();
  const proto::id case_id = w.open_case(f);
  auto code = *proto::parse_invitation_code(w.invite(f, case_id, role::harmed));
  code.secret[0] ^= 1;
  auto wrong = w.http.post("/v1/invitations/open", json::object{{"invitation", b64(code.invitation_id)}, {"secret", b64(code.secret)}});
  code.invitation_id = client::new_id();
  auto unknown = w.http.post("/v1/invitations/open", json::object{{"invitation", b64(code.invitation_id)}, {"secret", b64(code.secret)}});
  EXPECT_EQ(wrong.status, 404u);
  EXPECT_EQ(wrong.text, unknown.text);
}

TEST(Enrolment, ARelayPresentingAnotherFacilitatorIsRefusedByTheClient) {
  world w;
  actor f = w.facilitator();
  actor other = w.facilitator();
  const proto::id case_id = w.open_case(f);
  // The code pins `other`, but the relay holds (and presents) an invitation signed by `f`.
  auto code = *proto::parse_invitation_code(w.invite(f, case_id, role::harmed));
  code.inviter_fingerprint = proto::fingerprint(other.identity.public_key());
  auto opened = w.http.post("/v1/invitations/open",
                            json::object{{"invitation", b64(code.invitation_id)}, {"secret", b64(code.secret)}});
  ASSERT_EQ(opened.status, 200u);
  auto presented = *proto::parse_statement<proto::invitation>(opened.body.at("invitation"));
  auto checked = client::check_invitation(code, presented);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, errc::facilitator_mismatch);
  // Nothing was sent: the invitation is still unused.
  EXPECT_EQ(w.http.post("/v1/invitations/open",
                        json::object{{"invitation", b64(code.invitation_id)}, {"secret", b64(code.secret)}})
                .status,
            200u);
}

TEST(Login, ARightSignatureGivesASessionAndWrongOnesDoNot) {
  world w;
  actor f = w.facilitator();
  auto me = w.http.get("/v1/me", f.token);
  ASSERT_EQ(me.status, 200u);
  EXPECT_EQ(me.body.at("facilitator"), true);

  auto ch = w.http.post("/v1/login/challenge", json::object{{"identity", b64(f.identity.public_key())}});
  const auto challenge = world::decode<32>(ch.body.at("challenge"));
  const auto relay_key = world::decode<32>(ch.body.at("relay_key"));
  actor stranger;
  auto bad = w.http.post("/v1/login", json::object{{"identity", b64(f.identity.public_key())},
                                                   {"challenge", b64(challenge)},
                                                   {"signature", b64(client::sign_login(stranger.identity, challenge, relay_key))}});
  EXPECT_EQ(bad.status, 401u);
  EXPECT_EQ(bad.error(), "login_failed");
  // A failed attempt stores nothing (so a flood of them costs the relay no
  // memory) and spends nothing: the challenge's owner may still use it, once.
  auto owner = [&] {
    return w.http.post("/v1/login", json::object{{"identity", b64(f.identity.public_key())},
                                                  {"challenge", b64(challenge)},
                                                  {"signature", b64(client::sign_login(f.identity, challenge, relay_key))}});
  };
  EXPECT_EQ(owner().status, 200u);
  EXPECT_EQ(owner().status, 401u);
  // An identity without an account fails the same way.
  auto ch2 = w.http.post("/v1/login/challenge", json::object{{"identity", b64(stranger.identity.public_key())}});
  const auto c2 = world::decode<32>(ch2.body.at("challenge"));
  auto unknown = w.http.post("/v1/login", json::object{{"identity", b64(stranger.identity.public_key())},
                                                       {"challenge", b64(c2)},
                                                       {"signature", b64(client::sign_login(stranger.identity, c2, relay_key))}});
  EXPECT_EQ(unknown.status, 401u);
  EXPECT_EQ(unknown.text, bad.text);
  // A new login gives a new token; both work until they end.
  const std::string first = f.token;
  EXPECT_NE(w.login(f), first);
  EXPECT_EQ(w.http.get("/v1/me", first).status, 200u);
}

TEST(Login, LogoutEndsTheSessionForTheVeryNextRequest) {
  world w;
  actor f = w.facilitator();
  EXPECT_EQ(w.http.post("/v1/logout", json::object{}, f.token).status, 200u);
  auto after = w.http.get("/v1/me", f.token);
  EXPECT_EQ(after.status, 401u);
  EXPECT_EQ(after.header("WWW-Authenticate"), "Bearer");
}

TEST(Login, SessionsExpireWhenIdleAndAtTheirLifetime) {
  world w({"--session-idle-seconds", "2", "--session-lifetime-seconds", "4", "--address-burst", "1000"});
  actor f = w.facilitator();
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  EXPECT_EQ(w.http.get("/v1/me", f.token).status, 401u);  // idle
  w.login(f);
  for (int i = 0; i < 5; ++i) {  // kept busy, it still ends at its lifetime
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    (void)w.http.get("/v1/me", f.token);
  }
  EXPECT_EQ(w.http.get("/v1/me", f.token).status, 401u);
}

TEST(Login, TokensTravelOnlyInTheAuthorizationHeader) {
  world w;
  actor f = w.facilitator();
  EXPECT_EQ(w.http.get("/v1/me?token=" + f.token).status, 401u);
  EXPECT_EQ(w.http.get("/v1/me?access_token=" + f.token).status, 401u);
}

TEST(Statements, AnExactResubmitAnswersTheSameAndAnotherUnderItsIdConflicts) {
  world w;
  actor f = w.facilitator();
  const proto::id case_id = w.open_case(f);
  auto ks = *client::make_key_statement(f.identity, case_id, client::case_key::generate());
  auto first = w.http.post(world::case_path(case_id, "/keys"), json::object{{"key_statement", as_json(ks)}}, f.token);
  ASSERT_EQ(first.status, 200u) << first.text;
  auto again = w.http.post(world::case_path(case_id, "/keys"), json::object{{"key_statement", as_json(ks)}}, f.token);
  EXPECT_EQ(again.status, 200u);
  EXPECT_EQ(again.body, first.body);
  auto other = ks;
  other.case_key[0] ^= 1;
  other = *client::sign(other, f.identity);
  auto clash = w.http.post(world::case_path(case_id, "/keys"), json::object{{"key_statement", as_json(other)}}, f.token);
  EXPECT_EQ(clash.status, 409u);
  EXPECT_EQ(clash.error(), "id_in_use");
}

TEST(Statements, AStatementSignedBySomeoneElseIsRefused) {
  world w;
  actor f = w.facilitator();
  const proto::id case_id = w.open_case(f);
  actor h = w.party(f, case_id, role::harmed);
  // The harmed party sends a key statement signed by the facilitator's key.
  auto ks = *client::make_key_statement(f.identity, case_id, client::case_key::generate());
  auto r = w.http.post(world::case_path(case_id, "/keys"), json::object{{"key_statement", as_json(ks)}}, h.token);
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(r.error(), "signer_mismatch");
}

TEST(Cases, ClosingRefusesFurtherChangesButKeepsTheRecord) {
  world w;
  actor f = w.facilitator();
  const proto::id case_id = w.open_case(f);
  proto::close cl;
  cl.header = client::header_for(case_id);
  auto closed = w.http.post(world::case_path(case_id, "/close"), json::object{{"close", as_json(*client::sign(cl, f.identity))}}, f.token);
  ASSERT_EQ(closed.status, 200u) << closed.text;
  auto ks = *client::make_key_statement(f.identity, case_id, client::case_key::generate());
  auto refused = w.http.post(world::case_path(case_id, "/keys"), json::object{{"key_statement", as_json(ks)}}, f.token);
  EXPECT_EQ(refused.status, 409u);
  EXPECT_EQ(refused.error(), "case_closed");
  EXPECT_EQ(w.http.get(world::case_path(case_id), f.token).body.at("state"), "closed");
}

// ---------------------------------------------------------------- bounded and calm

TEST(Limits, ABodyOneByteOverTheRouteLimitIsRefused) {
  world w;
  auto body_of = [](std::size_t n) {
    std::string s = R"({"x":")";
    s += std::string(n - s.size() - 2, 'a');
    return s + "\"}";
  };
  const std::size_t limit = relay::statement_body_bytes;
  auto at = w.http.post_text("/v1/enrol", body_of(limit));
  EXPECT_EQ(at.status, 400u) << at.text;  // read, then refused for its content
  auto over = w.http.post_text("/v1/enrol", body_of(limit + 1));
  EXPECT_EQ(over.status, 413u);
  EXPECT_EQ(over.error(), "too_large");
  auto small = w.http.post_text("/v1/login/challenge", body_of(relay::small_body_bytes + 1));
  EXPECT_EQ(small.status, 413u);
  EXPECT_EQ(w.http.get("/healthz").status, 200u);
}

TEST(Limits, HeadersOverEightKibibytesAreRefused) {
  world w;
  const std::string big(relay::max_header_bytes, 'a');
  const std::string raw = w.http.raw("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: " + big + "\r\n\r\n");
  EXPECT_NE(raw.find("431"), std::string::npos) << raw.substr(0, 200);
  EXPECT_EQ(w.http.get("/healthz").status, 200u);
}

TEST(Limits, AddressesAreRateLimitedOnAnonymousRoutes) {
  world w({"--address-burst", "3", "--address-per-minute", "1"});
  actor a;
  unsigned last = 0;
  for (int i = 0; i < 4; ++i) {
    last = w.http.post("/v1/login/challenge", json::object{{"identity", b64(a.identity.public_key())}}).status;
  }
  EXPECT_EQ(last, 429u);
  EXPECT_EQ(w.http.get("/healthz").status, 200u);  // not a limited route
}

TEST(Limits, EveryStageOfAConnectionHasADeadline) {
  world w({"--handshake-timeout-seconds", "1", "--idle-timeout-seconds", "1", "--read-timeout-seconds", "1"});
  const auto limit = std::chrono::seconds(5);  // well under the defaults (10 s, 60 s, 30 s)
  held_connection no_handshake(w.relay.port(), false);
  held_connection no_request(w.relay.port(), true);
  held_connection half_header(w.relay.port(), true);
  half_header.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n");
  held_connection half_body(w.relay.port(), true);
  half_body.send(
      "POST /v1/login/challenge HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
      "Content-Length: 100\r\n\r\n{\"identity\"");

  EXPECT_TRUE(no_handshake.closed_by_relay_within(limit));
  EXPECT_TRUE(no_request.closed_by_relay_within(limit));
  EXPECT_TRUE(half_header.closed_by_relay_within(limit));
  EXPECT_TRUE(half_body.closed_by_relay_within(limit));
  EXPECT_EQ(half_header.received(), "");  // dropped, not answered
  EXPECT_EQ(half_body.received(), "");
  EXPECT_EQ(w.http.get("/healthz").status, 200u);
}

// Each deadline ends its connection when it passes, not later: within 10 %
// of the setting, measured from where the relay starts the clock. The
// setting is 5 s, so the tenth (0.5 s) holds a busy machine's scheduling:
// at 3 s a full run under load once measured 3.32 s.
TEST(Limits, EveryDeadlineEndsItsConnectionWithinATenthOfItsSetting) {
  using clock = std::chrono::steady_clock;
  constexpr double setting = 5.0;
  exchange x(1, {"--handshake-timeout-seconds", "5", "--idle-timeout-seconds", "5", "--read-timeout-seconds", "5",
                 "--write-timeout-seconds", "5"});
  auto seconds_since = [](clock::time_point t) { return std::chrono::duration<double>(clock::now() - t).count(); };
  auto expect_on_time = [&](const char* what, double took) {
    EXPECT_GE(took, setting * 0.98) << what << " ended early";
    EXPECT_LE(took, setting * 1.1) << what << " ended late";
  };

  auto started = clock::now();
  held_connection no_handshake(x.w.relay.port(), false);
  ASSERT_TRUE(no_handshake.closed_by_relay_within(std::chrono::seconds(10)));
  expect_on_time("the handshake", seconds_since(started));

  held_connection no_request(x.w.relay.port(), true);
  started = clock::now();
  ASSERT_TRUE(no_request.closed_by_relay_within(std::chrono::seconds(10)));
  expect_on_time("waiting for a request", seconds_since(started));

  held_connection half_header(x.w.relay.port(), true);
  started = clock::now();
  half_header.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n");
  ASSERT_TRUE(half_header.closed_by_relay_within(std::chrono::seconds(10)));
  expect_on_time("a header that stops", seconds_since(started));

  held_connection half_body(x.w.relay.port(), true);
  started = clock::now();
  half_body.send("POST /v1/login/challenge HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                 "Content-Length: 100\r\n\r\n{\"identity\"");
  ASSERT_TRUE(half_body.closed_by_relay_within(std::chrono::seconds(10)));
  expect_on_time("a body that stops", seconds_since(started));

  // An event stream whose subscriber answers no ping: closed after the idle timeout.
  held_connection silent_stream(x.w.relay.port(), true);
  started = clock::now();
  silent_stream.send("GET /v1/events HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                     "Authorization: Bearer " + x.r.token + "\r\n\r\n");
  ASSERT_TRUE(silent_stream.closed_by_relay_within(std::chrono::seconds(10)));
  ASSERT_TRUE(silent_stream.received().starts_with("HTTP/1.1 101")) << silent_stream.received();
  expect_on_time("a stream that answers no ping", seconds_since(started));

  // An answer larger than the sockets hold, to a client that stops reading:
  // the relay's count of open connections shows when it lets go.
  const std::string large(8 * 1024 * 1024, 'x');
  auto letter = x.w.send(x.h, x.case_id, x.pin, proto::role::responsible, large);
  ASSERT_EQ(letter.answer.status, 200u) << letter.answer.text;
  auto open_connections = [&] {
    const std::string key = "\nshuttle_open_connections ";
    const auto text = x.w.relay.metrics();
    return std::stoul(text.substr(text.find(key) + key.size()));
  };
  ASSERT_EQ(open_connections(), 0u);
  held_connection stops_reading(x.w.relay.port(), true);
  started = clock::now();
  stops_reading.send("GET " + world::message_path(x.case_id, letter.id(), "/ciphertext") +
                     " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + x.f.token + "\r\n\r\n");
  while (open_connections() > 0 && seconds_since(started) < 10) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  expect_on_time("an answer nobody reads", seconds_since(started));
}

TEST(Limits, ConnectionsOverTheCapAreRefusedUntilOneEnds) {
  world w({"--max-connections", "2"});
  auto first = std::make_unique<held_connection>(w.relay.port(), true);
  held_connection second(w.relay.port(), true);
  held_connection third(w.relay.port(), false);
  EXPECT_TRUE(third.closed_by_relay_within(std::chrono::seconds(5)));
  EXPECT_ANY_THROW(w.http.get("/healthz"));

  first.reset();  // the relay sees the end of the stream and frees its slot
  unsigned status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    try {
      status = w.http.get("/healthz").status;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  EXPECT_EQ(status, 200u);
}

TEST(BadInput, MalformedRequestsGetJsonErrorsAndChangeNothing) {
  world w;
  actor f = w.facilitator();
  const proto::id case_id = w.open_case(f);
  const auto before = w.http.get(world::case_path(case_id), f.token).text;

  struct probe {
    std::string target;
    std::string body;
    unsigned status;
    std::string error;
  };
  const std::vector<probe> probes{
      {"/v1/cases/" + proto::base64url_encode(case_id) + "/keys", "not json", 400, "malformed_json"},
      {"/v1/cases/" + proto::base64url_encode(case_id) + "/keys", "[1,2]", 400, "malformed_json"},
      {"/v1/cases/" + proto::base64url_encode(case_id) + "/keys", R"({"key_statement":1,"key_statement":2})", 400, "duplicate_field"},
      {"/v1/cases/" + proto::base64url_encode(case_id) + "/keys", R"({"surprise":1})", 400, "missing_field"},
      {"/v1/cases/" + proto::base64url_encode(case_id) + "/keys", R"({})", 400, "missing_field"},
      {"/v1/logout", R"({"surprise":1})", 400, "unknown_field"},
      {"/v1/cases/" + proto::base64url_encode(case_id) + "/keys", R"({"key_statement":{"v":2}})", 400, "unsupported_version"},
      {"/v1/cases/" + proto::base64url_encode(case_id) + "/close", R"({"close":{"v":1,"type":"close","id":"!!"}})", 400, "bad_encoding"},
      {"/v1/cases", std::string(1000, '{'), 400, "malformed_json"},
  };
  for (const auto& p : probes) {
    auto r = w.http.post_text(p.target, p.body, f.token);
    EXPECT_EQ(r.status, p.status) << p.target << " " << p.body.substr(0, 40) << ": " << r.text;
    EXPECT_EQ(r.error(), p.error) << p.body.substr(0, 40);
    EXPECT_TRUE(r.body.is_object() && r.body.as_object().contains("message")) << r.text;
    EXPECT_EQ(r.text.find("exception"), std::string::npos);
  }
  EXPECT_EQ(w.http.get("/nowhere").status, 404u);
  EXPECT_EQ(w.http.get("/v1/enrol").status, 405u);
  EXPECT_EQ(w.http.get("/v1/cases/not-an-id", f.token).status, 404u);
  (void)w.http.raw("this is not HTTP at all\r\n\r\n");
  (void)w.http.raw("POST /v1/enrol HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"trunc", false);
  EXPECT_EQ(w.http.get(world::case_path(case_id), f.token).text, before);
  EXPECT_EQ(w.http.get("/healthz").status, 200u);
  EXPECT_TRUE(w.relay.running());
}

TEST(Shutdown, SigtermStopsCleanly) {
  world w;
  EXPECT_EQ(w.http.get("/healthz").status, 200u);
  const int status = w.relay.stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(Shutdown, EverythingSurvivesARestart) {
  world w;
  actor f = w.facilitator();
  const proto::id case_id = w.open_case(f);
  actor h = w.party(f, case_id, role::harmed);
  const auto before = w.http.get(world::case_path(case_id), f.token).text;
  w.relay.restart();
  https_client again(w.relay.port(), certificate_pin((w.relay.data_dir() / "data" / "tls-certificate.pem").string()));
  EXPECT_EQ(again.get(world::case_path(case_id), f.token).text, before);
}

}  // namespace
}  // namespace shuttle::testing

// The refusals a person or a client meets, each on the route where
// proto/openapi.yaml lists it: an invitation that is unknown, used or
// needless; a statement id used twice with other content; a closed case; a
// letter taken back or already opened. Each answer is recorded, and
// api.answers_match_openapi fails if a status a route lists is never seen.
#include "tests/integration/world.hpp"

#include <gtest/gtest.h>

namespace shuttle::testing {
namespace {

using proto::role;

// The enrolment a client sends once it has opened and checked the invitation.
reply enrol_with(world& w, actor& a, const std::string& code_text) {
  auto code = proto::parse_invitation_code(code_text);
  EXPECT_TRUE(code);
  json::object body{{"enrolment", as_json(*client::make_enrolment(a.identity, *code))},
                    {"secret", b64(code->secret)},
                    {"keys", as_json(*client::make_key_statement(a.identity, code->case_id, a.case_key))}};
  return w.http.post("/v1/enrol", body);
}

TEST(Enrolment, AnInvitationRefusesCalmlyWhenUnknownUsedOrNeedless) {
  exchange x;
  // A code whose invitation the relay never registered (a mistyped or forged
  // link): refused when opened, and when a client skips opening it.
  proto::invitation_code unknown;
  unknown.invitation_id = client::new_id();
  unknown.case_id = x.case_id;
  unknown.role = role::harmed_support;
  randombytes_buf(unknown.secret.data(), unknown.secret.size());
  unknown.inviter_fingerprint = proto::fingerprint(x.f.identity.public_key());
  unknown.relay = "127.0.0.1:" + std::to_string(x.w.relay.port());
  actor a;
  auto nothing = x.w.enrol(a, proto::encode(unknown));
  EXPECT_EQ(nothing.status, 404u) << nothing.text;
  auto skipped = enrol_with(x.w, a, proto::encode(unknown));
  EXPECT_EQ(skipped.status, 404u) << skipped.text;

  // Two people hold the same code and both open it; the first to enrol uses
  // it up, and the second is told so.
  const std::string code = x.w.invite(x.f, x.case_id, role::harmed_support);
  const auto parsed = proto::parse_invitation_code(code);
  const json::object opening{{"invitation", b64(parsed->invitation_id)}, {"secret", b64(parsed->secret)}};
  ASSERT_EQ(x.w.http.post("/v1/invitations/open", opening).status, 200u);
  ASSERT_EQ(x.w.http.post("/v1/invitations/open", opening).status, 200u);
  ASSERT_EQ(enrol_with(x.w, a, code).status, 200u);
  actor b;
  auto used = enrol_with(x.w, b, code);
  EXPECT_EQ(used.status, 410u) << used.text;
  EXPECT_EQ(used.body.at("error"), "invitation_used");
  EXPECT_EQ(x.w.http.post("/v1/invitations/open", opening).status, 410u);

  // Someone who already takes part, sent a second invitation to the same case.
  auto again = x.w.enrol(a, x.w.invite(x.f, x.case_id, role::harmed_support));
  EXPECT_EQ(again.status, 409u) << again.text;
  EXPECT_EQ(again.body.at("error"), "already_enrolled");
}

// SPEC 5: an exact resubmission answers as the first time; a different
// statement under a used id is refused, on every route that takes one.
TEST(Statements, AUsedIdWithOtherContentIsRefusedOnEveryRoute) {
  exchange x;
  const auto used = proto::parse_invitation_code(x.w.invite(x.f, x.case_id, role::harmed_support));
  ASSERT_TRUE(used);
  const proto::id taken = used->invitation_id;
  auto expect_conflict = [&](const reply& r, const std::string& what) {
    EXPECT_EQ(r.status, 409u) << what << ": " << r.text;
    if (r.status == 409u) {
      EXPECT_EQ(r.body.at("error"), "id_in_use") << what;
    }
  };

  proto::case_open open;  // the same case id, other settings
  open.header = client::header_for(x.case_id);
  open.approvals_required = 2;
  expect_conflict(x.w.http.post("/v1/cases",
                                json::object{{"case_open", as_json(*client::sign(open, x.f.identity))},
                                             {"keys", as_json(*client::make_key_statement(x.f.identity, x.case_id,
                                                                                          x.f.case_key))}},
                                x.f.token),
                  "case_open");

  proto::invitation inv;  // the same invitation id, another secret
  inv.header = client::header_for(x.case_id);
  inv.header.statement_id = taken;
  inv.role = role::harmed_support;
  randombytes_buf(inv.secret_hash.data(), inv.secret_hash.size());
  inv.expires_at = inv.header.created_at + 3600;
  expect_conflict(x.w.http.post(world::case_path(x.case_id, "/invitations"),
                                json::object{{"invitation", as_json(*client::sign(inv, x.f.identity))}}, x.f.token),
                  "invitation");

  auto detail = x.w.http.get(world::case_path(x.case_id), x.f.token);
  std::optional<proto::key_statement> harmed_keys;
  for (const auto& k : detail.body.at("key_statements").as_array()) {
    auto ks = proto::parse_statement<proto::key_statement>(k);
    if (ks && ks->header.signer == x.h.identity.public_key()) harmed_keys = *ks;
  }
  ASSERT_TRUE(harmed_keys);
  auto att = *client::make_attestation(x.f.identity, *harmed_keys, role::harmed);
  att.header.statement_id = taken;
  expect_conflict(x.w.http.post(world::case_path(x.case_id, "/attestations"),
                                json::object{{"attestation", as_json(*client::sign(att, x.f.identity))}}, x.f.token),
                  "attestation");

  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "A letter for review.");
  ASSERT_EQ(sent.answer.status, 200u) << sent.answer.text;
  auto got = x.w.fetch(x.f, x.case_id, sent.id());
  ASSERT_EQ(got.status, 200u) << got.text;
  auto ret = *client::return_letter(x.w.roster(x.case_id, x.f, x.pin),
                                    *proto::parse_statement<proto::envelope>(got.body.at("envelope")), x.f.identity,
                                    client::return_reason::identifying_information, "Please leave out the street.");
  ret.header.statement_id = taken;
  expect_conflict(x.w.http.post(world::message_path(x.case_id, sent.id(), "/return"),
                                json::object{{"return", as_json(*client::sign(ret, x.f.identity))}}, x.f.token),
                  "return");

  proto::withdraw wd;
  wd.header = client::header_for(x.case_id);
  wd.header.statement_id = taken;
  expect_conflict(x.w.http.post(world::case_path(x.case_id, "/withdraw"),
                                json::object{{"withdraw", as_json(*client::sign(wd, x.h.identity))}}, x.h.token),
                  "withdraw");

  proto::close cl;
  cl.header = client::header_for(x.case_id);
  cl.header.statement_id = taken;
  expect_conflict(x.w.http.post(world::case_path(x.case_id, "/close"),
                                json::object{{"close", as_json(*client::sign(cl, x.f.identity))}}, x.f.token),
                  "close");
  // Nothing changed: the case is open, the letter still in review, the harmed party still in it.
  EXPECT_EQ(x.w.http.get(world::case_path(x.case_id), x.f.token).body.at("state"), "open");
  EXPECT_EQ(x.state_of(x.h, sent.id()), "in_review");
}

TEST(CaseSettings, AClosedCaseKeepsItsLabelAndQuietHoursAsTheyWere) {
  exchange x;
  proto::close cl;
  cl.header = client::header_for(x.case_id);
  ASSERT_EQ(x.w.http.post(world::case_path(x.case_id, "/close"),
                          json::object{{"close", as_json(*client::sign(cl, x.f.identity))}}, x.f.token)
                .status,
            200u);
  auto sealed = client::seal_note({"label", std::nullopt, "Drammen, March"}, x.case_id, x.f.case_key.public_key());
  ASSERT_TRUE(sealed);
  json::array copies{
      json::object{{"reader", b64(x.f.identity.public_key())}, {"box", proto::base64url_encode(sealed->box)}}};
  auto label = x.w.http.post(world::case_path(x.case_id, "/label"), json::object{{"label", copies}}, x.f.token);
  EXPECT_EQ(label.status, 409u) << label.text;
  EXPECT_EQ(label.body.at("error"), "case_closed");
  auto quiet = x.w.http.post(world::case_path(x.case_id, "/quiet-hours"),
                             json::object{{"time_zone", "Europe/Oslo"}, {"start", "22:00"}, {"end", "07:00"}},
                             x.f.token);
  EXPECT_EQ(quiet.status, 409u) << quiet.text;
  EXPECT_EQ(quiet.body.at("error"), "case_closed");
}

TEST(Grants, ASupporterReadsNothingBeforeTheFacilitatorAttestedThem) {
  exchange x;
  actor s;
  ASSERT_EQ(x.w.enrol(s, x.w.invite(x.f, x.case_id, role::harmed_support)).status, 200u);
  proto::grant g;
  g.header = client::header_for(x.case_id);
  g.subject = s.identity.public_key();
  g.reads = true;
  auto early = x.w.http.post(world::case_path(x.case_id, "/grants"),
                             json::object{{"grant", as_json(*client::sign(g, x.h.identity))}}, x.h.token);
  EXPECT_EQ(early.status, 409u) << early.text;
  EXPECT_EQ(early.body.at("error"), "not_attested");
}

TEST(Messages, ALetterTakenBackOrAlreadyOpenedRefusesWhatNoLongerApplies) {
  exchange x;
  // Taken back while in review: its bytes are gone, for the facilitator too.
  auto first = x.w.send(x.h, x.case_id, x.pin, role::responsible, "I take this back.");
  ASSERT_EQ(first.answer.status, 200u);
  ASSERT_EQ(x.w.revoke(x.h, x.case_id, first.id()).status, 200u);
  auto bytes_gone = x.w.http.get(world::message_path(x.case_id, first.id(), "/ciphertext"), x.f.token);
  EXPECT_EQ(bytes_gone.status, 410u) << bytes_gone.text;

  // Opened (fetched, read receipt sent): too late to decline.
  auto second = x.w.send(x.h, x.case_id, x.pin, role::responsible, "Read this one.");
  ASSERT_EQ(second.answer.status, 200u);
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, second.id()).status, 200u);
  ASSERT_TRUE(x.w.open_letter(x.r, x.case_id, x.pin, second.id()));
  ASSERT_EQ(x.w.http.post(world::message_path(x.case_id, second.id(), "/receipt"), json::object{}, x.r.token).status,
            200u);
  auto late = x.w.http.post(world::message_path(x.case_id, second.id(), "/decline"), json::object{}, x.r.token);
  EXPECT_EQ(late.status, 409u) << late.text;
  EXPECT_EQ(late.body.at("error"), "not_available");

  // A note for the writer that is not a sealed note.
  auto bad_note = x.w.http.post(world::message_path(x.case_id, second.id(), "/tell-declined"),
                                json::object{{"note", "You should know."}}, x.f.token);
  EXPECT_EQ(bad_note.status, 400u) << bad_note.text;
  EXPECT_EQ(x.state_of(x.h, second.id()), "opened");
}

}  // namespace
}  // namespace shuttle::testing

// The authorization matrix: every route against every kind of caller, with
// no unexpected allow. A denied caller gets 401 (no session), 403 (a role
// that may not) or 404 (not this caller's case: the same answer as no case).
#include "tests/integration/world.hpp"

#include <gtest/gtest.h>

namespace shuttle::testing {
namespace {

using proto::role;

enum class who { case_facilitator, other_facilitator, harmed, responsible, withdrawn, anonymous };
constexpr std::array<who, 6> everyone{who::case_facilitator, who::other_facilitator, who::harmed,
                                      who::responsible,      who::withdrawn,         who::anonymous};
std::string name(who w) {
  switch (w) {
    case who::case_facilitator: return "facilitator of the case";
    case who::other_facilitator: return "facilitator of another case";
    case who::harmed: return "harmed party";
    case who::responsible: return "responsible party";
    case who::withdrawn: return "withdrawn party";
    case who::anonymous: return "anonymous";
  }
  return "?";
}

struct expectation {
  std::string method;
  std::string pattern;  // as in the route table; {case} is the case
  // The status each caller must get when denied; 0 means allowed.
  std::map<who, unsigned> denied;
};

constexpr unsigned allowed = 0;

std::vector<expectation> matrix() {
  const std::map<who, unsigned> anyone{};
  const std::map<who, unsigned> accounts{{who::anonymous, 401}};
  const std::map<who, unsigned> facilitators{{who::harmed, 403}, {who::responsible, 403}, {who::withdrawn, 403},
                                             {who::anonymous, 401}};
  const std::map<who, unsigned> participants{{who::other_facilitator, 404}, {who::withdrawn, 404}, {who::anonymous, 401}};
  const std::map<who, unsigned> case_facilitators{{who::other_facilitator, 404}, {who::harmed, 403},
                                                  {who::responsible, 403}, {who::withdrawn, 404},
                                                  {who::anonymous, 401}};
  const std::map<who, unsigned> parties{{who::case_facilitator, 403}, {who::other_facilitator, 404},
                                        {who::withdrawn, 404}, {who::anonymous, 401}};
  auto not_yet_for_recipient = participants;
  not_yet_for_recipient[who::responsible] = 404;
  // Receipts and declining are the recipient's, once released: before that, no party sees the message there.
  const std::map<who, unsigned> recipient_only{{who::case_facilitator, 403}, {who::other_facilitator, 404},
                                               {who::harmed, 404},           {who::responsible, 404},
                                               {who::withdrawn, 404},        {who::anonymous, 401}};
  return {
      {"GET", "/healthz", anyone},
      {"POST", "/v1/invitations/open", anyone},
      {"POST", "/v1/enrol", anyone},
      {"POST", "/v1/login/challenge", anyone},
      {"POST", "/v1/login", anyone},
      {"GET", "/v1/referrals/keys", anyone},
      {"POST", "/v1/referrals", anyone},
      {"POST", "/v1/referrals/status", anyone},
      {"POST", "/v1/referral-key", facilitators},
      {"GET", "/v1/referrals", facilitators},
      {"POST", "/v1/referrals/entered", facilitators},
      {"POST", "/v1/referrals/state", facilitators},
      {"GET", "/v1/me", accounts},
      {"GET", "/v1/consent", accounts},
      {"GET", "/v1/cases", accounts},
      {"POST", "/v1/cases", facilitators},
      {"GET", "/v1/cases/{case}", participants},
      {"POST", "/v1/cases/{case}/invitations", case_facilitators},
      {"POST", "/v1/cases/{case}/keys", participants},
      {"POST", "/v1/cases/{case}/attestations", case_facilitators},
      {"POST", "/v1/cases/{case}/close", case_facilitators},
      {"POST", "/v1/cases/{case}/withdraw", parties},
      {"POST", "/v1/cases/{case}/grants", parties},
      {"POST", "/v1/cases/{case}/stage", case_facilitators},
      {"POST", "/v1/cases/{case}/pause", parties},
      {"POST", "/v1/cases/{case}/consent", parties},
      {"GET", "/v1/cases/{case}/agreement", participants},
      {"POST", "/v1/cases/{case}/agreement/signatures", participants},
      {"POST", "/v1/cases/{case}/agreement/marks", case_facilitators},
      {"POST", "/v1/cases/{case}/label", case_facilitators},
      {"POST", "/v1/cases/{case}/writing-aids", case_facilitators},
      {"POST", "/v1/cases/{case}/quiet-hours", case_facilitators},
      {"GET", "/v1/cases/{case}/messages", participants},
      {"POST", "/v1/cases/{case}/messages", participants},
      // A message in review: its sender and the facilitators see it; the recipient not yet.
      {"GET", "/v1/cases/{case}/messages/{message}", not_yet_for_recipient},
      {"GET", "/v1/cases/{case}/messages/{message}/ciphertext", not_yet_for_recipient},
      {"POST", "/v1/cases/{case}/messages/{message}/approve", case_facilitators},
      {"POST", "/v1/cases/{case}/messages/{message}/return", case_facilitators},
      {"POST", "/v1/cases/{case}/messages/{message}/revoke", participants},
      {"POST", "/v1/cases/{case}/messages/{message}/receipt", recipient_only},
      {"POST", "/v1/cases/{case}/messages/{message}/decline", recipient_only},
      {"POST", "/v1/cases/{case}/messages/{message}/claim", case_facilitators},
      {"POST", "/v1/cases/{case}/messages/{message}/unclaim", case_facilitators},
      {"POST", "/v1/cases/{case}/messages/{message}/tell-declined", case_facilitators},
      {"GET", "/v1/queue", facilitators},
      {"GET", "/v1/cases/{case}/audit", case_facilitators},
      {"GET", "/v1/events", accounts},
      {"POST", "/v1/events/ticket", accounts},
      {"POST", "/v1/logout", accounts},  // last: it ends the sessions
  };
}

TEST(Authorization, EveryRouteAgainstEveryCaller) {
  world w;
  actor f = w.facilitator();
  actor g = w.facilitator();
  const proto::id case_id = w.open_case(f);
  w.open_case(g);
  actor h = w.party(f, case_id, role::harmed);
  actor r = w.party(f, case_id, role::responsible);
  actor x = w.party(f, case_id, role::harmed_support);
  proto::withdraw wd;
  wd.header = client::header_for(case_id);
  auto left = w.http.post(world::case_path(case_id, "/withdraw"), json::object{{"withdraw", as_json(*client::sign(wd, x.identity))}}, x.token);
  ASSERT_EQ(left.status, 200u) << left.text;
  w.login(x);  // withdrawal ended its sessions; a new one still gets it nowhere in the case
  auto sent = w.send(h, case_id, f.identity.public_key(), role::responsible, "in review");
  ASSERT_EQ(sent.answer.status, 200u) << sent.answer.text;
  const std::string message_text = proto::base64url_encode(sent.id());

  std::map<who, actor*> actors{{who::case_facilitator, &f}, {who::other_facilitator, &g}, {who::harmed, &h},
                               {who::responsible, &r},      {who::withdrawn, &x}};
  const std::string case_text = proto::base64url_encode(case_id);
  std::size_t checked = 0;
  for (const auto& e : matrix()) {
    std::string target = e.pattern;
    if (auto at = target.find("{case}"); at != std::string::npos) target.replace(at, 6, case_text);
    if (auto at = target.find("{message}"); at != std::string::npos) target.replace(at, 9, message_text);
    for (who caller : everyone) {
      const std::string token = caller == who::anonymous ? "" : actors[caller]->token;
      // An empty object: enough to pass or fail authorization, never enough to change anything.
      const reply res = e.method == "GET" ? w.http.get(target, token) : w.http.post(target, json::object{}, token);
      const auto denial = e.denied.find(caller);
      const std::string where = e.method + " " + e.pattern + " as " + name(caller) + ": " + res.text;
      if (denial == e.denied.end()) {
        EXPECT_TRUE(res.status != 401 && res.status != 403 && res.status != 404) << "wrongly denied: " << where;
      } else {
        EXPECT_EQ(res.status, denial->second) << "unexpected answer: " << where;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, matrix().size() * everyone.size());
}

TEST(Authorization, AForeignCaseLooksExactlyLikeAMissingOne) {
  world w;
  actor f = w.facilitator();
  actor g = w.facilitator();
  const proto::id case_id = w.open_case(f);
  const auto foreign = w.http.get(world::case_path(case_id), g.token);
  const auto missing = w.http.get(world::case_path(client::new_id()), g.token);
  EXPECT_EQ(foreign.status, 404u);
  EXPECT_EQ(foreign.text, missing.text);
  const auto foreign_post = w.http.post(world::case_path(case_id, "/keys"), json::object{}, g.token);
  const auto missing_post = w.http.post(world::case_path(client::new_id(), "/keys"), json::object{}, g.token);
  EXPECT_EQ(foreign_post.text, missing_post.text);
}

TEST(Authorization, WithdrawalAppliesToTheVeryNextRequest) {
  world w;
  actor f = w.facilitator();
  const proto::id case_id = w.open_case(f);
  actor h = w.party(f, case_id, role::harmed);
  EXPECT_EQ(w.http.get(world::case_path(case_id), h.token).status, 200u);
  proto::withdraw wd;
  wd.header = client::header_for(case_id);
  ASSERT_EQ(w.http.post(world::case_path(case_id, "/withdraw"), json::object{{"withdraw", as_json(*client::sign(wd, h.identity))}}, h.token).status, 200u);
  EXPECT_EQ(w.http.get(world::case_path(case_id), h.token).status, 401u);  // its sessions ended
  w.login(h);
  EXPECT_EQ(w.http.get(world::case_path(case_id), h.token).status, 404u);  // and the case is no longer its own
  // The facilitator sees the participant as withdrawn.
  const auto detail = w.http.get(world::case_path(case_id), f.token);
  bool seen = false;
  for (const auto& p : detail.body.at("participants").as_array()) {
    if (p.at("identity") == b64(h.identity.public_key())) {
      EXPECT_EQ(p.at("state"), "withdrawn");
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace shuttle::testing

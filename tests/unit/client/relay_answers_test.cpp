// The client's parsers of relay answers: the answers a relay really sends
// (the fuzz seeds, made from proto/vectors) parse; every kind of damage a
// broken or hostile relay could send is an error value naming the field.
#include "client-lib/relay_answers.hpp"
#include "proto/base64.hpp"
#include "proto/strict_json.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace shuttle::client {
namespace {

namespace json = boost::json;

json::value seed(const std::string& name) {
  std::ifstream in(std::string(SHUTTLE_SOURCE_DIR) + "/tests/fuzz/corpus/relay_answers/" + name);
  std::ostringstream s;
  s << in.rdbuf();
  return json::parse(s.str());
}

TEST(RelayAnswers, WhatTheRelaySendsParses) {
  const proto::public_key me{};
  EXPECT_TRUE(parse_challenge_answer(seed("challenge.json")));
  auto login = parse_login_answer(seed("login.json"));
  ASSERT_TRUE(login);
  EXPECT_TRUE(login->facilitator);
  auto cases = parse_case_list(seed("cases.json"));
  ASSERT_TRUE(cases);
  EXPECT_EQ(cases->at(0).approvals_required, 2u);
  auto detail = parse_case_detail(seed("case.json"));
  ASSERT_TRUE(detail) << detail.error().message();
  EXPECT_EQ(detail->key_statements.size(), 4u);
  EXPECT_EQ(detail->attestations.size(), 3u);
  auto list = parse_message_list(seed("messages.json"), "messages", me);
  ASSERT_TRUE(list);
  EXPECT_EQ(list->at(0).state, "released");
  auto queue = parse_message_list(seed("queue.json"), "queue", me);
  ASSERT_TRUE(queue);
  EXPECT_EQ(queue->at(0).approvals, 1u);
  auto fetched = parse_fetched_message(seed("message.json"), me);
  ASSERT_TRUE(fetched) << fetched.error().message();
  EXPECT_EQ(fetched->envelope.ciphertext_size, fetched->summary.size);
  EXPECT_EQ(fetched->approvals.size(), 1u);
  auto returned = parse_fetched_message(seed("returned.json"), me);
  ASSERT_TRUE(returned);
  EXPECT_TRUE(returned->returned);
  EXPECT_TRUE(parse_revoke_answer(seed("revoke.json"))->was_released);
  EXPECT_EQ(*parse_withdraw_answer(seed("withdraw.json")), 2u);
  auto agreement = parse_agreement_answer(seed("agreement.json"));
  ASSERT_TRUE(agreement) << agreement.error().message();
  ASSERT_TRUE(*agreement);
  EXPECT_EQ((*agreement)->signatures.size(), 3u);
  EXPECT_EQ((*agreement)->marks.size(), 1u);
  EXPECT_TRUE((*agreement)->bound_at);
  EXPECT_FALSE(*parse_agreement_answer(json::object{}));  // a case with none
  auto approved = parse_approve_answer(seed("approve.json"));
  ASSERT_TRUE(approved);
  EXPECT_EQ(approved->state, "in_review");
  EXPECT_EQ(approved->approvals, 1u);
  EXPECT_EQ(approved->approvals_required, 2u);
  auto e = parse_event(json::serialize(seed("event.json")));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->seq, 7u);
  EXPECT_TRUE(e->message);
}

// One damaged field at a time; each is refused with its name in the detail.
TEST(RelayAnswers, DamageIsAnErrorNamingTheField) {
  const proto::public_key me{};
  struct damage {
    std::string file;
    std::vector<std::string> path;  // object keys, or a number for an array index
    json::value value;
    std::string named;
  };
  const std::vector<damage> cases{
      {"cases.json", {"cases"}, "many", "cases"},
      {"cases.json", {"cases", "0", "case"}, 1, "cases[0].case"},
      {"cases.json", {"cases", "0", "role"}, "king", "cases[0].role"},
      {"cases.json", {"cases", "0", "approvals_required"}, -1, "cases[0].approvals_required"},
      {"case.json", {"participants", "0", "identity"}, "!!", "participants[0].identity"},
      {"case.json", {"key_statements", "0", "v"}, 2, "key_statements[0]"},
      {"case.json", {"case_open"}, json::array{}, "case_open"},
      {"messages.json", {"messages", "0", "state"}, json::array{}, "messages[0].state"},
      {"messages.json", {"messages", "0", "size"}, 1.5, "messages[0].size"},
      {"message.json", {"envelope", "ciphertext_size"}, "big", "envelope.ciphertext_size"},
      {"message.json", {"approvals", "0", "sig"}, "AAAA", "approvals[0]"},
      {"message.json", {"envelope", "wraps"}, json::array{}, "envelope.wraps"},
      {"login.json", {"token"}, "", "token"},
      {"login.json", {"facilitator"}, "yes", "facilitator"},
      {"revoke.json", {"was_opened"}, nullptr, "was_opened"},
      {"withdraw.json", {"revoked"}, "two", "revoked"},
  };
  for (const auto& d : cases) {
    json::value v = seed(d.file);
    json::value* at = &v;
    for (std::size_t i = 0; i + 1 < d.path.size(); ++i) {
      at = at->is_array() ? &at->as_array().at(std::stoul(d.path[i])) : &at->as_object().at(d.path[i]);
    }
    at->as_object()[d.path.back()] = d.value;
    result<void> outcome;
    if (d.file == "cases.json") outcome = parse_case_list(v) ? result<void>{} : parse_case_list(v).error();
    if (d.file == "case.json") outcome = parse_case_detail(v) ? result<void>{} : parse_case_detail(v).error();
    if (d.file == "messages.json") {
      auto r = parse_message_list(v, "messages", me);
      outcome = r ? result<void>{} : r.error();
    }
    if (d.file == "message.json") {
      auto r = parse_fetched_message(v, me);
      outcome = r ? result<void>{} : r.error();
    }
    if (d.file == "login.json") outcome = parse_login_answer(v) ? result<void>{} : parse_login_answer(v).error();
    if (d.file == "revoke.json") outcome = parse_revoke_answer(v) ? result<void>{} : parse_revoke_answer(v).error();
    if (d.file == "withdraw.json") outcome = parse_withdraw_answer(v) ? result<void>{} : parse_withdraw_answer(v).error();
    ASSERT_FALSE(outcome) << d.named << " was accepted damaged";
    EXPECT_EQ(outcome.error().code, errc::relay_refused) << d.named;
    EXPECT_NE(outcome.error().detail.find(d.named), std::string::npos) << outcome.error().detail;
  }
}

TEST(RelayAnswers, ARecipientsApprovalsAreStatementsAndAFacilitatorsACount) {
  const proto::public_key me{};
  json::value facilitator_view = seed("message.json");
  facilitator_view.as_object()["approvals"] = 1;
  auto fetched = parse_fetched_message(facilitator_view, me);
  ASSERT_TRUE(fetched) << fetched.error().message();
  EXPECT_EQ(fetched->summary.approvals, 1u);
  EXPECT_TRUE(fetched->approvals.empty());
}

TEST(RelayAnswers, EventsThatAreNotJsonOrTooLargeAreRefused) {
  EXPECT_FALSE(parse_event("not json"));
  EXPECT_FALSE(parse_event("[]"));
  EXPECT_FALSE(parse_event(R"({"seq":"7","event":"x","case":"AAAAAAAAAAAAAAAAAAAAAA"})"));
  EXPECT_FALSE(parse_event(std::string(5000, ' ') + "{}"));
  EXPECT_FALSE(parse_event(R"({"seq":1,"event":"x","case":"AAAAAAAAAAAAAAAAAAAAAA","seq":2})"));
  EXPECT_TRUE(parse_event(R"({"seq":1,"event":"x","case":"AAAAAAAAAAAAAAAAAAAAAA","future":true})"));
}

}  // namespace
}  // namespace shuttle::client

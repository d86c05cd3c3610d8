// The `shuttle` CLI against a relay that answers garbage: a stand-in that
// takes the real relay's place (its address and certificate, so the client's
// pin holds) and answers every request with one kind of nonsense. Every
// command must end with a calm sentence and exit code 1: no crash, no
// exception text, nothing half-done.
#include "proto/base64.hpp"
#include "proto/statements.hpp"
#include "tests/cli/cli_person.hpp"
#include "tests/cli/stand_in_relay.hpp"

#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

namespace shuttle::testing {
namespace {

namespace http = boost::beast::http;

// Every request gets `body` with status 200.
stand_in_relay::answer_fn answering_with(const std::string& body) {
  return [body](const stand_in_relay::request&) {
    stand_in_relay::response res{http::status::ok, 11};
    res.set(http::field::content_type, "application/json");
    res.body() = body;
    return res;
  };
}

// Words that must never reach a person: crashes, exceptions, internals.
void expect_calm(const ran& r, const std::string& what) {
  EXPECT_EQ(r.status, 1) << what << ": " << r.out;
  EXPECT_FALSE(r.out.empty()) << what;
  for (const char* word : {"terminate", "what()", "std::", "stoull", "Aborted", "exception", "Segmentation",
                           "basic_string", "boost", "missing_field", "wrong_type", "bad_encoding", "bad_value"}) {
    EXPECT_EQ(r.out.find(word), std::string::npos) << what << " printed '" << word << "': " << r.out;
  }
}

TEST(HostileRelay, EveryCommandEndsCalmlyOnGarbage) {
  scene s;
  person h = s.party("harmed", "harmed");
  person r = s.party("responsible", "responsible");
  const std::string m = text(h.ok("write", {s.case_id, "--text", "a letter"}), "message");
  s.f.ok("review", {s.case_id, m});
  s.f.ok("approve", {s.case_id, m});
  const auto port = s.relay.port();
  const auto data = s.relay.data_dir() / "data";
  s.relay.stop();

  const std::string id = proto::base64url_encode(proto::id{1, 2, 3});
  const std::string valid_id = "\"" + proto::base64url_encode(proto::id{}) + "\"";
  const std::vector<std::string> garbage{
      "not json at all",
      "[1,2,3]",
      "{}",
      R"({"cases":"many","messages":{"x":1},"queue":[1],"token":7,"state":[],"revoked":-1})",
      R"({"cases":[{"case":1}],"messages":[{"message":"!!"}],"queue":[{"message":)" + valid_id +
          R"(}],"envelope":{"v":1},"ciphertext":5,"state":"released"})",
      R"({"case_open":{"v":1,"type":"case_open"},"key_statements":[],"attestations":[],"participants":[],)"
      R"("state":"open","approvals_required":1})",
      R"({"cases":[{"case":)" + valid_id + R"(,"role":"harmed","state":"open","participant_state":"active",)"
      R"("approvals_required":18446744073709551615}]})",
      std::string(70'000, '['),
  };
  struct command {
    const person* who;
    std::string name;
    std::vector<std::string> args;
  };
  const std::vector<command> commands{
      {&h, "cases", {}},
      {&h, "case", {"show", s.case_id}},
      {&h, "letters", {s.case_id}},
      {&r, "read", {s.case_id, m}},
      {&h, "write", {s.case_id, "--text", "another"}},
      {&h, "revoke", {s.case_id, m}},
      {&s.f, "queue", {}},
      {&s.f, "review", {s.case_id, m}},
      {&s.f, "approve", {s.case_id, m}},
      {&s.f, "audit", {s.case_id}},
      {&r, "decline", {s.case_id, id}},
  };
  for (const auto& body : garbage) {
    stand_in_relay relay(port, data, answering_with(body));
    for (const auto& c : commands) {
      expect_calm(c.who->run(c.name, c.args), c.name + " on " + body.substr(0, 40));
    }
  }
}

}  // namespace
}  // namespace shuttle::testing

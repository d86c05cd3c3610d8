// The domain's rules, driven through relay_service as the router drives it
// (every statement signed by client-lib, as a person's client signs it), with
// no HTTP: on the in-memory store, which makes each test a few milliseconds,
// and on SQLite and PostgreSQL (domain.postgres, under pg_virtualenv), so the
// memory store is seen to answer the domain as a database does.
#include "client-lib/enrolment.hpp"
#include "client-lib/letter.hpp"
#include "client-lib/review.hpp"
#include "client-lib/statements.hpp"
#include "proto/base64.hpp"
#include "server/domain/relay_service.hpp"
#include "server/store/memory_store.hpp"
#include "server/store/sqlite_store.hpp"
#include "tests/unit/server/postgres_database.hpp"
#include "tests/unit/server/store_kind.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <future>

#include <unistd.h>

namespace shuttle::relay {
namespace {

namespace fs = std::filesystem;

// Someone with an account: their keys, and who the router would say they are.
struct person {
  client::identity_key id = client::identity_key::generate();
  client::case_key case_key = client::case_key::generate();
  caller as;
};

class Domain : public ::testing::TestWithParam<store_kind> {
 protected:
  fs::path dir = fs::temp_directory_path() / ("shuttle-domain-" + std::to_string(::getpid()) + "-" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::unique_ptr<storage> store;
  std::optional<relay_identity> relay;
  event_hub hub;
  std::unique_ptr<relay_service> service;

  proto::id case_id = client::new_id();
  person facilitator, harmed, responsible;
  client::roster roster{case_id, facilitator.id.public_key()};

  void SetUp() override {
    fs::remove_all(dir);
    fs::create_directories(dir);
    store = GetParam().open(dir);
    relay = relay_identity::load_or_create(dir / "relay.key");
    service = std::make_unique<relay_service>(*store, *relay, hub, [] { return client::unix_now(); });
    a_case_with_both_parties();
  }
  void TearDown() override {
    service.reset();
    store.reset();
    fs::remove_all(dir);
  }

  // Runs a write and waits until it is durable or refused.
  static outcome wait(const std::function<void(relay_service::completion)>& op) {
    std::promise<outcome> done;
    op([&done](outcome o) { done.set_value(std::move(o)); });
    return done.get_future().get();
  }

  // The caller the router would establish for `p` in the case.
  void refresh(person& p) {
    p.as.account = *store->read([&](reader& r) { return r.account_by_identity(p.id.public_key()); });
    p.as.participant = store->read([&](reader& r) { return r.participant(case_id, p.as.account.id); });
  }

  // A facilitator account from the operator's invitation, a case it opens,
  // and both parties invited, enrolled with their keys and attested.
  void a_case_with_both_parties() {
    auto code = proto::parse_invitation_code(*service->invite_facilitator("127.0.0.1:1", std::nullopt, 3600));
    ASSERT_TRUE(code);
    auto enrolment = client::make_enrolment(facilitator.id, *code, proto::display_name{"Kari"});
    ASSERT_TRUE(wait([&](auto done) { service->enrol(*enrolment, code->secret, std::nullopt, std::nullopt, done); }));
    refresh(facilitator);

    proto::case_open open;
    open.header = client::header_for(case_id);
    open.approvals_required = 1;
    const auto signed_open = client::sign(open, facilitator.id);
    const auto keys = client::make_key_statement(facilitator.id, case_id, facilitator.case_key);
    ASSERT_TRUE(wait([&](auto done) { service->open_case(facilitator.as, *signed_open, *keys, done); }));
    refresh(facilitator);
    ASSERT_TRUE(roster.add_case_open(*signed_open));
    ASSERT_TRUE(roster.add_facilitator_keys(*keys));
    join(harmed, proto::role::harmed);
    join(responsible, proto::role::responsible);
  }

  void join(person& p, proto::role role) {
    const auto made = client::make_invitation(facilitator.id, case_id, role, 3600);
    ASSERT_TRUE(wait([&](auto done) { service->invite(facilitator.as, made->statement, done); }));
    const auto& code = made->code;

    const auto keys = client::make_key_statement(p.id, case_id, p.case_key);
    ASSERT_TRUE(wait([&](auto done) {
      service->enrol(*client::make_enrolment(p.id, code), code.secret, *keys, std::nullopt, done);
    }));
    refresh(p);
    const auto attestation = client::make_attestation(facilitator.id, *keys, role);
    ASSERT_TRUE(wait([&](auto done) { service->attest(facilitator.as, *attestation, done); }));
    ASSERT_TRUE(roster.add_attested(*attestation, *keys));
  }

  client::sealed_letter a_letter_from_the_harmed_person(std::string_view text) {
    client::letter_draft draft;
    draft.header = client::header_for(case_id);
    draft.to = proto::role::responsible;
    auto sealed = client::seal_letter(harmed.id, harmed.case_key, draft, roster.facilitator_readers(),
                                      client::document::text(text));
    EXPECT_TRUE(sealed);
    EXPECT_TRUE(wait([&](auto done) {
      service->submit_message(harmed.as, sealed->envelope, sealed->ciphertext, std::nullopt, std::nullopt, done);
    }));
    return *sealed;
  }

  // The message ids `p` sees in the case's list.
  std::vector<std::string> listed_for(const person& p) {
    std::vector<std::string> out;
    auto list = service->list_messages(p.as);
    EXPECT_TRUE(list);
    for (const auto& m : list->at("messages").as_array()) out.emplace_back(m.at("message").as_string());
    return out;
  }

  static std::string id_text(const proto::id& id) { return proto::base64url_encode(id); }
};

TEST_P(Domain, ALetterReachesTheOtherPartyOnlyOnceAFacilitatorReviewedAndApprovedIt) {
  const auto letter = a_letter_from_the_harmed_person("I want you to know what that night did to us.");
  const auto id = letter.envelope.header.statement_id;

  // Waiting for review: the writer sees it, the other party nothing at all.
  EXPECT_EQ(listed_for(harmed), std::vector<std::string>{id_text(id)});
  EXPECT_TRUE(listed_for(responsible).empty());
  const auto early = wait([&](auto done) { service->fetch_message(responsible.as, id, done); });
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().kind, failure_kind::not_found);
  std::string bytes_out;
  EXPECT_FALSE(service->fetch_ciphertext(responsible.as, id, bytes_out));
  EXPECT_TRUE(bytes_out.empty());

  // The facilitator finds it in the queue, claims it, reads it, approves.
  const auto queue = service->review_queue(facilitator.as);
  ASSERT_TRUE(queue);
  ASSERT_EQ(queue->at("queue").as_array().size(), 1u);
  ASSERT_TRUE(wait([&](auto done) { service->claim(facilitator.as, id, done); }));
  std::string for_review;
  ASSERT_TRUE(service->fetch_ciphertext(facilitator.as, id, for_review));
  const auto read = client::open_for_review(roster, letter.envelope, bytes(for_review.begin(), for_review.end()),
                                            facilitator.id, facilitator.case_key);
  ASSERT_TRUE(read) << read.error().message();
  const auto approval = client::approve_letter(roster, letter.envelope, facilitator.id, facilitator.case_key);
  ASSERT_TRUE(approval);
  ASSERT_TRUE(wait([&](auto done) { service->approve(facilitator.as, id, *approval, done); }));

  // Now the responsible person sees it and opens it.
  EXPECT_EQ(listed_for(responsible), std::vector<std::string>{id_text(id)});
  const auto fetched = wait([&](auto done) { service->fetch_message(responsible.as, id, done); });
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_EQ(fetched->at("state").as_string(), "delivered");
  ASSERT_TRUE(service->fetch_ciphertext(responsible.as, id, bytes_out));
  const auto opened = client::open_delivered(roster, letter.envelope, {*approval},
                                             bytes(bytes_out.begin(), bytes_out.end()), responsible.id,
                                             responsible.case_key, client::unix_now());
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->content, client::document::text("I want you to know what that night did to us."));
}

TEST_P(Domain, AWriterTakesALetterBackAndItsContentLeavesTheRelay) {
  const auto letter = a_letter_from_the_harmed_person("I take this back.");
  const auto id = letter.envelope.header.statement_id;
  const auto approval = client::approve_letter(roster, letter.envelope, facilitator.id, facilitator.case_key);
  ASSERT_TRUE(wait([&](auto done) { service->approve(facilitator.as, id, *approval, done); }));

  proto::revoke back;
  back.header = client::header_for(case_id);
  back.message_id = id;
  const auto signed_back = client::sign(back, harmed.id);
  const auto answer = wait([&](auto done) { service->revoke(harmed.as, id, *signed_back, done); });
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_TRUE(answer->at("was_released").as_bool());

  std::string bytes_out;
  const auto gone = service->fetch_ciphertext(responsible.as, id, bytes_out);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, failure_kind::gone);
  EXPECT_FALSE(store->read([&](reader& r) { return r.ciphertext(id); }));
  // The same statement again answers as before; someone else's id is refused.
  EXPECT_TRUE(wait([&](auto done) { service->revoke(harmed.as, id, *signed_back, done); }));
  back.header = client::header_for(case_id);
  const auto not_theirs =
      wait([&](auto done) { service->revoke(responsible.as, id, *client::sign(back, responsible.id), done); });
  ASSERT_FALSE(not_theirs);
  EXPECT_EQ(not_theirs.error().kind, failure_kind::forbidden);
}

TEST_P(Domain, AReturnedLetterGoesBackToItsWriterAndNeverReachesTheOtherParty) {
  const auto letter = a_letter_from_the_harmed_person("You live on the corner of our street.");
  const auto id = letter.envelope.header.statement_id;
  ASSERT_TRUE(wait([&](auto done) { service->claim(facilitator.as, id, done); }));
  const auto back = client::return_letter(roster, letter.envelope, facilitator.id,
                                          client::return_reason::identifying_information,
                                          "Please leave out where they live.");
  ASSERT_TRUE(back);
  const auto returned = wait([&](auto done) { service->return_message(facilitator.as, id, *back, done); });
  ASSERT_TRUE(returned) << returned.error().message;

  // The writer sees it returned and reads why; the other party sees nothing.
  const auto mine = service->list_messages(harmed.as);
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->at("messages").as_array().size(), 1u);
  EXPECT_EQ(mine->at("messages").as_array()[0].at("state").as_string(), "returned");
  const auto why = client::open_return(roster, letter.envelope, *back, harmed.case_key);
  ASSERT_TRUE(why) << why.error().message();
  EXPECT_EQ(why->text, "Please leave out where they live.");
  EXPECT_TRUE(listed_for(responsible).empty());
  const auto fetched = wait([&](auto done) { service->fetch_message(responsible.as, id, done); });
  ASSERT_FALSE(fetched);
  EXPECT_EQ(fetched.error().kind, failure_kind::not_found);
  EXPECT_EQ(service->review_queue(facilitator.as)->at("queue").as_array().size(), 0u);

  // It cannot be approved afterwards.
  const auto approval = client::approve_letter(roster, letter.envelope, facilitator.id, facilitator.case_key);
  const auto late = wait([&](auto done) { service->approve(facilitator.as, id, *approval, done); });
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().kind, failure_kind::conflict);
  EXPECT_TRUE(listed_for(responsible).empty());
}

INSTANTIATE_TEST_SUITE_P(Stores, Domain,
                         ::testing::Values(store_kind{"memory",
                                                      [](const fs::path&) -> std::unique_ptr<storage> {
                                                        return std::make_unique<memory_store>();
                                                      }},
                                           store_kind{"sqlite",
                                                      [](const fs::path& dir) -> std::unique_ptr<storage> {
                                                        return std::make_unique<sqlite_store>(dir / "relay.db", 2);
                                                      }},
                                           store_kind{"postgres",
                                                      [](const fs::path&) -> std::unique_ptr<storage> {
                                                        static int databases = 0;
                                                        return std::make_unique<postgres_with_database>(
                                                            "shuttle_domain_" + std::to_string(::getpid()) + "_" +
                                                            std::to_string(++databases));
                                                      }}),
                         [](const ::testing::TestParamInfo<store_kind>& param) { return param.param.name; });

}  // namespace
}  // namespace shuttle::relay

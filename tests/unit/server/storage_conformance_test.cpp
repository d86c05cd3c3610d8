// What every store promises the domain (server/store/storage.hpp and
// repository.hpp), run against each store. This executable links the store
// library alone: a store that needed the domain would not link.
#include "server/store/memory_store.hpp"
#include "server/store/migrations.hpp"
#include "server/store/postgres_store.hpp"
#include "server/store/rows.hpp"
#include "server/store/sqlite_store.hpp"
#include "server/store/sql.hpp"
#include "server/store/wal_write_buffer.hpp"
#include "tests/unit/server/postgres_database.hpp"
#include "tests/unit/server/store_kind.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <libpq-fe.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <set>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <vector>

#include <unistd.h>

namespace shuttle::relay {
namespace {

namespace fs = std::filesystem;

proto::id id_of(int n) {
  proto::id out{};
  out[0] = static_cast<byte>(n);
  out[1] = static_cast<byte>(n >> 8);
  out[15] = 0x5a;
  return out;
}

class Storage : public ::testing::TestWithParam<store_kind> {
 protected:
  fs::path dir = fs::temp_directory_path() / ("shuttle-storage-" + std::to_string(::getpid()) + "-" +
                                              std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::unique_ptr<storage> store;

  void SetUp() override {
    fs::remove_all(dir);
    fs::create_directories(dir);
    store = GetParam().open(dir);
  }
  void TearDown() override {
    store.reset();
    fs::remove_all(dir);
  }

  // Submits and waits for the completion.
  write_problem write(storage::job j, write_class c = write_class::ordinary) {
    std::promise<write_problem> done;
    store->submit(std::move(j), [&done](write_problem p) { done.set_value(p); }, c);
    return done.get_future().get();
  }

  account_record account(int n) {
    account_record a;
    a.id = id_of(n);
    a.identity[0] = static_cast<byte>(n);
    a.created_at = 1000;
    return a;
  }

  // An account with a case and one message in review, with its ciphertext.
  message_record a_message_in_a_case() {
    message_record m;
    m.id = id_of(300);
    m.case_id = id_of(200);
    m.sender_account = id_of(1);
    m.sender[0] = 1;
    m.envelope = R"({"type":"envelope"})";
    m.ciphertext_size = 4;
    m.submitted_at = 1000;
    EXPECT_EQ(write([this, m](writer& w) {
                w.insert_account(account(1));
                case_record c;
                c.id = m.case_id;
                c.open_statement = "{}";
                c.created_at = 1000;
                w.insert_case(c, id_of(1));
                w.insert_message(m, bytes{1, 2, 3, 4});
                return verdict::keep;
              }),
              write_problem::none);
    return m;
  }
};

TEST_P(Storage, AKeptWriteIsReadOnceItsCompletionRan) {
  EXPECT_EQ(write([this](writer& w) {
              w.insert_account(account(1));
              return verdict::keep;
            }),
            write_problem::none);
  auto found = store->read([](reader& r) { return r.account_by_id(id_of(1)); });
  ASSERT_TRUE(found);
  EXPECT_EQ(found->identity, account(1).identity);
}

TEST_P(Storage, AnUndoneWriteLeavesNothing) {
  EXPECT_EQ(write([this](writer& w) {
              w.insert_account(account(1));
              return verdict::undo;
            }),
            write_problem::none);
  EXPECT_FALSE(store->read([](reader& r) { return r.account_by_id(id_of(1)); }));
}

TEST_P(Storage, AJobThatThrowsLeavesNothingAndSparesTheJobsBesideIt) {
  // Queued together, so a store that commits in groups puts them in one.
  std::promise<write_problem> a, b, c;
  store->submit([this](writer& w) { w.insert_account(account(1)); return verdict::keep; },
                [&a](write_problem p) { a.set_value(p); });
  store->submit(
      [this](writer& w) -> verdict {
        w.insert_account(account(2));
        throw std::logic_error("a bug in a job");
      },
      [&b](write_problem p) { b.set_value(p); });
  store->submit([this](writer& w) { w.insert_account(account(3)); return verdict::keep; },
                [&c](write_problem p) { c.set_value(p); });
  EXPECT_EQ(a.get_future().get(), write_problem::none);
  EXPECT_EQ(b.get_future().get(), write_problem::internal);
  EXPECT_EQ(c.get_future().get(), write_problem::none);
  EXPECT_TRUE(store->read([](reader& r) { return r.account_by_id(id_of(1)); }));
  EXPECT_FALSE(store->read([](reader& r) { return r.account_by_id(id_of(2)); }));
  EXPECT_TRUE(store->read([](reader& r) { return r.account_by_id(id_of(3)); }));
}

TEST_P(Storage, WritesQueuedTogetherEachKeepOrRollBackAlone) {
  // Some jobs keep, some undo, some throw, some fail on a duplicate key in
  // their last statement, some only write. A first write holds the writer (on PostgreSQL, every writer: it holds
  // the write lock) until all the others are queued, so a store that
  // commits in groups takes them in as few groups as it can.
  std::promise<void> go;
  std::shared_future<void> gate = go.get_future().share();
  std::promise<write_problem> first;
  store->submit([gate](writer&) { gate.wait(); return verdict::keep; },
                [&first](write_problem p) { first.set_value(p); });
  constexpr int n = 60;
  const auto writes_only = [](int i) { return i % 13 == 8; };
  // Not in a job that undoes: PostgreSQL never sends an undone job's last
  // writes, so it does not see the bug SQLite throws on (nothing is kept in either).
  const auto duplicates = [](int i) { return i % 11 == 6 && i % 7 != 3 && i % 5 != 4; };
  std::vector<std::promise<write_problem>> done(n);
  std::vector<std::uint64_t> seqs(n, 0);
  for (int i = 0; i < n; ++i) {
    store->submit(
        [this, i, &seqs, writes_only, duplicates](writer& w) -> verdict {
          w.insert_account(account(10 + i));
          if (writes_only(i)) return verdict::keep;  // no read after its write
          event_record e;
          e.account = id_of(10 + i);
          e.case_id = id_of(200);
          e.event = "queued";
          seqs[static_cast<std::size_t>(i)] = w.insert_event(e);
          if (i % 7 == 3) throw std::logic_error("a bug in a job");
          // A bug the database finds in the job's last statement (PostgreSQL:
          // a write sent with the job's end, not on its own).
          if (duplicates(i)) w.insert_account(account(10 + i));
          return i % 5 == 4 ? verdict::undo : verdict::keep;
        },
        [&done, i](write_problem p) { done[static_cast<std::size_t>(i)].set_value(p); });
  }
  go.set_value();
  EXPECT_EQ(first.get_future().get(), write_problem::none);
  std::set<std::uint64_t> numbers;
  for (int i = 0; i < n; ++i) {
    const bool failed = !writes_only(i) && (i % 7 == 3 || duplicates(i));
    const bool kept = writes_only(i) || (!failed && i % 5 != 4);
    EXPECT_EQ(done[static_cast<std::size_t>(i)].get_future().get(),
              failed ? write_problem::internal : write_problem::none)
        << i;
    const auto found = store->read([i](reader& r) { return r.account_by_id(id_of(10 + i)); });
    EXPECT_EQ(found.has_value(), kept) << i;
    if (!kept || writes_only(i)) continue;
    const auto events = store->read([i](reader& r) { return r.events_after(id_of(10 + i), 0, 10); });
    ASSERT_EQ(events.size(), 1u) << i;
    EXPECT_EQ(events[0].seq, seqs[static_cast<std::size_t>(i)]) << "the number its write was given";
    EXPECT_TRUE(numbers.insert(events[0].seq).second) << "each number once";
  }
}

TEST_P(Storage, AWriteAfterStopIsRefusedAsBusyAndRunsNot) {
  store->stop();
  bool ran = false;
  EXPECT_EQ(write([&ran](writer&) {
              ran = true;
              return verdict::keep;
            }),
            write_problem::busy);
  EXPECT_FALSE(ran);
}

TEST_P(Storage, UnderTheReserveOnlyEssentialWritesGoOn) {
  store->set_free_space_reserve(std::uint64_t{1} << 62);  // more than any disk has free
  if (!GetParam().local_disk) {
    // Its disk is its server's: the relay's reserve does not apply.
    EXPECT_EQ(write([this](writer& w) { w.insert_account(account(1)); return verdict::keep; }), write_problem::none);
    return;
  }
  EXPECT_EQ(write([this](writer& w) { w.insert_account(account(1)); return verdict::keep; }), write_problem::full);
  EXPECT_EQ(write([this](writer& w) { w.insert_account(account(2)); return verdict::keep; }, write_class::essential),
            write_problem::none);
  EXPECT_EQ(store->health().problem, "low");
  EXPECT_FALSE(store->read([](reader& r) { return r.account_by_id(id_of(1)); }));
  EXPECT_TRUE(store->read([](reader& r) { return r.account_by_id(id_of(2)); }));
}

TEST_P(Storage, EventsAreNumberedInOrderAndReplayedAfterASequenceNumber) {
  std::vector<std::uint64_t> seqs;
  EXPECT_EQ(write([&](writer& w) {
              w.insert_account(account(1));
              w.insert_account(account(2));
              for (int i = 0; i < 5; ++i) {
                event_record e;
                e.account = id_of(i % 2 == 0 ? 1 : 2);
                e.case_id = id_of(200);
                e.event = "queued";
                e.at = 1000 + static_cast<std::uint64_t>(i);
                seqs.push_back(w.insert_event(e));
              }
              return verdict::keep;
            }),
            write_problem::none);
  for (std::size_t i = 1; i < seqs.size(); ++i) EXPECT_GT(seqs[i], seqs[i - 1]);
  auto mine = store->read([](reader& r) { return r.events_after(id_of(1), 0, 100); });
  ASSERT_EQ(mine.size(), 3u);  // events 0, 2 and 4 are account 1's
  EXPECT_EQ(mine[0].seq, seqs[0]);
  EXPECT_EQ(mine[2].seq, seqs[4]);
  auto later = store->read([&](reader& r) { return r.events_after(id_of(1), seqs[0], 1); });
  ASSERT_EQ(later.size(), 1u);  // capped at the limit
  EXPECT_EQ(later[0].seq, seqs[2]);
}

TEST_P(Storage, AnAuditChainReadsBackInOrderWithItsHead) {
  std::vector<proto::audit_entry> chain;
  for (std::uint64_t seq = 1; seq <= 3; ++seq) {
    proto::audit_entry e;
    e.seq = seq;
    e.at = 1000 + seq;
    e.case_id = id_of(200);
    e.prev = chain.empty() ? proto::hash{} : chain.back().entry_hash;
    e.entry_hash = proto::audit_entry_hash(e);
    chain.push_back(e);
  }
  EXPECT_EQ(write([&](writer& w) {
              for (const auto& e : chain) w.insert_audit(e);
              return verdict::keep;
            }),
            write_problem::none);
  EXPECT_EQ(store->read([](reader& r) { return r.audit_chain(id_of(200)); }), chain);
  EXPECT_EQ(store->read([](reader& r) { return r.audit_head(id_of(200)); }), chain.back());
  EXPECT_FALSE(store->read([](reader& r) { return r.audit_head(id_of(201)); }));
}

TEST_P(Storage, ShreddingAMessageRemovesItsCiphertextAndEnvelopeAndKeepsItsState) {
  const auto m = a_message_in_a_case();
  EXPECT_EQ(store->read([&](reader& r) { return r.ciphertext(m.id); }), std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(write([&](writer& w) {
              w.set_message_state(m.id, proto::message_state::revoked, 2000);
              w.shred_message(m.id);
              return verdict::keep;
            }),
            write_problem::none);
  EXPECT_FALSE(store->read([&](reader& r) { return r.ciphertext(m.id); }));
  auto kept = store->read([&](reader& r) { return r.message(m.id); });
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->state, proto::message_state::revoked);
  EXPECT_FALSE(kept->envelope);
}

TEST_P(Storage, AnAgreementsSignaturesAndMarksReadBackInTheOrderStoredWithWhenItBound) {
  const auto m = a_message_in_a_case();
  auto statement = [&](int n, bool mark) {
    agreement_statement_record s;
    s.message_id = m.id;
    s.mark = mark;
    s.signer[0] = static_cast<byte>(n);
    s.agreement_hash[0] = 7;
    s.statement = "{\"n\":" + std::to_string(n) + "}";
    s.at = 1000 + static_cast<std::uint64_t>(n);
    return s;
  };
  EXPECT_EQ(store->read([&](reader& r) { return r.agreement_statements(m.id).size(); }), 0u);
  EXPECT_FALSE(store->read([&](reader& r) { return r.agreement_bound(m.id); }));
  // Stored out of signer order, a mark among them: read back as stored.
  EXPECT_EQ(write([&](writer& w) {
              w.insert_agreement_statement(statement(3, false));
              w.insert_agreement_statement(statement(1, false));
              w.set_agreement_bound({m.id, statement(1, false).agreement_hash, 1500});
              w.insert_agreement_statement(statement(2, true));
              return verdict::keep;
            }),
            write_problem::none);
  const auto got = store->read([&](reader& r) { return r.agreement_statements(m.id); });
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].signer[0], 3);
  EXPECT_EQ(got[1].signer[0], 1);
  EXPECT_TRUE(got[2].mark);
  EXPECT_FALSE(got[0].mark);
  EXPECT_EQ(got[2].statement, "{\"n\":2}");
  EXPECT_EQ(got[2].at, 1002u);
  EXPECT_EQ(got[1].agreement_hash[0], 7);
  const auto bound = store->read([&](reader& r) { return r.agreement_bound(m.id); });
  ASSERT_TRUE(bound);
  EXPECT_EQ(bound->at, 1500u);
  EXPECT_EQ(bound->agreement_hash[0], 7);
  // It binds once: a second record for the same agreement is a bug the store refuses.
  EXPECT_EQ(write([&](writer& w) {
              w.set_agreement_bound({m.id, {}, 1600});
              return verdict::keep;
            }),
            write_problem::internal);
}

TEST_P(Storage, ReferralsAndTheirKeysReadBackAndClosingOneDeletesWhatItSaid) {
  const auto m = a_message_in_a_case();  // account 1 with case 200
  EXPECT_EQ(write([&](writer& w) {
              w.insert_account(account(2));
              w.set_referral_key({id_of(2), proto::public_key{9}, "{\"k\":2}", 1000});
              w.set_referral_key({id_of(1), proto::public_key{7}, "{\"k\":1}", 1000});
              w.set_referral_key({id_of(1), proto::public_key{8}, "{\"k\":3}", 1100});  // replaces its last
              return verdict::keep;
            }),
            write_problem::none);
  const auto keys = store->read([&](reader& r) { return r.referral_keys(); });
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].account, id_of(1));  // by account id
  EXPECT_EQ(keys[0].key[0], 8);
  EXPECT_EQ(keys[0].statement, "{\"k\":3}");
  EXPECT_EQ(keys[1].at, 1000u);

  auto referral = [&](int n, std::uint64_t at) {
    referral_record r{id_of(n), proto::hash{static_cast<byte>(n)}, bytes{1, 2, 3}, at, "received", at, std::nullopt,
                      std::nullopt};
    return r;
  };
  EXPECT_EQ(write([&](writer& w) {
              w.insert_referral(referral(11, 2000), {{proto::public_key{8}, bytes{4, 4}}, {proto::public_key{9}, bytes{5}}});
              auto entered = referral(12, 1900);
              entered.entered_by = id_of(2);
              w.insert_referral(entered, {{proto::public_key{8}, bytes{6}}});
              return verdict::keep;
            }),
            write_problem::none);
  auto open = store->read([&](reader& r) { return r.open_referrals(10); });
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].id, id_of(12));  // oldest first
  EXPECT_EQ(open[0].entered_by, std::optional<proto::id>(id_of(2)));
  EXPECT_EQ(open[1].ciphertext, std::optional<bytes>(bytes{1, 2, 3}));
  EXPECT_EQ(store->read([&](reader& r) { return r.open_referral_count(); }), 2u);
  EXPECT_EQ(store->read([&](reader& r) { return r.open_referrals(1).size(); }), 1u);
  EXPECT_EQ(store->read([&](reader& r) { return r.referral_wrap(id_of(11), proto::public_key{9}); }),
            std::optional<bytes>(bytes{5}));

  // Contacted with its case (kept when a later state names none); closed: its words and wraps go.
  EXPECT_EQ(write([&](writer& w) {
              w.set_referral_state(id_of(11), "contacted", 2100, m.case_id);
              w.set_referral_state(id_of(11), "contacted", 2200, std::nullopt);
              return verdict::keep;
            }),
            write_problem::none);
  auto contacted = store->read([&](reader& r) { return r.referral(id_of(11)); });
  ASSERT_TRUE(contacted);
  EXPECT_EQ(contacted->state, "contacted");
  EXPECT_EQ(contacted->state_at, 2200u);
  EXPECT_EQ(contacted->case_id, std::optional<proto::id>(m.case_id));
  EXPECT_EQ(write([&](writer& w) {
              w.set_referral_state(id_of(11), "closed", 2300, std::nullopt);
              return verdict::keep;
            }),
            write_problem::none);
  auto closed = store->read([&](reader& r) { return r.referral(id_of(11)); });
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->state, "closed");
  EXPECT_FALSE(closed->ciphertext);
  EXPECT_EQ(closed->secret_hash[0], 11);
  EXPECT_FALSE(store->read([&](reader& r) { return r.referral_wrap(id_of(11), proto::public_key{8}); }));
  EXPECT_EQ(store->read([&](reader& r) { return r.open_referral_count(); }), 1u);
  EXPECT_FALSE(store->read([&](reader& r) { return r.referral(id_of(99)); }));
}

TEST_P(Storage, ALoginChallengeIsUsedOnceUntilItExpires) {
  proto::login_challenge c{};
  c[0] = 7;
  auto use = [&](std::uint64_t now) {
    std::promise<bool> first;
    EXPECT_EQ(write([&](writer& w) {
                first.set_value(w.use_login_challenge(c, 1060, now));
                return verdict::keep;
              }),
              write_problem::none);
    return first.get_future().get();
  };
  EXPECT_TRUE(use(1000));
  EXPECT_FALSE(use(1001)) << "used twice";
  EXPECT_TRUE(use(1060)) << "an expired record is cleared (and the relay refuses the expired challenge itself)";
}

TEST_P(Storage, AnAccountsSessionsEndTogether) {
  EXPECT_EQ(write([&](writer& w) {
              w.insert_account(account(1));
              for (byte b : {byte{1}, byte{2}}) {
                session_record s;
                s.token_hash[0] = b;
                s.account = id_of(1);
                s.created_at = s.last_used_at = 1000;
                s.expires_at = 9000;
                w.insert_session(s);
              }
              return verdict::keep;
            }),
            write_problem::none);
  proto::hash first{};
  first[0] = 1;
  EXPECT_TRUE(store->read([&](reader& r) { return r.session(first); }));
  EXPECT_EQ(write([](writer& w) {
              w.delete_sessions_of(id_of(1));
              return verdict::keep;
            }),
            write_problem::none);
  EXPECT_FALSE(store->read([&](reader& r) { return r.session(first); }));
}

// A case with a facilitator (named, as its enrolment named it), a harmed and
// a responsible party, each with a key statement, the responsible party's
// attested by the facilitator.
void a_case_with_three(writer& w, const proto::id& case_id) {
  account_record f;
  f.id = id_of(1);
  f.identity[0] = 0xf0;  // sorts last, so the joining time decides the order
  f.facilitator = true;
  f.display_name = "Kari";
  w.insert_account(f);
  for (int n : {2, 3}) {
    account_record a;
    a.id = id_of(n);
    a.identity[0] = static_cast<byte>(n);
    w.insert_account(a);
  }
  case_record c;
  c.id = case_id;
  c.open_statement = "{\"open\":1}";
  c.created_at = 1000;
  c.approvals_required = 2;
  w.insert_case(c, f.id);
  const std::pair<int, proto::role> people[] = {{1, proto::role::facilitator}, {3, proto::role::responsible},
                                                {2, proto::role::harmed}};
  std::uint64_t at = 1000;
  for (const auto& [n, role] : people) {
    participant_record p;
    p.case_id = case_id;
    p.account = id_of(n);
    p.role = role;
    p.joined_at = n == 1 ? 1000 : 1100;  // the parties join together: their keys order them
    if (n != 1) p.enrolment = "{\"enrolment\":" + std::to_string(n) + "}";
    w.insert_participant(p);
    key_record k;
    k.id = id_of(400 + n);
    k.case_id = case_id;
    k.case_key[0] = static_cast<byte>(n);
    k.statement = "{\"key\":" + std::to_string(n) + "}";
    k.created_at = at++;
    w.insert_key(k, id_of(n));
  }
  attestation_record a;
  a.id = id_of(500);
  a.case_id = case_id;
  a.key_statement = id_of(403);
  a.statement = "{\"attest\":3}";
  w.insert_attestation(a, id_of(3), id_of(1));
}

message_record letter(int n, const proto::id& case_id, std::uint64_t submitted_at) {
  message_record m;
  m.id = id_of(300 + n);
  m.case_id = case_id;
  m.sender_account = id_of(2);
  m.envelope = "{\"envelope\":" + std::to_string(n) + "}";
  m.ciphertext_size = 1;
  m.submitted_at = submitted_at;
  return m;
}

TEST_P(Storage, ACasesPeopleKeysAndAttestationsReadBackWithTheirAccounts) {
  EXPECT_EQ(write([](writer& w) {
              a_case_with_three(w, id_of(200));
              w.set_participant_state(id_of(200), id_of(3), proto::participant_state::withdrawn, 1200);
              return verdict::keep;
            }),
            write_problem::none);
  const auto people = store->read([](reader& r) { return r.participants(id_of(200)); });
  ASSERT_EQ(people.size(), 3u);
  EXPECT_EQ(people[0].account, id_of(1));  // joined first
  EXPECT_EQ(people[0].display_name, "Kari");
  EXPECT_EQ(people[0].identity[0], 0xf0);
  EXPECT_FALSE(people[0].enrolment);
  EXPECT_EQ(people[1].account, id_of(2));  // joined with 3, and its key sorts first
  EXPECT_EQ(people[1].role, proto::role::harmed);
  EXPECT_EQ(people[1].enrolment, "{\"enrolment\":2}");
  EXPECT_EQ(people[2].state, proto::participant_state::withdrawn);
  EXPECT_FALSE(people[2].display_name);

  const auto mine = store->read([](reader& r) { return r.cases_of(id_of(1)); });
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].first.approvals_required, 2u);
  EXPECT_EQ(mine[0].first.stage, proto::case_stage::referral);
  EXPECT_FALSE(mine[0].first.paused);
  EXPECT_EQ(mine[0].second.role, proto::role::facilitator);
  EXPECT_TRUE(store->read([](reader& r) { return r.cases_of(id_of(9)); }).empty());

  const auto keys = store->read([](reader& r) { return r.keys(id_of(200)); });
  ASSERT_EQ(keys.size(), 3u);  // in the order published
  EXPECT_EQ(keys[0].identity[0], 0xf0);
  EXPECT_EQ(keys[1].identity[0], 3);
  EXPECT_EQ(keys[2].identity[0], 2);
  EXPECT_EQ(store->read([](reader& r) { return r.key(id_of(402)); })->statement, "{\"key\":2}");
  const auto attested = store->read([](reader& r) { return r.attestations(id_of(200)); });
  ASSERT_EQ(attested.size(), 1u);
  EXPECT_EQ(attested[0].subject[0], 3);
  EXPECT_EQ(attested[0].attested_by[0], 0xf0);
  EXPECT_EQ(attested[0].key_statement, id_of(403));
}

TEST_P(Storage, TheReviewQueueHoldsWhatAnActiveFacilitatorMayReviewOldestFirst) {
  EXPECT_EQ(write([](writer& w) {
              a_case_with_three(w, id_of(200));
              auto note = letter(1, id_of(200), 1001);
              note.kind = proto::message_kind::note;
              const message_record ms[] = {letter(2, id_of(200), 1003), letter(3, id_of(200), 1002), note,
                                           letter(4, id_of(200), 1000), letter(5, id_of(200), 1004)};
              for (const auto& m : ms) w.insert_message(m, bytes{1});
              w.set_message_state(id_of(304), proto::message_state::returned, 1100);  // not in review
              w.set_release_at(id_of(305), 5000);                                     // approved, waiting
              w.set_claim(id_of(302), id_of(1), 1900);
              return verdict::keep;
            }),
            write_problem::none);
  const auto queue = store->read([](reader& r) { return r.review_queue(id_of(1), 10); });
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue[0].id, id_of(303));
  EXPECT_EQ(queue[1].id, id_of(302));
  EXPECT_EQ(queue[1].claimed_by->at(0), 0xf0);
  EXPECT_EQ(queue[1].claimed_by_name, "Kari");
  EXPECT_EQ(queue[1].claim_expires_at, 1900u);
  EXPECT_EQ(queue[1].sender[0], 2);
  EXPECT_EQ(store->read([](reader& r) { return r.review_queue(id_of(1), 1); }).size(), 1u);
  EXPECT_TRUE(store->read([](reader& r) { return r.review_queue(id_of(2), 10); }).empty()) << "a party reviews nothing";

  // A decision clears the claim; a facilitator who left sees the queue no more.
  EXPECT_EQ(write([](writer& w) {
              w.insert_review(id_of(302), id_of(1), true, "{\"approval\":1}", 1200);
              w.set_message_state(id_of(302), proto::message_state::released, 1200);
              w.set_participant_state(id_of(200), id_of(1), proto::participant_state::withdrawn, 1300);
              return verdict::keep;
            }),
            write_problem::none);
  const auto released = store->read([](reader& r) { return r.message(id_of(302)); });
  EXPECT_EQ(released->state, proto::message_state::released);
  EXPECT_EQ(released->released_at, 1200u);
  EXPECT_EQ(released->changed_at, 1200u);
  EXPECT_FALSE(released->claimed_by);
  EXPECT_FALSE(released->claim_expires_at);
  const auto reviews = store->read([](reader& r) { return r.reviews(id_of(302)); });
  ASSERT_EQ(reviews.size(), 1u);
  EXPECT_TRUE(reviews[0].approve);
  EXPECT_EQ(reviews[0].facilitator[0], 0xf0);
  EXPECT_TRUE(store->read([](reader& r) { return r.review_queue(id_of(1), 10); }).empty());

  const auto all = store->read([](reader& r) { return r.messages(id_of(200)); });
  std::vector<proto::id> order;
  for (const auto& m : all) order.push_back(m.id);
  EXPECT_EQ(order, (std::vector<proto::id>{id_of(304), id_of(301), id_of(303), id_of(302), id_of(305)}));
}

TEST_P(Storage, ApprovedLettersComeDueInTheOrderOfTheirTimeExceptInAPausedCase) {
  EXPECT_EQ(write([](writer& w) {
              a_case_with_three(w, id_of(200));
              for (int n : {1, 2, 3}) w.insert_message(letter(n, id_of(200), 1000), bytes{1});
              w.set_release_at(id_of(301), 3000);
              w.set_release_at(id_of(302), 2000);
              w.set_release_at(id_of(303), 9000);
              return verdict::keep;
            }),
            write_problem::none);
  auto due = store->read([](reader& r) { return r.due_for_release(3000); });
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].id, id_of(302));
  EXPECT_EQ(due[1].id, id_of(301));
  EXPECT_EQ(write([](writer& w) {
              w.set_paused(id_of(200), true, "{\"pause\":1}");
              return verdict::keep;
            }),
            write_problem::none);
  EXPECT_TRUE(store->read([](reader& r) { return r.due_for_release(3000); }).empty());
  EXPECT_EQ(store->read([](reader& r) { return r.case_by_id(id_of(200)); })->pause_statement, "{\"pause\":1}");
}

TEST_P(Storage, AClosedCaseIsPurgedOnceWithItsLabelsAndWritingAids) {
  proto::public_key reader_key{};
  reader_key[0] = 9;
  EXPECT_EQ(write([&](writer& w) {
              a_case_with_three(w, id_of(200));
              w.insert_message(letter(1, id_of(200), 1000), bytes{1, 2});
              w.insert_review(id_of(301), id_of(1), false, "{\"return\":1}", 1100);
              w.set_labels(id_of(200), {{reader_key, bytes{7}}}, 1000);
              w.set_writing_aid(id_of(200), reader_key, "names", bytes{8}, 1000);
              w.close_case(id_of(200), "{\"close\":1}", 2000);
              return verdict::keep;
            }),
            write_problem::none);
  EXPECT_TRUE(store->read([](reader& r) { return r.cases_to_purge(1999); }).empty()) << "closed after that";
  EXPECT_EQ(store->read([](reader& r) { return r.cases_to_purge(2000); }), std::vector<proto::id>{id_of(200)});
  EXPECT_EQ(store->read([](reader& r) { return r.case_by_id(id_of(200)); })->state, proto::case_state::closed);
  EXPECT_EQ(write([](writer& w) {
              w.mark_purged(id_of(200), 3000);
              return verdict::keep;
            }),
            write_problem::none);
  EXPECT_TRUE(store->read([](reader& r) { return r.cases_to_purge(5000); }).empty());
  const auto m = store->read([](reader& r) { return r.message(id_of(301)); });
  EXPECT_TRUE(m->purged);
  EXPECT_FALSE(m->envelope);
  EXPECT_FALSE(store->read([](reader& r) { return r.ciphertext(id_of(301)); }));
  EXPECT_FALSE(store->read([](reader& r) { return r.reviews(id_of(301)); })[0].statement);
  EXPECT_FALSE(store->read([&](reader& r) { return r.label(id_of(200), reader_key); }));
  EXPECT_FALSE(store->read([&](reader& r) { return r.writing_aid(id_of(200), reader_key, "names"); }));
}

// Joined in another order than their accounts', their keys' or their
// insertion's: the stores sort what they read (put_in_join_order), not the
// database, which would give the accounts' order.
TEST_P(Storage, PeopleReadBackByWhenTheyJoinedThenByKey) {
  // account, key's first byte, joined at, role; inserted in this order.
  const std::tuple<int, int, std::uint64_t, proto::role> people[] = {
      {6, 0x01, 1100, proto::role::facilitator},
      {4, 0x60, 1000, proto::role::responsible},
      {7, 0x07, 900, proto::role::facilitator},
      {5, 0x50, 1000, proto::role::harmed}};
  EXPECT_EQ(write([&](writer& w) {
              for (const auto& [n, key, at, role] : people) {
                account_record a;
                a.id = id_of(n);
                a.identity[0] = static_cast<byte>(key);
                a.facilitator = role == proto::role::facilitator;
                w.insert_account(a);
              }
              case_record c;
              c.id = id_of(200);
              c.open_statement = "{\"open\":1}";
              c.created_at = 900;
              c.approvals_required = 1;
              w.insert_case(c, id_of(7));
              for (const auto& [n, key, at, role] : people) {
                participant_record p;
                p.case_id = id_of(200);
                p.account = id_of(n);
                p.role = role;
                p.joined_at = at;
                w.insert_participant(p);
              }
              return verdict::keep;
            }),
            write_problem::none);
  const auto read = store->read([](reader& r) { return r.participants(id_of(200)); });
  ASSERT_EQ(read.size(), 4u);
  EXPECT_EQ(read[0].account, id_of(7));  // joined first
  EXPECT_EQ(read[1].account, id_of(5));  // joined with 4, and its key sorts first
  EXPECT_EQ(read[2].account, id_of(4));
  EXPECT_EQ(read[3].account, id_of(6));  // joined last, though its key sorts first
}

// Given in another order than their keys': the stores sort what they read
// (put_in_grant_order), not the database.
TEST_P(Storage, GrantsReadBackByWhenTheyWereGivenThenBySupporter) {
  EXPECT_EQ(write([&](writer& w) {
              a_case_with_three(w, id_of(200));
              for (const auto& [key, at] : {std::pair<int, std::uint64_t>{7, 1200}, {9, 1000}, {8, 1000}}) {
                proto::public_key supporter{};
                supporter[0] = static_cast<byte>(key);
                w.set_grant({id_of(200), id_of(2), {}, supporter, true, "{\"grant\":" + std::to_string(key) + "}", at});
              }
              return verdict::keep;
            }),
            write_problem::none);
  const auto grants = store->read([](reader& r) { return r.grants(id_of(200)); });
  ASSERT_EQ(grants.size(), 3u);
  EXPECT_EQ(grants[0].supporter[0], 8);
  EXPECT_EQ(grants[1].supporter[0], 9);
  EXPECT_EQ(grants[2].supporter[0], 7);
}

TEST_P(Storage, GrantsConsentsAndWritingAidsAreReplacedNotAdded) {
  proto::public_key supporter{};
  supporter[0] = 8;
  EXPECT_EQ(write([&](writer& w) {
              a_case_with_three(w, id_of(200));
              for (bool reads : {true, false}) {
                w.set_grant({id_of(200), id_of(2), {}, supporter, reads, reads ? "{\"grant\":1}" : "{\"grant\":0}",
                             reads ? 1000u : 1100u});
                w.set_consent({id_of(200), id_of(2), proto::hash{}, reads ? "{\"c\":1}" : "{\"c\":2}", 1000});
                w.set_writing_aid(id_of(200), supporter, "prompts", bytes{reads ? byte{1} : byte{2}}, 1000);
              }
              w.set_consent({id_of(200), id_of(3), proto::hash{}, "{\"c\":3}", 900});
              return verdict::keep;
            }),
            write_problem::none);
  const auto grants = store->read([](reader& r) { return r.grants(id_of(200)); });
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_FALSE(grants[0].reads);
  EXPECT_EQ(grants[0].party[0], 2);
  EXPECT_EQ(grants[0].at, 1100u);
  const auto consents = store->read([](reader& r) { return r.consents(id_of(200)); });
  ASSERT_EQ(consents.size(), 2u);
  EXPECT_EQ(consents[0].account, id_of(3));  // the earlier first
  EXPECT_EQ(consents[1].statement, "{\"c\":2}");
  EXPECT_EQ(store->read([&](reader& r) { return r.writing_aid(id_of(200), supporter, "prompts"); }), bytes{2});
}

TEST_P(Storage, SessionsExpireByTheirEndOrIdlenessAndChainsWaitForACheckpoint) {
  EXPECT_EQ(write([&](writer& w) {
              w.insert_account(account(1));
              for (byte b : {byte{1}, byte{2}, byte{3}}) {
                session_record s;
                s.token_hash[0] = b;
                s.account = id_of(1);
                s.created_at = 1000;
                s.last_used_at = b == 2 ? 1000 : 1500;  // 2: idle too long
                s.expires_at = b == 3 ? 1600 : 9000;    // 3: past its end
                w.insert_session(s);
              }
              w.delete_expired_sessions(1600, 500);
              for (int c : {200, 201}) {
                proto::audit_entry e;
                e.case_id = id_of(c);
                for (std::uint64_t seq = 1; seq <= 2; ++seq) {
                  e.seq = seq;
                  w.insert_audit(e);
                }
              }
              proto::audit_checkpoint cp;
              cp.case_id = id_of(200);
              cp.seq = 1;
              w.insert_checkpoint(cp);
              cp.seq = 2;
              cp.at = 5;
              w.insert_checkpoint(cp);
              cp.case_id = id_of(201);
              cp.seq = 1;
              w.insert_checkpoint(cp);
              return verdict::keep;
            }),
            write_problem::none);
  for (byte b : {byte{1}, byte{2}, byte{3}}) {
    proto::hash h{};
    h[0] = b;
    EXPECT_EQ(store->read([&](reader& r) { return r.session(h).has_value(); }), b == 1) << int{b};
  }
  EXPECT_EQ(store->read([](reader& r) { return r.audit_chains(); }), (std::vector<proto::id>{id_of(200), id_of(201)}));
  EXPECT_EQ(store->read([](reader& r) { return r.unsigned_chains(); }), std::vector<proto::id>{id_of(201)});
  EXPECT_EQ(store->read([](reader& r) { return r.latest_checkpoint(id_of(200)); })->at, 5u);
}

TEST_P(Storage, ADuplicateKeyOrARowReferringToNoneIsABugAndLeavesNothing) {
  EXPECT_EQ(write([this](writer& w) {
              w.insert_account(account(1));
              w.insert_account(account(1));
              return verdict::keep;
            }),
            write_problem::internal);
  EXPECT_FALSE(store->read([](reader& r) { return r.account_by_id(id_of(1)); }));
  EXPECT_EQ(write([](writer& w) {
              w.insert_message(letter(1, id_of(200), 1000), bytes{1});  // no such case or sender
              return verdict::keep;
            }),
            write_problem::internal);
  EXPECT_FALSE(store->read([](reader& r) { return r.message(id_of(301)); }));
}


int databases = 0;

INSTANTIATE_TEST_SUITE_P(Stores, Storage,
                         ::testing::Values(store_kind{"sqlite",
                                                      [](const fs::path& dir) -> std::unique_ptr<storage> {
                                                        return std::make_unique<sqlite_store>(dir / "relay.db", 2);
                                                      }},
                                           store_kind{"postgres",
                                                      [](const fs::path&) -> std::unique_ptr<storage> {
                                                        return std::make_unique<postgres_with_database>(
                                                            "shuttle_conformance_" + std::to_string(::getpid()) + "_" +
                                                            std::to_string(++databases));
                                                      },
                                                      false},
                                           store_kind{"memory",
                                                      [](const fs::path&) -> std::unique_ptr<storage> {
                                                        return std::make_unique<memory_store>();
                                                      },
                                                      false}),
                         [](const ::testing::TestParamInfo<store_kind>& param) { return param.param.name; });

// The PostgreSQL store's reads: each in one read-only snapshot, though its
// BEGIN travels with the first query and nobody waits for its COMMIT
// (postgres_store.hpp). The store's own database is this test's only one.
class PostgresReads : public Storage {
 protected:
  // How many connections to the store's database sit in an open transaction
  // with nothing running: a snapshot a read left open would hold back
  // VACUUM for as long as its connection idles in the pool.
  static int idle_in_transaction() {
    PGconn* c = PQconnectdb(postgres_database::conninfo("postgres").c_str());
    PGresult* r = PQexec(c,
                         "SELECT count(*) FROM pg_stat_activity WHERE datname LIKE 'shuttle_reads_%' "
                         "AND state = 'idle in transaction'");
    const int n = PQresultStatus(r) == PGRES_TUPLES_OK ? std::stoi(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    PQfinish(c);
    return n;
  }
};

TEST_P(PostgresReads, AReadSeesOneSnapshotFromItsFirstQuery) {
  const auto seen = store->read([this](reader& r) {
    std::vector<bool> out{r.account_by_id(id_of(1)).has_value()};
    // Committed by the writer between the read's two queries.
    EXPECT_EQ(write([this](writer& w) {
                w.insert_account(account(1));
                return verdict::keep;
              }),
              write_problem::none);
    out.push_back(r.account_by_id(id_of(1)).has_value());
    return out;
  });
  EXPECT_EQ(seen, (std::vector<bool>{false, false}));
  EXPECT_TRUE(store->read([](reader& r) { return r.account_by_id(id_of(1)); }));  // the next read sees it
}

TEST_P(PostgresReads, AFinishedReadLeavesNoTransactionOpenAndItsConnectionServesTheNext) {
  ASSERT_EQ(write([this](writer& w) {
              w.insert_account(account(1));
              return verdict::keep;
            }),
            write_problem::none);
  // More reads than the pool has connections, one after another and none
  // at all (a read that asks nothing sends no BEGIN).
  for (int i = 0; i < 6; ++i) {
    EXPECT_TRUE(store->read([](reader& r) { return r.account_by_id(id_of(1)); })) << i;
    store->read([](reader&) { return 0; });
  }
  int open = -1;
  for (int tries = 0; tries < 100 && open != 0; ++tries) {  // the unawaited COMMIT reaches the server at once
    open = idle_in_transaction();
    if (open != 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(open, 0);
}

INSTANTIATE_TEST_SUITE_P(Stores, PostgresReads,
                         ::testing::Values(store_kind{"postgres",
                                                      [](const fs::path&) -> std::unique_ptr<storage> {
                                                        return std::make_unique<postgres_with_database>(
                                                            "shuttle_reads_" + std::to_string(::getpid()) + "_" +
                                                            std::to_string(++databases));
                                                      },
                                                      false}),
                         [](const ::testing::TestParamInfo<store_kind>& param) { return param.param.name; });


// A row damaged in the file (by a fault, or by hand) is refused, never read
// as another value. Both stores read rows through one decoder
// (server/store/rows.cpp); before they did, SQLite read a participant state
// it did not know as active and a case state as open.
TEST(SqliteRows, ADamagedRowIsRefusedNeverReadAsAnotherValue) {
  const fs::path dir = fs::temp_directory_path() / ("shuttle-damaged-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path file = dir / "relay.db";
  const proto::id case_id = id_of(200);
  {
    sqlite_store store(file, 1);
    std::promise<write_problem> done;
    store.submit(
        [&case_id](writer& w) {
          a_case_with_three(w, case_id);
          return verdict::keep;
        },
        [&done](write_problem p) { done.set_value(p); });
    ASSERT_EQ(done.get_future().get(), write_problem::none);
  }
  const auto damage = [&file](const std::string& sql) {
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA ignore_check_constraints = ON");  // as a fault would: no constraint stops it
    db.exec(sql);
  };
  {
    sqlite_store store(file, 1);
    EXPECT_EQ(store.read([&](reader& r) { return r.participants(case_id); }).size(), 3u);
  }

  damage("UPDATE participants SET state = 'suspended' WHERE role = 'harmed'");
  {
    sqlite_store store(file, 1);
    EXPECT_THROW(store.read([&](reader& r) { return r.participants(case_id); }), stored_value_error);
    EXPECT_THROW(store.read([&](reader& r) { return r.participant(case_id, id_of(2)); }), stored_value_error);
    EXPECT_TRUE(store.read([&](reader& r) { return r.participant(case_id, id_of(3)); }));  // the others still read
  }

  damage("UPDATE cases SET state = 'reopened'");
  damage("UPDATE accounts SET is_facilitator = 2 WHERE display_name = 'Kari'");
  damage("UPDATE key_statements SET case_key = X'0102'");
  {
    sqlite_store store(file, 1);
    EXPECT_THROW(store.read([&](reader& r) { return r.case_by_id(case_id); }), stored_value_error);
    EXPECT_THROW(store.read([&](reader& r) { return r.account_by_id(id_of(1)); }), stored_value_error);
    EXPECT_THROW(store.read([&](reader& r) { return r.keys(case_id); }), stored_value_error);
  }
  fs::remove_all(dir);
}

// The relay looks for letters due for release every second. The read goes
// through the partial index of letters waiting for their time, never
// through every letter in review: a service with many letters waiting for
// a facilitator paid for a scan of all of them each second.
TEST(SqliteReads, LettersDueForReleaseAreFoundWithoutScanningTheReviewQueue) {
  const fs::path dir = fs::temp_directory_path() / ("shuttle-due-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  { sqlite_store store(dir / "relay.db", 1); }
  SQLite::Database db((dir / "relay.db").string(), SQLite::OPEN_READONLY);
  SQLite::Statement plan(db, "EXPLAIN QUERY PLAN " + sql::select_due_for_release);
  plan.bind(1, 0);
  std::string steps;
  while (plan.executeStep()) steps += plan.getColumn(3).getString() + "\n";
  EXPECT_NE(steps.find("USING INDEX messages_due"), std::string::npos) << steps;
  EXPECT_EQ(steps.find("messages_in_review"), std::string::npos) << steps;
  fs::remove_all(dir);
}

// A write that changes many pages of a large index keeps its savepoint
// journal in memory (configure_library in sqlite_store.cpp). Every queued
// write runs in a savepoint, and SQLite's default spilled a journal over
// 64 KiB to a temporary file: two pwrite calls for every page a group of a
// few letters changed, most of the writer's system calls.
TEST(SqliteWriter, AWritesSavepointJournalStaysInMemory) {
  const fs::path dir = fs::temp_directory_path() / ("shuttle-journal-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  sqlite_store store(dir / "relay.db", 1);
  const proto::id case_id = id_of(300);
  std::uint64_t seed = 0x9e3779b97f4a7c15ULL;
  const auto statements = [&](int count) {
    std::vector<statement_record> out(static_cast<std::size_t>(count));
    for (auto& s : out) {
      for (auto& b : s.id) {  // ids spread over the whole index, as real ones are
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        b = static_cast<byte>(seed >> 56);
      }
      s.type = "envelope";
      s.answer = std::string(64, 'a');
    }
    return out;
  };
  const auto keep = [&store, &case_id](const std::vector<statement_record>& batch) {
    std::promise<write_problem> done;
    store.submit(
        [&](writer& w) {
          for (const auto& s : batch) w.insert_statement(s, case_id);
          return verdict::keep;
        },
        [&done](write_problem p) { done.set_value(p); });
    return done.get_future().get();
  };
  ASSERT_EQ(keep(statements(8000)), write_problem::none);  // an index of about 60 leaves
  const auto before = wal_write_buffer::log_writes().savepoint_journal_files;
  ASSERT_EQ(keep(statements(2000)), write_problem::none);  // changes nearly every one: about 250 KiB journaled
  EXPECT_EQ(wal_write_buffer::log_writes().savepoint_journal_files, before);
  fs::remove_all(dir);
}

// ---------------------------------------------------------------- migrations

// Each store's migrations (server/store/migrations/<store>/NN.sql), run by
// the store on an empty database and on a database left at each earlier
// version, as a relay of that version left it: every way ends at the same
// schema and the same version record.
struct migration_kind {
  std::string name;
  std::size_t count;
  // The schema and version record after the store opened a database left at version `k` (0: empty).
  std::function<std::string(std::size_t k, const fs::path& dir)> schema_after;
};
std::ostream& operator<<(std::ostream& out, const migration_kind& k) { return out << k.name; }

std::string sqlite_schema_after(std::size_t k, const fs::path& dir) {
  const fs::path file = dir / ("at-" + std::to_string(k) + ".db");
  if (k > 0) {  // as the store's runner leaves it after migration k
    SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    db.exec("INSERT INTO schema_version (version) VALUES (0)");
    for (std::size_t v = 0; v < k; ++v) {
      db.exec(std::string(sqlite_migrations()[v]));
      db.exec("UPDATE schema_version SET version = " + std::to_string(v + 1));
    }
  }
  { sqlite_store store(file, 1); }
  SQLite::Database db(file.string(), SQLite::OPEN_READONLY);
  std::string out;
  SQLite::Statement q(db, "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name");
  while (q.executeStep()) {
    out += q.getColumn(0).getString() + " " + q.getColumn(1).getString() + ": " + q.getColumn(2).getString() + "\n";
  }
  SQLite::Statement v(db, "SELECT * FROM schema_version");
  while (v.executeStep()) {
    for (int i = 0; i < v.getColumnCount(); ++i) out += std::string(v.getColumnName(i)) + "=" + v.getColumn(i).getString() + "\n";
  }
  return out;
}

// Each row of `sql`'s answer as a line, its values separated by spaces.
std::string lines_of(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  std::string out;
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
  } else {
    for (int row = 0; row < PQntuples(r); ++row) {
      for (int col = 0; col < PQnfields(r); ++col) out += std::string(col ? " " : "") + PQgetvalue(r, row, col);
      out += "\n";
    }
  }
  PQclear(r);
  return out;
}
void exec_on(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  if (PQresultStatus(r) != PGRES_COMMAND_OK) ADD_FAILURE() << sql.substr(0, 200) << ": " << PQresultErrorMessage(r);
  PQclear(r);
}

std::string postgres_schema_after(std::size_t k, const fs::path&) {
  postgres_database db("shuttle_migrations_" + std::to_string(::getpid()) + "_" + std::to_string(k));
  const std::string conninfo = postgres_database::conninfo(db.name());
  PGconn* c = PQconnectdb(conninfo.c_str());
  EXPECT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  if (k > 0) {  // as the store's runner leaves it after migration k
    exec_on(c, "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)");
    exec_on(c, "INSERT INTO schema_version (version) VALUES (0)");
    for (std::size_t v = 0; v < k; ++v) {
      exec_on(c, std::string(postgres_migrations()[v]));
      exec_on(c, "UPDATE schema_version SET version = " + std::to_string(v + 1));
    }
  }
  { postgres_store store(conninfo, 1, 1); }
  std::string out = lines_of(c,
      "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '') "
      "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name");
  out += lines_of(c, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname");
  out += lines_of(c, "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                     "WHERE connamespace = 'public'::regnamespace ORDER BY conname");
  out += lines_of(c, "SELECT 'version=' || version, 'serves_from=' || serves_from FROM schema_version");
  PQfinish(c);
  return out;
}

class Migrations : public ::testing::TestWithParam<migration_kind> {
 protected:
  fs::path dir = fs::temp_directory_path() / ("shuttle-migrations-" + std::to_string(::getpid()));
  void SetUp() override { fs::create_directories(dir); }
  void TearDown() override { fs::remove_all(dir); }
};

TEST_P(Migrations, FromAnEmptyDatabaseAndFromEachEarlierVersionTheSchemaIsTheSame) {
  const auto& kind = GetParam();
  ASSERT_GE(kind.count, 2u);
  const std::string fresh = kind.schema_after(0, dir);
  ASSERT_NE(fresh.find("ciphertexts"), std::string::npos) << fresh;  // the whole schema, not an empty one
  ASSERT_NE(fresh.find("version=" + std::to_string(kind.count)), std::string::npos);
  for (std::size_t k = 1; k < kind.count; ++k) EXPECT_EQ(kind.schema_after(k, dir), fresh) << "from version " << k;
}

INSTANTIATE_TEST_SUITE_P(Stores, Migrations,
                         ::testing::Values(migration_kind{"sqlite", sqlite_migrations().size(), sqlite_schema_after},
                                           migration_kind{"postgres", postgres_migrations().size(), postgres_schema_after}),
                         [](const ::testing::TestParamInfo<migration_kind>& param) { return param.param.name; });

}  // namespace
}  // namespace shuttle::relay

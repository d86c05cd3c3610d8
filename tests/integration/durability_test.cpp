// Durability: many clients submit at once, the relay is killed with SIGKILL
// in the middle, and after a restart every submission that was answered 2xx
// is there exactly once and the audit chain verifies.
#include "proto/audit.hpp"
#include "tests/integration/world.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

namespace shuttle::testing {
namespace {

using proto::role;

TEST(Durability, EverySubmissionAnsweredBeforeASigkillSurvivesExactlyOnce) {
  world w;
  actor f = w.facilitator();
  const proto::id case_id = w.open_case(f);
  const auto pin = f.identity.public_key();
  std::vector<actor> senders;
  for (int i = 0; i < 3; ++i) senders.push_back(w.party(f, case_id, role::harmed));
  senders.push_back(w.party(f, case_id, role::responsible));

  // Sealed beforehand, so the clients only post.
  struct letter {
    std::size_t sender;
    proto::envelope envelope;
    bytes ciphertext;
  };
  std::vector<letter> letters;
  for (std::size_t s = 0; s < senders.size(); ++s) {
    auto r = w.roster(case_id, senders[s], pin);
    for (int i = 0; i < 150; ++i) {
      client::letter_draft d;
      d.header = client::header_for(case_id);
      d.to = s + 1 == senders.size() ? role::harmed : role::responsible;
      auto sealed = client::seal_letter(senders[s].identity, senders[s].case_key, d, r.facilitator_readers(),
                                        client::document::text("letter " + std::to_string(i)));
      ASSERT_TRUE(sealed);
      letters.push_back({s, sealed->envelope, sealed->ciphertext});
    }
  }

  std::mutex mutex;
  std::vector<proto::id> acknowledged;  // guarded by mutex
  std::atomic<std::size_t> next{0}, refused{0};
  auto client_loop = [&] {
    for (std::size_t i = next++; i < letters.size(); i = next++) {
      try {
        const auto& l = letters[i];
        auto r = w.post_letter(senders[l.sender], case_id, l.envelope, l.ciphertext);
        if (r.status == 200) {
          std::lock_guard lock(mutex);
          acknowledged.push_back(l.envelope.header.statement_id);
        } else {
          ++refused;
        }
      } catch (const std::exception&) {
        ++refused;  // the relay went away mid-request
      }
    }
  };
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i) clients.emplace_back(client_loop);
  for (;;) {
    {
      std::lock_guard lock(mutex);
      if (acknowledged.size() >= 100) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(w.relay.stop(9), 9);  // SIGKILL: no chance to flush anything
  for (auto& t : clients) t.join();
  ASSERT_GE(acknowledged.size(), 100u);
  ASSERT_LT(acknowledged.size(), letters.size()) << "the kill came too late to test anything";

  w.relay.restart();
  https_client again(w.relay.port(), certificate_pin((w.relay.data_dir() / "data" / "tls-certificate.pem").string()));
  auto list = again.get(world::case_path(case_id, "/messages"), f.token);
  ASSERT_EQ(list.status, 200u) << list.text;
  std::map<std::string, int> stored;
  for (const auto& m : list.body.at("messages").as_array()) ++stored[std::string(m.at("message").as_string())];
  for (const auto& id : acknowledged) {
    EXPECT_EQ(stored[proto::base64url_encode(id)], 1) << "an acknowledged letter is missing or doubled";
  }
  for (const auto& [id, n] : stored) EXPECT_EQ(n, 1);

  // Every stored letter opens for review; the chain verifies, online and offline.
  auto audit = again.get(world::case_path(case_id, "/audit"), f.token);
  auto x = proto::parse_audit_export(audit.text);
  ASSERT_TRUE(x) << x.error().message();
  const auto relay_key = world::decode<32>(again.get("/v1/me", f.token).body.at("relay_key"));
  EXPECT_TRUE(proto::verify_audit_export(*x, relay_key));
  std::size_t submitted = 0;
  for (const auto& e : x->entries) submitted += e.event == proto::audit_event::submitted ? 1 : 0;
  EXPECT_EQ(submitted, stored.size());

  ASSERT_EQ(w.relay.stop(), 0);
  const std::string command =
      relay_process::binary() + " audit verify " + w.relay.operator_flags() + " >/dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0);
}

}  // namespace
}  // namespace shuttle::testing

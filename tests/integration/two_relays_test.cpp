// Two relays on one PostgreSQL database, as a service runs them behind a load
// balancer: what one commits, the other's subscribers hear at once; leaving
// through one ends the streams held on the other; letters submitted to one
// case through both at once keep its audit chain whole; a relay killed under
// load loses nothing it acknowledged. The test command runs these under
// pg_virtualenv with SHUTTLE_TEST_POSTGRES=1 (CMakeLists.txt, two_relays.postgres).
#include "tests/integration/nginx_process.hpp"
#include "tests/integration/world.hpp"

#include "proto/audit.hpp"
#include "proto/base64.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <csignal>
#include <mutex>
#include <set>
#include <thread>

namespace shuttle::testing {
namespace {

using namespace std::chrono_literals;
using proto::role;

// Relay B: the same database and relay key as the exchange's relay A.
struct two_relays : exchange {
  world b;
  two_relays()
      : exchange(1, {}),
        b(with_defaults({"--database", w.relay.database_url()}), [this](const std::filesystem::path& dir) {
          // As deploy/README.md has it: the same relay key and certificate on both.
          std::filesystem::create_directories(dir / "data");
          for (const char* file : {"relay-identity.key", "tls-certificate.pem", "tls-key.pem"}) {
            std::filesystem::copy_file(w.relay.data_dir() / "data" / file, dir / "data" / file);
          }
        }) {
    EXPECT_FALSE(w.relay.database_url().empty()) << "run under pg_virtualenv with SHUTTLE_TEST_POSTGRES=1";
  }
  std::unique_ptr<event_stream> subscribe_at(world& at, actor& a, std::optional<std::uint64_t> last = std::nullopt) {
    return std::make_unique<event_stream>(at.relay.port(), event_stream::options{a.token, last, "", "/v1/events"});
  }
};

TEST(TwoRelays, ALetterSubmittedThroughOneReachesASubscriberOfTheOtherWithinASecond) {
  two_relays x;
  auto on_b = x.subscribe_at(x.b, x.f);
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "through relay A");
  ASSERT_EQ(sent.answer.status, 200u) << sent.answer.text;
  auto queued = next_of(*on_b, "queued", 1000ms);
  ASSERT_TRUE(queued) << "relay B's subscriber heard nothing within a second";
  EXPECT_EQ(queued->at("message"), b64(sent.id()));

  // The facilitator approves through B; the recipient, listening on A, hears it.
  auto on_a = x.subscribe_at(x.w, x.r);
  ASSERT_EQ(x.b.approve(x.f, x.case_id, x.pin, sent.id()).status, 200u);
  EXPECT_TRUE(next_of(*on_a, "released", 1000ms));
  // And the letter reads the same through either relay.
  EXPECT_TRUE(x.b.open_letter(x.r, x.case_id, x.pin, sent.id()));
}

TEST(TwoRelays, LeavingThroughOneEndsTheStreamsHeldOnTheOther) {
  two_relays x;
  auto on_b = x.subscribe_at(x.b, x.h);
  ASSERT_FALSE(on_b->next(200ms));
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(x.w.withdraw(x.h, x.case_id).status, 200u);
  while (!on_b->closed() && std::chrono::steady_clock::now() - started < 2s) (void)on_b->next(100ms);
  EXPECT_TRUE(on_b->closed()) << "relay B kept the stream of a person who left through relay A";
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  // And the session is gone on B too.
  EXPECT_EQ(x.b.http.get("/v1/me", x.h.token).status, 401u);
}

TEST(TwoRelays, LettersSubmittedToOneCaseThroughBothAtOnceKeepItsAuditChainWhole) {
  two_relays x;
  auto on_a = x.subscribe_at(x.w, x.f);
  constexpr int per_relay = 15;
  std::atomic<int> accepted{0};
  std::thread through_b([&] {
    for (int i = 0; i < per_relay; ++i) accepted += x.b.send(x.r, x.case_id, x.pin, role::harmed, "from B").answer.status == 200;
  });
  for (int i = 0; i < per_relay; ++i) accepted += x.w.send(x.h, x.case_id, x.pin, role::responsible, "from A").answer.status == 200;
  through_b.join();
  EXPECT_EQ(accepted, 2 * per_relay);

  // Every acknowledged letter is in the chain once, and the chain verifies.
  auto got = x.b.http.get(world::case_path(x.case_id, "/audit"), x.f.token);
  ASSERT_EQ(got.status, 200u) << got.text;
  auto audit = proto::parse_audit_export(got.text);
  ASSERT_TRUE(audit) << audit.error().message();
  const auto relay_key = world::decode<32>(x.w.http.get("/v1/me", x.f.token).body.at("relay_key"));
  EXPECT_TRUE(proto::verify_audit_export(*audit, relay_key));
  int submitted = 0;
  for (const auto& e : audit->entries) submitted += e.event == proto::audit_event::submitted;
  EXPECT_EQ(submitted, 2 * per_relay);

  // The facilitator's stream on A heard every one, in rising order, no gap it would wait for.
  std::uint64_t last = 0;
  for (int i = 0; i < 2 * per_relay; ++i) {
    auto e = next_of(*on_a, "queued", 2000ms);
    ASSERT_TRUE(e) << "event " << i << " did not come";
    const auto seq = e->at("seq").to_number<std::uint64_t>();
    EXPECT_GT(seq, last);
    last = seq;
  }
}

TEST(TwoRelays, ALoginBegunOnOneEndsOnTheOtherAndItsChallengeWorksOnce) {
  two_relays x;
  auto ch = x.w.http.post("/v1/login/challenge", json::object{{"identity", b64(x.h.identity.public_key())}});
  ASSERT_EQ(ch.status, 200u);
  const auto challenge = world::decode<32>(ch.body.at("challenge"));
  const auto relay_key = world::decode<32>(ch.body.at("relay_key"));
  const json::object login{{"identity", b64(x.h.identity.public_key())},
                           {"challenge", b64(challenge)},
                           {"signature", b64(client::sign_login(x.h.identity, challenge, relay_key))}};
  auto on_b = x.b.http.post("/v1/login", login);
  ASSERT_EQ(on_b.status, 200u) << on_b.text;
  EXPECT_EQ(x.w.http.get("/v1/me", std::string(on_b.body.at("token").as_string())).status, 200u);
  // The same signed challenge again, through either relay: refused.
  EXPECT_EQ(x.w.http.post("/v1/login", login).status, 401u);
  EXPECT_EQ(x.b.http.post("/v1/login", login).status, 401u);
}

TEST(TwoRelays, ABrowsersTicketFromOneRelayOpensTheStreamOnTheOther) {
  two_relays x;
  auto t = x.w.http.post("/v1/events/ticket", json::object{}, x.f.token);
  ASSERT_EQ(t.status, 200u) << t.text;
  const std::string ticket(t.body.at("ticket").as_string());
  const std::string origin = "https://localhost";  // the relay's own page, as event_stream names the host
  event_stream on_b(x.b.relay.port(), {"", std::nullopt, origin, "shuttle.v1, shuttle.ticket." + ticket, "/v1/events"});
  EXPECT_EQ(on_b.protocol(), "shuttle.v1");
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "heard on B");
  EXPECT_TRUE(next_of(on_b, "queued", 1000ms));
  // Once on a relay: the same ticket there again is refused.
  EXPECT_THROW(event_stream(x.b.relay.port(), {"", std::nullopt, origin, "shuttle.v1, shuttle.ticket." + ticket,
                                               "/v1/events"}),
               std::runtime_error);
}

// pg_virtualenv's cluster, stopped or started as an operator would.
int database_server(const std::string& action) {
  const char* version = std::getenv("PGVERSION");
  const std::string cmd = "pg_ctlcluster " + std::string(version ? version : "15") + " regress " + action +
                          " -m fast >/dev/null 2>&1";
  return std::system(cmd.c_str());
}

TEST(TwoRelays, TheDatabaseRestartedUnderLoadCostsA503MeanwhileAndLosesNothingAcknowledged) {
  two_relays x;
  std::atomic<bool> stop{false};
  std::atomic<int> unavailable{0}, other{0};
  std::vector<proto::id> acknowledged;
  std::mutex acknowledged_mutex;
  auto load = [&](world& through, actor& from, role to) {
    // The roster is read once, before the outage; each letter is sealed here and posted.
    const auto roster = through.roster(x.case_id, from, x.pin);
    while (!stop) {
      auto sealed = world::seal(from, roster, x.case_id, to, "under load");
      ASSERT_TRUE(sealed);
      const auto answer = through.post_letter(from, x.case_id, sealed->envelope, sealed->ciphertext);
      if (answer.status == 200) {
        std::lock_guard lock(acknowledged_mutex);
        acknowledged.push_back(sealed->envelope.header.statement_id);
      } else if (answer.status == 503) {
        ++unavailable;
        std::this_thread::sleep_for(50ms);
      } else {
        ++other;
      }
    }
  };
  std::thread through_a([&] { load(x.w, x.h, role::responsible); });
  std::thread through_b([&] { load(x.b, x.r, role::harmed); });
  std::this_thread::sleep_for(700ms);

  ASSERT_EQ(database_server("stop"), 0);
  // Meanwhile both relays say so, calmly, rather than failing.
  bool said_so = false;
  for (int i = 0; i < 50 && !said_so; ++i) {
    said_so = x.w.http.get("/healthz").status == 503 && x.b.http.get("/healthz").status == 503;
    if (!said_so) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(said_so) << "/healthz did not report the database gone";
  EXPECT_EQ(x.w.http.get("/v1/me", x.f.token).status, 503u);
  ASSERT_EQ(database_server("start"), 0);
  bool back = false;
  for (int i = 0; i < 100 && !back; ++i) {
    back = x.w.http.get("/healthz").status == 200 && x.b.http.get("/healthz").status == 200;
    if (!back) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(back) << "the relays did not come back";
  std::this_thread::sleep_for(700ms);  // load after the restart, too
  stop = true;
  through_a.join();
  through_b.join();

  EXPECT_GT(unavailable, 0) << "no request met the outage";
  EXPECT_EQ(other, 0) << "an answer other than 200 or 503";
  ASSERT_GT(acknowledged.size(), 4u);
  // Every acknowledged letter is there, through either relay, and the chain verifies.
  auto listed = x.b.http.get(world::case_path(x.case_id, "/messages"), x.f.token);
  ASSERT_EQ(listed.status, 200u);
  std::set<std::string> stored;
  for (const auto& m : listed.body.at("messages").as_array()) stored.insert(std::string(m.at("message").as_string()));
  for (const auto& id : acknowledged) EXPECT_TRUE(stored.contains(proto::base64url_encode(id))) << proto::base64url_encode(id) << " was acknowledged and lost";
  auto got = x.w.http.get(world::case_path(x.case_id, "/audit"), x.f.token);
  ASSERT_EQ(got.status, 200u);
  auto audit = proto::parse_audit_export(got.text);
  ASSERT_TRUE(audit);
  EXPECT_TRUE(proto::verify_audit_export(*audit, world::decode<32>(x.w.http.get("/v1/me", x.f.token).body.at("relay_key"))));
}

TEST(TwoRelays, ARelayKilledUnderLoadLosesNoAcknowledgedLetter) {
  two_relays x;
  std::atomic<bool> stop{false};
  std::vector<proto::id> acknowledged;
  std::thread through_b([&] {
    const auto roster = x.b.roster(x.case_id, x.r, x.pin);
    while (!stop) {
      auto sealed = world::seal(x.r, roster, x.case_id, role::harmed, "to a relay about to die");
      try {
        if (x.b.post_letter(x.r, x.case_id, sealed->envelope, sealed->ciphertext).status == 200) {
          acknowledged.push_back(sealed->envelope.header.statement_id);
        }
      } catch (const std::exception&) {
        break;  // the relay is gone: this letter was never acknowledged
      }
    }
  });
  std::this_thread::sleep_for(800ms);
  x.b.relay.stop(SIGKILL);
  stop = true;
  through_b.join();
  ASSERT_GT(acknowledged.size(), 2u);
  // The surviving relay has every one of them.
  auto listed = x.w.http.get(world::case_path(x.case_id, "/messages"), x.f.token);
  ASSERT_EQ(listed.status, 200u);
  std::set<std::string> stored;
  for (const auto& m : listed.body.at("messages").as_array()) stored.insert(std::string(m.at("message").as_string()));
  for (const auto& id : acknowledged) EXPECT_TRUE(stored.contains(proto::base64url_encode(id))) << proto::base64url_encode(id) << " was acknowledged and lost";
  // And it takes letters on.
  EXPECT_EQ(x.w.send(x.h, x.case_id, x.pin, role::responsible, "still here").answer.status, 200u);
}

// deploy/nginx-shuttle-two-relays.conf as shipped, in front of relays A and B.
std::string two_relay_site(two_relays& x, const std::filesystem::path& dir, unsigned short port) {
  const auto data = x.w.relay.data_dir() / "data";
  std::string site = read_file(SHUTTLE_SOURCE_DIR "/deploy/nginx-shuttle-two-relays.conf");
  use_test_addresses(site, port, data, dir, "relays.example.org");
  replace_once(site, "/etc/nginx/shuttle-relays.pem", (data / "tls-certificate.pem").string());
  replace_once(site, "server 10.0.0.11:8443", "server 127.0.0.1:" + std::to_string(x.w.relay.port()));
  replace_once(site, "server 10.0.0.12:8443", "server 127.0.0.1:" + std::to_string(x.b.relay.port()));
  return site;
}

// The number of answers a relay gave, from its /metrics.
std::uint64_t answers_of(relay_process& relay) {
  std::uint64_t n = 0;
  std::istringstream lines(relay.metrics());
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("shuttle_requests_total{", 0) == 0) n += std::stoull(line.substr(line.rfind(' ') + 1));
  }
  return n;
}

TEST(TwoRelays, BehindNginxAsDeployShowsItEitherRelayServesAnyRequest) {
  two_relays x;
  nginx_process nginx([&](unsigned short port) { return two_relay_site(x, x.w.relay.data_dir(), port); },
                      x.w.relay.data_dir());
  // One certificate behind the proxy, as deploy/README.md asks.
  const auto pin = certificate_pin((x.w.relay.data_dir() / "data" / "tls-certificate.pem").string());
  https_client via_nginx(nginx.port(), pin);
  const auto a_before = answers_of(x.w.relay), b_before = answers_of(x.b.relay);

  // A subscriber through nginx, and letters through nginx: whichever relay
  // each lands on, they arrive, and the subscriber hears of them.
  event_stream stream(nginx.port(), event_stream::options{x.f.token, std::nullopt, "", "", "/v1/events"});
  auto r = x.w.roster(x.case_id, x.h, x.pin);
  for (int i = 0; i < 6; ++i) {
    auto sealed = world::seal(x.h, r, x.case_id, role::responsible, "through the proxy");
    ASSERT_TRUE(sealed);
    auto posted = via_nginx.post(world::case_path(x.case_id, "/messages"),
                                 json::object{{"envelope", as_json(sealed->envelope)},
                                              {"ciphertext", proto::base64url_encode(sealed->ciphertext)}},
                                 x.h.token);
    ASSERT_EQ(posted.status, 200u) << posted.text << nginx.logs();
    EXPECT_TRUE(next_of(stream, "queued", 2000ms)) << "letter " << i;
  }
  EXPECT_GT(answers_of(x.w.relay), a_before) << "nginx sent nothing to relay A";
  EXPECT_GT(answers_of(x.b.relay), b_before) << "nginx sent nothing to relay B";
  EXPECT_EQ(via_nginx.get("/healthz").status, 200u);
}

}  // namespace
}  // namespace shuttle::testing

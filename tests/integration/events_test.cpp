// The WebSocket /v1/events over the real relay: content-free events to
// exactly the people concerned, replay after a reconnection, the end of the
// stream with the session, and its limits.
#include "tests/integration/world.hpp"

#include <gtest/gtest.h>

#include <set>

namespace shuttle::testing {
namespace {

using namespace std::chrono_literals;
using proto::role;

// The case of world.hpp's exchange, with event streams for its people.
struct live : exchange {
  using exchange::exchange;
  std::unique_ptr<event_stream> subscribe(actor& a, std::optional<std::uint64_t> last = std::nullopt) {
    return std::make_unique<event_stream>(w.relay.port(), event_stream::options{a.token, last, "", "/v1/events"});
  }
};

TEST(Events, AreContentFreeAndReachExactlyThoseConcerned) {
  live x;
  auto fs = x.subscribe(x.f);
  auto hs = x.subscribe(x.h);
  auto rs = x.subscribe(x.r);
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "secret words");
  ASSERT_EQ(sent.answer.status, 200u);

  auto queued = next_of(*fs, "queued");
  ASSERT_TRUE(queued);
  std::set<std::string> keys;
  for (const auto& kv : queued->as_object()) keys.insert(std::string(kv.key()));
  EXPECT_EQ(keys, (std::set<std::string>{"seq", "event", "case", "message", "at"}));
  EXPECT_EQ(queued->at("message"), b64(sent.id()));
  EXPECT_EQ(queued->at("case"), b64(x.case_id));
  EXPECT_FALSE(rs->next(300ms)) << "the recipient hears nothing of a letter in review";

  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, sent.id()).status, 200u);
  auto released = next_of(*rs, "released");
  ASSERT_TRUE(released);
  EXPECT_EQ(released->at("message"), b64(sent.id()));
  EXPECT_TRUE(next_of(*hs, "released"));  // the sender learns it is on its way

  ASSERT_TRUE(x.w.open_letter(x.r, x.case_id, x.pin, sent.id()));
  EXPECT_TRUE(next_of(*fs, "delivered"));
  EXPECT_FALSE(next_of(*hs, "delivered")) << "a fetch is the facilitators' to know, not the writer's";

  ASSERT_EQ(x.w.revoke(x.h, x.case_id, sent.id()).status, 200u);
  auto revoked = next_of(*rs, "revoked");
  ASSERT_TRUE(revoked);  // the recipient's client deletes its copy
  EXPECT_EQ(revoked->at("message"), b64(sent.id()));
}

TEST(Events, AReconnectingClientReceivesWhatItMissedInOrder) {
  live x;
  std::uint64_t last = 0;
  {
    auto fs = x.subscribe(x.f);
    auto first = x.w.send(x.h, x.case_id, x.pin, role::responsible, "one");
    auto e = next_of(*fs, "queued");
    ASSERT_TRUE(e);
    last = e->at("seq").to_number<std::uint64_t>();
  }
  auto second = x.w.send(x.h, x.case_id, x.pin, role::responsible, "two");
  auto third = x.w.send(x.r, x.case_id, x.pin, role::harmed, "three");
  auto fs = x.subscribe(x.f, last);
  auto a = next_of(*fs, "queued");
  auto b = next_of(*fs, "queued");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->at("message"), b64(second.id()));
  EXPECT_EQ(b->at("message"), b64(third.id()));
  EXPECT_LT(last, a->at("seq").to_number<std::uint64_t>());
  EXPECT_LT(a->at("seq").to_number<std::uint64_t>(), b->at("seq").to_number<std::uint64_t>());
  // Live events follow the replay without a gap or a repeat.
  auto fourth = x.w.send(x.h, x.case_id, x.pin, role::responsible, "four");
  auto c = next_of(*fs, "queued");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at("message"), b64(fourth.id()));
  EXPECT_FALSE(fs->next(300ms));
}

TEST(Events, WithdrawalEndsTheStreamAtOnceAndTellsTheOthers) {
  live x;
  auto hs = x.subscribe(x.h);
  auto rs = x.subscribe(x.r);
  auto fs = x.subscribe(x.f);
  ASSERT_EQ(x.w.withdraw(x.h, x.case_id).status, 200u);
  auto own = next_of(*hs, "never", 3000ms);
  EXPECT_FALSE(own);
  EXPECT_TRUE(hs->closed());
  auto seen = next_of(*rs, "withdrawn");
  ASSERT_TRUE(seen);
  EXPECT_FALSE(seen->as_object().contains("message"));
  EXPECT_TRUE(next_of(*fs, "withdrawn"));
}

TEST(Events, LogoutEndsTheStream) {
  live x;
  auto rs = x.subscribe(x.r);
  ASSERT_EQ(x.w.http.post("/v1/logout", json::object{}, x.r.token).status, 200u);
  EXPECT_FALSE(next_of(*rs, "never", 3000ms));
  EXPECT_TRUE(rs->closed());
}

// Stopping the relay (SIGTERM, as systemd does) while people's streams are
// open is a clean exit: the streams' coroutines, destroyed with their
// contexts, neither count into freed memory nor leave a subscription whose
// timer outlives its context (ASan failed the exit of both before).
TEST(Events, TheRelayStopsCleanlyWithStreamsOpen) {
  live x;
  auto fs = x.subscribe(x.f);
  auto hs = x.subscribe(x.h);
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "before the stop");
  ASSERT_TRUE(next_of(*fs, "queued"));
  const int status = x.w.relay.stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the relay's exit: " << status;
  x.w.restart_relay();  // for the world's own end
}

TEST(Events, NoSessionATokenInTheUrlOrAForeignOriginIsRefused) {
  live x;
  auto refused = [&](event_stream::options o) -> std::string {
    try {
      event_stream s(x.w.relay.port(), o);
      return "accepted";
    } catch (const std::exception& e) {
      return e.what();
    }
  };
  EXPECT_EQ(refused({"", std::nullopt, "", "/v1/events"}), "upgrade refused: 401");
  EXPECT_EQ(refused({"", std::nullopt, "", "/v1/events?token=" + x.r.token}), "upgrade refused: 401");
  EXPECT_EQ(refused({"not-a-token", std::nullopt, "", "/v1/events"}), "upgrade refused: 401");
  EXPECT_EQ(refused({x.r.token, std::nullopt, "https://evil.example", "/v1/events"}), "upgrade refused: 403");
  EXPECT_EQ(refused({x.r.token, std::nullopt, "", "/v1/events"}), "accepted");
  // A plain GET (no upgrade) is told so.
  auto plain = x.w.http.get("/v1/events", x.r.token);
  EXPECT_EQ(plain.status, 400u);
  EXPECT_EQ(plain.error(), "upgrade_required");
}

TEST(Events, AnAllowedOriginMayOpenTheStream) {
  live x(1, {"--allowed-origin", "https://shuttle.example.org"});
  EXPECT_NO_THROW(event_stream(x.w.relay.port(), {x.r.token, std::nullopt, "https://shuttle.example.org", "/v1/events"}));
}

// A browser cannot set Authorization on a WebSocket: it asks for a one-time
// ticket with its session and offers it as a subprotocol (SPEC 16.4).
TEST(Events, ABrowserOpensTheStreamWithAOneTimeTicketFromItsOwnOrigin) {
  live x;
  auto ticket = [&](actor& a) {
    auto r = x.w.http.post("/v1/events/ticket", json::object{}, a.token);
    EXPECT_EQ(r.status, 200u) << r.text;
    EXPECT_GE(r.body.at("expires_at").to_number<std::uint64_t>(), static_cast<std::uint64_t>(std::time(nullptr)));
    return std::string(r.body.at("ticket").as_string());
  };
  auto browser = [&](const std::string& protocols, const std::string& origin = "https://localhost") {
    event_stream::options o;
    o.origin = origin;
    o.subprotocols = protocols;
    return std::make_unique<event_stream>(x.w.relay.port(), o);
  };
  const std::string t = ticket(x.f);
  auto fs = browser("shuttle.v1, shuttle.ticket." + t);
  EXPECT_EQ(fs->protocol(), "shuttle.v1") << "a browser closes a stream whose subprotocol it did not get";
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "to a browser");
  auto e = next_of(*fs, "queued");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->at("message"), b64(sent.id()));

  auto refused = [&](const std::string& protocols, const std::string& origin = "https://localhost") -> std::string {
    try {
      browser(protocols, origin);
      return "accepted";
    } catch (const std::exception& ex) {
      return ex.what();
    }
  };
  EXPECT_EQ(refused("shuttle.v1, shuttle.ticket." + t), "upgrade refused: 401") << "a ticket opens one stream once";
  EXPECT_EQ(refused("shuttle.v1, shuttle.ticket.AAAA"), "upgrade refused: 401");
  EXPECT_EQ(refused("shuttle.v1, shuttle.ticket." + ticket(x.f), "https://evil.example"), "upgrade refused: 403");
  EXPECT_EQ(refused("shuttle.v1, shuttle.ticket." + x.f.token), "upgrade refused: 401") << "a session token is no ticket";
  // A ticket is worth no more than its session.
  const std::string after_logout = ticket(x.r);
  ASSERT_EQ(x.w.http.post("/v1/logout", json::object{}, x.r.token).status, 200u);
  EXPECT_EQ(refused("shuttle.v1, shuttle.ticket." + after_logout), "upgrade refused: 401");
  // Catching up: "shuttle.after.N" does what Last-Event-ID does.
  const std::uint64_t seq = e->at("seq").to_number<std::uint64_t>();
  auto later = x.w.send(x.h, x.case_id, x.pin, role::responsible, "while away");
  auto again = browser("shuttle.v1, shuttle.ticket." + ticket(x.f) + ", shuttle.after." + std::to_string(seq));
  auto missed = next_of(*again, "queued");
  ASSERT_TRUE(missed);
  EXPECT_EQ(missed->at("message"), b64(later.id()));
  // The CLI's way, with Authorization, is unchanged.
  EXPECT_NO_THROW(x.subscribe(x.h));
}

TEST(Events, PingsKeepAQuietStreamOpenAndAnOversizedMessageEndsIt) {
  live x(1, {"--idle-timeout-seconds", "2"});
  auto rs = x.subscribe(x.r);
  EXPECT_FALSE(rs->next(5000ms));  // over twice the idle timeout, with only pings and pongs
  EXPECT_FALSE(rs->closed());
  auto sent = x.w.send(x.h, x.case_id, x.pin, role::responsible, "x");
  ASSERT_EQ(x.w.approve(x.f, x.case_id, x.pin, sent.id()).status, 200u);
  EXPECT_TRUE(next_of(*rs, "released"));

  rs->send(std::string(5000, 'x'));  // over read_message_max (4 KiB)
  EXPECT_FALSE(next_of(*rs, "never", 3000ms));
  EXPECT_TRUE(rs->closed());
}

TEST(Events, APeerThatNeverAnswersPingsIsDropped) {
  live x(1, {"--idle-timeout-seconds", "2"});
  held_connection raw(x.w.relay.port(), true);
  raw.send("GET /v1/events HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
           "Authorization: Bearer " + x.r.token + "\r\n\r\n");
  EXPECT_TRUE(raw.closed_by_relay_within(std::chrono::seconds(8)));
  EXPECT_NE(raw.received().find("101 Switching Protocols"), std::string::npos);
}

}  // namespace
}  // namespace shuttle::testing

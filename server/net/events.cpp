#include "server/net/events.hpp"

#include "proto/base64.hpp"
#include "server/limits.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <charconv>
#include <optional>
#include <vector>

namespace shuttle::relay::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::awaitable;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr std::size_t max_client_message_bytes = 4096;
constexpr auto session_check_interval = std::chrono::seconds(60);

std::string to_text(const event_record& e) {
  boost::json::object o;
  o["seq"] = e.seq;
  o["event"] = e.event;
  o["case"] = proto::base64url_encode(e.case_id);
  if (e.message) o["message"] = proto::base64url_encode(*e.message);
  o["at"] = e.at;
  return boost::json::serialize(o);
}

// What the hub hands over, kept on the subscriber's own executor.
struct mailbox {
  explicit mailbox(asio::any_io_executor ex) : wake(ex) {}
  std::vector<event_record> pending;  // a vector: an empty one holds no memory
  bool ended = false;        // the session ended, or the peer went away
  bool catch_up = false;     // read back from the last event sent (a feed reconnected)
  bool reader_done = false;
  asio::steady_timer wake;
};

// A subscription to the hub that ends with the stream, however it ends: also
// when the relay stops and destroys the stream's coroutine with its context
// (the hub outlives the contexts; its callbacks hold the mailbox and its timer).
struct hub_subscription {
  event_hub* hub;
  std::uint64_t ticket;
  void end() {
    if (hub) hub->unsubscribe(ticket);
    hub = nullptr;
  }
  ~hub_subscription() { end(); }
  hub_subscription(event_hub& h, std::uint64_t t) : hub(&h), ticket(t) {}
  hub_subscription(const hub_subscription&) = delete;
  hub_subscription& operator=(const hub_subscription&) = delete;
};

// The client's last event, if it sent one (0: everything kept for the account).
std::optional<std::uint64_t> last_event_id(const http::request<http::string_body>& req) {
  std::string_view text = req["Last-Event-ID"];
  // A browser cannot set that header: it offers "shuttle.after.N" instead.
  constexpr std::string_view after = "shuttle.after.";
  if (text.empty()) {
    for (const auto& p : api::event_subprotocols(req)) {
      if (p.starts_with(after)) text = p.substr(after.size());
    }
  }
  std::uint64_t seq = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seq);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return seq;
}

// Clients have nothing to say yet: what they send is read in small pieces
// and dropped (a whole-message buffer would cost every idle subscriber
// more than a kilobyte). Pings and pongs are Beast's.
template <class WebSocket>
awaitable<void> read_until_closed(WebSocket& ws, std::shared_ptr<mailbox> box) {
  std::array<char, 64> sink;
  for (;;) {
    auto [ec, n] = co_await ws.async_read_some(asio::buffer(sink), tuple_awaitable);
    if (ec) break;
  }
  box->ended = true;
  box->reader_done = true;
  box->wake.cancel();
}

}  // namespace

awaitable<void> serve_events(tls_stream stream, http::request<http::string_body> upgrade, caller who,
                             relay_service& service, metrics& counters, const server_options& options) {
  websocket::stream<tls_stream> ws(std::move(stream));
  beast::get_lowest_layer(ws).expires_never();  // the websocket's own timeouts take over
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = options.handshake_timeout;
  timeouts.idle_timeout = options.idle_timeout;
  timeouts.keep_alive_pings = true;
  ws.set_option(timeouts);
  websocket::permessage_deflate no_compression;
  no_compression.server_enable = false;
  no_compression.client_enable = false;
  ws.set_option(no_compression);
  ws.read_message_max(max_client_message_bytes);
  const auto offered = api::event_subprotocols(upgrade);
  const bool browser = std::find(offered.begin(), offered.end(), api::event_subprotocol) != offered.end();
  ws.set_option(websocket::stream_base::decorator(
      [browser](websocket::response_type& res) {
        // A browser that offered subprotocols needs one chosen, or it closes the stream.
        if (browser) res.set(http::field::sec_websocket_protocol, api::event_subprotocol);
        res.set(http::field::cache_control, "no-store");
        // Beast names itself and its version unless told otherwise.
        res.set(http::field::server, "shuttle");
      }));
  if (auto [ec] = co_await ws.async_accept(upgrade, tuple_awaitable); ec) co_return;

  counters.subscriber_opened();
  auto ex = co_await asio::this_coro::executor;
  auto box = std::make_shared<mailbox>(ex);
  // Subscribe before replaying, so nothing committed in between is lost;
  // sequence numbers drop what the replay already sent.
  hub_subscription subscribed(service.hub(), service.hub().subscribe(
      {who.account.id, who.token_hash,
       [box, ex](const event_record& e) {
         asio::post(ex, [box, e] {
           // A subscriber that does not read is not buffered for without
           // bound: it is closed, and catches up with Last-Event-ID.
           if (box->pending.size() >= max_pending_events) {
             box->ended = true;
           } else {
             box->pending.push_back(e);
           }
           box->wake.cancel();
         });
       },
       [box, ex] {
         asio::post(ex, [box] {
           box->ended = true;
           box->wake.cancel();
         });
       },
       [box, ex] {
         asio::post(ex, [box] {
           box->catch_up = true;
           box->wake.cancel();
         });
       }}));

  const auto last = last_event_id(upgrade);
  upgrade = {};  // its headers are not needed any more
  std::uint64_t sent = last.value_or(0);
  std::vector<event_record> replay;
  if (last) replay = service.events_after(who.account.id, sent, max_events_replayed);
  asio::co_spawn(ex, read_until_closed(ws, box), asio::detached);

  auto next_check = std::chrono::steady_clock::now() + session_check_interval;
  bool write_failed = false;
  while (!box->ended) {
    if (box->catch_up && replay.empty()) {
      box->catch_up = false;
      replay = service.events_after(who.account.id, sent, max_events_replayed);
    }
    std::vector<event_record> batch;
    batch.swap(replay.empty() ? box->pending : replay);
    for (const auto& e : batch) {
      if (e.seq <= sent) continue;
      const std::string text = to_text(e);
      ws.text(true);
      // A peer that takes no bytes for write_timeout is let go.
      beast::get_lowest_layer(ws).expires_after(options.write_timeout);
      auto [ec, n] = co_await ws.async_write(asio::buffer(text), tuple_awaitable);
      beast::get_lowest_layer(ws).expires_never();
      if (ec) {
        box->ended = true;
        write_failed = true;
        break;
      }
      sent = e.seq;
    }
    if (box->ended || !replay.empty() || !box->pending.empty()) continue;
    if (std::chrono::steady_clock::now() >= next_check) {
      if (!service.session_alive(who.token_hash)) break;
      next_check = std::chrono::steady_clock::now() + session_check_interval;
    }
    box->wake.expires_at(next_check);
    co_await box->wake.async_wait(tuple_awaitable);
  }

  subscribed.end();
  if (write_failed) {
    // The deadline passed (or the peer went): a close frame would wait for a
    // peer that does not read, so the connection ends here.
    beast::get_lowest_layer(ws).close();
  } else if (!box->reader_done) {
    co_await ws.async_close(websocket::close_reason(websocket::close_code::policy_error, "session ended"),
                            tuple_awaitable);
  }
  // The reader must be done with `ws` before it goes.
  while (!box->reader_done) {
    box->wake.expires_after(std::chrono::seconds(1));
    co_await box->wake.async_wait(tuple_awaitable);
  }
  counters.subscriber_closed();
}

}  // namespace shuttle::relay::net

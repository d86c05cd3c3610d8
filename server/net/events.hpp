// The WebSocket /v1/events: content-free events pushed to one account's
// subscriber as they are committed. The caller was authenticated on the
// upgrade request (api::router::authorize_events); this serves the stream:
//
// - A client sends `Last-Event-ID: <seq>` on the upgrade to receive, first,
//   what it missed since that event (0: from the first; up to
//   max_events_replayed), then live events, in order and without duplicates.
//   Without the header, only live events.
// - Beast's keep-alive pings find dead peers: a peer from which nothing (not
//   even a pong) came for the idle timeout is closed. Messages from the
//   client are read and ignored, at most 4 KiB each; no compression.
// - A subscriber that does not read is closed when max_pending_events wait
//   for it or one write takes longer than the write timeout.
// - The stream ends when the session does: logout, withdrawal, or its
//   absolute lifetime.
#pragma once

#include "server/domain/relay_service.hpp"
#include "server/metrics.hpp"
#include "server/net/server.hpp"
#include "server/net/tls_stream.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace shuttle::relay::net {

boost::asio::awaitable<void> serve_events(tls_stream stream,
                                          boost::beast::http::request<boost::beast::http::string_body> upgrade,
                                          caller who, relay_service& service, metrics& counters,
                                          const server_options& options);

}  // namespace shuttle::relay::net

// One-time tickets that let a browser open /v1/events (SPEC 16.4): a page
// cannot set Authorization on a WebSocket, so it asks for a ticket with its
// session (POST /v1/events/ticket) and offers it as a WebSocket subprotocol,
// never in a URL. A ticket lives 30 seconds, opens one stream once, and is
// worth no more than the session it came from (which must still be alive).
// Kept in this relay's memory: a ticket is redeemed on the relay that issued
// it (SECURITY.md says what that means behind a load balancer).
#pragma once

#include "proto/statements.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace shuttle::relay {

class event_tickets {
 public:
  static constexpr std::uint64_t lifetime_seconds = 30;
  static constexpr std::size_t max_outstanding = 100000;

  // A fresh ticket (base64url of 32 random bytes) for this session.
  std::string issue(const proto::hash& token_hash, std::uint64_t now);
  // The session the ticket was issued for, consuming it; nothing for a ticket
  // unknown, used or expired.
  std::optional<proto::hash> redeem(std::string_view ticket, std::uint64_t now);

 private:
  struct entry {
    proto::hash token_hash;
    std::uint64_t expires_at;
  };
  void prune(std::uint64_t now);
  std::mutex mutex_;
  std::map<proto::hash, entry> by_hash_;  // keyed by the ticket's hash: the map holds no usable ticket
};

}  // namespace shuttle::relay

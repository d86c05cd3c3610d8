// One-time tickets that let a browser open /v1/events (SPEC 16.4): a page
// cannot set Authorization on a WebSocket, so it asks for a ticket with its
// session (POST /v1/events/ticket) and offers it as a WebSocket subprotocol,
// never in a URL. A ticket lives 30 seconds, opens one stream once, and is
// worth no more than the session it came from (which must still be alive).
//
// A ticket carries what it opens: the session's token hash (not the token),
// its expiry and 8 random bytes, under a 16-byte BLAKE2b MAC keyed from the
// relay key, so every relay sharing that key accepts it and none needs to
// have issued it. Each relay remembers the tickets redeemed on it until they
// expire: behind N relays a ticket could open at most N streams of its own
// session within its 30 seconds (SECURITY.md).
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
  explicit event_tickets(const fixed<32>& key);
  ~event_tickets();
  event_tickets(const event_tickets&) = delete;
  event_tickets& operator=(const event_tickets&) = delete;

  static constexpr std::uint64_t lifetime_seconds = 30;
  static constexpr std::size_t max_outstanding = 100000;

  // A fresh ticket (base64url of 64 bytes) for this session.
  std::string issue(const proto::hash& token_hash, std::uint64_t now);
  // The session the ticket was issued for, consuming it; nothing for a ticket
  // unknown, used or expired.
  std::optional<proto::hash> redeem(std::string_view ticket, std::uint64_t now);

 private:
  fixed<16> mac(bytes_view signed_part) const;
  void prune(std::uint64_t now);
  unsigned char key_[32];
  std::mutex mutex_;
  std::map<proto::hash, std::uint64_t> redeemed_;  // ticket hash -> expiry; guarded by mutex_
};

}  // namespace shuttle::relay

#include "server/domain/event_tickets.hpp"

#include "proto/base64.hpp"
#include "proto/codec.hpp"

#include <sodium.h>

namespace shuttle::relay {

std::string event_tickets::issue(const proto::hash& token_hash, std::uint64_t now) {
  fixed<32> raw{};
  randombytes_buf(raw.data(), raw.size());
  std::lock_guard lock(mutex_);
  prune(now);
  // Full of live tickets (a flood): one goes, at random (the map is ordered by hash); its page asks again.
  if (by_hash_.size() >= max_outstanding) by_hash_.erase(by_hash_.begin());
  by_hash_[proto::blake2b_256(raw)] = {token_hash, now + lifetime_seconds};
  return proto::base64url_encode(raw);
}

std::optional<proto::hash> event_tickets::redeem(std::string_view ticket, std::uint64_t now) {
  auto raw = proto::base64url_decode(ticket);
  if (!raw || raw->size() != 32) return std::nullopt;
  std::lock_guard lock(mutex_);
  const auto it = by_hash_.find(proto::blake2b_256(*raw));
  if (it == by_hash_.end()) return std::nullopt;
  const entry e = it->second;
  by_hash_.erase(it);
  if (e.expires_at <= now) return std::nullopt;
  return e.token_hash;
}

void event_tickets::prune(std::uint64_t now) {
  for (auto it = by_hash_.begin(); it != by_hash_.end();) {
    it = it->second.expires_at <= now ? by_hash_.erase(it) : std::next(it);
  }
}

}  // namespace shuttle::relay

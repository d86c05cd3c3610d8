#include "server/domain/event_tickets.hpp"

#include "proto/base64.hpp"
#include "proto/codec.hpp"

#include <sodium.h>

namespace shuttle::relay {

namespace {

constexpr std::size_t signed_bytes = 32 + 8 + 8;  // token hash, expiry, random
constexpr std::string_view mac_domain = "shuttle/v1/event-ticket";

}  // namespace

event_tickets::event_tickets(const fixed<32>& key) { std::copy(key.begin(), key.end(), key_); }
event_tickets::~event_tickets() { sodium_memzero(key_, sizeof key_); }

fixed<16> event_tickets::mac(bytes_view signed_part) const {
  crypto_generichash_state st;
  crypto_generichash_init(&st, key_, sizeof key_, 16);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(mac_domain.data()), mac_domain.size());
  crypto_generichash_update(&st, signed_part.data(), signed_part.size());
  fixed<16> out{};
  crypto_generichash_final(&st, out.data(), out.size());
  return out;
}

std::string event_tickets::issue(const proto::hash& token_hash, std::uint64_t now) {
  fixed<signed_bytes + 16> raw{};
  std::copy(token_hash.begin(), token_hash.end(), raw.begin());
  const std::uint64_t expires_at = now + lifetime_seconds;
  for (std::size_t i = 0; i < 8; ++i) raw[32 + i] = static_cast<byte>(expires_at >> (56 - 8 * i));
  randombytes_buf(raw.data() + 40, 8);
  const auto tag = mac(bytes_view(raw.data(), signed_bytes));
  std::copy(tag.begin(), tag.end(), raw.begin() + signed_bytes);
  return proto::base64url_encode(raw);
}

std::optional<proto::hash> event_tickets::redeem(std::string_view ticket, std::uint64_t now) {
  auto raw = proto::base64url_decode(ticket);
  if (!raw || raw->size() != signed_bytes + 16) return std::nullopt;
  const auto tag = mac(bytes_view(raw->data(), signed_bytes));
  if (sodium_memcmp(tag.data(), raw->data() + signed_bytes, tag.size()) != 0) return std::nullopt;
  std::uint64_t expires_at = 0;
  for (std::size_t i = 0; i < 8; ++i) expires_at = (expires_at << 8) | (*raw)[32 + i];
  if (expires_at <= now || expires_at > now + lifetime_seconds) return std::nullopt;
  {
    std::lock_guard lock(mutex_);
    prune(now);
    if (redeemed_.size() >= max_outstanding) return std::nullopt;  // a flood: its page asks again later
    if (!redeemed_.emplace(proto::blake2b_256(*raw), expires_at).second) return std::nullopt;  // used here before
  }
  proto::hash token_hash{};
  std::copy_n(raw->begin(), token_hash.size(), token_hash.begin());
  return token_hash;
}

void event_tickets::prune(std::uint64_t now) {
  for (auto it = redeemed_.begin(); it != redeemed_.end();) {
    it = it->second <= now ? redeemed_.erase(it) : std::next(it);
  }
}

}  // namespace shuttle::relay

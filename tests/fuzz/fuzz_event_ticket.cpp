// A browser's one-time ticket for the event stream (SPEC 16.4), as the relay
// reads it from a WebSocket subprotocol a hostile page chose: never a crash,
// no ticket the relay did not issue is taken, and one it issued opens once.
#include "server/domain/event_tickets.hpp"

#include <cstdlib>
#include <sodium.h>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (sodium_init() < 0) std::abort();
  const shuttle::fixed<32> key{};
  shuttle::relay::event_tickets tickets(key);
  constexpr std::uint64_t now = 1'800'000'000;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // What the fuzzer wrote is no ticket the relay issued (a forged MAC would
  // be a 2^-128 event, which the fuzzer does not find).
  if (tickets.redeem(text, now)) std::abort();
  // A ticket the relay issued for a session named by the input opens once.
  shuttle::proto::hash token_hash{};
  for (std::size_t i = 0; i < size && i < token_hash.size(); ++i) token_hash[i] = data[i];
  const std::string issued = tickets.issue(token_hash, now);
  auto opened = tickets.redeem(issued, now + 1);
  if (!opened || *opened != token_hash) std::abort();
  if (tickets.redeem(issued, now + 2)) std::abort();
  // Changed by the input anywhere, it opens nothing.
  if (size > 0) {
    std::string changed = issued;
    changed[data[0] % changed.size()] ^= static_cast<char>(data[size - 1] | 1);
    if (changed != issued && tickets.redeem(changed, now + 1)) std::abort();
  }
  return 0;
}

// A PostgreSQL notification's payload as a relay reads it from the shared
// database (server/store/change_payload.hpp). Any role that can connect to
// the database can send one, so: never a crash, and whatever decodes writes
// back to exactly the same payload (so nothing is read two ways).
#include "server/store/change_payload.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  const auto c = shuttle::relay::decode_change(payload);
  if (!c) return 0;
  std::string again;
  if (c->event) {
    again = shuttle::relay::event_payload(*c->event);
  } else if (c->ended_session) {
    again = shuttle::relay::ended_session_payload(*c->ended_session);
  } else if (c->ended_account) {
    again = shuttle::relay::ended_account_payload(*c->ended_account);
  } else {
    std::abort();
  }
  if (again != payload) std::abort();
  return 0;
}

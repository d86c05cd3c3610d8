// The browser client's signed manifest, as `shuttle verify-web` reads it from
// a relay that may be hostile: never a crash, and whatever parses writes back
// to a file that parses to the same manifest.
#include "proto/web_manifest.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = shuttle::proto::parse_web_manifest(text);
  if (!m) return 0;
  auto again = shuttle::proto::parse_web_manifest(shuttle::proto::to_json(*m));
  if (!again || again->files != m->files || again->csp != m->csp || again->version != m->version ||
      again->key != m->key || again->sig != m->sig) {
    std::abort();
  }
  return 0;
}

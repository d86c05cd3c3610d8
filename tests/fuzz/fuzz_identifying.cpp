// The check for identifying details (client-lib/identifying.hpp) over any
// bytes a writer's editor could hand it: it ends, every finding lies inside
// the text in order without overlapping, is the text at its place, and its
// context can be cut. The first line, when there is more than one, is a
// listed name.
#include "client-lib/identifying.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace c = shuttle::client;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  std::vector<std::string> listed;
  std::string_view text = input;
  if (newline != std::string_view::npos) {
    listed.emplace_back(input.substr(0, newline));
    text = input.substr(newline + 1);
  }
  std::size_t last_end = 0;
  for (const auto& f : c::find_identifying(text, listed)) {
    if (f.start < last_end || f.end <= f.start || f.end > text.size()) std::abort();
    if (text.substr(f.start, f.end - f.start) != f.text) std::abort();
    const auto at = c::context_of(text, f);
    if (at.match != f.text) std::abort();
    last_end = f.end;
  }
  return 0;
}

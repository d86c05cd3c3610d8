// The sentence a person reads for each code the relay can answer, in
// English or Norwegian Bokmål: proto/refusals.json, the one catalogue the
// CLI, client-lib and the browser client share, built into the library.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace shuttle::client {

enum class language { en, nb };

// The catalogue's sentence for a relay's code, or nothing for a code it does
// not have (a newer relay's): the caller then falls back on the relay's own.
std::optional<std::string> refusal_sentence(std::string_view code, language in = language::en);

}  // namespace shuttle::client

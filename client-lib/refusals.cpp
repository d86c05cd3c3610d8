#include "client-lib/refusals.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <map>

namespace shuttle::client {

// proto/refusals.json's text, written into the build tree by CMake.
extern const std::string_view refusal_catalogue_json;

namespace {

using sentences = std::array<std::string, 2>;  // by language

const std::map<std::string, sentences, std::less<>>& catalogue() {
  static const auto table = [] {
    std::map<std::string, sentences, std::less<>> out;
    const auto doc = boost::json::parse(refusal_catalogue_json);
    for (const auto& [code, entry] : doc.at("codes").as_object()) {
      out[std::string(code)] = {std::string(entry.at("en").as_string()), std::string(entry.at("nb").as_string())};
    }
    return out;
  }();
  return table;
}

}  // namespace

std::optional<std::string> refusal_sentence(std::string_view code, language in) {
  const auto& table = catalogue();
  const auto it = table.find(code);
  if (it == table.end()) return std::nullopt;
  return it->second[in == language::nb ? 1 : 0];
}

}  // namespace shuttle::client

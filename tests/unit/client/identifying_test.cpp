// The CLI's check for identifying details (client-lib/identifying.hpp) on the
// realistic letters the browser client's check is measured on
// (web/test/identifying_letters.json), held to the same ceilings
// (docs/IDENTIFYING.md): at most one detail in ten missed (the hard letters
// apart), at most one finding in ten a false alarm.
#include "client-lib/identifying.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

namespace shuttle::client {
namespace {

namespace json = boost::json;

TEST(Identifying, FodselsnummerCheckDigitsAndADateOfBirth) {
  for (const char* good : {"15038512363", "03129045603", "24077834911", "55048712389", "11060198766"}) {
    EXPECT_TRUE(fodselsnummer_valid(good)) << good;
  }
  for (const char* bad : {"15038512364", "15038512463", "12345678901", "00000000000", "32138512363", "1503851236"}) {
    EXPECT_FALSE(fodselsnummer_valid(bad)) << bad;
  }
}

struct rate {
  int expected = 0, findings = 0;
  std::vector<std::string> missed, false_alarms;
};

TEST(Identifying, RealisticLettersInEnglishAndNorwegian) {
  std::ifstream in(std::string(SHUTTLE_SOURCE_DIR) + "/web/test/identifying_letters.json");
  ASSERT_TRUE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  const auto corpus = json::parse(ss.str());
  std::map<std::string, rate> rates;
  int letters = 0;
  for (const auto& v : corpus.at("letters").as_array()) {
    const auto& letter = v.as_object();
    const std::string text(letter.at("text").as_string());
    std::vector<std::string> listed;
    if (const auto* l = letter.if_contains("listed")) {
      for (const auto& n : l->as_array()) listed.emplace_back(n.as_string());
    }
    const bool hard = letter.contains("hard") && letter.at("hard").as_bool();
    auto& r = rates[std::string(letter.at("language").as_string()) + (hard ? " (hard)" : "")];
    const auto found = find_identifying(text, listed);
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    for (const auto& e : letter.at("expect").as_array()) {
      const auto at = text.find(std::string(e.as_string()));
      ASSERT_NE(at, std::string::npos) << "the corpus names " << e << ", which its letter holds";
      spans.emplace_back(at, at + e.as_string().size());
    }
    const auto overlaps = [](std::size_t a0, std::size_t a1, std::size_t b0, std::size_t b1) { return a0 < b1 && b0 < a1; };
    for (const auto& [s, e] : spans) {
      ++r.expected;
      bool seen = false;
      for (const auto& f : found) seen = seen || overlaps(f.start, f.end, s, e);
      if (!seen) r.missed.push_back(text.substr(s, e - s));
    }
    for (const auto& f : found) {
      ++r.findings;
      bool marked = false;
      for (const auto& [s, e] : spans) marked = marked || overlaps(f.start, f.end, s, e);
      if (!marked) r.false_alarms.push_back(std::string(name_of(f.kind)) + " \"" + f.text + "\"");
      EXPECT_EQ(text.substr(f.start, f.end - f.start), f.text);
    }
    ++letters;
  }
  EXPECT_GE(letters, 25);
  ASSERT_EQ(rates.size(), 4u) << "English and Norwegian, ordinary and hard";
  for (const auto& [language, r] : rates) {
    const auto list = [](const std::vector<std::string>& v) {
      std::string out;
      for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
      return out;
    };
    std::cout << language << ": " << r.expected << " details, " << r.missed.size() << " missed; " << r.findings
              << " findings, " << r.false_alarms.size() << " false alarms\n";
    EXPECT_LE(r.false_alarms.size() * 10, static_cast<std::size_t>(std::max(1, r.findings)))
        << language << ": " << list(r.false_alarms);
    if (language.find("(hard)") != std::string::npos) continue;
    EXPECT_LE(r.missed.size() * 10, static_cast<std::size_t>(r.expected)) << language << ": " << list(r.missed);
  }
}

TEST(Identifying, AFindingIsShownInItsSentence) {
  const std::string text = "I was scared. You know where I live on Storgata 5. I do not want you to come there.";
  const auto found = find_identifying(text);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, finding_kind::address);
  const auto at = context_of(text, found[0]);
  EXPECT_EQ(at.before, "You know where I live on ");
  EXPECT_EQ(at.match, "Storgata 5");
  EXPECT_EQ(at.after, ".");
}

TEST(Identifying, NorwegianLettersAreOneCharacterEachAndListedNamesMatchWhateverTheirCase) {
  // Offsets are bytes of the UTF-8 text; Ø and å are two bytes there.
  const std::string text = "Vi bodde i Øvre Slottsgate 14 B, og Åse på skolen vet det.";
  const auto found = find_identifying(text, {" åse ", "x"});
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].kind, finding_kind::address);
  EXPECT_EQ(found[0].text, "Slottsgate 14 B");
  EXPECT_EQ(found[1].kind, finding_kind::listed);
  EXPECT_EQ(found[1].text, "Åse");
  EXPECT_EQ(context_of(text, found[1]).before, "Vi bodde i Øvre Slottsgate 14 B, og ");
  // A listed name inside a longer word is not that name.
  EXPECT_TRUE(find_identifying("Vi så Åsens hus.", {"Åse"}).empty());
}

TEST(Identifying, TextThatIsNotUtf8IsLookedThroughAsFarAsItIs) {
  const std::string text = std::string("Ring meg på 912 34 567. ") + "\xff\xfe" + " 98765432";
  const auto found = find_identifying(text);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].text, "912 34 567");
}

}  // namespace
}  // namespace shuttle::client

// The check for identifying details: the browser client's rules
// (web/src/app/identifying.ts) over the text as code points, so that a
// letter's Æ, Ø and Å are one character each, as they are there.
#include "client-lib/identifying.hpp"

#include <boost/locale/utf.hpp>
#include <boost/regex.hpp>

#include <algorithm>

namespace shuttle::client {
namespace {

namespace utf = boost::locale::utf;

// The text as code points, with the byte offset where each starts (and one
// past the end), so findings are given back in bytes of the UTF-8 text.
struct decoded {
  std::wstring chars;
  std::vector<std::size_t> at;
};

decoded decode(std::string_view text) {
  decoded d;
  d.chars.reserve(text.size());
  d.at.reserve(text.size() + 1);
  auto it = text.begin();
  while (it != text.end()) {
    const auto from = static_cast<std::size_t>(it - text.begin());
    const utf::code_point c = utf::utf_traits<char>::decode(it, text.end());
    if (c == utf::illegal || c == utf::incomplete) break;  // what follows is not text
    d.chars.push_back(static_cast<wchar_t>(c));
    d.at.push_back(from);
  }
  d.at.push_back(static_cast<std::size_t>(it - text.begin()));
  return d;
}

// Letters, in either language, for the word boundaries below.
const std::wstring L = L"A-Za-zÆØÅæøåÄÖÜäöüÉéÈèÀà";
const std::wstring not_word_before = L"(?<![" + L + L"0-9@./-])";
const std::wstring not_word_after = L"(?![" + L + L"0-9@])";

bool is_letter_or_digit(wchar_t c) {
  if ((c >= L'A' && c <= L'Z') || (c >= L'a' && c <= L'z') || (c >= L'0' && c <= L'9')) return true;
  return L.find(c) != std::wstring::npos && c != L'-';
}

// Lower case for the letters these languages use (ASCII and Latin-1's
// letters, where upper and lower differ by 0x20): the same length, so
// positions hold.
wchar_t fold(wchar_t c) {
  if (c >= L'A' && c <= L'Z') return static_cast<wchar_t>(c + 0x20);
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return static_cast<wchar_t>(c + 0x20);
  return c;
}

std::wstring folded(std::wstring s) {
  std::transform(s.begin(), s.end(), s.begin(), fold);
  return s;
}

struct rule {
  finding_kind kind;
  boost::wregex pattern;
  bool (*accept)(const std::wstring&) = nullptr;
};

std::wstring joined(std::initializer_list<const wchar_t*> words) {
  std::wstring out;
  for (const auto* w : words) out += (out.empty() ? L"" : L"|") + std::wstring(w);
  return out;
}

bool fodselsnummer_spaced(const std::wstring& m) {
  std::string digits;
  for (wchar_t c : m) {
    if (c != L' ') digits.push_back(static_cast<char>(c));
  }
  return fodselsnummer_valid(digits);
}

const std::vector<rule>& rules() {
  // Norwegian street names end in these (Storgata, Kirkeveien, Torggata, Bryggen, Slottsplassen).
  static const std::wstring street_words =
      joined({L"gata", L"gaten", L"gate", L"veien", L"vegen", L"vei", L"veg", L"allé", L"alle", L"plass", L"plassen",
              L"stien", L"stredet", L"bakken", L"torget", L"kaia", L"brygga", L"bryggen", L"lia", L"tunet", L"svingen",
              L"åsen", L"haugen"});
  static const std::wstring english_streets =
      joined({L"Street", L"St", L"Road", L"Rd", L"Avenue", L"Ave", L"Lane", L"Close", L"Drive", L"Way", L"Court",
              L"Crescent", L"Place", L"Square", L"Terrace", L"Gardens", L"Grove", L"Hill", L"Mews", L"Row", L"Walk",
              L"Park"});
  const auto perl = boost::regex_constants::perl;
  const std::wstring& B = not_word_before;
  const std::wstring& A = not_word_after;
  static const std::vector<rule> all{
      {finding_kind::email, boost::wregex(B + L"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}", perl)},
      {finding_kind::link,
       boost::wregex(L"\\b(?:https?://|www\\.)[^\\s<>\"]+[^\\s<>\".,;:!?)]", perl | boost::regex_constants::icase)},
      // Norwegian fødselsnummer and D-numbers: eleven digits, perhaps as six and five.
      {finding_kind::id_number, boost::wregex(B + L"[0-9]{6}[ ]?[0-9]{5}(?![0-9])", perl), fodselsnummer_spaced},
      // UK National Insurance numbers: two letters, six digits, A to D, however spaced.
      {finding_kind::id_number, boost::wregex(B + L"[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]" + A, perl)},
      // Norwegian phone numbers: eight digits grouped as people write them, perhaps +47.
      {finding_kind::phone,
       boost::wregex(B + L"(?:(?:\\+|00)47[ ]?)?(?:[2-9][0-9]{7}|[2-9][0-9]{2}[ .][0-9]{2}[ .][0-9]{3}|"
                         L"[2-9][0-9][ .][0-9]{2}[ .][0-9]{2}[ .][0-9]{2}|[2-9][0-9]{3}[ .][0-9]{4})(?![0-9])",
                     perl)},
      // UK: +44 or 0, then 9 or 10 digits in the usual groups.
      {finding_kind::phone,
       boost::wregex(B + L"(?:\\+44[ ]?(?:\\(0\\)[ ]?)?|0)(?:7[0-9]{3}[ ]?[0-9]{6}|20[ ]?[0-9]{4}[ ]?[0-9]{4}|"
                         L"1[0-9]{2,3}[ ]?[0-9]{5,6}|[38][0-9]{2}[ ]?[0-9]{3}[ ]?[0-9]{4})(?![0-9])",
                     perl)},
      // A number spread out one digit at a time (0 7 7 0 0 9 0 0 1 2 3): eight or more.
      {finding_kind::phone, boost::wregex(B + L"[0-9](?: [0-9]){7,}(?![0-9])", perl)},
      // Postcodes. UK: SW1A 1AA, M1 1AE, B33 8TH. Norwegian: four digits and a capitalised place.
      {finding_kind::postcode, boost::wregex(B + L"(?:[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})" + A, perl)},
      {finding_kind::postcode,
       boost::wregex(B + L"[0-9]{4} [A-ZÆØÅ][" + L + L"]+(?:[ -][A-ZÆØÅ][" + L + L"]+)?", perl)},
      // Street addresses. Norwegian: a name ending in a street word, and a number (Storgata 5, Kirkeveien 12 B).
      {finding_kind::address,
       boost::wregex(B + L"(?:[A-ZÆØÅ][" + L + L"]*(?:" + street_words + L")|[A-ZÆØÅ][" + L +
                         L"]+ (?:gate|vei|veg|allé|plass))[ ][0-9]{1,4}(?:[ ]?[A-Za-z](?![" + L + L"]))?",
                     perl)},
      // English: a number, a capitalised name or two, and a street word (12 Baker Street, 4a Mill Lane).
      {finding_kind::address,
       boost::wregex(B + L"[0-9]{1,4}[a-z]?,? (?:[A-Z][" + L + L"']+ ){1,3}(?:" + english_streets + L")\\b\\.?",
                     perl)},
  };
  return all;
}

}  // namespace

std::string_view words_for(finding_kind k) {
  switch (k) {
    case finding_kind::address: return "an address";
    case finding_kind::phone: return "a phone number";
    case finding_kind::email: return "an e-mail address";
    case finding_kind::id_number: return "an identity number";
    case finding_kind::postcode: return "a postcode";
    case finding_kind::link: return "a link";
    case finding_kind::listed: return "a name or place your facilitator listed";
  }
  return "a detail";
}

std::string_view name_of(finding_kind k) {
  switch (k) {
    case finding_kind::address: return "address";
    case finding_kind::phone: return "phone";
    case finding_kind::email: return "email";
    case finding_kind::id_number: return "id_number";
    case finding_kind::postcode: return "postcode";
    case finding_kind::link: return "link";
    case finding_kind::listed: return "listed";
  }
  return "detail";
}

bool fodselsnummer_valid(std::string_view digits) {
  if (digits.size() != 11 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  int d[11];
  for (int i = 0; i < 11; ++i) d[i] = digits[static_cast<std::size_t>(i)] - '0';
  const auto check = [&](std::initializer_list<int> weights) {
    int sum = 0, i = 0;
    for (int w : weights) sum += w * d[i++];
    const int r = 11 - sum % 11;
    return r == 11 ? 0 : r;  // 10 makes no valid number
  };
  const int k1 = check({3, 7, 6, 1, 8, 9, 4, 5, 2});
  if (k1 == 10 || k1 != d[9]) return false;
  const int k2 = check({5, 4, 3, 2, 7, 6, 5, 4, 3, 2});
  if (k2 == 10 || k2 != d[10]) return false;
  // A date of birth: day (D-numbers add 40 to it) and month.
  const int day = d[0] * 10 + d[1] - (d[0] >= 4 ? 40 : 0);
  const int month = d[2] * 10 + d[3];
  return day >= 1 && day <= 31 && month >= 1 && month <= 12;
}

std::vector<finding> find_identifying(std::string_view text, const std::vector<std::string>& listed) {
  const decoded d = decode(text);
  struct span {
    finding_kind kind;
    std::size_t start, end;
  };
  std::vector<span> found;
  for (const auto& r : rules()) {
    for (boost::wsregex_iterator it(d.chars.begin(), d.chars.end(), r.pattern), end; it != end; ++it) {
      const auto& m = (*it)[0];
      if (r.accept && !r.accept(m.str())) continue;
      const auto start = static_cast<std::size_t>(m.first - d.chars.begin());
      found.push_back({r.kind, start, start + static_cast<std::size_t>(m.length())});
    }
  }
  // Listed names and places: whole words, whatever their case.
  const std::wstring haystack = folded(d.chars);
  for (const auto& term : listed) {
    const auto first = term.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) continue;
    std::wstring needle = folded(decode(term.substr(first, term.find_last_not_of(" \t\r\n") - first + 1)).chars);
    if (needle.size() < 2) continue;
    for (auto at = haystack.find(needle); at != std::wstring::npos; at = haystack.find(needle, at + 1)) {
      const auto after = at + needle.size();
      if (at > 0 && is_letter_or_digit(haystack[at - 1])) continue;
      if (after < haystack.size() && is_letter_or_digit(haystack[after])) continue;
      found.push_back({finding_kind::listed, at, after});
    }
  }
  std::stable_sort(found.begin(), found.end(), [](const span& a, const span& b) {
    return a.start != b.start ? a.start < b.start : (a.end - a.start) > (b.end - b.start);
  });
  std::vector<span> kept;
  for (const auto& f : found) {
    if (!kept.empty() && f.start < kept.back().end) {
      if (f.end - f.start > kept.back().end - kept.back().start) kept.back() = f;
      continue;
    }
    kept.push_back(f);
  }
  std::vector<finding> out;
  out.reserve(kept.size());
  for (const auto& k : kept) {
    const auto from = d.at[k.start], to = d.at[k.end];
    out.push_back({k.kind, from, to, std::string(text.substr(from, to - from))});
  }
  return out;
}

in_context context_of(std::string_view text, const finding& f, std::size_t around) {
  // Counted in characters, as the page counts them.
  const decoded d = decode(text);
  const auto index_of = [&](std::size_t byte) {
    return static_cast<std::size_t>(std::lower_bound(d.at.begin(), d.at.end(), byte) - d.at.begin());
  };
  const std::size_t start = index_of(f.start), end = index_of(f.end);
  const auto stop = [](wchar_t c) { return c == L'.' || c == L'!' || c == L'?' || c == L'\n'; };
  std::size_t from = start > around ? start - around : 0;
  for (std::size_t i = start; i > from; --i) {
    if (stop(d.chars[i - 1])) {
      from = i;
      break;
    }
  }
  std::size_t to = std::min(d.chars.size(), end + around);
  for (std::size_t i = end; i < to; ++i) {
    if (stop(d.chars[i])) {
      to = i + 1;
      break;
    }
  }
  const auto bytes = [&](std::size_t a, std::size_t b) { return std::string(text.substr(d.at[a], d.at[b] - d.at[a])); };
  auto before = bytes(from, start);
  before.erase(0, before.find_first_not_of(" \t\r\n") == std::string::npos ? before.size()
                                                                            : before.find_first_not_of(" \t\r\n"));
  auto after = bytes(end, to);
  after.erase(after.find_last_not_of(" \t\r\n") + 1);
  return {before, bytes(start, end), after};
}

}  // namespace shuttle::client

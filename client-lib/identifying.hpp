// The check for identifying details (SPEC 7, `names`; docs/IDENTIFYING.md),
// on the writer's device before a letter goes into review: street
// addresses, phone numbers, e-mail addresses, identity numbers, postcodes,
// links, and the names and places the case's facilitators listed. It finds;
// it never decides, and nothing about it leaves the device.
//
// The same rules as the browser client's (web/src/app/identifying.ts), run
// over the same letters (web/test/identifying_letters.json) by both
// clients' tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace shuttle::client {

enum class finding_kind { address, phone, email, id_number, postcode, link, listed };

struct finding {
  finding_kind kind;
  std::size_t start = 0;  // in bytes of the UTF-8 text
  std::size_t end = 0;
  std::string text;
};

// The words for a kind, for a sentence ("This looks like an address").
std::string_view words_for(finding_kind k);
// The kind's name as the browser client and --json give it ("id_number").
std::string_view name_of(finding_kind k);

// Every finding, in the order it appears; where two overlap, the longer.
// `listed`: names and places matched as whole words whatever their case.
// Text that is not UTF-8 is looked through as far as it is.
std::vector<finding> find_identifying(std::string_view text, const std::vector<std::string>& listed = {});

// The two check digits (and the date) of an 11-digit fødselsnummer or D-number.
bool fodselsnummer_valid(std::string_view digits);

// The sentence around a finding: at most `around` characters either side,
// cut at a sentence's end where there is one.
struct in_context {
  std::string before, match, after;
};
in_context context_of(std::string_view text, const finding& f, std::size_t around = 60);

}  // namespace shuttle::client

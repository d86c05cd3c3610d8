// The process's documents (proto/agreement.hpp, proto/checkin.hpp): the
// outcome agreement's body, an agreement export and a check-in's body. Whatever parses writes back to text that parses
// to the same value, and verifying an export ends calmly.
#include "proto/agreement.hpp"
#include "proto/checkin.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace p = shuttle::proto;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto body = p::parse_agreement_body(text)) {
    auto again = p::parse_agreement_body(p::agreement_body(*body));
    if (!again || !(*again == *body)) std::abort();
  }
  if (auto x = p::parse_agreement_export(text)) {
    auto again = p::parse_agreement_export(p::to_json(*x));
    if (!again || !(*again == *x)) std::abort();
    (void)p::verify_agreement_export(*x, p::public_key{});
  }
  if (auto c = p::parse_checkin_body(text)) {
    auto again = p::parse_checkin_body(p::checkin_body(*c));
    if (!again || !(*again == *c)) std::abort();
  }
  return 0;
}

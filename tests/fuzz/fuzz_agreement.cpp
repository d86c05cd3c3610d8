// The process's documents (proto/agreement.hpp, proto/checkin.hpp,
// proto/referral.hpp): the outcome agreement's body, an agreement export, a
// check-in's body, a referral's body and its receipt code. Whatever parses writes back to text that parses
// to the same value, and verifying an export ends calmly.
#include "proto/agreement.hpp"
#include "proto/checkin.hpp"
#include "proto/referral.hpp"

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
  if (auto r = p::parse_referral_body(text)) {
    auto again = p::parse_referral_body(p::referral_body(*r));
    if (!again || !(*again == *r)) std::abort();
  }
  if (auto code = p::parse_referral_code(text)) {
    auto again = p::parse_referral_code(p::encode(*code));
    if (!again || !(*again == *code)) std::abort();
  }
  return 0;
}

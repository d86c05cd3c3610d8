// Every statement parser on the same input. Whatever parses must write back
// to JSON that parses to the same value (the parser and writer agree).
#include "proto/codec.hpp"

#include <cstdlib>

namespace {

template <class S>
void one(std::string_view text) {
  auto parsed = shuttle::proto::parse_statement<S>(text);
  if (!parsed) return;
  auto again = shuttle::proto::parse_statement<S>(shuttle::proto::to_json(*parsed));
  if (!again || !(*again == *parsed)) std::abort();
  (void)shuttle::proto::verify_signature(*parsed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace p = shuttle::proto;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  one<p::case_open>(text);
  one<p::invitation>(text);
  one<p::enrolment>(text);
  one<p::key_statement>(text);
  one<p::attestation>(text);
  one<p::envelope>(text);
  one<p::approval>(text);
  one<p::return_statement>(text);
  one<p::revoke>(text);
  one<p::withdraw>(text);
  one<p::close>(text);
  one<p::grant>(text);
  one<p::revision>(text);
  one<p::stage_statement>(text);
  one<p::pause>(text);
  one<p::consent>(text);
  one<p::agreement_signature>(text);
  one<p::agreement_mark>(text);
  one<p::referral_key>(text);
  return 0;
}

// Audit exports are verified offline from files anyone may hand over.
#include "proto/audit.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto x = shuttle::proto::parse_audit_export(text);
  if (!x) return 0;
  auto again = shuttle::proto::parse_audit_export(to_json(*x));
  if (!again || !(*again == *x)) std::abort();
  (void)shuttle::proto::verify_audit_export(*x, x->checkpoint.relay_key);
  return 0;
}

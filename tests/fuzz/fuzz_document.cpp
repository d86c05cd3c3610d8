// What a letter decrypts to: the padding and the framed document inside it.
// A sender controls these bytes fully, so the recipient's parser must hold.
#include "client-lib/document.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const shuttle::bytes_view input(data, size);
  if (auto unpadded = shuttle::client::unpad(input)) {
    if (shuttle::client::pad(*unpadded) != shuttle::bytes(input.begin(), input.end())) std::abort();
  }
  if (auto doc = shuttle::client::parse_document(input)) {
    auto again = shuttle::client::serialize(*doc);
    if (!again || *again != shuttle::bytes(input.begin(), input.end())) std::abort();
  }
  return 0;
}

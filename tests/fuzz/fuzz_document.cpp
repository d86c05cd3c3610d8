// What a letter decrypts to: the padding and the framed document inside it.
// A sender controls these bytes fully, so the recipient's parser must hold.
#include "client-lib/document.hpp"

#include <algorithm>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const shuttle::bytes_view input(data, size);
  if (auto unpadded = shuttle::client::unpad(input)) {
    if (shuttle::client::pad(*unpadded) != shuttle::bytes(input.begin(), input.end())) std::abort();
  }
  auto doc = shuttle::client::parse_document(input);
  if (doc) {
    auto again = shuttle::client::serialize(*doc);
    if (!again || *again != shuttle::bytes(input.begin(), input.end())) std::abort();
    shuttle::bytes streamed;
    if (!shuttle::client::serialize_to(*doc, [&](shuttle::bytes_view b) { streamed.insert(streamed.end(), b.begin(), b.end()); }) ||
        streamed != *again || shuttle::client::serialized_size(*doc) != again->size()) {
      std::abort();
    }
  }
  // The streaming reader agrees with the whole-buffer parser, whatever the
  // pieces the bytes arrive in (here cut at sizes the first byte chooses).
  shuttle::client::document_reader reader(size);
  const std::size_t step = size == 0 ? 1 : 1 + data[0] % 97;
  bool ok = true;
  for (std::size_t at = 0; at < size && ok; at += step) ok = reader.write(input.subspan(at, std::min(step, size - at))).has_value();
  auto streamed_doc = ok ? reader.finish()
                         : shuttle::result<shuttle::client::document>(
                               shuttle::make_error(shuttle::errc::decrypt_failed, "malformed"));
  if (doc.has_value() != streamed_doc.has_value()) std::abort();
  if (doc && *doc != *streamed_doc) std::abort();
  // An attachment's description (SPEC 6.1) is read from its content type,
  // which the sender chose; what comes out is well-formed UTF-8 or nothing.
  const std::string_view as_type(reinterpret_cast<const char*>(data), size);
  if (auto described = shuttle::client::description_of(as_type)) {
    if (described->size() > size) std::abort();
  }
  if (doc) {
    for (const auto& at : doc->attachments) (void)shuttle::client::description_of(at.content_type);
  }
  return 0;
}

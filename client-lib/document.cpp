#include "client-lib/document.hpp"

#include "proto/letter_format.hpp"
#include "proto/limits.hpp"
#include "proto/transcript.hpp"

#include <algorithm>

namespace shuttle::client {

namespace {
constexpr std::string_view document_domain = "shuttle/v1/document";

bool valid_name(std::string_view s) {
  return !s.empty() && s.size() <= proto::max_name_bytes && s.find('/') == std::string_view::npos &&
         s.find('\0') == std::string_view::npos;
}
bool valid_type(std::string_view s) {
  return !s.empty() && s.size() <= proto::max_name_bytes &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}
}  // namespace

document document::text(std::string_view s) {
  document d;
  d.body.assign(s.begin(), s.end());
  return d;
}

result<bytes> serialize(const document& d) {
  if (!valid_type(d.content_type)) return make_error(errc::invalid_argument, "content type");
  if (d.attachments.size() > proto::max_attachments) return make_error(errc::invalid_argument, "too many attachments");
  proto::transcript t(document_domain);
  t.add(d.content_type).add(d.body).add_count(d.attachments.size());
  for (const auto& a : d.attachments) {
    if (!valid_name(a.name)) return make_error(errc::invalid_argument, "attachment name");
    if (!valid_type(a.content_type)) return make_error(errc::invalid_argument, "attachment content type");
    t.add(a.name).add(a.content_type).add(a.data);
  }
  return t.data();
}

result<document> parse_document(bytes_view data) {
  const auto damaged = make_error(errc::decrypt_failed, "the letter's contents are malformed");
  proto::frame_reader r(data);
  auto domain = r.next();
  if (!domain || as_chars(*domain) != document_domain) return damaged;
  document d;
  auto type = r.next();
  auto body = r.next();
  auto count = r.next_u64();
  if (!type || !body || !count || *count > proto::max_attachments) return damaged;
  d.content_type = std::string(as_chars(*type));
  if (!valid_type(d.content_type)) return damaged;
  d.body.assign(body->begin(), body->end());
  for (std::uint64_t i = 0; i < *count; ++i) {
    auto name = r.next();
    auto atype = r.next();
    auto adata = r.next();
    if (!name || !atype || !adata) return damaged;
    attachment a{std::string(as_chars(*name)), std::string(as_chars(*atype)), bytes(adata->begin(), adata->end())};
    if (!valid_name(a.name) || !valid_type(a.content_type)) return damaged;
    d.attachments.push_back(std::move(a));
  }
  if (!r.at_end()) return damaged;
  return d;
}

std::uint64_t padded_size(std::uint64_t data_size) { return proto::padme(8 + data_size); }

bytes pad(bytes_view data) {
  bytes out;
  out.reserve(padded_size(data.size()));
  std::uint64_t n = data.size();
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<byte>(n >> shift));
  out.insert(out.end(), data.begin(), data.end());
  out.resize(padded_size(data.size()), 0);
  return out;
}

result<bytes> unpad(bytes_view padded) {
  const auto damaged = make_error(errc::decrypt_failed, "the padding is malformed");
  if (padded.size() < 8) return damaged;
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < 8; ++i) n = (n << 8) | padded[i];
  if (n > padded.size() - 8 || padded_size(n) != padded.size()) return damaged;
  const auto rest = padded.subspan(8 + n);
  if (!std::all_of(rest.begin(), rest.end(), [](byte b) { return b == 0; })) return damaged;
  return bytes(padded.begin() + 8, padded.begin() + 8 + static_cast<std::ptrdiff_t>(n));
}

}  // namespace shuttle::client

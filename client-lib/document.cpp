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

namespace {

constexpr std::size_t frame_header_bytes = 4;
constexpr std::size_t piece_bytes = 64 * 1024;

std::array<byte, 4> frame_header(std::uint64_t n) {
  return {static_cast<byte>(n >> 24), static_cast<byte>(n >> 16), static_cast<byte>(n >> 8), static_cast<byte>(n)};
}

}  // namespace

std::uint64_t serialized_size(const document& d) {
  std::uint64_t n = frame_header_bytes * 4 + document_domain.size() + d.content_type.size() + d.body.size() + 8;
  for (const auto& a : d.attachments) {
    n += frame_header_bytes * 3 + a.name.size() + a.content_type.size() + a.data.size();
  }
  return n;
}

result<void> serialize_to(const document& d, const std::function<void(bytes_view)>& sink) {
  if (!valid_type(d.content_type)) return make_error(errc::invalid_argument, "content type");
  if (d.attachments.size() > proto::max_attachments) return make_error(errc::invalid_argument, "too many attachments");
  auto frame = [&sink](bytes_view field) {
    const auto h = frame_header(field.size());
    sink(bytes_view(h.data(), h.size()));
    for (std::size_t at = 0; at < field.size(); at += piece_bytes) {
      sink(field.subspan(at, std::min(piece_bytes, field.size() - at)));
    }
  };
  frame(as_bytes(document_domain));
  frame(as_bytes(d.content_type));
  frame(d.body);
  std::array<byte, 8> count{};
  for (int i = 0; i < 8; ++i) count[7 - i] = static_cast<byte>(d.attachments.size() >> (8 * i));
  frame(bytes_view(count.data(), count.size()));
  for (const auto& a : d.attachments) {
    if (!valid_name(a.name)) return make_error(errc::invalid_argument, "attachment name");
    if (!valid_type(a.content_type)) return make_error(errc::invalid_argument, "attachment content type");
    frame(as_bytes(a.name));
    frame(as_bytes(a.content_type));
    frame(a.data);
  }
  return {};
}

result<void> document_reader::write(bytes_view data) {
  const auto damaged = make_error(errc::decrypt_failed, "the letter's contents are malformed");
  while (!data.empty()) {
    if (failed_ || at_ == field::done) {
      failed_ = true;
      return damaged;
    }
    if (!in_frame_) {
      const std::size_t take = std::min(data.size(), frame_header_bytes - length_have_);
      std::copy_n(data.begin(), take, length_bytes_.begin() + static_cast<std::ptrdiff_t>(length_have_));
      length_have_ += take;
      data = data.subspan(take);
      if (length_have_ < frame_header_bytes) break;
      length_have_ = 0;
      remaining_ = (std::uint64_t{length_bytes_[0]} << 24) | (std::uint64_t{length_bytes_[1]} << 16) |
                   (std::uint64_t{length_bytes_[2]} << 8) | std::uint64_t{length_bytes_[3]};
      const bool big = at_ == field::body || at_ == field::data;
      const std::uint64_t most = big ? limit_ : at_ == field::count ? 8 : proto::max_name_bytes;
      if (remaining_ > most || (at_ == field::count && remaining_ != 8)) {
        failed_ = true;
        return damaged;
      }
      in_frame_ = true;
      small_.clear();
      if (at_ == field::body) doc_.body.reserve(remaining_);
      if (at_ == field::data) doc_.attachments.back().data.reserve(remaining_);
      if (remaining_ == 0) {  // an empty frame ends at once, even as the last bytes of this piece
        in_frame_ = false;
        if (auto ok = frame_done(); !ok) {
          failed_ = true;
          return ok;
        }
        continue;
      }
    }
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), remaining_));
    const auto piece = data.first(take);
    if (at_ == field::body) {
      doc_.body.insert(doc_.body.end(), piece.begin(), piece.end());
    } else if (at_ == field::data) {
      auto& out = doc_.attachments.back().data;
      out.insert(out.end(), piece.begin(), piece.end());
    } else {
      small_.append(reinterpret_cast<const char*>(piece.data()), piece.size());
    }
    remaining_ -= take;
    data = data.subspan(take);
    if (remaining_ == 0) {
      in_frame_ = false;
      if (auto ok = frame_done(); !ok) {
        failed_ = true;
        return ok;
      }
    }
  }
  return {};
}

result<void> document_reader::frame_done() {
  const auto damaged = make_error(errc::decrypt_failed, "the letter's contents are malformed");
  switch (at_) {
    case field::domain:
      if (small_ != document_domain) return damaged;
      at_ = field::type;
      break;
    case field::type:
      if (!valid_type(small_)) return damaged;
      doc_.content_type = small_;
      at_ = field::body;
      break;
    case field::body: at_ = field::count; break;
    case field::count:
      count_ = 0;
      for (char c : small_) count_ = (count_ << 8) | static_cast<unsigned char>(c);
      if (count_ > proto::max_attachments) return damaged;
      at_ = count_ == 0 ? field::done : field::name;
      break;
    case field::name:
      if (!valid_name(small_)) return damaged;
      doc_.attachments.push_back({small_, {}, {}});
      at_ = field::attachment_type;
      break;
    case field::attachment_type:
      if (!valid_type(small_)) return damaged;
      doc_.attachments.back().content_type = small_;
      at_ = field::data;
      break;
    case field::data:
      at_ = ++seen_ == count_ ? field::done : field::name;
      break;
    case field::done: return damaged;
  }
  return {};
}

result<document> document_reader::finish() {
  if (failed_ || at_ != field::done || in_frame_ || length_have_ != 0) {
    return make_error(errc::decrypt_failed, "the letter's contents are malformed");
  }
  return std::move(doc_);
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

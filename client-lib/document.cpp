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

namespace {
// UTF-8 as RFC 3629 has it: no overlong forms, no surrogates, nothing past U+10FFFF.
bool well_formed_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    unsigned low = 0x80, high = 0xbf;
    if (b < 0x80) {
      ++i;
      continue;
    }
    if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) { n = 2; low = b == 0xe0 ? 0xa0 : 0x80; high = b == 0xed ? 0x9f : 0xbf; }
    else if (b >= 0xf0 && b <= 0xf4) { n = 3; low = b == 0xf0 ? 0x90 : 0x80; high = b == 0xf4 ? 0x8f : 0xbf; }
    else return false;
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if (c < (k == 1 ? low : 0x80) || c > (k == 1 ? high : 0xbf)) return false;
    }
    i += n + 1;
  }
  return true;
}
}  // namespace

std::optional<std::string> description_of(std::string_view content_type) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  const auto starts_with_nocase = [&](std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      if (lower(text[i]) != lower(prefix[i])) return false;
    }
    return true;
  };
  // Each parameter after the media type: "; name=value".
  for (std::size_t at = content_type.find(';'); at != std::string_view::npos; at = content_type.find(';', at + 1)) {
    std::string_view param = content_type.substr(at + 1);
    while (!param.empty() && param.front() == ' ') param.remove_prefix(1);
    if (!starts_with_nocase(param, "description*=utf-8''")) continue;
    param.remove_prefix(std::string_view("description*=utf-8''").size());
    param = param.substr(0, param.find_first_of("; "));
    std::string out;
    const auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    constexpr std::string_view attr_chars = "!#$&+-.^_`|~";
    for (std::size_t i = 0; i < param.size(); ++i) {
      const char c = param[i];
      if (c == '%') {
        if (i + 2 >= param.size()) return std::nullopt;
        const int hi = hex(param[i + 1]), lo = hex(param[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
      } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 attr_chars.find(c) != std::string_view::npos) {
        out.push_back(c);
      } else {
        return std::nullopt;
      }
    }
    if (!well_formed_utf8(out)) return std::nullopt;
    return out;
  }
  return std::nullopt;
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

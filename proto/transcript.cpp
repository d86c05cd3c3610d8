#include "proto/transcript.hpp"

#include <stdexcept>

namespace shuttle::proto {

transcript::transcript(std::string_view domain) { add(domain); }

transcript& transcript::add(bytes_view field) {
  if (field.size() > 0xffffffffu) throw std::length_error("transcript field over 4 GiB");
  auto n = static_cast<std::uint32_t>(field.size());
  data_.push_back(static_cast<byte>(n >> 24));
  data_.push_back(static_cast<byte>(n >> 16));
  data_.push_back(static_cast<byte>(n >> 8));
  data_.push_back(static_cast<byte>(n));
  data_.insert(data_.end(), field.begin(), field.end());
  return *this;
}

transcript& transcript::add_u64(std::uint64_t value) {
  fixed<8> be{};
  for (int i = 7; i >= 0; --i) {
    be[static_cast<std::size_t>(i)] = static_cast<byte>(value);
    value >>= 8;
  }
  return add(be);
}

transcript& transcript::add_bool(bool value) {
  const fixed<1> b{static_cast<byte>(value ? 1 : 0)};
  return add(b);
}

}  // namespace shuttle::proto

namespace shuttle::proto {

std::optional<bytes_view> frame_reader::next() {
  if (rest_.size() < 4) return std::nullopt;
  const std::size_t n = (std::size_t{rest_[0]} << 24) | (std::size_t{rest_[1]} << 16) |
                        (std::size_t{rest_[2]} << 8) | std::size_t{rest_[3]};
  if (rest_.size() - 4 < n) return std::nullopt;
  bytes_view field = rest_.subspan(4, n);
  rest_ = rest_.subspan(4 + n);
  return field;
}

std::optional<bytes_view> frame_reader::next_exact(std::size_t n) {
  auto field = next();
  if (!field || field->size() != n) return std::nullopt;
  return field;
}

std::optional<std::uint64_t> frame_reader::next_u64() {
  auto field = next_exact(8);
  if (!field) return std::nullopt;
  std::uint64_t v = 0;
  for (byte b : *field) v = (v << 8) | b;
  return v;
}

}  // namespace shuttle::proto

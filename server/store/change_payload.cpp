#include "server/store/change_payload.hpp"

#include <vector>

namespace shuttle::relay {

namespace {

template <std::size_t N>
std::string hex_of(const fixed<N>& v) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (byte b : v) out += std::string{digits[b >> 4], digits[b & 15]};
  return out;
}

template <std::size_t N>
bool from_hex(std::string_view text, fixed<N>& out) {
  if (text.size() != 2 * N) return false;
  auto nibble = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
  for (std::size_t i = 0; i < N; ++i) {
    const int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<byte>(hi * 16 + lo);
  }
  return true;
}

// Plain decimal digits as std::to_string writes them: no sign, space or
// leading zero, at most 2^64 - 1.
std::optional<std::uint64_t> decimal(std::string_view text) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text.front() == '0')) return std::nullopt;
  std::uint64_t out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (out > (UINT64_MAX - digit) / 10) return std::nullopt;
    out = out * 10 + digit;
  }
  return out;
}

bool event_word(std::string_view text) {
  if (text.empty() || text.size() > 32) return false;
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  }
  return true;
}

}  // namespace

std::string event_payload(const event_record& e) {
  return "e " + std::to_string(e.seq) + " " + hex_of(e.account) + " " + hex_of(e.case_id) + " " + e.event + " " +
         (e.message ? hex_of(*e.message) : "-") + " " + std::to_string(e.at);
}

std::string ended_session_payload(const proto::hash& token_hash) { return "s " + hex_of(token_hash); }

std::string ended_account_payload(const proto::id& account) { return "a " + hex_of(account); }

std::optional<change> decode_change(std::string_view payload) {
  std::vector<std::string_view> words;
  for (std::size_t at = 0; at <= payload.size() && words.size() <= 7;) {
    const auto space = payload.find(' ', at);
    words.push_back(payload.substr(at, space == std::string_view::npos ? std::string_view::npos : space - at));
    if (space == std::string_view::npos) break;
    at = space + 1;
  }
  change c;
  if (words.size() == 2 && words[0] == "s") {
    proto::hash h{};
    if (!from_hex(words[1], h)) return std::nullopt;
    c.ended_session = h;
    return c;
  }
  if (words.size() == 2 && words[0] == "a") {
    proto::id a{};
    if (!from_hex(words[1], a)) return std::nullopt;
    c.ended_account = a;
    return c;
  }
  if (words.size() != 7 || words[0] != "e") return std::nullopt;
  event_record e;
  const auto seq = decimal(words[1]);
  const auto at = decimal(words[6]);
  if (!seq || !at || !event_word(words[4])) return std::nullopt;
  e.seq = *seq;
  e.at = *at;
  if (!from_hex(words[2], e.account) || !from_hex(words[3], e.case_id)) return std::nullopt;
  e.event = std::string(words[4]);
  if (words[5] != "-") {
    proto::id m{};
    if (!from_hex(words[5], m)) return std::nullopt;
    e.message = m;
  }
  c.event = std::move(e);
  return c;
}

}  // namespace shuttle::relay

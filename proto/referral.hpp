// A referral (proto/SPEC.md 6.8): a person with no account asks the service
// to contact them, sealed to the facilitators' referral keys, and keeps a
// receipt code to see where their request is.
#pragma once

#include "proto/error.hpp"
#include "proto/statements.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace shuttle::proto {

inline constexpr std::string_view referral_content_type = "application/vnd.shuttle.referral+json";
inline constexpr std::size_t max_referral_text_bytes = 8000;
inline constexpr std::size_t max_referral_contact_bytes = 500;
inline constexpr std::size_t max_referral_referrer_bytes = 500;
inline constexpr std::size_t max_referral_ciphertext_bytes = 16 * 1024;
inline constexpr std::size_t max_referral_readers = 64;
inline constexpr std::string_view referral_code_prefix = "shuttle-referral-1.";
using referral_secret = fixed<32>;

struct referral_document {
  std::string language;       // "en" or "nb": the language the person wrote in, to answer in
  std::string what_happened;  // in their words
  std::string contact;        // how to reach them
  std::optional<role> about;  // who they are in what happened, if they said: harmed or responsible
  std::optional<std::string> referrer;  // a third party's referral: who refers, and how they know the person
  friend bool operator==(const referral_document&, const referral_document&) = default;
};

// {"v":1,"language","what_happened","contact","about"?,"referrer"?}
std::string referral_body(const referral_document& d);
// Strict: v 1, language en or nb, the texts within their limits (no control
// character but the line feed), about harmed or responsible, no other key.
result<referral_document> parse_referral_body(std::string_view body);

// The receipt code: the prefix, then base64url of the referral id (16) and
// the secret (32). White space anywhere is dropped (codes get pasted).
struct referral_code {
  id referral{};
  referral_secret secret{};
  friend bool operator==(const referral_code&, const referral_code&) = default;
};
std::string encode(const referral_code& code);
result<referral_code> parse_referral_code(std::string_view text);

// What the relay keeps instead of the secret: BLAKE2b-256 of
// transcript("shuttle/v1/referral-secret", secret).
hash referral_secret_hash(const referral_secret& secret);

// The additional data of a referral's ciphertext: transcript("shuttle/v1/referral", referral id).
bytes referral_associated_data(const id& referral);

// What a referral is, as the relay and its readers know it (SPEC 16.2).
enum class referral_state { received, contacted, closed };
std::string_view to_string(referral_state s);
bool parse_enum(std::string_view word, referral_state& out);

}  // namespace shuttle::proto

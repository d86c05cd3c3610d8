// The outcome agreement (proto/SPEC.md 6.6, 5.17, 5.18 and 10): the document
// a facilitator drafts as items, the hash every signer signs, and the export
// that anyone holding the relay's key and the participants' keys verifies
// offline.
#pragma once

#include "proto/audit.hpp"
#include "proto/statements.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shuttle::proto {

// The document's content type; an agreement carries no attachments.
inline constexpr std::string_view agreement_content_type = "application/vnd.shuttle.agreement+json";

// One commitment: what is done, by whom, by when, and how it will be checked.
struct agreement_item {
  std::string what, who, by, check;
  friend bool operator==(const agreement_item&, const agreement_item&) = default;
};

struct agreement_document {
  std::vector<agreement_item> items;
  friend bool operator==(const agreement_document&, const agreement_document&) = default;
};

// The body's JSON text: {"v":1,"items":[{"what","who","by","check"}, ...]}.
std::string agreement_body(const agreement_document& d);
// Strict: at most max_agreement_body_bytes, 1 to max_agreement_items items,
// each field 1 to max_agreement_field_bytes of UTF-8 without control
// characters other than line breaks, no other keys.
result<agreement_document> parse_agreement_body(std::string_view body);

// BLAKE2b-256 over the transcript "shuttle/v1/agreement", case id, message
// id, the body's bytes exactly as sealed: what each signer signs.
hash agreement_hash(const id& case_id, const id& message_id, std::string_view body);

// Someone taking part, as the exporter's client names them: labels to read
// the signatures by, checked only in that every signer is among them.
struct agreement_person {
  public_key identity{};
  role person_role = role::facilitator;
  std::optional<std::string> name;
  friend bool operator==(const agreement_person&, const agreement_person&) = default;
};

struct agreement_export {
  id case_id{};
  id message_id{};
  std::string body;
  std::vector<agreement_person> people;
  std::vector<agreement_signature> signatures;
  std::vector<agreement_mark> marks;
  audit_export audit;
  friend bool operator==(const agreement_export&, const agreement_export&) = default;
};

std::string to_json(const agreement_export& x);
// Strict parsing (at most max_agreement_export_json_bytes).
result<agreement_export> parse_agreement_export(std::string_view json_text);

struct verified_agreement {
  agreement_document document;
  hash agreement_hash{};
  std::uint64_t bound_at = 0;
  struct signer {
    agreement_person person;
    std::uint64_t at = 0;  // when the relay recorded the signature
  };
  std::vector<signer> signers;
  struct mark {
    std::uint64_t item = 0;
    bool done = false;
    agreement_person by;
    std::uint64_t at = 0;
  };
  std::vector<mark> marks;  // the newest mark of each item, in item order
};

// Checks the audit export with `relay_key` (section 10), the body, and that
// every signature and mark verifies, names this agreement and its hash, is
// recorded in the audit trail by its signer, and is signed by one of the
// people named; that the trail records the agreement submitted and bound;
// and that each mark names an item of the agreement.
result<verified_agreement> verify_agreement_export(const agreement_export& x, const public_key& relay_key);

}  // namespace shuttle::proto

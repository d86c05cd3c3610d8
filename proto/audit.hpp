// The audit trail: one hash chain per case (account-level events go to the
// chain of the null case), content-free, with relay-signed checkpoints of
// its head (proto/SPEC.md "Audit trail"). Anyone holding the relay's public
// key can verify an export offline with verify_audit_export.
#pragma once

#include "proto/error.hpp"
#include "proto/statements.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace shuttle::proto {

enum class audit_event {
  case_opened, invited, enrolled, key_published, attested, submitted, approved, returned,
  released, delivered, opened, declined, revoked, withdrawn, closed, purged, decline_told,
  granted, grant_ended, quiet_hours_set, stage_set, paused, resumed, consented,
  agreement_signed, agreement_bound, item_marked, checkin_scheduled,
};
std::string_view to_string(audit_event e);
bool parse_enum(std::string_view word, audit_event& out);

struct audit_entry {
  std::uint64_t seq = 0;     // 1, 2, 3, ... within the case's chain
  std::uint64_t at = 0;      // Unix seconds
  id case_id{};
  audit_event event = audit_event::case_opened;
  public_key actor{};        // identity key of who acted; zero for the relay itself
  id subject{};              // the message, participant statement or invitation concerned; zero if none
  hash statement{};          // statement_hash() of the signed statement behind it; zero if none
  hash prev{};               // the previous entry's hash; zero for seq 1
  hash entry_hash{};         // audit_entry_hash() of all the above
  friend bool operator==(const audit_entry&, const audit_entry&) = default;
};

// BLAKE2b-256 over the transcript "shuttle/v1/audit-entry" of prev, seq, at,
// case, event, actor, subject, statement.
hash audit_entry_hash(const audit_entry& e);

// The relay's signature over a chain's head.
struct audit_checkpoint {
  id case_id{};
  std::uint64_t seq = 0;
  hash head{};
  std::uint64_t at = 0;
  public_key relay_key{};
  signature sig{};
  friend bool operator==(const audit_checkpoint&, const audit_checkpoint&) = default;
};
bytes checkpoint_transcript(const audit_checkpoint& c);
result<void> verify_checkpoint(const audit_checkpoint& c);

// A case's whole chain and a checkpoint of its last entry.
struct audit_export {
  id case_id{};
  std::vector<audit_entry> entries;
  audit_checkpoint checkpoint;
  friend bool operator==(const audit_export&, const audit_export&) = default;
};

std::string to_json(const audit_export& x);
// Strict parsing (at most max_audit_export_json_bytes, max_audit_export_entries).
result<audit_export> parse_audit_export(std::string_view json_text);

// Checks that entries are numbered 1..n without gaps, each of `case_id`,
// each prev its predecessor's hash, and each hash recomputes.
result<void> verify_audit_chain(const id& case_id, const std::vector<audit_entry>& entries);
// Checks that a checkpoint names entry c.seq of `entries` (a verified chain)
// with its hash, and carries `relay_key`'s signature.
result<void> verify_checkpoint_of(const std::vector<audit_entry>& entries, const audit_checkpoint& c,
                                  const public_key& relay_key);

// Checks, in order: entries numbered 1..n without gaps, each entry's case is
// the export's, each prev is its predecessor's hash, each hash recomputes,
// the checkpoint covers exactly the last entry, it is signed by `relay_key`.
// The first failure is returned with the entry's seq in the detail.
result<void> verify_audit_export(const audit_export& x, const public_key& relay_key);

}  // namespace shuttle::proto

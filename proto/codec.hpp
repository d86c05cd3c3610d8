// Parsing, writing, transcripts and signature checks of the statements in
// statements.hpp. Instantiated for every statement type in codec.cpp.
//
// Parsing is strict (proto/SPEC.md "Encoding"): exactly the defined keys,
// exact JSON types, canonical base64url of the exact length, integers within
// [0, 2^53-1], known enum words, version 1, the statement's own "type", and
// the semantic rules of each type (e.g. approvals_required is 1 or 2). The
// first violation is returned as an error naming the field. No function here
// throws for bad input.
#pragma once

#include "proto/error.hpp"
#include "proto/statements.hpp"

#include <string>
#include <string_view>

namespace boost::json {
class value;
}

namespace shuttle::proto {

// Parses one statement from its JSON text (at most max_statement_json_bytes).
template <class S>
result<S> parse_statement(std::string_view json_text);
// The same, from a JSON value already parsed with parse_strict_json (a
// statement nested in a request). `path` prefixes field names in errors.
template <class S>
result<S> parse_statement(const boost::json::value& json, const std::string& path = {});

// The JSON text of a statement, keys in SPEC order.
template <class S>
std::string to_json(const S& statement);

// The semantic rules that parsing enforces, for statements built in memory.
template <class S>
result<void> validate(const S& statement);

// The bytes the signer signs: see SPEC.md "Transcripts".
template <class S>
bytes signing_transcript(const S& statement);

// Checks statement.sig against statement.header.signer over the transcript.
// Says nothing about whether the signer may make the statement: that is the
// caller's policy (attested facilitator, sender of the message, ...).
template <class S>
result<void> verify_signature(const S& statement);

// BLAKE2b-256 over the transcript framed with the signature: names one exact
// signed statement (the audit trail records it; idempotent resubmits compare it).
template <class S>
hash statement_hash(const S& statement);

// Lets object_reader (json_fields.hpp) read a statement nested in a request.
template <class S>
  requires requires { S::type; }
result<void> read_value(const boost::json::value& json, S& out, const std::string& path) {
  auto parsed = parse_statement<S>(json, path);
  if (!parsed) return parsed.error();
  out = std::move(*parsed);
  return {};
}

// BLAKE2b-256, the hash of ciphertexts and of the audit chain.
hash blake2b_256(bytes_view data);

// The hash a consent statement names (SPEC 5.16): BLAKE2b-256 over the
// transcript "shuttle/v1/consent-text", the language tag, the text's UTF-8.
hash consent_text_hash(std::string_view language, std::string_view text);

}  // namespace shuttle::proto

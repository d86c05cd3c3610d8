// Errors are values. Every failure that depends on input (a malformed
// statement, a wrong passphrase, a tampered letter) is returned as a
// shuttle::error inside a shuttle::result<T>; exceptions are kept for broken
// infrastructure (out of memory, a failing disk) and never cross a parser.
#pragma once

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace shuttle {

// Stable codes. The relay sends them to clients as the "error" field, so a
// code is never renamed once released; see proto/SPEC.md "Errors".
enum class errc {
  // Parsing and validation (proto).
  too_large = 1,        // input longer than its limit
  malformed_json,       // not JSON, or nested too deep
  not_an_object,        // top level (or a list element) is not an object
  duplicate_field,      // a key appears twice in one object
  missing_field,        // a required key is absent
  unknown_field,        // a key the statement does not define
  wrong_type,           // e.g. a string where an integer belongs
  bad_encoding,         // not canonical unpadded base64url
  bad_length,           // decoded bytes of the wrong size
  bad_value,            // out of range, unknown enum word, non-canonical
  unsupported_version,  // "v" is not 1
  wrong_statement,      // "type" names another statement
  bad_signature,        // Ed25519 verification failed
  broken_chain,         // an audit entry does not follow its predecessor
  // Client-side cryptography (client-lib).
  wrong_passphrase,     // the keystore did not decrypt
  keystore_corrupt,     // the keystore file is damaged or not ours
  decrypt_failed,       // a wrap, a note or a chunk failed authentication
  truncated,            // the letter ends before its final chunk
  trailing_data,        // bytes after the final chunk
  no_wrap_for_reader,   // the letter holds no key for this reader
  wrap_mismatch,        // a wrap opened but names another message
  hash_mismatch,        // the ciphertext is not the one that was signed
  not_approved,         // no valid approval for this recipient
  not_attested,         // a key no pinned facilitator attested
  key_changed,          // a participant's key differs from the attested one
  facilitator_mismatch, // the relay presented another facilitator than the invitation
  wrong_case,           // a statement belongs to another case
  invalid_argument,     // the caller passed something unusable
  // Talking to a relay (client-lib's connection and account).
  relay_unreachable,    // no connection to the relay (address, network, relay down)
  tls_failure,          // the TLS handshake failed, or the certificate is not the pinned one
  relay_refused,        // the relay answered with an error; detail is its code and message
  not_found,            // no such case or message (or not yours to see)
  withdrawn,            // you (or the other party) withdrew: the channel is closed
  case_closed,          // the case is closed
  not_logged_in,        // no account here yet, or the session ended
};

// The word used on the wire and in messages for a code, e.g. "missing_field".
std::string_view to_string(errc code);

struct error {
  errc code;
  // What the error is about: the JSON field path for parse errors
  // ("wraps[1].reader"), otherwise a short calm sentence. Never holds a
  // secret, a token, a key or any letter content.
  std::string detail;

  // "missing_field: wraps[1].reader"
  std::string message() const;
  friend bool operator==(error const&, error const&) = default;
};

inline error make_error(errc code, std::string detail = {}) { return error{code, std::move(detail)}; }

// Lets result<T>::value() throw for an error (found by argument-dependent lookup).
[[noreturn]] void throw_exception_from_error(error const& e, boost::source_location const& loc);

template <class T>
using result = boost::system::result<T, error>;

}  // namespace shuttle

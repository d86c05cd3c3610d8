#include "proto/error.hpp"

#include <stdexcept>

namespace shuttle {

std::string_view to_string(errc code) {
  switch (code) {
    case errc::too_large: return "too_large";
    case errc::malformed_json: return "malformed_json";
    case errc::not_an_object: return "not_an_object";
    case errc::duplicate_field: return "duplicate_field";
    case errc::missing_field: return "missing_field";
    case errc::unknown_field: return "unknown_field";
    case errc::wrong_type: return "wrong_type";
    case errc::bad_encoding: return "bad_encoding";
    case errc::bad_length: return "bad_length";
    case errc::bad_value: return "bad_value";
    case errc::unsupported_version: return "unsupported_version";
    case errc::wrong_statement: return "wrong_statement";
    case errc::bad_signature: return "bad_signature";
    case errc::broken_chain: return "broken_chain";
    case errc::wrong_passphrase: return "wrong_passphrase";
    case errc::keystore_corrupt: return "keystore_corrupt";
    case errc::decrypt_failed: return "decrypt_failed";
    case errc::truncated: return "truncated";
    case errc::trailing_data: return "trailing_data";
    case errc::no_wrap_for_reader: return "no_wrap_for_reader";
    case errc::wrap_mismatch: return "wrap_mismatch";
    case errc::hash_mismatch: return "hash_mismatch";
    case errc::not_approved: return "not_approved";
    case errc::not_attested: return "not_attested";
    case errc::key_changed: return "key_changed";
    case errc::facilitator_mismatch: return "facilitator_mismatch";
    case errc::wrong_case: return "wrong_case";
    case errc::invalid_argument: return "invalid_argument";
    case errc::relay_unreachable: return "relay_unreachable";
    case errc::tls_failure: return "tls_failure";
    case errc::relay_refused: return "relay_refused";
    case errc::not_found: return "not_found";
    case errc::withdrawn: return "withdrawn";
    case errc::case_closed: return "case_closed";
    case errc::not_logged_in: return "not_logged_in";
  }
  return "unknown";
}

std::string error::message() const {
  std::string out(to_string(code));
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

void throw_exception_from_error(error const& e, boost::source_location const&) {
  throw std::runtime_error(e.message());
}

}  // namespace shuttle

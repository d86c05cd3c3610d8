// What a relay operation answers: a JSON body, or a failure with a stable
// code. Only api/ turns failures into HTTP statuses (api/router.cpp).
#pragma once

#include "proto/error.hpp"

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace shuttle::relay {

enum class failure_kind {
  invalid,        // the request is malformed or breaks a rule (400)
  unauthorized,   // no valid session, or a bad login (401)
  forbidden,      // a participant whose role may not do this (403)
  not_found,      // missing, or not the caller's to see (404)
  conflict,       // a different statement under a used id; a state that forbids it (409)
  gone,           // an invitation used or expired (410)
  too_large,      // over the route's limit (413)
  unsupported_media_type,  // a body that is not sent as application/json (415)
  rate_limited,   // too many attempts (429)
  unavailable,    // shutting down or overloaded (503)
  internal,       // a bug or a broken disk (500); details only in the log
};

struct failure {
  failure_kind kind;
  std::string code;     // stable word for clients, e.g. "invitation_used"
  std::string message;  // a calm sentence for people; never a secret
  // For rate_limited and unavailable: when trying again makes sense (the
  // answer's Retry-After); 0 lets the router choose a default.
  std::uint32_t retry_after_seconds = 0;

  static failure from(const error& e, failure_kind kind = failure_kind::invalid) {
    return {kind, std::string(to_string(e.code)), e.message()};
  }
};

using answer = boost::json::object;
using outcome = boost::system::result<answer, failure>;

// Lets outcome::value() throw (found by argument-dependent lookup).
[[noreturn]] inline void throw_exception_from_error(const failure& f, const boost::source_location&) {
  throw std::runtime_error(f.code + ": " + f.message);
}

inline failure not_found(std::string what) { return {failure_kind::not_found, "not_found", std::move(what)}; }

}  // namespace shuttle::relay

// What the files of client-lib's account share and nobody else needs: the
// relay's paths, a statement as JSON, and the one retry that renews a
// session. The account's definitions are split by concern: the profile and
// events (account.cpp), cases (account_cases.cpp), letters
// (account_letters.cpp) and review (account_review.cpp).
#pragma once

#include "client-lib/account.hpp"
#include "proto/base64.hpp"
#include "proto/codec.hpp"
#include "proto/json_fields.hpp"

#include <boost/json.hpp>

namespace shuttle::client {

namespace json = boost::json;

namespace account_detail {

template <std::size_t N>
std::string b64(const fixed<N>& v) {
  return proto::base64url_encode(v);
}

template <class S>
json::value as_json(const S& s) {
  return json::parse(proto::to_json(s));
}

inline std::string case_path(const proto::id& case_id, const std::string& rest = "") {
  return "/v1/cases/" + b64(case_id) + rest;
}
inline std::string message_path(const proto::id& case_id, const proto::id& message, const std::string& rest = "") {
  return case_path(case_id, "/messages/" + b64(message) + rest);
}

// Who a letter goes to: the other party.
inline result<proto::role> other_party(proto::role mine) {
  if (mine == proto::role::harmed) return proto::role::responsible;
  if (mine == proto::role::responsible) return proto::role::harmed;
  return make_error(errc::invalid_argument, "only the harmed and the responsible party write letters to each other");
}

// The consent text agreed to for a case, kept in the mailbox to be read again.
result<void> keep_consent(mailbox& box, const proto::id& case_id, const agreed_consent& agreed);

}  // namespace account_detail

// A request that needs a session: logs in first when there is none, and once
// more when the relay says the session ended.
template <class F>
auto account::authenticated(F&& f) -> decltype(f()) {
  if (relay_.token().empty()) {
    if (auto ok = login(); !ok) return ok.error();
  }
  auto r = f();
  if (!r && r.error().code == errc::not_logged_in) {
    if (auto ok = login(); !ok) return ok.error();
    r = f();
  }
  return r;
}

}  // namespace shuttle::client

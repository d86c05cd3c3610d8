// The client's side of enrolment and login (proto/SPEC.md sections 8 and
// "HTTP API"): what it checks before it trusts what a relay presents.
#pragma once

#include "client-lib/keys.hpp"
#include "proto/invitation_code.hpp"
#include "proto/login.hpp"

namespace shuttle::client {

// An invitation into `case_id` in `role`, signed by `inviter` and valid for
// `lifetime_seconds`, and the code that carries its secret to the person
// invited (the relay's address in it is the caller's to fill in).
struct invitation_made {
  proto::invitation statement;
  proto::invitation_code code;
};
result<invitation_made> make_invitation(const identity_key& inviter, const proto::id& case_id, proto::role role,
                                        std::uint64_t lifetime_seconds);

// Before enrolling: the invitation the relay presents must be the one the
// code names (id, case, role, secret hash), and signed by the inviter whose
// fingerprint the code pins. facilitator_mismatch when the relay presents
// another inviter's statement: the client must not enrol.
result<void> check_invitation(const proto::invitation_code& code, const proto::invitation& presented);

// The enrolment statement for an invitation, signed by the new identity.
// `name`: a facilitator account's display name (the operator's invitation only).
result<proto::enrolment> make_enrolment(const identity_key& me, const proto::invitation_code& code,
                                         std::optional<proto::display_name> name = std::nullopt);

// The signature a login needs for the challenge of a relay with `relay_key`.
proto::signature sign_login(const identity_key& me, const proto::login_challenge& challenge,
                            const proto::public_key& relay_key);

}  // namespace shuttle::client

#include "client-lib/enrolment.hpp"

#include "client-lib/statements.hpp"
#include "proto/codec.hpp"
#include "proto/fingerprint.hpp"

#include <sodium.h>

namespace shuttle::client {

result<invitation_made> make_invitation(const identity_key& inviter, const proto::id& case_id, proto::role role,
                                        std::uint64_t lifetime_seconds) {
  invitation_made out;
  out.code.invitation_id = new_id();
  out.code.case_id = case_id;
  out.code.role = role;
  randombytes_buf(out.code.secret.data(), out.code.secret.size());
  out.code.inviter_fingerprint = proto::fingerprint(inviter.public_key());
  proto::invitation inv;
  inv.header = header_for(case_id);
  inv.header.statement_id = out.code.invitation_id;
  inv.role = role;
  inv.secret_hash = proto::invitation_secret_hash(out.code.secret);
  inv.expires_at = inv.header.created_at + lifetime_seconds;
  auto s = sign(inv, inviter);
  if (!s) return s.error();
  out.statement = std::move(*s);
  return out;
}

result<void> check_invitation(const proto::invitation_code& code, const proto::invitation& presented) {
  if (proto::fingerprint(presented.header.signer) != code.inviter_fingerprint) {
    return make_error(errc::facilitator_mismatch,
                      "the relay presented an invitation from someone other than the facilitator who invited you");
  }
  if (auto ok = proto::verify_signature(presented); !ok) return ok.error();
  if (presented.header.statement_id != code.invitation_id || presented.header.case_id != code.case_id ||
      presented.role != code.role || presented.secret_hash != proto::invitation_secret_hash(code.secret)) {
    return make_error(errc::facilitator_mismatch, "the relay presented another invitation than the one in your code");
  }
  return {};
}

result<proto::enrolment> make_enrolment(const identity_key& me, const proto::invitation_code& code,
                                         std::optional<proto::display_name> name) {
  proto::enrolment e;
  e.header = header_for(code.case_id);
  e.invitation_id = code.invitation_id;
  e.role = code.role;
  e.name = std::move(name);
  return sign(std::move(e), me);
}

proto::signature sign_login(const identity_key& me, const proto::login_challenge& challenge,
                            const proto::public_key& relay_key) {
  return me.sign(proto::login_transcript(challenge, me.public_key(), relay_key));
}

}  // namespace shuttle::client

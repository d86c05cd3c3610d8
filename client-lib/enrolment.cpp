#include "client-lib/enrolment.hpp"

#include "client-lib/statements.hpp"
#include "proto/codec.hpp"
#include "proto/fingerprint.hpp"

namespace shuttle::client {

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

#include "client-lib/statements.hpp"

namespace shuttle::client {

proto::statement_header header_for(const proto::id& case_id) {
  proto::statement_header h;
  h.statement_id = new_id();
  h.case_id = case_id;
  h.created_at = unix_now();
  return h;
}

result<proto::key_statement> make_key_statement(const identity_key& author, const proto::id& case_id,
                                                const case_key& key) {
  proto::key_statement s;
  s.header = header_for(case_id);
  s.case_key = key.public_key();
  return sign(std::move(s), author);
}

result<proto::attestation> make_attestation(const identity_key& facilitator, const proto::key_statement& subject,
                                            proto::role subject_role) {
  if (auto ok = proto::verify_signature(subject); !ok) return ok.error();
  proto::attestation a;
  a.header = header_for(subject.header.case_id);
  a.subject = subject.header.signer;
  a.subject_role = subject_role;
  a.key_statement_id = subject.header.statement_id;
  a.subject_case_key = subject.case_key;
  return sign(std::move(a), facilitator);
}

}  // namespace shuttle::client

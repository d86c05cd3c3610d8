// Making signed statements. Every statement is built as a value, then signed
// here with the author's identity key, which sets header.signer and sig.
//
//   proto::revoke r;
//   r.header = client::header_for(case_id);
//   r.message_id = message;
//   r = client::sign(std::move(r), me.identity());
#pragma once

#include "client-lib/keys.hpp"
#include "proto/codec.hpp"
#include "proto/error.hpp"

namespace shuttle::client {

// A header with a fresh id, the case and the current time; sign() fills the signer.
proto::statement_header header_for(const proto::id& case_id);

// Validates the statement (as a receiver's parser would) and signs it.
// Fails with the validation error, never produces an unparseable statement.
template <class S>
result<S> sign(S statement, const identity_key& author) {
  statement.header.signer = author.public_key();
  if (auto ok = proto::validate(statement); !ok) return ok.error();
  statement.sig = author.sign(proto::signing_transcript(statement));
  return statement;
}

// The key statement publishing `key` as the author's case key for a case.
result<proto::key_statement> make_key_statement(const identity_key& author, const proto::id& case_id,
                                                const case_key& key);

// A facilitator's attestation of a participant's keys, made after comparing
// the participant's safety number in the preparation meeting.
result<proto::attestation> make_attestation(const identity_key& facilitator, const proto::key_statement& subject,
                                            proto::role subject_role);

}  // namespace shuttle::client

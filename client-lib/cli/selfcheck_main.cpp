// shuttle-selfcheck: plays one letter's whole journey through the client
// cryptography in this process, printing each step, and exits non-zero if
// any check does not hold. The README's run command runs it until the relay
// and the `shuttle` client exist.
#include "client-lib/keystore.hpp"
#include "client-lib/process.hpp"
#include "client-lib/review.hpp"
#include "client-lib/statements.hpp"
#include "proto/codec.hpp"
#include "proto/fingerprint.hpp"
#include "proto/invitation_code.hpp"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using namespace shuttle;

int failures = 0;

void step(const char* what) { std::printf("  - %s\n", what); }

template <class T>
T expect(result<T> r, const char* what) {
  if (!r) {
    std::printf("  ! %s failed: %s\n", what, r.error().message().c_str());
    std::exit(1);
  }
  step(what);
  return std::move(*r);
}

void expect_ok(result<void> r, const char* what) {
  if (!r) {
    std::printf("  ! %s failed: %s\n", what, r.error().message().c_str());
    std::exit(1);
  }
  step(what);
}

void expect_refused(bool refused, const char* what) {
  if (!refused) {
    std::printf("  ! %s was not refused\n", what);
    ++failures;
    return;
  }
  std::printf("  - refused, as it must be: %s\n", what);
}

}  // namespace

int main() {
  if (!client::harden_process()) std::printf("note: could not switch core dumps off\n");
  std::printf("Shuttle self-check: one letter's journey, end to end, in this process.\n\n");

  const proto::id case_id = client::new_id();
  auto facilitator = client::keystore::create();
  auto harmed = client::keystore::create();
  auto responsible = client::keystore::create();

  std::printf("Preparation\n");
  proto::case_open open;
  open.header = client::header_for(case_id);
  open = expect(client::sign(open, facilitator.identity()), "the facilitator opens a case (one approval needed)");
  proto::invitation_code code;
  code.invitation_id = client::new_id();
  code.case_id = case_id;
  code.role = proto::role::harmed;
  randombytes_buf(code.secret.data(), code.secret.size());
  code.inviter_fingerprint = proto::fingerprint(facilitator.identity().public_key());
  const auto parsed = expect(proto::parse_invitation_code(encode(code)), "the harmed party reads the invitation code");
  if (parsed.inviter_fingerprint != proto::fingerprint(facilitator.identity().public_key())) ++failures;

  client::roster facilitator_view(case_id, facilitator.identity().public_key());
  const auto fk = expect(client::make_key_statement(facilitator.identity(), case_id, facilitator.case_key_for(case_id)),
                         "the facilitator publishes a case key");
  const auto hk = expect(client::make_key_statement(harmed.identity(), case_id, harmed.case_key_for(case_id)),
                         "the harmed party publishes a case key");
  const auto rk = expect(client::make_key_statement(responsible.identity(), case_id, responsible.case_key_for(case_id)),
                         "the responsible party publishes a case key");
  std::printf("    harmed party's safety number: %s\n", proto::safety_number(harmed.identity().public_key()).c_str());
  const auto ah = expect(client::make_attestation(facilitator.identity(), hk, proto::role::harmed),
                         "the facilitator compares it in person and attests the keys");
  const auto ar = expect(client::make_attestation(facilitator.identity(), rk, proto::role::responsible),
                         "the facilitator attests the responsible party's keys");
  // Every participant builds the same roster from the signed statements.
  client::roster roster(case_id, facilitator.identity().public_key());
  expect_ok(roster.add_case_open(open), "the case policy verifies");
  expect_ok(roster.add_facilitator_keys(fk), "the facilitator's case key verifies");
  expect_ok(roster.add_attested(ah, hk), "the harmed party's attestation verifies");
  expect_ok(roster.add_attested(ar, rk), "the responsible party's attestation verifies");

  std::printf("\nA letter\n");
  client::letter_draft draft;
  draft.header = client::header_for(case_id);
  draft.to = proto::role::responsible;
  const auto letter = expect(
      client::seal_letter(harmed.identity(), *harmed.find_case_key(case_id), draft, roster.facilitator_readers(),
                          client::document::text("I want you to know what that night changed for me.")),
      "the harmed party seals a letter for the facilitator and itself");
  std::printf("    %zu bytes of ciphertext, readers: %zu\n", letter.ciphertext.size(), letter.envelope.wraps.size());
  const auto early = client::open_delivered(roster, letter.envelope, {}, letter.ciphertext, responsible.identity(),
                                            *responsible.find_case_key(case_id), client::unix_now());
  expect_refused(!early, "the responsible party opening it before approval");
  const auto read = expect(client::open_for_review(roster, letter.envelope, letter.ciphertext, facilitator.identity(),
                                                   *facilitator.find_case_key(case_id)),
                           "the facilitator reads it in review");
  const auto returned = expect(client::return_letter(roster, letter.envelope, facilitator.identity(),
                                                     client::return_reason::other, "Could you say more about what you need?"),
                               "the facilitator returns it with a note");
  const auto why = expect(client::open_return(roster, letter.envelope, returned, *harmed.find_case_key(case_id)),
                          "the harmed party reads the note");
  std::printf("    note: \"%s\"\n", why.text.c_str());
  const auto approval = expect(client::approve_letter(roster, letter.envelope, facilitator.identity(),
                                                      *facilitator.find_case_key(case_id)),
                               "the facilitator approves a letter and wraps its key for the recipient");
  const auto delivered = expect(client::open_delivered(roster, letter.envelope, {approval}, letter.ciphertext,
                                                       responsible.identity(), *responsible.find_case_key(case_id),
                                                       client::unix_now()),
                                "the responsible party checks sender and approval, then reads it");
  if (delivered.content.body != read.body) ++failures;

  bytes tampered = letter.ciphertext;
  tampered[tampered.size() / 2] ^= 1;
  expect_refused(!client::open_delivered(roster, letter.envelope, {approval}, tampered, responsible.identity(),
                                         *responsible.find_case_key(case_id), client::unix_now()),
                 "a letter altered by one bit");

  std::printf("\nThe keystore\n");
  const std::string file = harmed.seal("a passphrase only I know");
  step("the harmed party's keys are sealed under a passphrase (Argon2id, MODERATE)");
  const auto wrong = client::keystore::open(file, "a wrong guess");
  expect_refused(!wrong && wrong.error().code == errc::wrong_passphrase, "a wrong passphrase");
  const auto reopened = expect(client::keystore::open(file, "a passphrase only I know"), "the right passphrase opens it");
  if (reopened.identity().public_key() != harmed.identity().public_key()) ++failures;

  if (failures > 0) {
    std::printf("\nself-check FAILED: %d check(s) did not hold\n", failures);
    return 1;
  }
  std::printf("\nself-check passed\n");
  return 0;
}

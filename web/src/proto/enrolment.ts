// Enrolment and login for a client (proto/SPEC.md section 16.3): the checks
// of the invitation the relay presents, and the statements a new party signs.
import * as b64 from './base64url.js';
import { Bytes, equal } from './bytes.js';
import { Statement, parseStatement, sign, verifySignature } from './codec.js';
import { fail } from './errors.js';
import { JsonValue } from './json.js';
import { InvitationCode, invitationSecretHash } from './invitation.js';
import { CaseKey, IdentityKey, fingerprint, newId } from './keys.js';
import { sodium } from './sodium.js';
import { Transcript } from './transcript.js';

// The invitation the relay presents must be the code's, signed by the pinned inviter.
export function checkPresentedInvitation(code: InvitationCode, presented: JsonValue): Statement {
  let inv: Statement;
  try {
    inv = parseStatement('invitation', presented, 'invitation');
  } catch {
    return fail('facilitator_mismatch', 'the relay presented no valid invitation');
  }
  if (!equal(fingerprint(inv.signer), code.inviterFingerprint)) {
    fail('facilitator_mismatch', 'the relay presented an invitation from someone other than the facilitator who invited you');
  }
  verifySignature(inv);
  if (!equal(inv.id, code.invitation) || !equal(inv.case, code.case) || inv.role !== code.role ||
      !equal(inv.secret_hash as Bytes, invitationSecretHash(code.secret))) {
    fail('facilitator_mismatch', 'the relay presented another invitation than the one in your code');
  }
  return inv;
}

const now = () => Math.floor(Date.now() / 1000);

// `name`: a facilitator account's name, which colleagues see (SPEC 5.2); no one else has one.
export function makeEnrolment(me: IdentityKey, code: InvitationCode, name?: string): Statement {
  return sign({ type: 'enrolment', id: newId(), case: code.case, created_at: now(), invitation: code.invitation,
    role: code.role, name }, me.secretKey, me.publicKey);
}

export function makeKeyStatement(me: IdentityKey, caseId: Bytes, key: CaseKey): Statement {
  return sign({ type: 'key_statement', id: newId(), case: caseId, created_at: now(), case_key: key.publicKey },
    me.secretKey, me.publicKey);
}

// The signature that answers a login challenge, bound to the relay's key.
export function signLogin(me: IdentityKey, challenge: Bytes, relayKey: Bytes): Bytes {
  return sodium().crypto_sign_detached(
    new Transcript('shuttle/v1/login').add(challenge).add(me.publicKey).add(relayKey).data(), me.secretKey);
}

export const encodeId = b64.encode;

// Invitation codes (proto/SPEC.md section 8): what a facilitator hands over,
// typed or pasted with any white space (an e-mail wraps it), or carried in a
// link's fragment, which never reaches a server.
import * as b64 from './base64url.js';
import { Bytes, fromUtf8 } from './bytes.js';
import { Role, nullCase, roles } from './codec.js';
import { fail } from './errors.js';
import { blake2b256 } from './sodium.js';
import { FrameReader, Transcript } from './transcript.js';

export const codePrefix = 'shuttle-invite-1.';
const maxCodeChars = 512;

export interface InvitationCode {
  invitation: Bytes;
  case: Bytes;
  role: Role;
  secret: Bytes;
  inviterFingerprint: Bytes;
  relay: string;
  relayCertificateSha256?: Bytes;
}

export function encodeCode(c: InvitationCode): string {
  const t = new Transcript('shuttle/v1/invitation-code').add(c.invitation).add(c.case).add(c.role).add(c.secret);
  t.add(c.inviterFingerprint).add(c.relay);
  if (c.relayCertificateSha256) t.add(c.relayCertificateSha256);
  else t.addAbsent();
  return codePrefix + b64.encode(t.data());
}

export function parseCode(typed: string): InvitationCode {
  if (typed.length > 4 * maxCodeChars) fail('too_large', 'invitation code');
  const text = typed.replace(/[ \t\r\n]/g, '');
  if (text.length > maxCodeChars) fail('too_large', 'invitation code');
  if (!text.startsWith(codePrefix)) fail('bad_value', 'not a Shuttle invitation code');
  const raw = b64.decode(text.slice(codePrefix.length));
  if (!raw) fail('bad_encoding', 'invitation code');
  const damaged = (): never => fail('bad_value', 'the invitation code is incomplete or damaged');
  const r = new FrameReader(raw);
  const domain = r.next();
  if (!domain || fromUtf8(domain) !== 'shuttle/v1/invitation-code') damaged();
  const invitation = r.nextExact(16), caseId = r.nextExact(16), role = r.next();
  const secret = r.nextExact(32), fp = r.nextExact(32), relay = r.next(), pin = r.next();
  if (!invitation || !caseId || !role || !secret || !fp || !relay || !pin || !r.atEnd()) damaged();
  const roleWord = fromUtf8(role!);
  if (!(roles as readonly string[]).includes(roleWord)) damaged();
  const relayText = fromUtf8(relay!);
  if (relay!.length > 255 || !/^[A-Za-z0-9.:\-[\]]*$/.test(relayText)) damaged();
  if (pin!.length !== 0 && pin!.length !== 32) damaged();
  if (invitation!.every((b) => b === 0)) damaged();
  if (caseId!.every((b, i) => b === nullCase[i]) && roleWord !== 'facilitator') damaged();
  return {
    invitation: invitation!.slice(), case: caseId!.slice(), role: roleWord as Role, secret: secret!.slice(),
    inviterFingerprint: fp!.slice(), relay: relayText,
    relayCertificateSha256: pin!.length === 32 ? pin!.slice() : undefined,
  };
}

export function invitationSecretHash(secret: Bytes): Bytes {
  return blake2b256(new Transcript('shuttle/v1/invitation-secret').add(secret).data());
}

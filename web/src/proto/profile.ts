// The keys file that moves a facilitator between clients (proto/SPEC.md
// section 11.1): the keystore as sealed, the pinned relay key (and
// certificate), and each case with the key its roster grows from, signed by
// the identity key inside the keystore. Parsed strictly before the keystore
// is opened; checked once it is.
import * as b64 from './base64url.js';
import { Bytes } from './bytes.js';
import { Role, roles } from './codec.js';
import { fail } from './errors.js';
import { JsonNumber, isObject, num, parseStrict, serialize } from './json.js';
import type { IdentityKey } from './keys.js';
import { sodium } from './sodium.js';
import { Transcript } from './transcript.js';

export interface ProfileCase {
  case: string;    // base64url id
  role: Role;
  pinned: string;  // base64url key
}
export interface ProfileFile {
  keystore: string;
  relay?: string;
  relayCertificateSha256?: Bytes;
  relayKey: Bytes;
  cases: ProfileCase[];
  sig: Bytes;
}

const maxFile = 2 * 1024 * 1024;
const maxCases = 10000;

function bytesField(v: unknown, name: string, n: number): Bytes {
  const d = typeof v === 'string' ? b64.decode(v) : null;
  if (!d) return fail(typeof v === 'string' ? 'bad_encoding' : 'missing_field', name);
  if (d.length !== n) fail('bad_length', name);
  return d;
}

export function parseProfile(text: string): ProfileFile {
  const v = parseStrict(text.replace(/\n$/, ''), maxFile, 4);
  if (!isObject(v)) return fail('not_an_object', '');
  if (!(v.v instanceof JsonNumber) || v.v.text !== '1') fail('unsupported_version', 'v');
  if (v.type !== 'profile') fail('bad_value', 'type');
  const known = ['v', 'type', 'keystore', 'relay', 'relay_certificate_sha256', 'relay_key', 'cases', 'sig'];
  for (const k of Object.keys(v)) if (!known.includes(k)) fail('unknown_field', k);
  if (typeof v.keystore !== 'string') return fail('wrong_type', 'keystore');
  if (v.relay !== undefined && (typeof v.relay !== 'string' || v.relay.length > 255)) fail('bad_value', 'relay');
  if (!Array.isArray(v.cases)) return fail('wrong_type', 'cases');
  if (v.cases.length > maxCases) fail('too_large', 'cases');
  const cases = v.cases.map((c, i) => {
    const at = `cases[${i}]`;
    if (!isObject(c)) return fail('not_an_object', at);
    for (const k of Object.keys(c)) if (!['case', 'role', 'pinned'].includes(k)) fail('unknown_field', `${at}.${k}`);
    bytesField(c.case, `${at}.case`, 16);
    bytesField(c.pinned, `${at}.pinned`, 32);
    if (typeof c.role !== 'string' || !(roles as readonly string[]).includes(c.role)) fail('bad_value', `${at}.role`);
    return { case: c.case as string, role: c.role as Role, pinned: c.pinned as string };
  });
  return {
    keystore: v.keystore, relay: v.relay as string | undefined,
    relayCertificateSha256: v.relay_certificate_sha256 === undefined ? undefined
      : bytesField(v.relay_certificate_sha256, 'relay_certificate_sha256', 32),
    relayKey: bytesField(v.relay_key, 'relay_key', 32), cases, sig: bytesField(v.sig, 'sig', 64),
  };
}

export function profileTranscript(p: Omit<ProfileFile, 'sig'>): Bytes {
  const t = new Transcript('shuttle/v1/profile').add(p.keystore).add(p.relayKey);
  if (p.relay !== undefined) t.add(p.relay);
  else t.addAbsent();
  if (p.relayCertificateSha256) t.add(p.relayCertificateSha256);
  else t.addAbsent();
  t.addU64(p.cases.length);
  for (const c of p.cases) t.add(b64.decode(c.case)!).add(c.role).add(b64.decode(c.pinned)!);
  return t.data();
}

// The file's text, signed by `me`.
export function writeProfile(p: Omit<ProfileFile, 'sig'>, me: IdentityKey): string {
  const sig = sodium().crypto_sign_detached(profileTranscript(p), me.secretKey);
  const o: Record<string, unknown> = { v: num(1), type: 'profile', keystore: p.keystore };
  if (p.relay !== undefined) o.relay = p.relay;
  if (p.relayCertificateSha256) o.relay_certificate_sha256 = b64.encode(p.relayCertificateSha256);
  o.relay_key = b64.encode(p.relayKey);
  o.cases = p.cases.map((c) => ({ case: c.case, role: c.role, pinned: c.pinned }));
  o.sig = b64.encode(sig);
  return serialize(o as Parameters<typeof serialize>[0]) + '\n';
}

// Whether the identity that opened the keystore signed it: bad_signature if not.
export function checkProfile(p: ProfileFile, identity: Bytes): void {
  if (!sodium().crypto_sign_verify_detached(p.sig, profileTranscript(p), identity)) {
    fail('bad_signature', 'the file was changed after it was saved');
  }
}

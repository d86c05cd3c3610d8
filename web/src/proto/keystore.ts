// The keystore (proto/SPEC.md section 11): keys at rest, under a passphrase
// through Argon2id and XChaCha20-Poly1305. Limits are checked before any
// derivation, so a hostile file cannot make the page derive at absurd cost.
import * as b64 from './base64url.js';
import { Bytes, fromUtf8 } from './bytes.js';
import { readU64 } from './codec.js';
import { fail } from './errors.js';
import { JsonNumber, isObject, num, parseStrict, serialize } from './json.js';
import { CaseKey, IdentityKey, caseKeyFromSecret, identityFromSeed } from './keys.js';
import { sodium } from './sodium.js';
import { FrameReader, Transcript } from './transcript.js';

export interface KdfLimits {
  opslimit: number;
  memlimit: number;
}
// What this page writes (SPEC 11): 64 MiB, which a low-end phone's browser
// can hold, and six passes to keep the cost of a guess up.
export const phoneLimits: KdfLimits = { opslimit: 6, memlimit: 67108864 };
const maxLimits: KdfLimits = { opslimit: 16, memlimit: 2147483648 };

// SPEC 11's bounds: opslimit 3..16, memlimit 64 MiB..2 GiB, and their
// product at least the phone's.
export function limitsAllowed(l: KdfLimits): boolean {
  return l.opslimit >= 3 && l.opslimit <= maxLimits.opslimit && l.memlimit >= phoneLimits.memlimit &&
    l.memlimit <= maxLimits.memlimit && l.opslimit * l.memlimit >= phoneLimits.opslimit * phoneLimits.memlimit;
}

export interface Keys {
  identity: IdentityKey;
  caseKeys: Map<string, CaseKey>;  // by base64url case id
}

function additionalData(l: KdfLimits, salt: Bytes, nonce: Bytes): Bytes {
  return new Transcript('shuttle/v1/keystore').addU64(l.opslimit).addU64(l.memlimit).add(salt).add(nonce).data();
}

function derive(passphrase: string, salt: Bytes, l: KdfLimits): Bytes {
  const s = sodium();
  return s.crypto_pwhash(32, passphrase, salt, l.opslimit, l.memlimit, s.crypto_pwhash_ALG_ARGON2ID13);
}

// Argon2id once at one pass over the memory a keystore of these limits
// uses, the result thrown away: the WebAssembly memory is touched before a
// person's passphrase needs it. A first derivation in a fresh worker pays
// for every page of that memory being touched for the first time, which
// nearly doubled it on the project's machine (docs/PERFORMANCE.md).
export function warmUpDerivation(l: KdfLimits = phoneLimits): void {
  sodium().memzero(derive('warm-up', new Uint8Array(16), { opslimit: 1, memlimit: l.memlimit }));
}

export function sealKeystore(keys: Keys, passphrase: string, limits: KdfLimits = phoneLimits): string {
  const s = sodium();
  const salt = s.randombytes_buf(16);
  const nonce = s.randombytes_buf(24);
  const t = new Transcript('shuttle/v1/keystore-payload').add(keys.identity.seed).addU64(keys.caseKeys.size);
  for (const [caseId, k] of keys.caseKeys) t.add(b64.decode(caseId)!).add(k.secret);
  const key = derive(passphrase, salt, limits);
  const box = s.crypto_aead_xchacha20poly1305_ietf_encrypt(t.data(), additionalData(limits, salt, nonce), null, nonce, key);
  s.memzero(key);
  return serialize({
    v: num(1), type: 'keystore', kdf: 'argon2id13', opslimit: num(limits.opslimit), memlimit: num(limits.memlimit),
    salt: b64.encode(salt), nonce: b64.encode(nonce), box: b64.encode(box),
  }) + '\n';
}

export function openKeystore(text: string, passphrase: string): Keys {
  const corrupt = (what: string): never => fail('keystore_corrupt', what);
  const v = parseStrict(text.replace(/\n$/, ''), 1024 * 1024, 2);
  if (!isObject(v)) return corrupt('not an object');
  const ver = v.v;
  if (!(ver instanceof JsonNumber) || ver.text !== '1' || v.type !== 'keystore' || v.kdf !== 'argon2id13') corrupt('not a keystore');
  const allowed = new Set(['v', 'type', 'kdf', 'opslimit', 'memlimit', 'salt', 'nonce', 'box']);
  for (const k of Object.keys(v)) if (!allowed.has(k)) corrupt(k);
  const limits = { opslimit: readU64(v.opslimit ?? null, 'opslimit'), memlimit: readU64(v.memlimit ?? null, 'memlimit') };
  if (!limitsAllowed(limits)) corrupt('limits outside what SPEC 11 allows');
  const bytesOf = (name: string, n?: number): Bytes => {
    const x = v[name];
    const d = typeof x === 'string' ? b64.decode(x) : null;
    if (!d || (n !== undefined && d.length !== n)) return corrupt(name);
    return d;
  };
  const salt = bytesOf('salt', 16), nonce = bytesOf('nonce', 24), box = bytesOf('box');
  const s = sodium();
  const key = derive(passphrase, salt, limits);
  let payload: Bytes;
  try {
    payload = s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, box, additionalData(limits, salt, nonce), nonce, key);
  } catch {
    return fail('wrong_passphrase', 'that passphrase does not open these keys');
  } finally {
    s.memzero(key);
  }
  const r = new FrameReader(payload);
  const domain = r.next(), seed = r.nextExact(32), count = r.nextU64();
  if (!domain || fromUtf8(domain) !== 'shuttle/v1/keystore-payload' || !seed || count === null || count > 100000) corrupt('payload');
  const caseKeys = new Map<string, CaseKey>();
  for (let i = 0; i < count!; i++) {
    const id = r.nextExact(16), secret = r.nextExact(32);
    if (!id || !secret) corrupt('payload');
    caseKeys.set(b64.encode(id!), caseKeyFromSecret(secret!.slice()));
  }
  if (!r.atEnd()) corrupt('payload');
  return { identity: identityFromSeed(seed!.slice()), caseKeys };
}

export const keysOf = (identity: IdentityKey): Keys => ({ identity, caseKeys: new Map() });

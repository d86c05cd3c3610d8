// A referral (proto/SPEC.md 5.20, 6.8): a person with no account asks the
// service to contact them. The request is sealed in the page to every
// facilitator's referral key, and the person keeps a receipt code to see
// where it is. A facilitator's referral key derives from its identity seed.
import * as b64 from './base64url.js';
import { Bytes, concat, equal, fromUtf8, utf8 } from './bytes.js';
import { Statement, parseStatement, verifySignature } from './codec.js';
import { fail } from './errors.js';
import { JsonNumber, JsonObject, isObject, num, parseStrict, personText, serialize } from './json.js';
import { pad, unpad } from './letters.js';
import { blake2b256, sodium } from './sodium.js';
import { Transcript } from './transcript.js';

export const referralContentType = 'application/vnd.shuttle.referral+json';
export const referralLimits = { textBytes: 8000, contactBytes: 500, referrerBytes: 500, bodyChars: 64 * 1024,
  ciphertextBytes: 16 * 1024, readers: 64 };
export const referralCodePrefix = 'shuttle-referral-1.';
export type ReferralState = 'received' | 'contacted' | 'closed';

export interface Referral {
  language: 'en' | 'nb';
  what_happened: string;
  contact: string;
  about?: 'harmed' | 'responsible';
  referrer?: string;
}

export function referralBody(r: Referral): string {
  const o: JsonObject = { v: num(1), language: r.language, what_happened: r.what_happened, contact: r.contact };
  if (r.about) o.about = r.about;
  if (r.referrer !== undefined) o.referrer = r.referrer;
  return serialize(o);
}

// Strict, as SPEC 6.8 says.
export function parseReferralBody(body: string): Referral {
  const v = parseStrict(body, referralLimits.bodyChars, 2);
  if (!isObject(v)) fail('not_an_object', 'referral');
  const known = ['v', 'language', 'what_happened', 'contact', 'about', 'referrer'];
  for (const k of Object.keys(v)) if (!known.includes(k)) fail('unknown_field', k);
  if (!(v.v instanceof JsonNumber) || v.v.text !== '1') fail(v.v === undefined ? 'missing_field' : 'unsupported_version', 'v');
  if (v.language === undefined) fail('missing_field', 'language');
  if (v.language !== 'en' && v.language !== 'nb') fail('bad_value', 'language');
  const r: Referral = {
    language: v.language,
    what_happened: personText(v.what_happened, referralLimits.textBytes, 'what_happened'),
    contact: personText(v.contact, referralLimits.contactBytes, 'contact'),
  };
  if (v.about !== undefined) {
    if (v.about !== 'harmed' && v.about !== 'responsible') fail('bad_value', 'about');
    r.about = v.about;
  }
  if (v.referrer !== undefined) r.referrer = personText(v.referrer, referralLimits.referrerBytes, 'referrer');
  return r;
}

// The facilitator's referral key pair, from its identity seed (SPEC 5.20).
export function referralKeyOf(identitySeed: Bytes): { publicKey: Bytes; secretKey: Bytes } {
  const s = sodium();
  const secretKey = s.crypto_kdf_derive_from_key(32, 1, 'referral', identitySeed);
  return { publicKey: s.crypto_scalarmult_base(secretKey), secretKey };
}

// The listed keys (GET /v1/referrals/keys), each only inside a statement
// signed by the identity listed beside it.
export function listedReferralKeys(answer: unknown): { identity: Bytes; name?: string; key: Bytes }[] {
  if (!isObject(answer as never) || !Array.isArray((answer as JsonObject).keys)) fail('wrong_type', 'keys');
  return ((answer as JsonObject).keys as unknown[]).map((entry, i) => {
    const e = entry as JsonObject;
    const identity = typeof e?.identity === 'string' ? b64.decode(e.identity) : null;
    if (!identity || identity.length !== 32) fail('bad_value', `keys[${i}].identity`);
    const k: Statement = parseStatement('referral_key', e.referral_key, `keys[${i}].referral_key`);
    if (!equal(k.signer, identity)) fail('bad_signature', `keys[${i}].referral_key`);
    verifySignature(k);
    return { identity, name: typeof e.name === 'string' ? e.name : undefined, key: k.key as Bytes };
  });
}

export const referralAd = (referral: Bytes): Bytes => new Transcript('shuttle/v1/referral').add(referral).data();
export const referralSecretHash = (secret: Bytes): Bytes =>
  blake2b256(new Transcript('shuttle/v1/referral-secret').add(secret).data());

export interface SealedReferral {
  referral: Bytes;
  secret: Bytes;
  ciphertext: Bytes;
  wraps: { reader: Bytes; wrap: Bytes }[];
}

export function sealReferral(r: Referral, keys: Bytes[]): SealedReferral {
  const s = sodium();
  const referral = s.randombytes_buf(16);
  const secret = s.randombytes_buf(32);
  const key = s.crypto_aead_xchacha20poly1305_ietf_keygen();
  const nonce = s.randombytes_buf(24);
  const sealed = s.crypto_aead_xchacha20poly1305_ietf_encrypt(pad(utf8(referralBody(r))), referralAd(referral), null, nonce, key);
  const wraps = keys.map((reader) => ({ reader, wrap: s.crypto_box_seal(concat(key, referral), reader) }));
  s.memzero(key);
  return { referral, secret, ciphertext: concat(nonce, sealed), wraps };
}

export function openReferral(referral: Bytes, ciphertext: Bytes, wrap: Bytes, publicKey: Bytes, secretKey: Bytes): Referral {
  const s = sodium();
  let inner: Bytes;
  try {
    inner = s.crypto_box_seal_open(wrap, publicKey, secretKey);
  } catch {
    fail('wrap_mismatch', 'referral');
  }
  if (inner.length !== 48 || !equal(inner.subarray(32), referral)) fail('wrap_mismatch', 'referral');
  if (ciphertext.length < 24 + 16) fail('decrypt_failed', 'referral');
  let padded: Bytes;
  try {
    padded = s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext.subarray(24), referralAd(referral),
      ciphertext.subarray(0, 24), inner.subarray(0, 32));
  } catch {
    fail('decrypt_failed', 'referral');
  }
  return parseReferralBody(fromUtf8(unpad(padded)));
}

// The body of POST /v1/referrals.
export function referralRequest(x: SealedReferral): JsonObject {
  return {
    referral: b64.encode(x.referral), secret_hash: b64.encode(referralSecretHash(x.secret)),
    ciphertext: b64.encode(x.ciphertext),
    wraps: x.wraps.map((w) => ({ reader: b64.encode(w.reader), wrap: b64.encode(w.wrap) })),
  };
}

export function referralCode(referral: Bytes, secret: Bytes): string {
  return referralCodePrefix + b64.encode(concat(referral, secret));
}

// White space anywhere is dropped: a code pasted from an e-mail arrives wrapped.
export function parseReferralCode(text: string): { referral: Bytes; secret: Bytes } {
  if (text.length > 1024) fail('too_large', 'receipt code');
  const kept = text.replace(/[ \t\r\n]/g, '');
  if (!kept.startsWith(referralCodePrefix)) fail('bad_value', 'not a Shuttle receipt code');
  const raw = b64.decode(kept.slice(referralCodePrefix.length));
  if (!raw || raw.length !== 48 || raw.subarray(0, 16).every((b) => b === 0)) fail('bad_value', 'receipt code');
  return { referral: raw.slice(0, 16), secret: raw.slice(16) };
}

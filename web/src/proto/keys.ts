// Keys, fingerprints and safety numbers (proto/SPEC.md section 4).
import { Bytes } from './bytes.js';
import { blake2b256, sodium } from './sodium.js';
import { Transcript } from './transcript.js';

export interface IdentityKey {
  seed: Bytes;       // 32 bytes
  publicKey: Bytes;  // Ed25519
  secretKey: Bytes;  // 64 bytes (libsodium's form)
}
export interface CaseKey {
  secret: Bytes;     // X25519, 32 bytes
  publicKey: Bytes;
}

export function identityFromSeed(seed: Bytes): IdentityKey {
  const kp = sodium().crypto_sign_seed_keypair(seed);
  return { seed, publicKey: kp.publicKey, secretKey: kp.privateKey };
}
export function newIdentity(): IdentityKey {
  return identityFromSeed(sodium().randombytes_buf(32));
}
export function caseKeyFromSecret(secret: Bytes): CaseKey {
  return { secret, publicKey: sodium().crypto_scalarmult_base(secret) };
}
export function newCaseKey(): CaseKey {
  return caseKeyFromSecret(sodium().randombytes_buf(32));
}
// A fresh random id, never the null id.
export function newId(): Bytes {
  for (;;) {
    const id = sodium().randombytes_buf(16);
    if (id.some((b: number) => b !== 0)) return id;
  }
}

export function fingerprint(identityKey: Bytes): Bytes {
  return blake2b256(new Transcript('shuttle/v1/fingerprint').add(identityKey).data());
}

// Twelve groups of five digits, to read aloud and compare.
export function safetyNumber(identityKey: Bytes): string {
  const digest = sodium().crypto_generichash(64, new Transcript('shuttle/v1/safety-number').add(identityKey).data(), null);
  const groups: string[] = [];
  for (let g = 0; g < 12; g++) {
    let v = 0n;
    for (let i = 0; i < 5; i++) v = (v << 8n) | BigInt(digest[g * 5 + i]);
    groups.push((v % 100000n).toString().padStart(5, '0'));
  }
  return groups.join(' ');
}

// A text sealed on this device (the kept letters, the draft, the states):
// XChaCha20-Poly1305 under a device key, `ad` as additional data, written
// as "nonce.box" in base64url. The page and its crypto worker use the same.
import * as b64 from '../proto/base64url.js';
import { Bytes, fromUtf8, utf8 } from '../proto/bytes.js';
import { sodium } from '../proto/sodium.js';

export function sealText(key: Bytes, value: string, ad: string): string {
  const s = sodium();
  const nonce = s.randombytes_buf(24);
  const box = s.crypto_aead_xchacha20poly1305_ietf_encrypt(utf8(value), utf8(ad), null, nonce, key);
  return `${b64.encode(nonce)}.${b64.encode(box)}`;
}

export function openText(key: Bytes, sealed: string, ad: string): string {
  const [nonce, box] = sealed.split('.').map((p) => b64.decode(p)!);
  return fromUtf8(sodium().crypto_aead_xchacha20poly1305_ietf_decrypt(null, box, utf8(ad), nonce, key));
}

// The letters a person received or wrote, kept on this device so they stay
// readable after the person leaves the process or the case closes: in
// IndexedDB, each sealed with XChaCha20-Poly1305 under a key derived from the
// identity key (as the CLI's mailbox does), so they open only once unlocked.
import * as b64 from '../proto/base64url.js';
import { Bytes, fromUtf8, utf8 } from '../proto/bytes.js';
import { sodium } from '../proto/sodium.js';
import { session } from './session.js';
import * as vault from './vault.js';

export interface KeptAttachment {
  name: string;
  type: string;
  data: string;      // base64url
}
export interface KeptLetter {
  message: string;
  mine: boolean;
  at: number;        // when it was kept, Unix seconds
  text: string;
  notes: string[];   // the facilitators' notes that came with it
  attachments?: KeptAttachment[];
}

function key(): Bytes {
  const s = sodium();
  return s.crypto_kdf_derive_from_key(32, 3, 'shutkept', session().keys.identity.seed);
}

export async function keep(l: KeptLetter): Promise<void> {
  const s = sodium();
  const nonce = s.randombytes_buf(24);
  const box = s.crypto_aead_xchacha20poly1305_ietf_encrypt(utf8(JSON.stringify(l)), utf8(l.message), null, nonce, key());
  await vault.put(`letter/${l.message}`, `${b64.encode(nonce)}.${b64.encode(box)}`);
  const index = JSON.parse((await vault.get('letters')) ?? '[]') as string[];
  if (!index.includes(l.message)) await vault.put('letters', JSON.stringify([...index, l.message]));
}

export async function kept(message: string): Promise<KeptLetter | undefined> {
  const text = await vault.get(`letter/${message}`);
  if (!text) return undefined;
  const [nonce, box] = text.split('.').map((p) => b64.decode(p)!);
  const s = sodium();
  return JSON.parse(fromUtf8(s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, box, utf8(message), nonce, key())));
}

export async function all(): Promise<KeptLetter[]> {
  const index = JSON.parse((await vault.get('letters')) ?? '[]') as string[];
  const out: KeptLetter[] = [];
  for (const m of index) {
    const l = await kept(m);
    if (l) out.push(l);
  }
  return out;
}

// The letter being written, kept sealed like the letters, until it is sent.
export async function saveDraft(text: string): Promise<void> {
  const s = sodium();
  const nonce = s.randombytes_buf(24);
  const box = s.crypto_aead_xchacha20poly1305_ietf_encrypt(utf8(text), utf8('draft'), null, nonce, key());
  await vault.put('draft', text ? `${b64.encode(nonce)}.${b64.encode(box)}` : '');
}
export async function draft(): Promise<string> {
  const text = await vault.get('draft');
  if (!text) return '';
  const [nonce, box] = text.split('.').map((p) => b64.decode(p)!);
  return fromUtf8(sodium().crypto_aead_xchacha20poly1305_ietf_decrypt(null, box, utf8('draft'), nonce, key()));
}

export async function forget(message: string): Promise<void> {
  await vault.put(`letter/${message}`, '');
  const index = JSON.parse((await vault.get('letters')) ?? '[]') as string[];
  await vault.put('letters', JSON.stringify(index.filter((m) => m !== message)));
}

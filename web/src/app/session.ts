// The unlocked state of this page: the keys (opened from the keystore with
// the passphrase, held only in this page's memory), the session token, and
// the person's case. Locking wipes them: after a period without use, with
// "Lock now", and when the page is left.
import * as b64 from '../proto/base64url.js';
import { Role } from '../proto/codec.js';
import { signLogin } from '../proto/enrolment.js';
import { Keys, openKeystore } from '../proto/keystore.js';
import { sodium } from '../proto/sodium.js';
import { post, setToken } from './relay.js';
import * as events from './events.js';
import * as vault from './vault.js';

export interface CaseEntry {
  case: string;    // base64url id
  role: Role;
  pinned: string;  // the facilitator key the invitation pinned: the roster's root
}
export interface Session {
  keys: Keys;
  caseEntry: CaseEntry;
}

export const idleMinutes = 10;
let current: Session | null = null;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
let onLocked: (reason?: 'idle') => void = () => {};

export function session(): Session {
  if (!current) throw new Error('locked');
  return current;
}
export function isUnlocked(): boolean {
  return current !== null;
}
export async function hasProfile(): Promise<boolean> {
  return (await vault.get('keystore')) !== undefined;
}

export async function login(keys: Keys): Promise<void> {
  const identity = b64.encode(keys.identity.publicKey);
  const challenge = await post('/v1/login/challenge', { identity });
  const relayKey = challenge.relay_key as string;
  // The relay's key is pinned at the first login; another one later is refused.
  const known = await vault.get('relay_key');
  if (known && known !== relayKey) throw new Error('the relay presents another key than the one this device knows');
  if (!known) await vault.put('relay_key', relayKey);
  const signature = signLogin(keys.identity, b64.decode(challenge.challenge as string)!, b64.decode(relayKey)!);
  const answer = await post('/v1/login', { identity, challenge: challenge.challenge as string, signature: b64.encode(signature) });
  setToken(answer.token as string);
}

export function start(keys: Keys, caseEntry: CaseEntry, locked: (reason?: 'idle') => void): void {
  current = { keys, caseEntry };
  onLocked = locked;
  touch();
}

// Opens this device's keystore with the passphrase and logs in.
export async function unlock(passphrase: string, locked: (reason?: 'idle') => void): Promise<void> {
  const text = await vault.get('keystore');
  if (!text) throw new Error('no keys on this device');
  const keys = openKeystore(text, passphrase);
  const cases = JSON.parse((await vault.get('cases')) ?? '[]') as CaseEntry[];
  if (cases.length === 0) throw new Error('no case on this device');
  await login(keys);
  start(keys, cases[0], locked);
}

export function lock(reason?: 'idle'): void {
  if (current) {
    const s = sodium();
    s.memzero(current.keys.identity.secretKey);
    s.memzero(current.keys.identity.seed);
    for (const k of current.keys.caseKeys.values()) s.memzero(k.secret);
  }
  current = null;
  events.stop();
  setToken('');
  clearTimeout(idleTimer);
  onLocked(reason);
}

// Any use of the page keeps it unlocked for another idleMinutes.
export function touch(): void {
  if (!current) return;
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => lock('idle'), idleMinutes * 60 * 1000);
}

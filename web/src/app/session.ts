// The unlocked state of this page: the keys (opened from the keystore with
// the passphrase, held only in this page's memory), the session token, and
// what the keys are for (the party's case; the facilitator's cases). Locking
// wipes them: after a period without use, with "Lock now", and when the page
// is left. One Session per page, made by the composition root (the parties'
// or the facilitators'); it tells the root when it locks and knows no view.
import * as b64 from '../proto/base64url.js';
import { Role } from '../proto/codec.js';
import { signLogin } from '../proto/enrolment.js';
import type { Keys } from '../proto/keystore.js';
import { sodium } from '../proto/sodium.js';
import { loginChallenge, serviceName, sessionToken } from './answers.js';
import type { CryptoWorker } from './crypto.js';
import { Relay } from './relay.js';
import { Vault } from './vault.js';

export interface CaseEntry {
  case: string;    // base64url id
  role: Role;
  pinned: string;  // the facilitator key the invitation pinned: the roster's root
}
export interface Unlocked {
  keys: Keys;
  caseEntry: CaseEntry;
}
// What the keys are for, read from the vault once they open: the parties'
// root wants its one case; the console the facilitator's cases.
export type Holder<U> = (keys: Keys, cases: CaseEntry[]) => U;
export const partyHolder: Holder<Unlocked> = (keys, cases) => {
  if (cases.length === 0) throw new Error('no case on this device');
  return { keys, caseEntry: cases[0] };
};
// Why the page locked: idle too long; this device forgotten in another tab; or asked to.
export type LockReason = 'idle' | 'forgotten' | undefined;

export class RelayKeyChanged extends Error {}

export class Session<U extends { keys: Keys } = Unlocked> {
  static readonly idleMinutes = 10;
  private current: U | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  // Who this page talks to, as of the last login: the service's name and the relay key pinned on this device.
  service: string | undefined;
  relayKey: string | undefined;

  constructor(private readonly relay: Relay, private readonly vault: Vault, private readonly crypto: CryptoWorker,
              private readonly onLocked: (reason: LockReason) => void, private readonly holder: Holder<U>) {}

  get unlocked(): U {
    if (!this.current) throw new Error('locked');
    return this.current;
  }
  get isUnlocked(): boolean {
    return this.current !== null;
  }
  async hasProfile(): Promise<boolean> {
    return (await this.vault.get('keystore')) !== undefined;
  }

  async login(keys: Keys): Promise<void> {
    const identity = b64.encode(keys.identity.publicKey);
    const challenge = loginChallenge(await this.relay.post('/v1/login/challenge', { identity }));
    // The relay's key is pinned at the first login; another one later is refused.
    const known = await this.vault.get('relay_key');
    if (known && known !== challenge.relayKey) throw new RelayKeyChanged();
    if (!known) await this.vault.put('relay_key', challenge.relayKey);
    const signature = signLogin(keys.identity, challenge.challengeBytes, challenge.relayKeyBytes);
    const answer = await this.relay.post('/v1/login', { identity, challenge: challenge.challenge,
      signature: b64.encode(signature) });
    this.relay.setToken(sessionToken(answer));
    this.relayKey = challenge.relayKey;
    this.service = serviceName(await this.relay.get('/v1/me'));
  }

  start(unlocked: U): void {
    this.current = unlocked;
    this.touch();
  }

  // Opens this device's keystore with the passphrase and logs in.
  async unlock(passphrase: string): Promise<void> {
    const text = await this.vault.get('keystore');
    if (!text) throw new Error('no keys on this device');
    const keys = await this.crypto.openKeystore(text, passphrase);  // Argon2id, in the worker
    const unlocked = this.holder(keys, JSON.parse((await this.vault.get('cases')) ?? '[]') as CaseEntry[]);
    await this.login(keys);
    this.start(unlocked);
  }

  lock(reason?: LockReason): void {
    if (this.current) {
      const s = sodium();
      s.memzero(this.current.keys.identity.secretKey);
      s.memzero(this.current.keys.identity.seed);
      for (const k of this.current.keys.caseKeys.values()) s.memzero(k.secret);
    }
    this.current = null;
    this.relay.setToken('');
    clearTimeout(this.idleTimer);
    this.onLocked(reason);
  }

  // Any use of the page keeps it unlocked for another idleMinutes.
  touch(): void {
    if (!this.current) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.lock('idle'), Session.idleMinutes * 60 * 1000);
  }
}

// Requests from people with no account (SPEC 5.20, 6.8), as data for the
// console's views: this facilitator's referral key published when the relay
// lacks it, the open requests opened with it, and a case opened from one
// named on it. The Requests page (referrals.ts) and the queue's count use it.
import * as b64 from '../proto/base64url.js';
import { equal } from '../proto/bytes.js';
import { nullCase, sign, toJsonValue } from '../proto/codec.js';
import { newId } from '../proto/keys.js';
import { Referral, ReferralState, listedReferralKeys, openReferral, referralKeyOf } from '../proto/referral.js';
import { referralList } from '../app/answers.js';
import type { Console } from './parts.js';

export interface ReferralItem {
  referral: string;
  receivedAt: number;
  state: ReferralState;
  request?: Referral;  // none: not sealed to this facilitator's key
  enteredByName?: string;
  entered: boolean;
  case?: string;
}

const myKey = (c: Console) => referralKeyOf(c.session.unlocked.keys.identity.seed);

// This facilitator's referral key on the relay, published if the list lacks it.
export async function ensureReferralKey(c: Console): Promise<void> {
  const { identity } = c.session.unlocked.keys;
  const mine = myKey(c);
  if (c.referralKey.published === b64.encode(mine.publicKey)) return;
  const listed = listedReferralKeys(await c.relay.get('/v1/referrals/keys'));
  if (!listed.some((k) => equal(k.identity, identity.publicKey) && equal(k.key, mine.publicKey))) {
    const k = sign({ type: 'referral_key', id: newId(), case: nullCase, created_at: Math.floor(Date.now() / 1000),
      key: mine.publicKey }, identity.secretKey, identity.publicKey);
    await c.relay.post('/v1/referral-key', { referral_key: toJsonValue(k) });
  }
  c.referralKey.published = b64.encode(mine.publicKey);
}

// The open requests, oldest first, each opened where it can be.
export async function referrals(c: Console): Promise<ReferralItem[]> {
  await ensureReferralKey(c);
  const key = myKey(c);
  return referralList(await c.relay.get('/v1/referrals')).map((l) => {
    const item: ReferralItem = { referral: l.referral, receivedAt: l.receivedAt, state: l.state, entered: l.entered,
      enteredByName: l.enteredByName, case: l.case };
    const id = b64.decode(l.referral);
    if (id && l.ciphertext && l.wrap) {
      try {
        item.request = openReferral(id, l.ciphertext, l.wrap, key.publicKey, key.secretKey);
      } catch {
        // Shown as not readable here, never as if it said nothing.
      }
    }
    return item;
  });
}

// After a case was opened from a request: the request names it, and its writer sees someone has been in touch.
export async function caseOpenedFrom(c: Console, referral: string, caseId: string): Promise<void> {
  await c.relay.post('/v1/referrals/state', { referral, state: 'contacted', case: caseId });
}

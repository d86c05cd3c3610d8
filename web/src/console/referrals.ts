// Requests from people with no account (issue 23, item 1; SPEC 5.20, 6.8),
// as the console shows them: opened in this page with the referral key the
// facilitator's identity seed gives; each can be marked as contacted, made
// into a case, or closed (which deletes it from the relay). The console
// publishes its referral key when the relay's list lacks it.
import * as b64 from '../proto/base64url.js';
import { JsonNumber } from '../proto/json.js';
import { equal } from '../proto/bytes.js';
import { sign, toJsonValue, nullCase } from '../proto/codec.js';
import { newId } from '../proto/keys.js';
import { Referral, ReferralState, listedReferralKeys, openReferral, referralKeyOf } from '../proto/referral.js';
import { ask } from '../app/dialog.js';
import { h, show as draw } from '../app/dom.js';
import { wordsFor } from '../app/failure.js';
import { when } from '../app/letter_parts.js';
import type { Console } from './parts.js';
import { footer } from './queue.js';

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

const numberOf = (v: unknown) => (v instanceof JsonNumber ? Number(v.text) : 0);

// The open referrals, oldest first, each opened where it can be.
export async function referrals(c: Console): Promise<ReferralItem[]> {
  await ensureReferralKey(c);
  const answer = await c.relay.get('/v1/referrals');
  const key = myKey(c);
  const list = Array.isArray(answer.referrals) ? answer.referrals : [];
  return list.map((v) => {
    const o = v as Record<string, unknown>;
    const item: ReferralItem = { referral: String(o.referral), receivedAt: numberOf(o.received_at),
      state: o.state as ReferralState, entered: typeof o.entered_by === 'string',
      enteredByName: typeof o.entered_by_name === 'string' ? o.entered_by_name : undefined,
      case: typeof o.case === 'string' ? o.case : undefined };
    const id = b64.decode(item.referral);
    const ciphertext = typeof o.ciphertext === 'string' ? b64.decode(o.ciphertext) : null;
    const wrap = typeof o.wrap === 'string' ? b64.decode(o.wrap) : null;
    if (id && ciphertext && wrap) {
      try {
        item.request = openReferral(id, ciphertext, wrap, key.publicKey, key.secretKey);
      } catch {
        // Shown as not readable here, never as if it said nothing.
      }
    }
    return item;
  });
}

function entry(c: Console, r: ReferralItem): HTMLElement {
  const { t } = c.strings;
  const facts = [
    t('console_referral_received', { date: when(c.strings, r.receivedAt) }),
    r.state === 'contacted' ? t('console_referral_contacted') : t('console_referral_not_contacted'),
    r.entered ? t('console_referral_entered', { name: r.enteredByName ?? t('console_a_colleague') }) : null,
  ].filter((x): x is string => x !== null);
  const q = r.request;
  const body = q ? [
    q.referrer ? h('p', {}, t('console_referral_referrer', { who: q.referrer })) : null,
    q.about ? h('p', {}, t(q.about === 'harmed' ? 'console_referral_harmed' : 'console_referral_responsible')) : null,
    h('p', {}, t('console_referral_contact', { how: q.contact })),
    h('p', {}, t('console_referral_language', { language: q.language === 'nb' ? 'norsk bokmål' : 'English' })),
    h('blockquote', { dir: 'auto' }, ...q.what_happened.split('\n').map((line) => h('p', { dir: 'auto' }, line))),
  ] : [h('p', { class: 'notice' }, t('console_referral_unreadable'))];
  const contacted = h('button', { type: 'button', class: 'quiet' }, t('console_referral_mark_contacted'));
  contacted.addEventListener('click', () => void setState(c, r, 'contacted'));
  const close = h('button', { type: 'button', class: 'quiet' }, t('console_referral_close'));
  close.addEventListener('click', async () => {
    if (await ask({ title: t('console_referral_close_title'), text: [t('console_referral_close_text')],
      confirm: t('console_referral_close'), cancel: t('cancel'), serious: true })) {
      await setState(c, r, 'closed');
    }
  });
  const open = r.case ? h('a', { href: `#case=${r.case}` }, t('console_attention_see_case'))
    : h('a', { href: `#open=${r.referral}`, class: 'button' }, t('console_referral_open_case'));
  return h('li', { class: 'queue-item', 'data-referral': r.referral },
    h('h2', {}, t('console_referral_heading', { date: when(c.strings, r.receivedAt) })),
    h('ul', { class: 'facts' }, ...facts.map((f) => h('li', {}, f))), ...body,
    h('div', { class: 'choices' }, open, r.state === 'received' ? contacted : null, close));
}

async function setState(c: Console, r: ReferralItem, state: 'contacted' | 'closed', caseId?: string): Promise<void> {
  const { t } = c.strings;
  try {
    await c.relay.post('/v1/referrals/state', { referral: r.referral, state, ...(caseId ? { case: caseId } : {}) });
    c.views.go({ view: 'referrals' }, { replace: true,
      notice: t(state === 'closed' ? 'console_referral_closed' : 'console_referral_marked') });
  } catch (e) {
    c.views.go({ view: 'referrals' }, { replace: true, notice: wordsFor(c.strings, e) });
  }
}

// After a case was opened from a referral: the referral names it.
export async function caseOpenedFrom(c: Console, referral: string, caseId: string): Promise<void> {
  await c.relay.post('/v1/referrals/state', { referral, state: 'contacted', case: caseId });
}

export async function show(c: Console, notice?: string): Promise<void> {
  const { t } = c.strings;
  let list: ReferralItem[];
  try {
    list = await referrals(c);
  } catch (e) {
    draw(h('h1', {}, t('console_referrals_title')), h('p', { role: 'alert', class: 'problem' }, wordsFor(c.strings, e)), footer(c));
    return;
  }
  if (c.views.current().view !== 'referrals') return;
  draw(h('h1', {}, t('console_referrals_title')),
    notice ? h('p', { role: 'status', class: 'status' }, notice) : null,
    h('p', { class: 'help' }, t('console_referrals_help')),
    list.length ? h('ol', { class: 'queue', id: 'referrals' }, ...list.map((r) => entry(c, r)))
      : h('p', { id: 'referrals' }, t('console_referrals_none')),
    footer(c));
}

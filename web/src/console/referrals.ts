// The Requests page (issue 23, item 1; SPEC 5.20, 6.8): requests from
// people with no account, opened in this page with the referral key the
// facilitator's identity seed gives (requests.ts); each can be marked as
// contacted, made into a case, or closed (which deletes it from the relay).
import { ask } from '../app/dialog.js';
import { h, show as draw } from '../app/dom.js';
import { wordsFor } from '../app/failure.js';
import { when } from '../app/letter_parts.js';
import type { Console } from './parts.js';
import { footer } from './queue.js';
import { ReferralItem, referrals } from './requests.js';

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

// The service's public page for people with no account (issue 23, item 1;
// SPEC 6.8): "#refer" asks to be contacted, "#receipt" shows where a request
// is by its receipt code. What the person writes is sealed here, in the
// page, to every facilitator's referral key; the relay keeps only
// ciphertext. Nothing is kept in this browser: the receipt code is shown
// once, for the person to keep.
import * as b64 from '../proto/base64url.js';
import { utf8 } from '../proto/bytes.js';
import { Referral, ReferralState, listedReferralKeys, parseReferralCode, referralCode, referralLimits,
  referralRequest, sealReferral } from '../proto/referral.js';
import { ready } from '../proto/sodium.js';
import { referralStatus } from '../app/answers.js';
import { h, show } from '../app/dom.js';
import { wordsFor } from '../app/failure.js';
import { Key, Strings } from '../app/i18n.js';
import { languageSwitch, startingLanguage } from '../app/language.js';
import { when } from '../app/letter_parts.js';
import { Relay, RelayRefusal } from '../app/relay.js';

interface Page {
  strings: Strings;
  relay: Relay;
  screen: { redraw: () => void };
}

// Whether the address is this page's.
export const wantsReferral = (hash: string): boolean => hash === '#refer' || hash.startsWith('#receipt');

export function startReferral(): void {
  const page: Page = { strings: new Strings(), relay: new Relay(), screen: { redraw: () => {} } };
  startingLanguage(page.strings);
  const retitle = () => { document.title = page.strings.t(location.hash.startsWith('#receipt') ? 'receipt_title' : 'refer_title'); };
  document.body.prepend(h('header', {}, languageSwitch(page, retitle)));
  const route = () => {
    retitle();
    if (location.hash.startsWith('#receipt')) lookUp(page);
    else ask(page);
  };
  window.addEventListener('hashchange', route);
  route();
}

const said = (text: string, role: 'status' | 'alert' = 'status') => h('p', { role, class: role === 'alert' ? 'problem' : 'status' }, text);

// The form: what happened, how to reach them, who they are (if they say),
// and whether they ask for someone else.
function ask(page: Page, problem?: string, kept?: Referral & { forSomeone: boolean }): void {
  const { t } = page.strings;
  const what = h('textarea', { id: 'what', rows: '10', required: true, dir: 'auto', 'aria-describedby': 'sealed' });
  const contact = h('input', { id: 'contact', type: 'text', required: true, autocomplete: 'off', 'aria-describedby': 'contact-help' });
  const aboutChoices = ([['harmed', 'refer_about_harmed'], ['responsible', 'refer_about_responsible'], ['', 'refer_about_unsaid']] as const)
    .map(([value, key]) => {
      const input = h('input', { type: 'radio', name: 'about', id: `about-${value || 'unsaid'}`, value });
      input.checked = (kept?.about ?? '') === value;
      return h('div', {}, input, h('label', { for: input.id, class: 'inline' }, t(key)));
    });
  const forSomeone = h('input', { type: 'checkbox', id: 'for-someone' });
  const referrer = h('input', { id: 'referrer', type: 'text', autocomplete: 'off' });
  const referrerPart = h('div', { hidden: true }, h('label', { for: 'referrer' }, t('refer_referrer')), referrer);
  forSomeone.addEventListener('change', () => { referrerPart.hidden = !forSomeone.checked; });
  if (kept) {
    what.value = kept.what_happened;
    contact.value = kept.contact;
    forSomeone.checked = kept.forSomeone;
    referrerPart.hidden = !kept.forSomeone;
    referrer.value = kept.referrer ?? '';
  }
  const form = h('form', { novalidate: true },
    h('label', { for: 'what' }, t('refer_what')), what,
    h('label', { for: 'contact' }, t('refer_contact')),
    h('p', { id: 'contact-help', class: 'help' }, t('refer_contact_help')), contact,
    h('fieldset', {}, h('legend', {}, t('refer_about')), ...aboutChoices),
    h('div', {}, forSomeone, h('label', { for: 'for-someone', class: 'inline' }, t('refer_for_someone'))),
    referrerPart,
    h('div', { class: 'choices' }, h('button', { type: 'submit' }, t('refer_send'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const about = (form.querySelector('input[name=about]:checked') as HTMLInputElement | null)?.value;
    const request: Referral & { forSomeone: boolean } = {
      language: page.strings.language, what_happened: what.value.replace(/\r\n?/g, '\n'), contact: contact.value.trim(),
      forSomeone: forSomeone.checked,
      ...(about === 'harmed' || about === 'responsible' ? { about } : {}),
      ...(forSomeone.checked && referrer.value.trim() ? { referrer: referrer.value.trim() } : {}),
    };
    void send(page, request);
  });
  page.screen.redraw = () => ask(page, problem, kept);
  show(h('h1', {}, t('refer_title')), h('p', {}, t('refer_intro')), h('p', { id: 'sealed' }, t('refer_sealed')),
    problem ? said(problem, 'alert') : null, form,
    h('p', {}, h('a', { href: '#receipt' }, t('receipt_link'))));
}

// Why a request cannot go as written, in words; nothing when it can.
function problemWith(page: Page, r: Referral): string | undefined {
  const { t } = page.strings;
  if (!r.what_happened.trim()) return t('refer_empty');
  if (!r.contact) return t('refer_no_contact');
  const over = (text: string | undefined, max: number) => text !== undefined && utf8(text).length > max;
  if (over(r.what_happened, referralLimits.textBytes)) return t('refer_too_long', { field: t('refer_what') });
  if (over(r.contact, referralLimits.contactBytes)) return t('refer_too_long', { field: t('refer_contact') });
  if (over(r.referrer, referralLimits.referrerBytes)) return t('refer_too_long', { field: t('refer_referrer') });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(r.what_happened + r.contact + (r.referrer ?? ''))) return t('refer_empty');
  return undefined;
}

async function send(page: Page, request: Referral & { forSomeone: boolean }): Promise<void> {
  const { t } = page.strings;
  const { forSomeone: _, ...r } = request;
  const problem = problemWith(page, r);
  if (problem) return ask(page, problem, request);
  show(h('h1', {}, t('refer_title')), said(t('refer_sending')));
  try {
    await ready();
    // Sealed to every facilitator's key the relay lists, each signed by its
    // facilitator; if they changed meanwhile, sealed again to the new list, once.
    for (let attempt = 0; ; attempt++) {
      const keys = listedReferralKeys(await page.relay.get('/v1/referrals/keys'));
      if (keys.length === 0) return ask(page, t('refer_no_one'), request);
      const sealed = sealReferral(r, keys.map((k) => k.key));
      try {
        await page.relay.post('/v1/referrals', referralRequest(sealed));
      } catch (e) {
        if (attempt === 0 && e instanceof RelayRefusal && e.code === 'wraps_mismatch') continue;
        throw e;
      }
      return received(page, referralCode(sealed.referral, sealed.secret));
    }
  } catch (e) {
    return ask(page, wordsFor(page.strings, e), request);
  }
}

// The receipt code, shown once, with a way to copy it.
function received(page: Page, code: string): void {
  const { t } = page.strings;
  const copy = h('button', { type: 'button', class: 'quiet' }, t('refer_copy'));
  const copied = h('p', { role: 'status' });
  copy.addEventListener('click', () => {
    void navigator.clipboard?.writeText(code).then(() => { copied.textContent = t('refer_copied'); }, () => {});
  });
  page.screen.redraw = () => received(page, code);
  show(h('h1', {}, t('refer_done_title')), h('p', {}, t('refer_done')),
    h('p', { id: 'code-help' }, t('refer_code_help')),
    h('p', {}, h('strong', { id: 'code-label' }, t('refer_code_label'))),
    h('p', { class: 'code', id: 'receipt-code', 'aria-labelledby': 'code-label' }, h('code', {}, code)),
    h('div', { class: 'choices' }, copy), copied,
    h('p', {}, h('a', { href: '#receipt' }, t('receipt_link'))));
}

const stateWords: Record<ReferralState, Key> = {
  received: 'receipt_received', contacted: 'receipt_contacted', closed: 'receipt_closed',
};

// Where a request is, by its receipt code (pasted whole; line breaks do not matter).
function lookUp(page: Page, problem?: string, answer?: string, typed = ''): void {
  const { t } = page.strings;
  const input = h('textarea', { id: 'receipt', rows: '3', autocomplete: 'off', spellcheck: 'false', required: true });
  input.value = typed;
  const form = h('form', { novalidate: true }, h('label', { for: 'receipt' }, t('receipt_code')), input,
    h('div', { class: 'choices' }, h('button', { type: 'submit' }, t('receipt_look'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void look(page, input.value);
  });
  page.screen.redraw = () => lookUp(page, problem, answer, typed);
  show(h('h1', {}, t('receipt_title')), problem ? said(problem, 'alert') : null, answer ? said(answer) : null, form,
    h('p', {}, h('a', { href: '#refer' }, t('refer_link'))));
}

async function look(page: Page, typed: string): Promise<void> {
  const { t } = page.strings;
  let code;
  try {
    code = parseReferralCode(typed);
  } catch {
    return lookUp(page, t('receipt_bad'), undefined, typed);
  }
  try {
    const { state, receivedAt } = referralStatus(await page.relay.post('/v1/referrals/status',
      { referral: b64.encode(code.referral), secret: b64.encode(code.secret) }));
    return lookUp(page, undefined, t(stateWords[state], { date: when(page.strings, receivedAt) }), typed);
  } catch (e) {
    if (e instanceof RelayRefusal && e.code === 'not_found') return lookUp(page, t('receipt_unknown'), undefined, typed);
    return lookUp(page, wordsFor(page.strings, e), undefined, typed);
  }
}

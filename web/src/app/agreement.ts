// The outcome agreement as a party meets it (SPEC 5.17, 5.18, 6.6 and 9):
// the facilitators' text, item by item, opened on this device; who has
// signed it (only signatures that verify count); signing it after reading it
// whole, in a dialog that says what signing means; asking the facilitators
// for changes; and, once it binds, each item marked done or not done.
import * as b64 from '../proto/base64url.js';
import { Bytes, equal } from '../proto/bytes.js';
import { sign, toJsonValue, verifySignature } from '../proto/codec.js';
import type { AgreementItem } from '../proto/agreement.js';
import { newId } from '../proto/keys.js';
import { checkReleased } from '../proto/roster.js';
import { AgreementState, CaseDetail, agreementState, caseDetail } from './answers.js';
import type { App } from './app.js';
import { ask } from './dialog.js';
import { h, show } from './dom.js';
import { wordsFor } from './failure.js';
import * as parts from './letter_parts.js';
import { whoWords } from './people.js';

const caseId = (app: App) => app.session.unlocked.caseEntry.case;

export interface Agreement extends parts.OpenedAgreement {
  detail: CaseDetail;  // the case's people, to name who signed
}

// The agreement state as the relay lists it, before anything is opened: for
// the list's line. Nothing when the case has none.
export async function agreementListed(app: App): Promise<AgreementState | undefined> {
  return agreementState(await app.relay.get(`/v1/cases/${caseId(app)}/agreement`));
}

// Whether this person has signed the listed agreement: their own signature,
// verified as theirs, among those the relay lists.
export function signedByMe(app: App, state: AgreementState): boolean {
  const me = app.session.unlocked.keys.identity.publicKey;
  return state.signatures.some((s) => {
    if (!equal(s.signer, me) || s.message === undefined || b64.encode(s.message as Bytes) !== state.message) return false;
    try {
      verifySignature(s);
      return true;
    } catch {
      return false;
    }
  });
}

// The agreement in force, opened and checked on this device.
async function load(app: App): Promise<Agreement | undefined> {
  const state = await agreementListed(app);
  if (!state) return undefined;
  const detail = caseDetail(await app.relay.get(`/v1/cases/${caseId(app)}`));
  const r = parts.rosterFrom(detail, caseId(app), app.session.unlocked.caseEntry.pinned);
  const { keys } = app.session.unlocked;
  const me = { identity: keys.identity, caseKey: keys.caseKeys.get(caseId(app))! };
  // A party reads it as released to it (an agreement needs no approval).
  const opened = await parts.openAgreement(app, caseId(app), r,
    (envelope) => checkReleased(r, envelope, [], me, Math.floor(Date.now() / 1000)).key, state);
  return opened && { ...opened, detail };
}

function itemView(app: App, a: Agreement, item: AgreementItem, n: number): HTMLElement {
  const { t } = app.strings;
  const mark = a.checked.marks.find((m) => m.item === n);
  const by = mark && a.detail.participants.find((p) => p.identity === b64.encode(mark.by));
  return h('li', {},
    h('p', { class: 'agreement-what', dir: 'auto' }, item.what),
    h('dl', {},
      h('dt', {}, t('agreement_who')), h('dd', { dir: 'auto' }, item.who),
      h('dt', {}, t('agreement_by')), h('dd', { dir: 'auto' }, item.by),
      h('dt', {}, t('agreement_check')), h('dd', { dir: 'auto' }, item.check)),
    mark ? h('p', { class: 'notice' }, t(mark.done ? 'agreement_done' : 'agreement_not_done',
      { who: by ? whoWords(app, by) : t('who_a_facilitator') })) : null);
}

// Everyone who has to sign, with whether they have: each once, in words.
function signatureLines(app: App, a: Agreement): HTMLElement[] {
  const { t } = app.strings;
  const list = (words: string[]) => new Intl.ListFormat(app.strings.language === 'nb' ? 'nb-NO' : 'en-GB',
    { type: 'conjunction' }).format(words);
  // You first, then the other person, then the facilitators.
  const mine = b64.encode(app.session.unlocked.keys.identity.publicKey);
  const rank = (p: { identity: string; role: string }) => (p.identity === mine ? 0 : p.role === 'facilitator' ? 2 : 1);
  const signs = a.detail.participants.filter((p) => p.state === 'active' &&
    (p.role === 'harmed' || p.role === 'responsible' || p.role === 'facilitator')).sort((x, y) => rank(x) - rank(y));
  const done = (identity: string) => a.checked.signers.some((s) => s.sameText && b64.encode(s.identity) === identity);
  const signed = signs.filter((p) => done(p.identity)).map((p) => whoWords(app, p));
  const waiting = signs.filter((p) => !done(p.identity)).map((p) => whoWords(app, p));
  const other = a.checked.signers.filter((s) => !s.sameText).map((s) => {
    const p = a.detail.participants.find((x) => x.identity === b64.encode(s.identity));
    return p ? whoWords(app, p) : t('who_a_facilitator');
  });
  const lines: HTMLElement[] = [];
  if (signed.length) lines.push(h('p', { id: 'agreement-signed' }, t('agreement_signed_by', { list: list(signed) })));
  if (waiting.length && a.boundAt === undefined) {
    lines.push(h('p', { id: 'agreement-waiting' }, t('agreement_waiting_for', { list: list(waiting) })));
  }
  if (other.length) lines.push(h('p', { class: 'notice' }, t('agreement_other_text', { list: list(other) })));
  return lines;
}

export async function agreementView(app: App, notice?: string): Promise<void> {
  const { t } = app.strings;
  const back = h('button', { type: 'button', class: 'quiet' }, t('back'));
  back.addEventListener('click', () => app.views.go({ view: 'letters' }));
  let a: Agreement | undefined;
  try {
    a = await load(app);
  } catch (e) {
    if (app.views.current().view !== 'agreement') return;
    return app.views.go({ view: 'letters' }, { replace: true, notice: wordsFor(app.strings, e) });
  }
  if (app.views.current().view !== 'agreement') return;  // moved on while it loaded
  if (!a) return show(h('h1', {}, t('agreement_title')), h('p', {}, t('agreement_none')), back);
  const agreement = a;
  const mine = b64.encode(app.session.unlocked.keys.identity.publicKey);
  const iSigned = agreement.checked.signers.some((s) => s.sameText && b64.encode(s.identity) === mine);
  const signButton = h('button', { type: 'button' }, t('agreement_sign'));
  signButton.addEventListener('click', async () => {
    const sure = await ask({ title: t('agreement_sign_title'), text: [t('agreement_sign_explain')],
      confirm: t('agreement_sign_go'), cancel: t('agreement_sign_not_now') });
    if (!sure) return;
    signButton.setAttribute('disabled', '');
    const { identity } = app.session.unlocked.keys;
    const s = sign({ type: 'agreement_signature', id: newId(), case: b64.decode(caseId(app))!,
      created_at: Math.floor(Date.now() / 1000), message: b64.decode(agreement.message)!, agreement_hash: agreement.hash },
    identity.secretKey, identity.publicKey);
    try {
      await app.relay.post(`/v1/cases/${caseId(app)}/agreement/signatures`, { signature: toJsonValue(s) });
    } catch (e) {
      return void agreementView(app, wordsFor(app.strings, e));
    }
    void agreementView(app, t('agreement_signed_done'));
  });
  const changes = h('button', { type: 'button', class: 'quiet' }, t('agreement_ask_changes'));
  changes.addEventListener('click', () => app.views.go({ view: 'ask' }));
  const bound = agreement.boundAt !== undefined;
  show(h('h1', {}, t('agreement_title')),
    notice ? h('p', { role: 'status', class: 'status' }, notice) : null,
    h('p', {}, t(bound ? 'agreement_bound' : 'agreement_intro',
      { date: bound ? parts.when(app.strings, agreement.boundAt!) : '' })),
    h('ol', { class: 'agreement', id: 'agreement-items' }, ...agreement.items.map((item, i) => itemView(app, agreement, item, i + 1))),
    ...signatureLines(app, agreement),
    bound || iSigned ? null : h('p', { class: 'help' }, t('agreement_sign_help')),
    h('div', { class: 'choices' }, bound || iSigned ? null : signButton, bound ? null : changes, back));
}

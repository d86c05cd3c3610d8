// The outcome agreement on a case's page, for its facilitators (SPEC 5.17,
// 5.18, 6.6): the agreement in force opened in the page with who has signed
// it, the facilitator's own signature, the form to write it (or a new
// version, which replaces it) as items, and once it binds, each item marked
// done or not done. Everything is sealed and signed in the page.
import * as b64 from '../proto/base64url.js';
import { Bytes, utf8 } from '../proto/bytes.js';
import { sign, toJsonValue } from '../proto/codec.js';
import { AgreementItem, agreementBody, agreementContentType, parseAgreementBody } from '../proto/agreement.js';
import { newId } from '../proto/keys.js';
import { sealLetter } from '../proto/letters.js';
import { Roster, keyFromEnvelope } from '../proto/roster.js';
import { CaseDetail } from '../app/answers.js';
import { ask } from '../app/dialog.js';
import { h } from '../app/dom.js';
import { wordsFor } from '../app/failure.js';
import { OpenedAgreement, openAgreement, when } from '../app/letter_parts.js';
import type { Console } from './parts.js';
import { roleWords } from './parts.js';

type Opened = OpenedAgreement;

// The agreement in force, opened with this facilitator's wrap and checked.
async function load(c: Console, caseId: string, r: Roster): Promise<Opened | undefined> {
  const caseKey = c.session.unlocked.keys.caseKeys.get(caseId)!;
  return openAgreement(c, caseId, r, (e) => keyFromEnvelope(r, e, { identity: c.session.unlocked.keys.identity, caseKey }));
}

// Sealed to every facilitator and both parties, signed, sent like a letter.
async function send(c: Console, caseId: string, r: Roster, items: AgreementItem[]): Promise<void> {
  const me = c.session.unlocked.keys;
  const caseKey = me.caseKeys.get(caseId)!;
  const draft = { id: newId(), case: b64.decode(caseId)!, created_at: Math.floor(Date.now() / 1000),
    kind: 'agreement' as const, to: 'facilitator' as const };
  const readers = [...r.facilitatorReaders(),
    ...(['harmed', 'responsible'] as const).flatMap((role) => r.inRole(role).map((p) => ({ identity: p.identity, caseKey: p.caseKey })))];
  const doc = { contentType: agreementContentType, body: utf8(agreementBody(items)), attachments: [] };
  const sealed = sealLetter({ identity: me.identity, caseKey }, draft, readers, doc);
  await c.relay.post(`/v1/cases/${caseId}/messages`,
    { envelope: toJsonValue(sealed.envelope), ciphertext: b64.encode(sealed.ciphertext) });
}

// This facilitator's signature of the agreement, or mark of one of its items (`item`).
async function signOrMark(c: Console, caseId: string, a: Opened, mark?: { item: number; done: boolean }): Promise<void> {
  const me = c.session.unlocked.keys.identity;
  const common = { id: newId(), case: b64.decode(caseId)!, created_at: Math.floor(Date.now() / 1000),
    message: b64.decode(a.message)!, agreement_hash: a.hash };
  if (mark) {
    const s = sign({ type: 'agreement_mark', ...common, item: mark.item, done: mark.done }, me.secretKey, me.publicKey);
    await c.relay.post(`/v1/cases/${caseId}/agreement/marks`, { mark: toJsonValue(s) });
  } else {
    const s = sign({ type: 'agreement_signature', ...common }, me.secretKey, me.publicKey);
    await c.relay.post(`/v1/cases/${caseId}/agreement/signatures`, { signature: toJsonValue(s) });
  }
}

// One row of the form: the four parts of an item.
function itemFields(c: Console, n: number, item?: AgreementItem): HTMLElement {
  const { t } = c.strings;
  const field = (name: keyof AgreementItem, label: string) => {
    const id = `agreement-${name}-${n}`;
    const input = h('textarea', { id, rows: '2', dir: 'auto', 'data-part': name, maxlength: '2000' });
    input.defaultValue = item?.[name] ?? '';  // what the page put there: a redraw waits only for what is typed
    return h('div', {}, h('label', { for: id }, label), input);
  };
  return h('fieldset', { class: 'agreement-item' }, h('legend', {}, t('console_agreement_item', { n: String(n) })),
    field('what', t('console_agreement_what')), field('who', t('console_agreement_who')),
    field('by', t('console_agreement_by')), field('check', t('console_agreement_check')));
}

function draftForm(c: Console, caseId: string, r: Roster, current: AgreementItem[] | undefined,
                   done: (notice: string) => void): HTMLElement {
  const { t } = c.strings;
  const rows = h('div', { id: 'agreement-rows' });
  const starting = current?.length ? current : [undefined];
  starting.forEach((item, i) => rows.append(itemFields(c, i + 1, item)));
  const more = h('button', { type: 'button', class: 'quiet' }, t('console_agreement_add'));
  more.addEventListener('click', () => rows.append(itemFields(c, rows.children.length + 1)));
  const problem = h('p', { role: 'alert', class: 'problem', hidden: true });
  const form = h('form', { novalidate: true, id: 'agreement-form' },
    h('p', { class: 'help' }, t(current ? 'console_agreement_new_version_help' : 'console_agreement_draft_help')),
    rows, more, h('button', { type: 'submit' }, t(current ? 'console_agreement_send_new' : 'console_agreement_send')), problem);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const items: AgreementItem[] = [];
    for (const row of Array.from(rows.children)) {
      const part = (name: string) => (row.querySelector(`[data-part=${name}]`) as HTMLTextAreaElement).value.trim();
      const item = { what: part('what'), who: part('who'), by: part('by'), check: part('check') };
      if (!item.what && !item.who && !item.by && !item.check) continue;  // a row left empty
      items.push(item);
    }
    try {
      parseAgreementBody(agreementBody(items));
    } catch {
      problem.textContent = t('console_agreement_incomplete');
      problem.hidden = false;
      return;
    }
    try {
      await send(c, caseId, r, items);
      done(t(current ? 'console_agreement_sent_new' : 'console_agreement_sent'));
    } catch (e) {
      problem.textContent = wordsFor(c.strings, e);
      problem.hidden = false;
    }
  });
  return form;
}

export async function agreementSection(c: Console, caseId: string, r: Roster, d: CaseDetail,
                                       done: (notice: string) => void): Promise<HTMLElement | null> {
  const { t } = c.strings;
  const both = r.inRole('harmed').length > 0 && r.inRole('responsible').length > 0;
  let a: Opened | undefined;
  try {
    a = await load(c, caseId, r);
  } catch (e) {
    return h('section', { 'aria-labelledby': 'agreement-title' }, h('h2', { id: 'agreement-title' }, t('console_agreement_title')),
      h('p', { role: 'alert', class: 'problem' }, wordsFor(c.strings, e)));
  }
  if (!a && (!both || d.state === 'closed')) return null;
  const title = h('h2', { id: 'agreement-title' }, t('console_agreement_title'));
  if (!a) {
    return h('section', { 'aria-labelledby': 'agreement-title' }, title, draftForm(c, caseId, r, undefined, done));
  }
  const agreement = a;
  const nameOf = (identity: Bytes) => {
    const p = d.participants.find((x) => x.identity === b64.encode(identity));
    return p ? `${roleWords(c, p.role)}${p.name ? ` (${p.name})` : ''}` : t('console_history_someone');
  };
  const bound = agreement.boundAt !== undefined;
  const items = agreement.items.map((item, i) => {
    const n = i + 1;
    const mark = agreement.checked.marks.find((m) => m.item === n);
    let marking: HTMLElement | null = null;
    if (bound && d.state !== 'closed') {
      const doneButton = h('button', { type: 'button', class: 'quiet', 'data-mark': `${n}-done` }, t('console_agreement_mark_done'));
      const notDone = h('button', { type: 'button', class: 'quiet', 'data-mark': `${n}-not-done` }, t('console_agreement_mark_not_done'));
      const markIt = async (isDone: boolean) => {
        try {
          await signOrMark(c, caseId, agreement, { item: n, done: isDone });
          done(t(isDone ? 'console_agreement_marked_done' : 'console_agreement_marked_not_done', { n: String(n) }));
        } catch (e) {
          done(wordsFor(c.strings, e));
        }
      };
      doneButton.addEventListener('click', () => void markIt(true));
      notDone.addEventListener('click', () => void markIt(false));
      marking = h('div', { class: 'choices' }, doneButton, notDone);
    }
    return h('li', {}, h('p', { dir: 'auto' }, h('strong', {}, item.what)),
      h('p', { dir: 'auto' }, `${t('console_agreement_who')}: ${item.who} · ${t('console_agreement_by')}: ${item.by}`),
      h('p', { dir: 'auto' }, `${t('console_agreement_check')}: ${item.check}`),
      mark ? h('p', { class: 'notice' }, t(mark.done ? 'console_agreement_is_done' : 'console_agreement_is_not_done',
        { who: nameOf(mark.by) })) : null,
      marking);
  });
  const signs = d.participants.filter((p) => p.state === 'active' &&
    (p.role === 'harmed' || p.role === 'responsible' || p.role === 'facilitator'));
  const signedIt = (identity: string) => agreement.checked.signers.some((s) => s.sameText && b64.encode(s.identity) === identity);
  const waiting = signs.filter((p) => !signedIt(p.identity)).map((p) => nameOf(b64.decode(p.identity)!));
  const signed = signs.filter((p) => signedIt(p.identity)).map((p) => nameOf(b64.decode(p.identity)!));
  const me = b64.encode(c.session.unlocked.keys.identity.publicKey);
  let signButton: HTMLElement | null = null;
  if (!bound && !signedIt(me) && d.state !== 'closed') {
    signButton = h('button', { type: 'button', id: 'agreement-sign' }, t('console_agreement_sign'));
    signButton.addEventListener('click', async () => {
      const sure = await ask({ title: t('console_agreement_sign'), text: [t('console_agreement_sign_explain')],
        confirm: t('console_agreement_sign_go'), cancel: t('cancel') });
      if (!sure) return;
      try {
        await signOrMark(c, caseId, agreement);
        done(t('console_agreement_signed'));
      } catch (e) {
        done(wordsFor(c.strings, e));
      }
    });
  }
  return h('section', { 'aria-labelledby': 'agreement-title', id: 'agreement' }, title,
    h('p', { id: 'agreement-state' }, bound ? t('console_agreement_bound', { date: when(c.strings, agreement.boundAt!) })
      : t('console_agreement_open')),
    h('ol', { id: 'agreement-items' }, ...items),
    signed.length ? h('p', {}, t('console_agreement_signed_by', { list: signed.join(', ') })) : null,
    !bound && waiting.length ? h('p', { id: 'agreement-waiting' }, t('console_agreement_waiting', { list: waiting.join(', ') })) : null,
    signButton,
    bound || d.state === 'closed' ? null : h('details', {}, h('summary', {}, t('console_agreement_new_version')),
      draftForm(c, caseId, r, agreement.items, done)));
}

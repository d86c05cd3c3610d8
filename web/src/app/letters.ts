// A party's letters in the page: the list with dates and states in words,
// reading (the facilitators' note first, then "open now", "not now" or
// "decline", and the choice to let the writer know), writing, and leaving.
import * as b64 from '../proto/base64url.js';
import { Bytes, fromUtf8 } from '../proto/bytes.js';
import { Role, Statement, ciphertextSizeFor, limits, parseStatement, readU64, sign, toJsonValue } from '../proto/codec.js';
import { JsonValue, isObject, serialize } from '../proto/json.js';
import { newId } from '../proto/keys.js';
import { LetterDocument, openNote, paddedSize, revisionOf, sealLetter, serializeDocument, textDocument } from '../proto/letters.js';
import { Roster, openDelivered, openFromEnvelope } from '../proto/roster.js';
import { h, show } from './dom.js';
import { Key, catalogue, language, t } from './i18n.js';
import * as events from './events.js';
import { wordsFor } from './failure.js';
import * as kept from './kept.js';
import { RelayRefusal, get, getBytes, post, postWithProgress } from './relay.js';
import { lock, session } from './session.js';
import * as vault from './vault.js';

interface Summary {
  message: string;
  sender: string;
  state: string;
  released_at?: number;
  submitted_at?: number;
}

// A summary as the relay lists it (SPEC 16.2), read strictly.
function summaryOf(v: JsonValue): Summary {
  if (!isObject(v)) throw new RelayRefusal(200, 'not_understood');
  const text = (k: string) => {
    const x = v[k];
    if (typeof x !== 'string') throw new RelayRefusal(200, 'not_understood');
    return x;
  };
  const time = (k: string) => (v[k] === undefined ? undefined : readU64(v[k]!, k));
  return { message: text('message'), sender: text('sender'), state: text('state'), released_at: time('released_at'),
    submitted_at: time('submitted_at') };
}

const caseId = () => session().caseEntry.case;

function mib(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

function keptAttachments(doc: LetterDocument): kept.KeptAttachment[] {
  return doc.attachments.map((a) => ({ name: a.name, type: a.contentType, data: b64.encode(a.data) }));
}

// A letter's attachments: images shown (the reader opened the letter), every file to save.
function attachmentsView(list: kept.KeptAttachment[]): HTMLElement | null {
  if (!list.length) return null;
  const items = list.map((a) => {
    const bytes = b64.decode(a.data)!;
    const url = URL.createObjectURL(new Blob([bytes], { type: a.type }));
    const save = h('a', { href: url, download: a.name }, t('save_file', { name: a.name, size: mib(bytes.length) }));
    const image = /^image\/(png|jpeg|gif|webp)$/.test(a.type) ? h('img', { src: url, alt: a.name, class: 'attached' }) : null;
    return h('li', {}, image, save);
  });
  return h('section', { 'aria-label': t('attachments_title') }, h('h2', {}, t('attachments_title')), h('ul', {}, ...items));
}
const me = () => ({ identity: session().keys.identity, caseKey: session().keys.caseKeys.get(caseId())! });
const mine = (m: Summary) => m.sender === b64.encode(session().keys.identity.publicKey);
const when = (seconds: number) =>
  new Intl.DateTimeFormat(language() === 'nb' ? 'nb-NO' : undefined, { dateStyle: 'medium', timeStyle: 'short' })
    .format(new Date(seconds * 1000));

function stateWords(m: Summary): string {
  const key = (m.state === 'released' && mine(m) ? 'state_released_mine' : `state_${m.state}`) as Key;
  return key in { state_in_review: 1, state_returned: 1, state_released_mine: 1, state_released: 1, state_delivered: 1,
    state_opened: 1, state_declined: 1, state_revoked: 1 } ? t(key) : m.state;
}

// The roster of the case, from what the relay lists, trusting only the pinned facilitator's signatures.
async function roster(): Promise<Roster> {
  const d = await get(`/v1/cases/${caseId()}`);
  const r = new Roster(b64.decode(caseId())!, b64.decode(session().caseEntry.pinned)!);
  r.addCaseOpen(parseStatement('case_open', d.case_open as JsonValue));
  const keys = (d.key_statements as JsonValue[]).map((k) => parseStatement('key_statement', k));
  const atts = (d.attestations as JsonValue[]).map((a) => parseStatement('attestation', a));
  for (let round = 0; round <= 8; round++) {
    for (const k of keys) if (r.isFacilitator(k.signer)) try { r.addFacilitatorKeys(k); } catch { /* not this round */ }
    for (const a of atts) {
      const k = keys.find((x) => b64.encode(x.id) === b64.encode(a.key_statement as Bytes));
      if (k) try { r.addAttested(a, k); } catch { /* an attestation by no one trusted yet */ }
    }
  }
  for (const g of (d.grants as JsonValue[] | undefined) ?? []) {
    try { r.addGrant(parseStatement('grant', g)); } catch { /* a grant that does not verify counts for nothing */ }
  }
  return r;
}

// Whether this person can no longer take part (left, or the case closed), as the list last found.
let gone = false;

// At the foot of every page once unlocked: "Lock now", and leaving the
// process one confirmed step away while there is a process to leave.
function nav(): HTMLElement {
  const lockButton = h('button', { type: 'button', class: 'quiet' }, t('lock_now'));
  lockButton.addEventListener('click', () => lock());
  const withdrawButton = h('button', { type: 'button', class: 'quiet' }, t('withdraw'));
  withdrawButton.addEventListener('click', () => confirmWithdraw());
  return h('nav', { 'aria-label': t('title') }, lockButton, gone ? null : withdrawButton);
}

export async function home(notice?: string): Promise<void> {
  let list: Summary[] = [];
  // After leaving the process the relay has nothing more for this person:
  // what is kept on this device stays readable.
  gone = (await vault.get('withdrawn')) === caseId();
  if (!gone) {
    try {
      const answer = await get(`/v1/cases/${caseId()}/messages`);
      list = (answer.messages as JsonValue[]).map(summaryOf);
    } catch (e) {
      if (!(e instanceof RelayRefusal)) throw e;
      gone = true;  // the case closed, or this person left it from another device
    }
  }
  const keptLetters = await kept.all();
  const items: HTMLElement[] = [];
  const seen = new Set<string>();
  for (const m of list) {
    seen.add(m.message);
    const date = m.released_at ?? m.submitted_at;
    const link = h('a', { href: `#letter=${m.message}` },
      `${mine(m) ? t('from_you') : t('to_you')}${date ? `, ${when(date)}` : ''}: ${stateWords(m)}`);
    link.addEventListener('click', (ev) => {
      ev.preventDefault();
      void openLetter(m);
    });
    items.push(h('li', {}, link));
  }
  for (const k of keptLetters) {
    if (seen.has(k.message)) continue;
    const link = h('a', { href: `#letter=${k.message}` }, `${k.mine ? t('from_you') : t('to_you')}, ${when(k.at)}`);
    link.addEventListener('click', (ev) => {
      ev.preventDefault();
      showLetter(k.text, k.notes, undefined, null, undefined, k.attachments ?? []);
    });
    items.push(h('li', {}, link));
  }
  const waiting = list.some((m) => !mine(m) && m.state === 'released');
  // While the list is shown, a content-free event makes it look again.
  if (!gone) {
    events.listen((e) => {
      if (e.case === caseId() && document.getElementById('letters-list')) void home();
    });
  }
  const write = h('button', { type: 'button' }, t('write_letter'));
  write.addEventListener('click', () => void writeLetter());
  show(h('h1', {}, t('letters_title')),
    notice ? h('p', { role: 'status', class: 'status' }, notice) : null,
    waiting ? h('p', { role: 'status', class: 'notice' }, t('waiting_notice')) : null,
    items.length ? h('ul', { class: 'letters', id: 'letters-list' }, ...items)
      : h('p', { id: 'letters-list' }, t('no_letters')),
    gone ? null : write,
    nav());
}

async function openLetter(m: Summary): Promise<void> {
  const got = await get(`/v1/cases/${caseId()}/messages/${m.message}`);
  const envelope = parseStatement('envelope', got.envelope as JsonValue);
  const ciphertext = await getBytes(`/v1/cases/${caseId()}/messages/${m.message}/ciphertext`);
  const r = await roster();
  if (mine(m)) {
    const doc = openFromEnvelope(r, envelope, ciphertext, me());
    const text = fromUtf8(doc.body);
    const attached = keptAttachments(doc);
    await kept.keep({ message: m.message, mine: true, at: Math.floor(Date.now() / 1000), text, notes: [], attachments: attached });
    // A returned letter: the facilitator's reason and note beside it, sealed to its writer.
    let returned: HTMLElement | null = null;
    if (got.return !== undefined) {
      const rs = parseStatement('return', got.return as JsonValue);
      const self = me();
      const n = openNote(rs.note as Bytes, envelope.id, 'return', self.caseKey.publicKey, self.caseKey.secret);
      const reasonKey = `reason_${n.reason ?? 'other'}` as Key;
      const again = h('button', { type: 'button' }, t('revise'));
      again.addEventListener('click', () => void writeLetter(undefined, { revises: m.message, text }));
      returned = h('section', { class: 'note' }, h('h2', {}, t('returned_note')),
        h('p', {}, reasonKey in catalogue.en ? t(reasonKey) : t('reason_other')), h('p', { dir: 'auto' }, n.text), again);
    }
    showLetter(text, [], undefined, returned, m.state === 'revoked' ? undefined : m.message, attached);
    return;
  }
  const approvals = ((got.approvals as JsonValue[]) ?? []).map((a) => parseStatement('approval', a));
  const delivered = openDelivered(r, envelope, approvals, ciphertext, me(), Math.floor(Date.now() / 1000));
  const text = fromUtf8(delivered.content.body);
  const notes = delivered.notes.map((n) => n.text);
  const attached = keptAttachments(delivered.content);
  await kept.keep({ message: m.message, mine: false, at: Math.floor(Date.now() / 1000), text, notes, attachments: attached });
  // The facilitator's note prepares the reader: it comes first, with the choice.
  const openButton = h('button', { type: 'button' }, t('open_now'));
  const later = h('button', { type: 'button', class: 'quiet' }, t('not_now'));
  const declineButton = h('button', { type: 'button', class: 'quiet' }, t('decline'));
  openButton.addEventListener('click', () => showLetter(text, [], m.message, null, undefined, attached));
  later.addEventListener('click', () => void home());
  declineButton.addEventListener('click', async () => {
    await post(`/v1/cases/${caseId()}/messages/${m.message}/decline`, {});
    await kept.forget(m.message);
    await home(t('decline_done'));
  });
  show(h('h1', {}, t('letter_title')),
    ...notes.map((n) => h('section', { class: 'note', 'aria-label': t('note_first') }, h('h2', {}, t('note_first')),
      h('p', { dir: 'auto' }, n))),
    h('div', { class: 'choices' }, openButton, later, declineButton), nav());
}

function showLetter(text: string, notes: string[], receiptFor?: string, beside?: HTMLElement | null,
                    revocable?: string, attached: kept.KeptAttachment[] = []): void {
  const back = h('button', { type: 'button', class: 'quiet' }, t('back'));
  back.addEventListener('click', () => void home());
  let receipt: HTMLElement | null = null;
  if (receiptFor) {
    // Off by default: the writer learns it was opened only if the reader says so.
    const box = h('input', { type: 'checkbox', id: 'share-opened' });
    box.addEventListener('change', async () => {
      if (!(box as HTMLInputElement).checked) return;
      await post(`/v1/cases/${caseId()}/messages/${receiptFor}/receipt`, {});
      (box as HTMLInputElement).disabled = true;
      receipt?.append(h('p', { role: 'status' }, t('shared')));
    });
    receipt = h('div', { class: 'receipt' }, box, h('label', { for: 'share-opened', class: 'inline' }, t('share_opened')));
  }
  let takeBack: HTMLElement | null = null;
  if (revocable) {
    takeBack = h('button', { type: 'button', class: 'quiet' }, t('revoke'));
    takeBack.addEventListener('click', () => confirmRevoke(revocable));
  }
  show(h('h1', {}, t('letter_title')),
    ...notes.map((n) => h('section', { class: 'note' }, h('h2', {}, t('note_first')), h('p', { dir: 'auto' }, n))),
    beside ?? null,
    h('article', { class: 'letter', dir: 'auto' }, ...text.split('\n').map((line) => h('p', { dir: 'auto' }, line))),
    attachmentsView(attached), receipt, h('div', { class: 'choices' }, back, takeBack), nav());
}

// Taking a letter back, with the honest answer of what the other person may know.
function confirmRevoke(message: string): void {
  const yes = h('button', { type: 'button', class: 'serious' }, t('revoke_confirm'));
  const no = h('button', { type: 'button', class: 'quiet' }, t('cancel'));
  no.addEventListener('click', () => void home());
  yes.addEventListener('click', async () => {
    const s = sign({ type: 'revoke', id: newId(), case: b64.decode(caseId())!, created_at: Math.floor(Date.now() / 1000),
      message: b64.decode(message)! }, session().keys.identity.secretKey, session().keys.identity.publicKey);
    const answer = await post(`/v1/cases/${caseId()}/messages/${message}/revoke`, { revoke: toJsonValue(s) });
    await home(answer.was_opened === true ? t('revoked_opened') : answer.was_released === true ? t('revoked_released')
      : t('revoked_unreleased'));
  });
  show(h('h1', {}, t('revoke')), h('p', {}, t('revoke_explain')), h('div', { class: 'choices' }, yes, no), nav());
}

function otherParty(role: Role): Role {
  return role === 'harmed' ? 'responsible' : 'harmed';
}

// Writing: a new letter, or the revision of a returned one (its text to start from).
async function writeLetter(problem?: string, revision?: { revises: string; text: string }): Promise<void> {
  const area = h('textarea', { id: 'letter', rows: '12', dir: 'auto', 'aria-describedby': 'write-explain draft-note' });
  // The draft is kept sealed on this device as it is typed, and is back in
  // place before the page is shown (never arriving under the person's typing).
  (area as HTMLTextAreaElement).value = revision ? revision.text : await kept.draft();
  let saving: ReturnType<typeof setTimeout> | undefined;
  area.addEventListener('input', () => {
    clearTimeout(saving);
    saving = setTimeout(() => void kept.saveDraft((area as HTMLTextAreaElement).value), 400);
  });
  const files = h('input', { id: 'files', type: 'file', multiple: true });
  const form = h('form', { novalidate: true },
    h('label', { for: 'letter' }, t('write_label')), area,
    h('label', { for: 'files' }, t('attach_label')), files,
    h('button', { type: 'submit' }, t('send')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = (area as HTMLTextAreaElement).value;
    if (!text.trim()) return void writeLetter(t('empty_letter'), revision);
    const chosen = Array.from((files as HTMLInputElement).files ?? []);
    const doc = textDocument(text);
    for (const file of chosen) {
      doc.attachments.push({ name: file.name, contentType: file.type || 'application/octet-stream',
        data: new Uint8Array(await file.arrayBuffer()) });
    }
    // Too large for the relay: said before anything is sealed or sent, with both sizes.
    const sealedSize = ciphertextSizeFor(paddedSize(serializeDocument(doc).length));
    if (sealedSize > limits.relayCiphertext) {
      return void writeLetter(t('too_large', { size: mib(sealedSize), limit: mib(limits.relayCiphertext) }), revision);
    }
    const bar = h('progress', { max: '100', value: '0', 'aria-label': t('sending_progress') });
    show(h('h1', {}, t('write_title')), h('p', { role: 'status' }, t('sending')), bar);
    try {
      const r = await roster();
      const self = me();
      try {
        r.find(self.identity.publicKey);
      } catch {
        return void writeLetter(t('not_attested_yet'), revision);
      }
      const readers = [...r.facilitatorReaders(), ...r.supportersOf(self.identity.publicKey)];
      const now = Math.floor(Date.now() / 1000);
      const sealed = sealLetter(self, { id: newId(), case: b64.decode(caseId())!, created_at: now,
        kind: 'letter', to: otherParty(session().caseEntry.role) }, readers, doc);
      const body: { [k: string]: JsonValue } = { envelope: toJsonValue(sealed.envelope), ciphertext: b64.encode(sealed.ciphertext) };
      // The returned letter it revises is named beside the envelope, for the facilitators only.
      if (revision) {
        body.revision = toJsonValue(revisionOf(self, b64.decode(caseId())!, sealed.envelope.id, b64.decode(revision.revises)!, now));
      }
      await postWithProgress(`/v1/cases/${caseId()}/messages`, serialize(body), (done, total) => {
        if (total > 0) bar.setAttribute('value', String(Math.round((done / total) * 100)));
      });
      await kept.keep({ message: b64.encode(sealed.envelope.id), mine: true, at: Math.floor(Date.now() / 1000), text, notes: [],
        attachments: keptAttachments(doc) });
      clearTimeout(saving);
      await kept.saveDraft('');
      await home(t('sent'));
    } catch (e) {
      void writeLetter(wordsFor(e), revision);
    }
  });
  const cancel = h('button', { type: 'button', class: 'quiet' }, t('cancel'));
  cancel.addEventListener('click', () => void home());
  show(h('h1', {}, t('write_title')), h('p', { id: 'write-explain' }, t('write_explain')),
    h('p', { id: 'draft-note', class: 'help' }, t('draft_kept')),
    problem ? h('p', { role: 'alert', class: 'problem' }, problem) : null, form, cancel, nav());
}

function confirmWithdraw(): void {
  const yes = h('button', { type: 'button', class: 'serious' }, t('withdraw_confirm'));
  const no = h('button', { type: 'button', class: 'quiet' }, t('cancel'));
  no.addEventListener('click', () => void home());
  yes.addEventListener('click', async () => {
    const s: Statement = sign({ type: 'withdraw', id: newId(), case: b64.decode(caseId())!,
      created_at: Math.floor(Date.now() / 1000), revoke_released: false },
    session().keys.identity.secretKey, session().keys.identity.publicKey);
    await post(`/v1/cases/${caseId()}/withdraw`, { withdraw: toJsonValue(s) });
    await vault.put('withdrawn', caseId());
    await home(t('withdraw_done'));
  });
  show(h('h1', {}, t('withdraw_title')), h('p', {}, t('withdraw_explain')), h('div', { class: 'choices' }, yes, no));
}

// Reviewing one letter: opening it claims it (colleagues see who reads it
// and until when), the letter is opened here with its attachments, and the
// facilitator approves it (with a note for its reader, if they wish) or
// returns it to its writer with a reason in plain words and a note. Going
// back to the queue without deciding lets the claim go.
import * as b64 from '../proto/base64url.js';
import { Statement, sign, toJsonValue } from '../proto/codec.js';
import { newId } from '../proto/keys.js';
import { sealNote, sealedFactsOf } from '../proto/letters.js';
import { Roster, approveLetter, keyFromEnvelope } from '../proto/roster.js';
import { CaseDetail, approvalAnswer, caseDetail, messageList, reviewedMessage } from '../app/answers.js';
import { h, show as draw } from '../app/dom.js';
import { wordsFor } from '../app/failure.js';
import { askCiphertext, attachmentsView, openCiphertext, rosterFrom, when } from '../app/letter_parts.js';
import type { Console } from './parts.js';
import { caseEntryOf, roleWords } from './parts.js';
import { historyView, writeNote } from './history.js';
import { footer, labelOf } from './queue.js';

// The reasons a facilitator may give, in plain words (SPEC 5.9).
const reasons = ['identifying_information', 'retraumatising_wording', 'asks_for_forgiveness_or_contact', 'threat',
  'other'] as const;

const now = () => Math.floor(Date.now() / 1000);

// The return statement (SPEC 5.9): the note and its reason sealed to the writer's case key.
function returnOf(c: Console, r: Roster, e: Statement, reason: string, text: string): Statement {
  const writer = r.find(e.signer);
  const { identity } = c.session.unlocked.keys;
  return sign({ type: 'return', id: newId(), case: e.case, created_at: now(), message: e.id,
    ciphertext_hash: e.ciphertext_hash, note: sealNote({ purpose: 'return', reason, text }, e.id, writer.caseKey) },
  identity.secretKey, identity.publicKey);
}

// What happened to the letter being read, said at once in its page: a
// colleague's decision, or its writer taking it back.
export function meanwhile(c: Console, event: string): void {
  const { t } = c.strings;
  const line = document.getElementById('meanwhile');
  if (!line) return;
  const words: Record<string, string> = {
    approved: t('console_meanwhile_approved'), returned: t('console_meanwhile_returned'),
    revoked: t('console_meanwhile_revoked'), released: t('console_meanwhile_released'),
  };
  if (words[event]) {
    line.textContent = words[event];
    line.hidden = false;
  }
}

// After a break in the connection: what became of the letter being read meanwhile, said in its page.
export async function recheck(c: Console, caseId: string, message: string): Promise<void> {
  let state: string | undefined;
  try {
    state = messageList(await c.relay.get(`/v1/cases/${caseId}/messages`)).find((m) => m.message === message)?.state;
  } catch {
    return;  // still out of reach: the next catch-up looks again
  }
  if (state === 'in_review') return;
  meanwhile(c, state === undefined ? 'revoked' : ['delivered', 'opened'].includes(state) ? 'released' : state);
}

export async function show(c: Console, caseId: string, message: string): Promise<void> {
  const { t } = c.strings;
  const back = (notice: string) => c.views.go({ view: 'queue' }, { replace: true, notice });
  const entry = caseEntryOf(c, caseId);
  const caseKey = c.session.unlocked.keys.caseKeys.get(caseId);
  if (!entry || !caseKey) return back(t('console_no_key'));
  const path = `/v1/cases/${caseId}/messages/${message}`;
  // The claim, the letter's envelope, the case and the ciphertext are asked
  // for at once (the bytes travel while the envelope is checked); nothing is
  // opened unless the claim was granted.
  const claimed = c.relay.post(`${path}/claim`, {});
  const envelope = c.relay.get(path);
  const ofCase = c.relay.get(`/v1/cases/${caseId}`);
  const ciphertext = askCiphertext(c.relay, path);
  const unread = () => void ciphertext.then((body) => body.cancel(), () => {});
  envelope.catch(() => {});
  ofCase.catch(() => {});
  ciphertext.catch(() => {});
  try {
    await claimed;
  } catch (e) {
    unread();
    return back(wordsFor(c.strings, e));
  }
  const letGo = () => c.relay.post(`${path}/unclaim`, {}).catch(() => {});
  let r: Roster, e: Statement, text: string, attachments, label: Uint8Array | undefined, detail: CaseDetail;
  let quiet: { timeZone: string; start: string; end: string } | undefined;
  try {
    const got = reviewedMessage(await envelope);
    e = got.envelope;
    detail = caseDetail(await ofCase);
    label = detail.label;
    quiet = detail.quietHours;
    r = rosterFrom(detail, caseId, entry.pinned);
    const me = { identity: c.session.unlocked.keys.identity, caseKey };
    const key = keyFromEnvelope(r, e, me);
    ({ text, attachments } = await openCiphertext(c, path, sealedFactsOf(e), key, footer(c), ciphertext));
  } catch (err) {
    unread();
    await letGo();
    return back(wordsFor(c.strings, err));
  }
  // The person moved on while the letter was opening: it is not drawn over where they are.
  const shown = c.views.current();
  if (shown.view !== 'review' || shown.message !== message) return void letGo();
  c.screen.redraw = () => void show(c, caseId, message);

  const note = h('textarea', { id: 'reader-note', rows: '3', dir: 'auto', 'aria-describedby': 'reader-note-help' });
  const approve = h('button', { type: 'submit' }, t('console_approve'));
  // A release time in the facilitator's own time; the case's quiet hours shown, the relay holds to them.
  const releaseAt = h('input', { id: 'release-at', type: 'datetime-local', 'aria-describedby': 'release-help' });
  const approveForm = h('form', { novalidate: true, id: 'approve-form' },
    h('label', { for: 'reader-note' }, t('console_reader_note')),
    h('p', { id: 'reader-note-help', class: 'help' }, t('console_reader_note_help')), note,
    h('label', { for: 'release-at' }, t('console_release_label')),
    h('p', { id: 'release-help', class: 'help' }, quiet
      ? t('console_release_help_quiet', { start: quiet.start, end: quiet.end, zone: quiet.timeZone })
      : t('console_release_help')), releaseAt, approve);
  approveForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const chosenTime = releaseAt.value ? Math.floor(new Date(releaseAt.value).getTime() / 1000) : undefined;
      if (chosenTime !== undefined && (!Number.isFinite(chosenTime) || chosenTime <= now())) {
        problem.textContent = t('console_release_past');
        problem.hidden = false;
        return;
      }
      const approval = approveLetter(r, e, { identity: c.session.unlocked.keys.identity, caseKey },
        { id: newId(), created_at: now() }, { contentNote: note.value.trim() ? note.value : undefined, releaseAt: chosenTime });
      const answer = approvalAnswer(await c.relay.post(`${path}/approve`, { approval: toJsonValue(approval) }));
      back(answer.state === 'released' ? t('console_released')
        : answer.paused ? t('console_released_paused')
        : answer.releaseAt !== undefined && answer.approvals >= answer.approvalsRequired
          ? t('console_released_at', { time: when(c.strings, answer.releaseAt) })
          : t('console_approved_waits'));
    } catch (err) {
      problem.textContent = wordsFor(c.strings, err);
      problem.hidden = false;
    }
  });

  const reasonGroup = h('fieldset', {}, h('legend', {}, t('console_return_reason')),
    ...reasons.map((reason, i) => {
      const input = h('input', { type: 'radio', name: 'reason', id: `reason-${reason}`, value: reason, checked: i === 0 });
      return h('div', {}, input, h('label', { for: `reason-${reason}` }, t(`reason_${reason}`)));
    }));
  const returnNote = h('textarea', { id: 'return-note', rows: '4', dir: 'auto', 'aria-describedby': 'return-note-help' });
  const returnForm = h('form', { novalidate: true, id: 'return-form' }, reasonGroup,
    h('label', { for: 'return-note' }, t('console_return_note')),
    h('p', { id: 'return-note-help', class: 'help' }, t('console_return_copy_help')), returnNote,
    h('button', { type: 'submit', class: 'quiet' }, t('console_return')));
  returnForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!returnNote.value.trim()) {
      problem.textContent = t('console_return_note_needed');
      problem.hidden = false;
      return;
    }
    const chosen = (returnForm.querySelector('input[name=reason]:checked') as HTMLInputElement | null)?.value ?? 'other';
    try {
      const statement = returnOf(c, r, e, chosen, returnNote.value);
      await c.relay.post(`${path}/return`, { return: toJsonValue(statement) });
    } catch (err) {
      problem.textContent = wordsFor(c.strings, err);
      problem.hidden = false;
      return;
    }
    // The note went to the writer alone: a copy for the case's facilitators, so the history shows what went back.
    const reason = reasons.find((x) => x === chosen) ?? 'other';
    try {
      await writeNote(c, caseId, r, t('console_return_record', { reason: t(`reason_${reason}`), note: returnNote.value }));
      back(t('console_returned'));
    } catch {
      back(`${t('console_returned')} ${t('console_return_copy_failed')}`);
    }
  });

  const leave = h('button', { type: 'button', class: 'quiet' }, t('console_let_go'));
  leave.addEventListener('click', async () => {
    await letGo();
    back(t('console_let_go_done'));
  });
  const problem = h('p', { role: 'alert', class: 'problem', hidden: true });
  const happened = h('p', { role: 'status', class: 'notice', id: 'meanwhile', hidden: true });
  const writer = r.find(e.signer);
  // The case's history beside the letter, drawn when it has been opened (the letter does not wait for it).
  const history = h('div', { id: 'history-slot' });
  draw(h('h1', {}, labelOf(c, caseId, label)),
    h('p', { class: 'lead' }, t('console_from_to', { from: roleWords(c, writer.role), to: roleWords(c, String(e.to)) })),
    h('section', { class: 'letter', 'aria-label': t('letter_title') }, h('p', { dir: 'auto', class: 'letter-text' }, text)),
    attachmentsView(c.strings, attachments),
    happened, problem, approveForm, returnForm, leave, history, footer(c));
  const section = await historyView(c, caseId, r, detail, message);
  if (document.getElementById('history-slot') === history) history.replaceWith(section);
}

// A letter its reader declined: its writer sees it as released until a
// facilitator passes the decline on (SPEC 16.2, `tell-declined`), with a
// note sealed to the writer alone if they wish.
export async function passOn(c: Console, caseId: string, message: string): Promise<void> {
  const { t } = c.strings;
  const back = (notice: string) => c.views.go({ view: 'queue' }, { replace: true, notice });
  const entry = caseEntryOf(c, caseId);
  if (!entry) return back(t('console_no_key'));
  let r: Roster, label: Uint8Array | undefined, m;
  try {
    const detail = caseDetail(await c.relay.get(`/v1/cases/${caseId}`));
    label = detail.label;
    r = rosterFrom(detail, caseId, entry.pinned);
    m = messageList(await c.relay.get(`/v1/cases/${caseId}/messages`)).find((x) => x.message === message);
  } catch (err) {
    return back(wordsFor(c.strings, err));
  }
  if (!m || m.state !== 'declined' || m.declineTold) return back(t('console_passon_gone'));
  const here = c.views.current();
  if (here.view !== 'declined' || here.message !== message) return;  // moved on while it loaded
  c.screen.redraw = () => void passOn(c, caseId, message);
  const writer = r.find(b64.decode(m.sender)!);
  const note = h('textarea', { id: 'writer-note', rows: '4', dir: 'auto', 'aria-describedby': 'writer-note-help' });
  const problem = h('p', { role: 'alert', class: 'problem', hidden: true });
  const form = h('form', { novalidate: true, id: 'pass-on-form' },
    h('label', { for: 'writer-note' }, t('console_passon_note')),
    h('p', { id: 'writer-note-help', class: 'help' }, t('console_passon_note_help')), note,
    h('button', { type: 'submit' }, t('console_passon')), problem);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const body: { note?: string } = {};
      if (note.value.trim()) body.note = b64.encode(sealNote({ purpose: 'declined', text: note.value }, b64.decode(message)!, writer.caseKey));
      await c.relay.post(`/v1/cases/${caseId}/messages/${message}/tell-declined`, body as Record<string, string>);
      back(t('console_passon_done'));
    } catch (err) {
      problem.textContent = wordsFor(c.strings, err);
      problem.hidden = false;
    }
  });
  draw(h('h1', {}, labelOf(c, caseId, label)), h('h2', {}, t('console_passon_title')),
    h('p', { class: 'lead' }, t('console_passon_explain', { from: roleWords(c, writer.role), to: roleWords(c, m.to ?? '') })),
    form, footer(c));
}

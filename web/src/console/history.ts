// A case's history for its facilitators, opened in the page: the letters
// and replies written so far with what became of each, and the internal
// notes (SPEC 5.6, kind `note`: sealed to the writer and the case's
// facilitators, never reviewed, never released). The case's page shows it
// with a form for a new note; the review page shows it beside the letter
// being read, so a returned version and the note that went back with it
// (kept as an internal note when the console returns a letter) are in view.
import * as b64 from '../proto/base64url.js';
import { newId } from '../proto/keys.js';
import { checkinContentType, parseCheckinBody } from '../proto/checkin.js';
import { sealLetter, sealedFactsOf, textDocument } from '../proto/letters.js';
import { Roster, keyFromEnvelope } from '../proto/roster.js';
import { CaseDetail, MessageSummary, messageList, reviewedMessage } from '../app/answers.js';
import { h } from '../app/dom.js';
import { wordsFor } from '../app/failure.js';
import { openQuietly, when } from '../app/letter_parts.js';
import { toJsonValue } from '../proto/codec.js';
import type { Console } from './parts.js';
import { roleWords } from './parts.js';

// What is opened for the history: the newest this many, each at most this large
// (a letter with photos is opened from the queue or the record, not here).
const shownAtMost = 20;
const openedAtMost = 1024 * 1024;
export const noteTextAtMost = 8192;

interface Entry {
  m: MessageSummary;
  text?: string;       // opened here
  attached?: number;   // how many attachments it carries
  unopened?: string;   // why its text is not shown
}

// Opens one message's text with this facilitator's wrap, quietly (no progress screen).
async function opened(c: Console, caseId: string, r: Roster, m: MessageSummary): Promise<Entry> {
  const { t } = c.strings;
  if (m.state === 'revoked' || m.state === 'purged' || m.kind === 'agreement') return { m };  // the agreement has its own section
  if ((m.size ?? 0) > openedAtMost) return { m, unopened: t('console_history_large') };
  const caseKey = c.session.unlocked.keys.caseKeys.get(caseId)!;
  const path = `/v1/cases/${caseId}/messages/${m.message}`;
  try {
    const e = reviewedMessage(await c.relay.get(path)).envelope;
    const key = keyFromEnvelope(r, e, { identity: c.session.unlocked.keys.identity, caseKey });
    const letter = await openQuietly(c, path, sealedFactsOf(e), key);
    // A check-in shows its question (SPEC 6.7).
    if (m.kind === 'checkin' && letter.contentType === checkinContentType) return { m, text: parseCheckinBody(letter.text).question };
    return { m, text: letter.text, attached: letter.attachments.length };
  } catch (err) {
    return { m, unopened: wordsFor(c.strings, err) };
  }
}

function stateWords(c: Console, m: MessageSummary): string {
  const { t } = c.strings;
  const words: Record<string, string> = {
    in_review: t('console_history_in_review'), released: t('console_history_released'),
    delivered: t('console_history_delivered'), opened: t('console_history_opened'),
    returned: t('console_history_returned'), declined: t('console_history_declined'),
    revoked: t('console_history_revoked'), purged: t('console_history_purged'),
  };
  return words[m.state] ?? m.state;
}

function entryView(c: Console, d: CaseDetail, x: Entry): HTMLElement {
  const { t } = c.strings;
  const { m } = x;
  const at = m.submittedAt !== undefined ? when(c.strings, m.submittedAt) : '';
  // A facilitator by their name; anyone else by their role.
  const person = d.participants.find((p) => p.identity === m.sender);
  const role = person ? roleWords(c, person.role) : undefined;
  const head = m.kind === 'agreement' ? t('console_history_agreement', { who: person?.name ?? role ?? t('console_history_someone'), at })
    : m.kind === 'checkin' ? t('console_history_checkin', { who: person?.name ?? role ?? t('console_history_someone'),
      to: roleWords(c, m.to ?? ''), at })
    : m.kind === 'note' && m.to !== undefined && m.to !== 'facilitator'
    ? t('console_history_message_to', { who: person?.name ?? role ?? t('console_history_someone'), to: roleWords(c, m.to), at })
    : m.kind !== 'note'
    ? t('console_history_letter', { who: role ?? t('console_history_someone'), to: roleWords(c, m.to ?? ''), at,
      state: stateWords(c, m) })
    : person?.name ? t('console_history_note_named', { who: person.name, at })
    : role ? t('console_history_note_role', { who: role, at })
    : t('console_history_note_named', { who: t('console_history_someone'), at });
  return h('li', { class: m.kind === 'note' ? 'history-note' : 'history-letter', 'data-message': m.message },
    h('p', { class: 'meta' }, head),
    x.text !== undefined ? h('p', { dir: 'auto', class: 'letter-text' }, x.text) : null,
    x.attached ? h('p', { class: 'help' }, t('console_history_attached', { n: String(x.attached) })) : null,
    x.unopened ? h('p', { class: 'help' }, x.unopened) : null,
    m.state === 'revoked' ? h('p', { class: 'help' }, t('console_history_revoked_text')) : null);
}

// The history, newest last, without `except` (the letter being reviewed).
export async function historyView(c: Console, caseId: string, r: Roster, d: CaseDetail, except?: string):
    Promise<HTMLElement> {
  const { t } = c.strings;
  let list: MessageSummary[];
  try {
    list = messageList(await c.relay.get(`/v1/cases/${caseId}/messages`)).filter((m) => m.message !== except);
  } catch (err) {
    return h('section', { 'aria-labelledby': 'history-title' }, h('h2', { id: 'history-title' }, t('console_history_title')),
      h('p', { role: 'alert', class: 'problem' }, wordsFor(c.strings, err)));
  }
  const shown = list.slice(-shownAtMost);
  const entries = await Promise.all(shown.map((m) => opened(c, caseId, r, m)));
  return h('section', { 'aria-labelledby': 'history-title', class: 'history' },
    h('h2', { id: 'history-title' }, t('console_history_title')),
    list.length > shown.length ? h('p', { class: 'help' }, t('console_history_earlier', { n: String(list.length - shown.length) })) : null,
    entries.length ? h('ol', { id: 'history' }, ...entries.map((x) => entryView(c, d, x)))
      : h('p', { id: 'history' }, t('console_history_empty')));
}

// A note: sealed in the page to this facilitator and every facilitator it
// trusts in the case (an internal note), or also to one party (`to`: a
// message to that party alone, not reviewed), signed, and sent like a letter.
export async function writeNote(c: Console, caseId: string, r: Roster, text: string,
                                to: 'facilitator' | 'harmed' | 'responsible' = 'facilitator'): Promise<void> {
  const me = c.session.unlocked.keys;
  const caseKey = me.caseKeys.get(caseId)!;
  const draft = { id: newId(), case: b64.decode(caseId)!, created_at: Math.floor(Date.now() / 1000), kind: 'note' as const, to };
  const readers = [...r.facilitatorReaders(),
    ...(to === 'facilitator' ? [] : r.inRole(to).map((p) => ({ identity: p.identity, caseKey: p.caseKey })))];
  const sealed = sealLetter({ identity: me.identity, caseKey }, draft, readers, textDocument(text));
  await c.relay.post(`/v1/cases/${caseId}/messages`,
    { envelope: toJsonValue(sealed.envelope), ciphertext: b64.encode(sealed.ciphertext) });
}

// The form for a note on the case's page: for the facilitators, or for one
// party alone (each party whose keys this page trusts).
export function noteForm(c: Console, caseId: string, r: Roster, done: (notice: string) => void): HTMLElement {
  const { t } = c.strings;
  const area = h('textarea', { id: 'internal-note', rows: '4', dir: 'auto', maxlength: String(noteTextAtMost),
    'aria-describedby': 'internal-note-help' });
  const parties = (['harmed', 'responsible'] as const).filter((role) => r.inRole(role).length > 0);
  const forWhom = h('select', { id: 'note-for' },
    h('option', { value: 'facilitator' }, t('console_note_for_facilitators')),
    ...parties.map((role) => h('option', { value: role }, t('console_note_for_party', { role: roleWords(c, role) }))));
  const problem = h('p', { role: 'alert', class: 'problem', hidden: true });
  const form = h('form', { novalidate: true, id: 'note-form' },
    h('label', { for: 'internal-note' }, t('console_note_label')),
    h('p', { id: 'internal-note-help', class: 'help' }, t('console_note_help')), area,
    parties.length ? h('div', {}, h('label', { for: 'note-for' }, t('console_note_for')), forWhom) : null,
    h('button', { type: 'submit', class: 'quiet' }, t('console_note_save')), problem);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!area.value.trim()) return;
    const to = forWhom.value as 'facilitator' | 'harmed' | 'responsible';
    try {
      await writeNote(c, caseId, r, area.value, to);
      done(to === 'facilitator' ? t('console_note_saved') : t('console_note_sent_party', { role: roleWords(c, to) }));
    } catch (err) {
      problem.textContent = wordsFor(c.strings, err);
      problem.hidden = false;
    }
  });
  return form;
}

// A party's letters in the page: the list with dates and states in words,
// reading (the facilitators' note first, then "open now", "not now" or
// "decline", and the choice to let the writer know), writing, and leaving.
import * as b64 from '../proto/base64url.js';
import { Bytes } from '../proto/bytes.js';
import { Kind, Role, Statement, limits, sign, toJsonValue } from '../proto/codec.js';
import { JsonValue, serialize } from '../proto/json.js';
import { newId, safetyNumber } from '../proto/keys.js';
import { SealedFacts, envelopeFor, openNote, revisionOf, sealedFactsOf, withDescription } from '../proto/letters.js';
import { checkReleased, keyFromEnvelope, partyOf } from '../proto/roster.js';
import { sodium } from '../proto/sodium.js';
import { CaseDetail, LiveEvent, MessageSummary, Restored, caseDetail, fetchedMessage, messageList, restoredOf, revokeAnswer } from './answers.js';
import type { App } from './app.js';
import { ask } from './dialog.js';
import { h, show } from './dom.js';
import { wordsFor } from './failure.js';
import { Finding, contextOf, findIdentifying } from './identifying.js';
import { RelayRefusal, RelayUnreachable } from './relay.js';
import { hashOf } from './router.js';
import * as parts from './letter_parts.js';
import { checkinContentType, parseCheckinBody } from '../proto/checkin.js';
import { agreementListed, agreementView, signedByMe } from './agreement.js';
import { sideOf, whoWords } from './people.js';
import { pauseButton, stageLines } from './process.js';
import type { Attached, ToAttach } from './worker.js';

const caseId = (app: App) => app.session.unlocked.caseEntry.case;

const attachmentsView = (app: App, list: Attached[]) => parts.attachmentsView(app.strings, list);
const openCiphertext = (app: App, path: string, sealed: SealedFacts, key: Bytes) =>
  parts.openCiphertext(app, path, sealed, key, nav(app));

const me = (app: App) => {
  const { keys } = app.session.unlocked;
  return { identity: keys.identity, caseKey: keys.caseKeys.get(caseId(app))! };
};
const mine = (app: App, m: MessageSummary) => m.sender === b64.encode(app.session.unlocked.keys.identity.publicKey);
const when = (app: App, seconds: number) => parts.when(app.strings, seconds);

function stateWords(app: App, m: MessageSummary, isMine = mine(app, m)): string {
  const key = m.state === 'released' && isMine ? 'state_released_mine' : `state_${m.state}`;
  return app.strings.has(key) ? app.strings.t(key) : m.state;
}

// The roster of the case, from what the relay lists, trusting only the pinned facilitator's signatures.
const roster = (app: App) => parts.rosterOf(app.relay, caseId(app), app.session.unlocked.caseEntry.pinned);

// At the foot of every page once unlocked: "Lock now", and leaving the
// process one confirmed step away while there is a process to leave.
// Who and where, on every unlocked page: the service (with the relay's key
// this device pinned), the facilitators by name, and what comes next.
function context(app: App): HTMLElement {
  const { t } = app.strings;
  const { service, relayKey } = app.session;
  const key = relayKey ? safetyNumber(b64.decode(relayKey)!).split(' ').slice(0, 2).join(' ') : '';
  const next = app.caseStatus.standing !== 'open' ? null
    : app.caseStatus.attested ? t('next_write') : t('next_meet');
  return h('section', { class: 'context', 'aria-label': t('context_label') },
    h('p', {}, `${service ?? t('title')}${key ? ` · ${t('relay_key', { key })}` : ''}`),
    app.caseStatus.facilitators.length
      ? h('p', {}, t('your_facilitator', { names: app.caseStatus.facilitators.join(', ') })) : null,
    app.caseStatus.people.length ? h('p', { id: 'taking-part' }, t('taking_part', { list: new Intl.ListFormat(
      app.strings.language === 'nb' ? 'nb-NO' : 'en-GB', { type: 'conjunction' }).format(app.caseStatus.people) })) : null,
    ...stageLines(app),
    app.caseStatus.agreed ? h('p', {}, h('a', { href: '#consent' }, t('consent_link'))) : null,
    next ? h('p', {}, next) : null);
}

function nav(app: App): HTMLElement {
  const { t } = app.strings;
  const lockButton = h('button', { type: 'button', class: 'quiet' }, t('lock_now'));
  lockButton.addEventListener('click', () => app.session.lock());
  const withdrawButton = h('button', { type: 'button', class: 'quiet' }, t('withdraw'));
  withdrawButton.addEventListener('click', () => app.views.go({ view: 'leave' }));
  const buttons = h('nav', { 'aria-label': t('title') }, lockButton, pauseButton(app),
    app.caseStatus.gone ? null : withdrawButton);
  return h('footer', {}, context(app), buttons);
}

// Everyone taking part in the case now, in words: this person, the other
// person, each supporter (whose, not who), each facilitator by name. The
// relay lists them all to every participant; nobody is left out. Only those
// a facilitator's signed attestation confirms are named as taking part
// (`confirmed`); someone the relay lists who is not confirmed yet is said to
// be waiting for it, and can read nothing until then.
function takingPart(app: App, d: CaseDetail, confirmed: (identity: string) => boolean): string[] {
  const { t } = app.strings;
  const myKey = b64.encode(app.session.unlocked.keys.identity.publicKey);
  const mySide = sideOf(app.session.unlocked.caseEntry.role);
  // This person's side first, then the other's, then the facilitators.
  const rank = (p: { role: string; identity: string }) =>
    p.identity === myKey ? 0 : p.role === 'facilitator' ? 3 : sideOf(p.role) === mySide ? 1 : 2;
  const active = d.participants.filter((p) => p.state === 'active').sort((a, b) => rank(a) - rank(b));
  const waiting = active.filter((p) => p.identity !== myKey && !confirmed(p.identity));
  return [...active.filter((p) => p.identity === myKey || confirmed(p.identity)).map((p) => whoWords(app, p)),
    ...waiting.map((p) => t('who_waiting', { who: whoWords(app, p) }))];
}

// Who was confirmed in the case since this device last looked (a newcomer
// announced by a facilitator's signed attestation), in words with who
// confirmed them; the first look only remembers who is there.
async function newcomers(app: App, d: CaseDetail, confirmed: (identity: string) => boolean): Promise<string[]> {
  const { t } = app.strings;
  const myKey = b64.encode(app.session.unlocked.keys.identity.publicKey);
  const now = d.participants.filter((p) => p.state === 'active' && p.identity !== myKey && confirmed(p.identity));
  const kept = await app.vault.get('seen_people');
  const seenNow = JSON.stringify(now.map((p) => p.identity));
  if (seenNow !== kept) await app.vault.put('seen_people', seenNow);  // sealed again only when someone came or went
  if (kept === undefined) return [];
  const seen = new Set(JSON.parse(kept) as string[]);
  return now.flatMap((p) => {
    if (seen.has(p.identity)) return [];
    const by = d.attestations.filter((a) => b64.encode(a.subject as Bytes) === p.identity).map((a) => b64.encode(a.signer));
    const name = d.participants.find((f) => f.role === 'facilitator' && by.includes(f.identity))?.name;
    const who = whoWords(app, p);
    return [name ? t('newcomer_by', { who, name }) : t('newcomer', { who })];
  });
}

// Where the case stands, from the relay's case detail: closed, the other
// party gone, or open. Unknown (the relay unreachable) leaves it as it was.
async function refreshStanding(app: App): Promise<void> {
  if ((await app.vault.get('withdrawn')) === caseId(app)) {
    app.caseStatus.gone = true;
    app.caseStatus.standing = 'left';
    return;
  }
  const look = ++app.caseStatus.looks.asked;
  try {
    const d = caseDetail(await app.relay.get(`/v1/cases/${caseId(app)}`));
    if (look < app.caseStatus.looks.taken) return;  // a newer look has said more
    app.caseStatus.looks.taken = look;
    const other = otherParty(app.session.unlocked.caseEntry.role);
    app.caseStatus.facilitators = d.participants.filter((p) => p.role === 'facilitator' && p.state === 'active' && p.name)
      .map((p) => p.name!);
    const trust = parts.rosterFrom(d, caseId(app), app.session.unlocked.caseEntry.pinned);
    const confirmed = (identity: string) => trust.has(b64.decode(identity)!);
    app.caseStatus.people = takingPart(app, d, confirmed);
    app.caseStatus.newcomers = [...app.caseStatus.newcomers, ...await newcomers(app, d, confirmed)];
    const myKey = b64.encode(app.session.unlocked.keys.identity.publicKey);
    const myKeyStatements = new Set(d.keyStatements.filter((k) => b64.encode(k.signer) === myKey).map((k) => b64.encode(k.id)));
    app.caseStatus.attested = d.attestations.some((a) => myKeyStatements.has(b64.encode(a.key_statement as Bytes)));
    app.caseStatus.standing = d.state === 'closed' ? 'closed'
      : d.participants.some((p) => p.role === other && p.state === 'withdrawn') ? 'other_left' : 'open';
    // The stage and the pause count only as their statements show them (SPEC 9).
    try {
      trust.checkStage(d.stage, d.stageStatement);
      trust.checkPause(d.paused, d.pauseStatement);
    } catch {
      throw new RelayRefusal(200, 'not_understood');
    }
    app.caseStatus.stage = d.stage;
    app.caseStatus.paused = d.paused;
    app.caseStatus.agreed = (await app.vault.get('consent')) !== undefined;
  } catch (e) {
    // Only "no such case for you" means she is no longer in it (she left
    // from another device); a refusal for now (busy, too many requests)
    // changes nothing, and an ended session asks her to unlock again.
    if (!notInTheCase(app, e)) throw e;
    app.caseStatus.gone = true;
    app.caseStatus.standing = 'left';
  }
}

// Whether a failure says this person is no longer in the case (404: the
// relay answers a case she left exactly like one that does not exist). An
// ended session (401) locks the page, so she unlocks and logs in again.
function notInTheCase(app: App, e: unknown): boolean {
  if (e instanceof RelayRefusal && e.status === 401) app.session.lock();
  return e instanceof RelayRefusal && e.status === 404;
}

function standingNotice(app: App): HTMLElement | null {
  const { t } = app.strings;
  const words = { open: null, left: t('standing_left'), other_left: t('standing_other_left'),
    closed: t('standing_closed') }[app.caseStatus.standing];
  return words ? h('p', { role: 'status', class: 'notice', id: 'standing' }, words) : null;
}

// A state this page caused (a letter fetched, a receipt sent), noted for
// the list kept after leaving.
async function noteState(app: App, message: string, state: string): Promise<void> {
  const known = await app.kept.states();
  known[message] = state;
  await app.kept.saveStates(known);
}

// For a reply: the first words of the letter it answers, if this device
// keeps it ('' if not); nothing for a letter that answers none.
async function quoteOf(app: App, answers: Bytes | undefined): Promise<string | undefined> {
  if (!answers) return undefined;
  const copy = await app.kept.kept(b64.encode(answers));
  return copy ? firstWords(copy.text) : '';
}

// The first words of a letter, for the list: enough to know it again.
function firstWords(text: string): string {
  const all = text.trim();
  let words = all.split(/\s+/).slice(0, 8).join(' ');
  if (words.length > 60) words = words.slice(0, 60);
  return words.length < all.length ? `${words}…` : words;
}

// `again`: drawn again where it stands (an event, a retry), keeping what the
// list was opened to say; otherwise the list is opened anew with `notice`.
export async function home(app: App, notice?: string, again = false): Promise<void> {
  const { t } = app.strings;
  let list: MessageSummary[] = [];
  let listed = false;  // the relay's whole list is here: a letter of hers it lacks was lost there
  let restored: Restored | undefined;
  let unreachable = false;
  let refusal: string | undefined;
  const drawing = ++app.caseStatus.drawing;
  if (!again) app.caseStatus.notice = notice;
  // After leaving the process the relay has nothing more for this person:
  // what is kept on this device stays readable.
  app.caseStatus.gone = (await app.vault.get('withdrawn')) === caseId(app);
  try {
    if (!app.caseStatus.gone) {
      try {
        const answer = await app.relay.get(`/v1/cases/${caseId(app)}/messages`);
        list = messageList(answer);
        restored = restoredOf(answer);
        listed = true;
      } catch (e) {
        if (!notInTheCase(app, e)) throw e;
        app.caseStatus.gone = true;  // this person left it from another device, or the case is gone
      }
    }
    await refreshStanding(app);
    app.connection.reached();
  } catch (e) {
    if (!app.session.isUnlocked) return;  // the session ended: the page asks to unlock
    if (e instanceof RelayUnreachable) unreachable = true;
    else refusal = wordsFor(app.strings, e);  // a refusal for now: said, and the list from this device
  }
  const gone = app.caseStatus.gone;
  const keptLetters = await app.kept.all();
  const known = await app.kept.states();
  if (list.length) {
    for (const m of list) known[m.message] = m.state;
    await app.kept.saveStates(known);
  }
  const byId = new Map(keptLetters.map((k) => [k.message, k]));
  const items: HTMLElement[] = [];
  const seen = new Set<string>();
  // The outcome agreement in force: one line, to read and sign it (its own view).
  const agreement = list.some((m) => m.kind === 'agreement' && m.state !== 'revoked')
    ? await agreementListed(app).catch(() => undefined) : undefined;
  if (agreement) {
    const signed = signedByMe(app, agreement);
    items.push(h('li', {}, h('a', { href: '#agreement', id: 'agreement-link' },
      t(signed ? 'agreement_listed_signed' : 'agreement_listed', { date: when(app, agreement.submittedAt) }))));
  }
  // A check-in is answered once a note of hers names it.
  const answered = new Set(list.filter((m) => m.kind === 'note' && m.answers !== undefined).map((m) => m.answers));
  for (const m of list) {
    seen.add(m.message);
    if (m.kind === 'agreement') continue;
    if (m.kind === 'checkin') {
      const date = m.releasedAt ?? m.submittedAt;
      items.push(h('li', {}, h('a', { href: `#letter=${m.message}`, 'data-checkin': m.message },
        t(answered.has(m.message) ? 'checkin_listed_answered' : 'checkin_listed', { date: date ? when(app, date) : '' }))));
      continue;
    }
    const date = m.releasedAt ?? m.submittedAt;
    const copy = byId.get(m.message);
    // Words with the facilitators are told apart from letters between the two of them.
    const who = m.kind === 'note' ? (mine(app, m) ? t('note_from_you') : t('note_to_you'))
      : mine(app, m) ? t('from_you') : t('to_you');
    const link = h('a', { href: `#letter=${m.message}` },
      `${who}${date ? `, ${when(app, date)}` : ''}: ${stateWords(app, m)}`
      + (m.kind === 'reply' ? `, ${t('a_reply')}` : '') + (copy ? ` (“${firstWords(copy.text)}”)` : ''));
    items.push(h('li', {}, link));
  }
  // Letters kept on this device that the relay no longer lists (after
  // leaving, or while it cannot be reached): each once, with its last known
  // state and its first words. One she wrote that the relay, answering,
  // does not list never reached it (SPEC 16.2, "After a restore"): said so,
  // with the offer to send it again.
  for (const k of keptLetters) {
    if (seen.has(k.message)) continue;
    seen.add(k.message);
    if (listed && k.mine) {
      const again = h('a', { href: `#resend=${k.message}`, class: 'button' }, t('send_again'));
      items.push(h('li', { class: 'lost' },
        h('a', { href: `#letter=${k.message}` }, `${t('from_you')}, ${when(app, k.at)} (“${firstWords(k.text)}”)`),
        h('p', { role: 'note' }, restored ? t('lost_in_restore') : t('lost_letter')), again));
      continue;
    }
    const state = known[k.message];
    const stateText = state ? `: ${stateWords(app, { message: k.message, sender: '', state }, k.mine)}` : '';
    const link = h('a', { href: `#letter=${k.message}` },
      `${k.mine ? t('from_you') : t('to_you')}, ${when(app, k.at)}${stateText} (“${firstWords(k.text)}”)`);
    items.push(h('li', {}, link));
  }
  const waiting = list.some((m) => !mine(app, m) && m.state === 'released' && (m.kind === 'letter' || m.kind === 'reply'));
  const written = list.some((m) => !mine(app, m) && m.state === 'released' && (m.kind === 'note' || m.kind === 'checkin'));
  if (unreachable) {
    // Trying again by itself, later each time, while the list is on the screen.
    const delay = app.connection.failed();
    setTimeout(() => {
      if (document.getElementById('letters-list')) void home(app, undefined, true);
    }, delay);
  }
  // Moved on while it loaded, or a newer drawing of the list is coming (it
  // says the notice: it stays until she opens the list anew or leaves it).
  if (app.views.current().view !== 'letters' || drawing !== app.caseStatus.drawing) return;
  const said = app.caseStatus.notice;
  // Each newcomer is announced once, on the list.
  const announced = app.caseStatus.newcomers;
  app.caseStatus.newcomers = [];
  const write = h('button', { type: 'button' }, t('write_letter'));
  write.addEventListener('click', () => app.views.go({ view: 'write' }));
  const ask = h('button', { type: 'button', class: 'quiet' }, t('note_write'));
  ask.addEventListener('click', () => app.views.go({ view: 'ask' }));
  const writes = partyOf(app.session.unlocked.caseEntry.role) === undefined;  // supporters write to the facilitators only
  show(h('h1', {}, t('letters_title')),
    unreachable ? h('p', { role: 'status', class: 'notice' }, t('unreachable_retrying')) : null,
    standingNotice(app),
    refusal ? h('p', { role: 'status', class: 'status' }, refusal) : null,
    said ? h('p', { role: 'status', class: 'status' }, said) : null,
    waiting ? h('p', { role: 'status', class: 'notice' }, t('waiting_notice')) : null,
    written ? h('p', { role: 'status', class: 'notice' }, t('note_waiting')) : null,
    ...announced.map((words) => h('p', { role: 'status', class: 'notice', 'data-newcomer': '' }, words)),
    items.length ? h('ul', { class: 'letters', id: 'letters-list' }, ...items)
      : h('p', { id: 'letters-list' }, t('no_letters')),
    gone || app.caseStatus.standing === 'left' || app.caseStatus.standing === 'closed' ? null
      : h('div', { class: 'choices' }, writes && app.caseStatus.standing === 'open' ? write : null, ask),
    nav(app));
}

// What others do, as it happens (events carry no content: the page looks
// again). When the other party leaves or the case closes, whatever view is
// open says so at once; a letter being written stays, readable and
// copyable, and can no longer be sent.
export async function onCaseEvent(app: App, e: LiveEvent): Promise<void> {
  if (!app.session.isUnlocked || e.case !== caseId(app)) return;
  // The list (even one still loading) is drawn again with a fresh look; so is the agreement.
  if (app.views.current().view === 'letters') return void home(app, undefined, true);
  if (app.views.current().view === 'agreement' && ['agreement', 'released', 'revoked', 'caught_up'].includes(e.event)) {
    return void agreementView(app);
  }
  try {
    // After a break the page may have missed anything: it looks again.
    if (['withdrawn', 'closed', 'caught_up', 'stage', 'paused', 'resumed', 'attested'].includes(e.event)) {
      await refreshStanding(app);
    }
  } catch {
    return;  // unreachable: the next look catches up
  }
  // Elsewhere the foot of the page says where the case is now.
  const foot = document.querySelector('#main footer');
  if (foot && ['stage', 'paused', 'resumed', 'attested'].includes(e.event)) foot.replaceWith(nav(app));
  if (app.caseStatus.standing === 'open') return;
  const form = document.getElementById('letter-form');
  if (form) endWriting(app);
  const main = document.getElementById('main')!;
  if (!document.getElementById('standing')) main.querySelector('h1')?.after(standingNotice(app)!);
}

// The writing form once sending is no longer possible: the text stays.
function endWriting(app: App): void {
  const area = document.getElementById('letter') as HTMLTextAreaElement | null;
  if (area) area.readOnly = true;
  document.querySelector('#letter-form button[type=submit]')?.remove();
  document.querySelector('label[for=files]')?.remove();
  document.getElementById('files')?.remove();
  if (!document.getElementById('standing')) document.querySelector('#main h1')?.after(standingNotice(app)!);
}

// Whether the letter's own address is still the one shown.
function showing(app: App, id: string): boolean {
  const here = app.views.current();
  return here.view === 'letter' && here.id === id;
}

// A letter by its address: the relay's, or (after leaving, or once it is
// gone from the relay) the copy kept on this device.
export async function openById(app: App, id: string): Promise<void> {
  let list: MessageSummary[] = [];
  if (!app.caseStatus.gone) {
    try {
      list = messageList(await app.relay.get(`/v1/cases/${caseId(app)}/messages`));
    } catch (e) {
      if (!(e instanceof RelayRefusal)) return app.views.go({ view: 'letters' }, { replace: true, notice: wordsFor(app.strings, e) });
    }
  }
  const m = list.find((x) => x.message === id);
  if (m) return openLetter(app, m, list);
  const copy = await app.kept.kept(id);
  if (copy) return showLetter(app, copy.text, copy.notes, undefined, null, undefined, copy.attachments ?? []);
  app.views.go({ view: 'letters' }, { replace: true, notice: app.strings.t('letter_gone') });
}

// Opening a letter from the list. One that is no longer on the relay (taken
// back by its writer, declined, purged) is said in words; a received one's
// copy on this device is deleted, as the CLI does.
async function openLetter(app: App, m: MessageSummary, list: MessageSummary[]): Promise<void> {
  try {
    await openFromRelay(app, m, list);
  } catch (e) {
    if (e instanceof RelayRefusal && e.status === 410) {
      if (!mine(app, m)) await app.kept.forget(m.message);
      const copy = mine(app, m) ? await app.kept.kept(m.message) : undefined;
      if (copy) return showLetter(app, copy.text, copy.notes, undefined, null, undefined, copy.attachments ?? []);
    }
    app.views.go({ view: 'letters' }, { replace: true, notice: wordsFor(app.strings, e) });
  }
}

// `list`: the case's messages as just fetched (a check-in is answered once a note names it).
async function openFromRelay(app: App, m: MessageSummary, list: MessageSummary[]): Promise<void> {
  const { t } = app.strings;
  const path = `/v1/cases/${caseId(app)}/messages/${m.message}`;
  const got = fetchedMessage(await app.relay.get(path));
  const envelope = got.envelope;
  const r = await roster(app);
  if (!showing(app, m.message)) return;  // moved on while it loaded
  if (mine(app, m)) {
    const { text, attachments } = await openCiphertext(app, path, sealedFactsOf(envelope), keyFromEnvelope(r, envelope, me(app)));
    await app.kept.keep({ message: m.message, mine: true, at: Math.floor(Date.now() / 1000), text, notes: [], attachments });
    // A returned letter: the facilitator's reason and note beside it, and writing it again.
    let returned: HTMLElement | null = null;
    if (got.returned !== undefined) {
      const again = h('button', { type: 'button' }, t('revise'));
      again.addEventListener('click', () => app.views.go({ view: 'revise', id: m.message }));
      returned = returnNote(app, got.returned, envelope.id);
      returned.append(again);
    }
    // Declined, once a facilitator passed it on: said so, with the reader's note if they wrote one.
    if (m.state === 'declined') {
      const self = me(app);
      const note = got.declineNote === undefined ? undefined
        : openNote(got.declineNote, envelope.id, 'declined', self.caseKey.publicKey, self.caseKey.secret);
      returned = h('section', { class: 'note' }, h('h2', {}, t('declined_title')),
        note ? h('p', {}, t('declined_note')) : null, note ? h('p', { dir: 'auto' }, note.text) : null);
    }
    const revocable = m.state !== 'revoked' && m.state !== 'declined';
    showLetter(app, text, [], undefined, returned, revocable ? m.message : undefined, attachments,
      await quoteOf(app, envelope.answers as Bytes | undefined));
    return;
  }
  const released = checkReleased(r, envelope, got.approvals, me(app), Math.floor(Date.now() / 1000));
  const { text, contentType, attachments: attached } = await openCiphertext(app, path, sealedFactsOf(envelope), released.key);
  if (envelope.kind === 'checkin') return showCheckin(app, m, text, contentType, list);
  if (envelope.kind === 'note') {
    // From a facilitator, to her alone: shown at once, with the way to answer them.
    if (m.state === 'released') await noteState(app, m.message, 'delivered');
    await app.kept.keep({ message: m.message, mine: false, at: Math.floor(Date.now() / 1000), text, notes: [], attachments: attached });
    const answer = h('button', { type: 'button' }, t('note_write'));
    answer.addEventListener('click', () => app.views.go({ view: 'ask' }));
    return showLetter(app, text, [], undefined,
      h('section', { class: 'note' }, h('p', {}, t('note_from_facilitator')), answer), undefined, attached);
  }
  const notes = released.notes.map((n) => n.text);
  if (m.state === 'released') await noteState(app, m.message, 'delivered');  // fetched: delivered
  await app.kept.keep({ message: m.message, mine: false, at: Math.floor(Date.now() / 1000), text, notes, attachments: attached });
  // The facilitator's note prepares the reader: it comes first, with the choice.
  const openButton = h('button', { type: 'button' }, t('open_now'));
  const later = h('button', { type: 'button', class: 'quiet' }, t('not_now'));
  const declineButton = h('button', { type: 'button', class: 'quiet' }, t('decline'));
  const quote = await quoteOf(app, envelope.answers as Bytes | undefined);
  if (!showing(app, m.message)) return;
  openButton.addEventListener('click', () => showLetter(app, text, [], m.message, null, undefined, attached, quote));
  later.addEventListener('click', () => app.views.go({ view: 'letters' }));
  // Declining is final: asked calmly in a dialog, and set apart from opening.
  declineButton.addEventListener('click', async () => {
    const sure = await ask({ title: t('decline_title'), text: [t('decline_explain')], confirm: t('decline_go'),
      cancel: t('decline_keep'), serious: true });
    if (!sure) return;
    try {
      await app.relay.post(`${path}/decline`, {});
    } catch (e) {
      return app.views.go({ view: 'letters' }, { replace: true, notice: wordsFor(app.strings, e) });
    }
    await app.kept.forget(m.message);
    app.views.go({ view: 'letters' }, { replace: true, notice: t('decline_done') });
  });
  show(h('h1', {}, t('letter_title')),
    ...notes.map((n) => h('section', { class: 'note', 'aria-label': t('note_first') }, h('h2', {}, t('note_first')),
      h('p', { dir: 'auto' }, n))),
    h('div', { class: 'choices' }, openButton, later),
    h('section', { class: 'apart', 'aria-label': t('decline_apart') }, h('p', {}, t('decline_apart')), declineButton),
    nav(app));
}

// A letter on the screen. `receiptFor`: a received letter (the receipt, and
// replying to it); `replyQuote`: for a reply, the first words of the letter
// it answers ('' when that letter is not on this device).
function showLetter(app: App, text: string, notes: string[], receiptFor?: string, beside?: HTMLElement | null,
                    revocable?: string, attached: Attached[] = [], replyQuote?: string): void {
  if (app.views.current().view !== 'letter') return;  // moved on while it loaded
  const { t } = app.strings;
  const back = h('button', { type: 'button', class: 'quiet' }, t('back'));
  back.addEventListener('click', () => app.views.go({ view: 'letters' }));
  let receipt: HTMLElement | null = null;
  if (receiptFor) {
    // Off by default: the writer learns it was opened only if the reader says so.
    const box = h('input', { type: 'checkbox', id: 'share-opened' });
    box.addEventListener('change', async () => {
      if (!box.checked) return;
      try {
        await app.relay.post(`/v1/cases/${caseId(app)}/messages/${receiptFor}/receipt`, {});
      } catch (e) {
        box.checked = false;
        return void receipt?.append(h('p', { role: 'alert', class: 'problem' }, wordsFor(app.strings, e)));
      }
      await noteState(app, receiptFor, 'opened');
      box.disabled = true;
      receipt?.append(h('p', { role: 'status' }, t('shared')));
    });
    receipt = h('div', { class: 'receipt' }, box, h('label', { for: 'share-opened', class: 'inline' }, t('share_opened')));
  }
  let takeBack: HTMLElement | null = null;
  if (revocable) {
    takeBack = h('button', { type: 'button', class: 'quiet' }, t('revoke'));
    takeBack.addEventListener('click', () => confirmRevoke(app, revocable));
  }
  let reply: HTMLElement | null = null;
  if (receiptFor && app.caseStatus.standing === 'open' && !app.caseStatus.gone) {
    reply = h('button', { type: 'button' }, t('reply_to'));
    reply.addEventListener('click', () => app.views.go({ view: 'reply', id: receiptFor }));
  }
  show(h('h1', {}, t('letter_title')),
    replyQuote === undefined ? null
      : h('p', { class: 'quote' }, replyQuote ? t('in_reply_to', { words: replyQuote }) : t('in_reply')),
    ...notes.map((n) => h('section', { class: 'note' }, h('h2', {}, t('note_first')), h('p', { dir: 'auto' }, n))),
    beside ?? null,
    h('article', { class: 'letter', dir: 'auto' }, ...text.split('\n').map((line) => h('p', { dir: 'auto' }, line))),
    attachmentsView(app, attached), receipt, h('div', { class: 'choices' }, reply, back, takeBack), nav(app));
}

// Taking a letter back, with the honest answer of what the other person may know.
function confirmRevoke(app: App, message: string): void {
  const { t } = app.strings;
  const yes = h('button', { type: 'button', class: 'serious' }, t('revoke_confirm'));
  const no = h('button', { type: 'button', class: 'quiet' }, t('cancel'));
  no.addEventListener('click', () => app.views.go({ view: 'letters' }));
  yes.addEventListener('click', async () => {
    const { identity } = app.session.unlocked.keys;
    const s = sign({ type: 'revoke', id: newId(), case: b64.decode(caseId(app))!, created_at: Math.floor(Date.now() / 1000),
      message: b64.decode(message)! }, identity.secretKey, identity.publicKey);
    let answer;
    try {
      answer = revokeAnswer(await app.relay.post(`/v1/cases/${caseId(app)}/messages/${message}/revoke`,
        { revoke: toJsonValue(s) }));
    } catch (e) {
      return app.views.go({ view: 'letters' }, { replace: true, notice: wordsFor(app.strings, e) });
    }
    app.views.go({ view: 'letters' }, { replace: true, notice: answer.wasOpened ? t('revoked_opened')
      : answer.wasReleased ? t('revoked_released') : t('revoked_unreleased') });
  });
  show(h('h1', {}, t('revoke')), h('p', {}, t('revoke_explain')), h('div', { class: 'choices' }, yes, no), nav(app));
}

function otherParty(role: Role): Role {
  return role === 'harmed' ? 'responsible' : 'harmed';
}

// What is being written: a new letter, a reply to a received one, or a
// returned letter written again (with the facilitator's note beside it).
export interface Writing {
  reply?: { answers: string; quote?: string };
  revision?: { revises: string; text: string; kind: Kind; answers?: Bytes; note: HTMLElement };
  resend?: { lost: string; text: string; attachments: Attached[] };
  toFacilitators?: boolean;  // words to the facilitators alone (a note): not reviewed, never seen by the other person
  checkin?: { answers: string; question: string };  // answering a check-in (with toFacilitators)
  problem?: string;
  text?: string;  // what the person had typed, put back as it was after a failure
}

const draftSlot = (w: Writing) =>
  w.revision ? `draft/revise/${w.revision.revises}` : w.reply ? `draft/reply/${w.reply.answers}`
    : w.resend ? `draft/resend/${w.resend.lost}` : w.checkin ? `draft/checkin/${w.checkin.answers}`
    : w.toFacilitators ? 'draft/facilitators' : 'draft';

// A reply to a letter she received: its first words shown above the editor.
// A check-in from the facilitators (SPEC 5.19): their question and the
// support services they point to, and the way to answer them.
async function showCheckin(app: App, m: MessageSummary, body: string, contentType: string,
  list: MessageSummary[]): Promise<void> {
  const { t } = app.strings;
  if (contentType !== checkinContentType) throw new RelayRefusal(200, 'not_understood');
  const c = parseCheckinBody(body);
  if (m.state === 'released') await noteState(app, m.message, 'delivered');
  await app.kept.keep({ message: m.message, mine: false, at: Math.floor(Date.now() / 1000), text: c.question, notes: [] });
  const done = list.some((x) => x.kind === 'note' && x.answers === m.message);
  const answer = h('button', { type: 'button' }, t('checkin_answer'));
  answer.addEventListener('click', () => app.views.go({ view: 'answer', id: m.message }));
  if (!showing(app, m.message)) return;
  show(h('h1', {}, t('checkin_title')),
    h('p', {}, t('checkin_explain')),
    h('p', { class: 'quote', dir: 'auto', id: 'checkin-question' }, c.question),
    c.support.length ? h('section', { class: 'note', 'aria-labelledby': 'support-title' },
      h('h2', { id: 'support-title' }, t('checkin_support')),
      h('ul', { id: 'checkin-support' }, ...c.support.map((s) => h('li', { dir: 'auto' }, s)))) : null,
    done ? h('p', { role: 'status', class: 'status' }, t('checkin_already_answered')) : h('div', { class: 'choices' }, answer),
    nav(app));
}

// Answering a check-in: words to the facilitators, the question beside them.
export async function answerCheckin(app: App, id: string): Promise<void> {
  const copy = await app.kept.kept(id);
  if (!copy) return app.views.go({ view: 'letter', id }, { replace: true });  // opened first, where the question is read
  return writeLetter(app, { toFacilitators: true, checkin: { answers: id, question: copy.text } });
}

export async function replyTo(app: App, id: string): Promise<void> {
  const copy = await app.kept.kept(id);
  await writeLetter(app, { reply: { answers: id, quote: copy ? firstWords(copy.text) : undefined } });
}

// A letter of hers that did not reach the service, written again as it was
// (its text in place, its attachments with it) for her to send.
export async function resend(app: App, id: string): Promise<void> {
  const copy = await app.kept.kept(id);
  if (!copy || !copy.mine) return app.views.go({ view: 'letters' }, { replace: true, notice: app.strings.t('letter_gone') });
  await writeLetter(app, { resend: { lost: id, text: copy.text, attachments: copy.attachments ?? [] } });
}

// A returned letter written again: the letter and the facilitator's note
// are read from the relay each time, so a reload comes back to both.
export async function revise(app: App, id: string): Promise<void> {
  try {
    const path = `/v1/cases/${caseId(app)}/messages/${id}`;
    const got = fetchedMessage(await app.relay.get(path));
    if (got.returned === undefined) {
      return app.views.go({ view: 'letter', id }, { replace: true });
    }
    const opened = await openCiphertext(app, path, sealedFactsOf(got.envelope), keyFromEnvelope(await roster(app), got.envelope, me(app)));
    await writeLetter(app, { revision: { revises: id, text: opened.text, kind: got.envelope.kind as Kind,
      answers: got.envelope.answers as Bytes | undefined, note: returnNote(app, got.returned, got.envelope.id) } });
  } catch (e) {
    app.views.go({ view: 'letters' }, { replace: true, notice: wordsFor(app.strings, e) });
  }
}

// The facilitator's reason and note on a returned letter, sealed to its writer.
function returnNote(app: App, rs: Statement, message: Bytes): HTMLElement {
  const { t } = app.strings;
  const self = me(app);
  const n = openNote(rs.note as Bytes, message, 'return', self.caseKey.publicKey, self.caseKey.secret);
  const reasonKey = `reason_${n.reason ?? 'other'}`;
  return h('section', { class: 'note' }, h('h2', {}, t('returned_note')),
    h('p', {}, app.strings.has(reasonKey) ? t(reasonKey) : t('reason_other')), h('p', { dir: 'auto' }, n.text));
}

// The body that sends a letter (SPEC 16.3): the signed envelope, the
// revision statement when it revises a returned letter, and the ciphertext
// as base64url text (made in the worker), put together without copying the
// ciphertext through a string on the page's thread.
function letterBody(envelope: Statement, ciphertextText: Blob, revision?: Statement): Blob {
  const head: { [k: string]: JsonValue } = { envelope: toJsonValue(envelope) };
  if (revision) head.revision = toJsonValue(revision);
  const written = serialize(head);
  return new Blob([written.slice(0, -1), ',"ciphertext":"', ciphertextText, '"}'], { type: 'application/json' });
}

// Each finding in its sentence, the detail marked and named.
function findingsList(app: App, text: string, findings: Finding[]): HTMLElement {
  const { t } = app.strings;
  const shown = findings.slice(0, 8);
  return h('ul', { class: 'findings' }, ...shown.map((f) => {
    const c = contextOf(text, f);
    return h('li', {}, h('span', { dir: 'auto' }, c.before, h('mark', {}, c.match), c.after), ' ',
      h('span', { class: 'help' }, `(${t(`identifying_${f.kind}`)})`));
  }), findings.length > shown.length ? h('li', {}, t('identifying_more', { n: String(findings.length - shown.length) })) : null);
}

// What the facilitators sealed to her to help her write (SPEC 7): the names
// and places her letters are checked for, and the questions offered as
// prompts, one per line; none when unset or out of reach.
async function writingAids(app: App): Promise<{ names: string[]; prompts: string[] }> {
  const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter((l) => l);
  try {
    const aids = caseDetail(await app.relay.get(`/v1/cases/${caseId(app)}`)).writingAids;
    const { caseKey } = me(app);
    const open = (box: Bytes | undefined, purpose: 'names' | 'prompts') =>
      box ? lines(openNote(box, b64.decode(caseId(app))!, purpose, caseKey.publicKey, caseKey.secret).text) : [];
    return { names: open(aids.names, 'names'), prompts: open(aids.prompts, 'prompts') };
  } catch {
    return { names: [], prompts: [] };
  }
}

export async function writeLetter(app: App, w: Writing = {}): Promise<void> {
  const { t } = app.strings;
  const route = hashOf(app.views.current());
  const aids = w.toFacilitators ? { names: [], prompts: [] } : await writingAids(app);
  const again = (problem: string, text?: string) => void writeLetter(app, { ...w, problem, text });
  const slot = draftSlot(w);
  const area = h('textarea', { id: 'letter', rows: '12', dir: 'auto', 'aria-describedby': 'write-explain draft-note' });
  // The draft is kept sealed on this device as it is typed, and is back in
  // place before the page is shown (never arriving under the person's typing).
  area.value = w.text ?? ((await app.kept.draft(slot)) || (w.revision?.text ?? w.resend?.text ?? ''));
  if (hashOf(app.views.current()) !== route) return;  // she went back while it loaded
  let saving: ReturnType<typeof setTimeout> | undefined;
  area.addEventListener('input', () => {
    clearTimeout(saving);
    saving = setTimeout(() => void app.kept.saveDraft(area.value, slot), 400);
  });
  const files = h('input', { id: 'files', type: 'file', multiple: true });
  // Each photo chosen can be described: sealed with it, and read out in its place to whoever cannot see it.
  const described = h('div', { class: 'descriptions' });
  const descriptions = new Map<File, HTMLInputElement>();
  files.addEventListener('change', () => {
    descriptions.clear();
    described.replaceChildren(...Array.from(files.files ?? []).filter((f) => f.type.startsWith('image/')).map((f, i) => {
      const input = h('input', { id: `describe-${i}`, type: 'text', dir: 'auto', maxlength: '200',
        'aria-describedby': 'describe-help' });
      descriptions.set(f, input);
      return h('div', {}, h('label', { for: input.id }, t('describe_label', { name: f.name })), input);
    }));
    if (descriptions.size) described.prepend(h('p', { id: 'describe-help', class: 'help' }, t('describe_help')));
  });
  const form = h('form', { novalidate: true, id: 'letter-form' },
    h('label', { for: 'letter' }, t(w.toFacilitators ? 'note_label' : 'write_label')), area,
    h('label', { for: 'files' }, t('attach_label')), files, described,
    h('button', { type: 'submit' }, t('send')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const text = area.value;
    if (!text.trim()) return again(t('empty_letter'));
    // Kept, sealed, before anything is sent: nothing typed is lost if sending fails.
    clearTimeout(saving);
    await app.kept.saveDraft(text, slot);
    // Details that could let someone find or recognise a person, shown in
    // their sentences with a question, on this device only: sending stays hers.
    const findings = w.toFacilitators ? [] : findIdentifying(text, aids.names);  // the facilitators may need such details
    if (findings.length && !(await ask({ title: t('identifying_title'), text: [t('identifying_explain')],
      body: findingsList(app, text, findings), confirm: t('identifying_send'), cancel: t('identifying_change') }))) {
      area.focus();
      area.setSelectionRange(findings[0].start, findings[0].end);
      return;
    }
    // A letter sent again carries the attachments it had (each with its description in its type).
    const chosen: ToAttach[] = [
      ...(w.resend?.attachments ?? []).map((a) => ({ name: a.name, type: a.type, description: '', data: a.data })),
      ...Array.from(files.files ?? []).map((file) => ({ name: file.name,
        type: file.type || 'application/octet-stream', description: descriptions.get(file)?.value ?? '', data: file }))];
    for (const c of chosen) {
      try {
        withDescription(c.type, c.description);
      } catch {
        return again(t('description_long', { name: c.name }), text);
      }
    }
    // Sealed in the crypto worker (the bar's first part), then sent (the rest).
    const bar = h('progress', { max: '100', value: '0', 'aria-label': t('sending_progress') });
    const step = h('p', { role: 'status' }, t('sealing'));
    show(h('h1', {}, t('write_title')), step, bar);
    const sealedShare = 0.3;
    const moveTo = (fraction: number) => {
      const v = Math.floor(fraction * 100);
      if (v > Number(bar.getAttribute('value'))) bar.setAttribute('value', String(v));
    };
    try {
      const r = await roster(app);
      const self = me(app);
      try {
        r.find(self.identity.publicKey);
      } catch {
        return again(t('not_attested_yet'), text);
      }
      const readers = w.toFacilitators ? r.facilitatorReaders()
        : [...r.facilitatorReaders(), ...r.supportersOf(self.identity.publicKey)];
      const now = Math.floor(Date.now() / 1000);
      // A reply names the letter it answers; a revision keeps what the returned letter was.
      const kind: Kind = w.toFacilitators ? 'note' : w.reply ? 'reply' : w.revision?.kind ?? 'letter';
      const answers = w.reply ? b64.decode(w.reply.answers)! : w.checkin ? b64.decode(w.checkin.answers)! : w.revision?.answers;
      const to: Role = w.toFacilitators ? 'facilitator' : otherParty(app.session.unlocked.caseEntry.role);
      const draft = { id: newId(), case: b64.decode(caseId(app))!, created_at: now, kind, to, answers };
      const sealed = await app.crypto.sealLetter({ message: draft.id, case: draft.case, sender: self.identity.publicKey,
        kind, to: draft.to }, text, chosen, limits.relayCiphertext, (done, total) => moveTo((done / total) * sealedShare));
      // Too large for the relay: said before anything is sent, with both sizes.
      if ('tooLarge' in sealed) {
        return again(t('too_large', { size: parts.mib(sealed.tooLarge), limit: parts.mib(limits.relayCiphertext) }), text);
      }
      const envelope = envelopeFor(self, draft, readers, sealed, sealed.key);
      sodium().memzero(sealed.key);
      // The returned letter it revises is named beside the envelope, for the facilitators only.
      const revision = w.revision
        ? revisionOf(self, b64.decode(caseId(app))!, envelope.id, b64.decode(w.revision.revises)!, now) : undefined;
      step.textContent = t('sending');
      await app.relay.postWithProgress(`/v1/cases/${caseId(app)}/messages`, letterBody(envelope, sealed.ciphertextText, revision),
        (done, total) => {
          if (total > 0) moveTo(sealedShare + (done / total) * (1 - sealedShare));
        });
      await app.kept.keep({ message: b64.encode(envelope.id), mine: true, at: Math.floor(Date.now() / 1000), text, notes: [],
        attachments: sealed.attachments });
      clearTimeout(saving);
      await app.kept.saveDraft('', slot);
      if (w.resend) await app.kept.forget(w.resend.lost);  // sent again: the lost copy is done with
      app.views.go({ view: 'letters' }, { replace: true,
        notice: t(w.checkin ? 'checkin_answered_done' : w.toFacilitators ? 'note_sent' : 'sent') });
    } catch (e) {
      // The other party left or the case closed meanwhile: the page now says so.
      if (e instanceof RelayRefusal && (e.code === 'channel_closed' || e.code === 'case_closed')) {
        await refreshStanding(app).catch(() => {});
      }
      again(wordsFor(app.strings, e), text);
    }
  });
  const cancel = h('button', { type: 'button', class: 'quiet' }, t('cancel'));
  cancel.addEventListener('click', () => app.views.go({ view: 'letters' }));
  const title = w.checkin ? t('checkin_answer_title') : w.toFacilitators ? t('note_title') : w.reply ? t('reply_title')
    : w.revision ? t('revise_title')
    : w.resend ? t('resend_title') : t('write_title');
  show(h('h1', {}, title),
    w.reply ? h('p', { class: 'quote' }, w.reply.quote ? t('in_reply_to', { words: w.reply.quote }) : t('in_reply'))
      : null,
    w.checkin ? h('p', { class: 'quote', dir: 'auto' }, w.checkin.question) : null,
    // The facilitator's note stays beside the editor while revising.
    w.revision?.note ?? null,
    w.resend ? h('p', { role: 'note', class: 'notice' }, t('resend_explain', { count: String(w.resend.attachments.length) }))
      : null,
    h('p', { id: 'write-explain' }, t(w.toFacilitators ? 'note_explain' : 'write_explain')),
    aids.prompts.length ? h('section', { class: 'note', id: 'prompts', 'aria-labelledby': 'prompts-title' },
      h('h2', { id: 'prompts-title' }, t('prompts_title')), h('p', {}, t('prompts_explain')),
      h('ul', {}, ...aids.prompts.map((p) => h('li', { dir: 'auto' }, p)))) : null,
    h('p', { id: 'draft-note', class: 'help' }, t('draft_kept')),
    w.problem ? h('p', { role: 'alert', class: 'problem' }, w.problem) : null, form, cancel, nav(app));
  if (app.caseStatus.standing !== 'open') endWriting(app);
}

export function confirmWithdraw(app: App): void {
  const { t } = app.strings;
  const yes = h('button', { type: 'button', class: 'serious' }, t('withdraw_confirm'));
  const no = h('button', { type: 'button', class: 'quiet' }, t('cancel'));
  no.addEventListener('click', () => app.views.go({ view: 'letters' }));
  yes.addEventListener('click', async () => {
    const { identity } = app.session.unlocked.keys;
    const s = sign({ type: 'withdraw', id: newId(), case: b64.decode(caseId(app))!,
      created_at: Math.floor(Date.now() / 1000), revoke_released: false }, identity.secretKey, identity.publicKey);
    // The letters' last states, for the list this device keeps once the relay has nothing more for her.
    try {
      const known = await app.kept.states();
      for (const m of messageList(await app.relay.get(`/v1/cases/${caseId(app)}/messages`))) known[m.message] = m.state;
      await app.kept.saveStates(known);
    } catch {
      // the states last seen stay
    }
    try {
      await app.relay.post(`/v1/cases/${caseId(app)}/withdraw`, { withdraw: toJsonValue(s) });
    } catch (e) {
      return app.views.go({ view: 'letters' }, { replace: true, notice: wordsFor(app.strings, e) });
    }
    await app.vault.put('withdrawn', caseId(app));
    // The relay has ended her sessions and has nothing more for her: no stream to keep open.
    app.caseStatus.gone = true;
    app.events.stop();
    app.views.go({ view: 'letters' }, { replace: true, notice: t('withdraw_done') });
  });
  show(h('h1', {}, t('withdraw_title')), h('p', {}, t('withdraw_explain')), h('div', { class: 'choices' }, yes, no));
}

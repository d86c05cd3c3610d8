// A facilitator's cases in the console: the list, opening one (a label, one
// or two approvals; the passphrase adds its key to the keystore), and each
// case's page: its people and their states, an invitation link for each
// role, attestation by comparing, group by group, the safety number a
// person reads aloud with the one on screen, and the label, sealed to
// every facilitator the page trusts.
import * as b64 from '../proto/base64url.js';
import { Role, Statement, sign, toJsonValue, verifySignature } from '../proto/codec.js';
import { makeKeyStatement } from '../proto/enrolment.js';
import { encodeCode, invitationSecretHash } from '../proto/invitation.js';
import { fingerprint, newCaseKey, newId, safetyNumber } from '../proto/keys.js';
import qrcode from 'qrcode-generator';
import { sealNote } from '../proto/letters.js';
import { writeProfile } from '../proto/profile.js';
import { Roster } from '../proto/roster.js';
import { sodium } from '../proto/sodium.js';
import { CaseDetail, caseDetail, caseList, messageList } from '../app/answers.js';
import { ask } from '../app/dialog.js';
import { h, show as draw } from '../app/dom.js';
import { textIn } from '../app/i18n.js';
import { wordsFor } from '../app/failure.js';
import { rosterFrom } from '../app/letter_parts.js';
import { RelayRefusal } from '../app/relay.js';
import type { CaseEntry } from '../app/session.js';
import type { Console } from './parts.js';
import { caseEntryOf, roleWords } from './parts.js';
import { historyView, noteForm } from './history.js';
import { footer, labelOf, openedLabel } from './queue.js';
import { stageSection, stageWords } from './stage.js';
import { aidsSection } from './aids.js';
import { agreementSection } from './agreement.js';
import { checkinSection } from './checkins.js';
import { caseOpenedFrom } from './requests.js';

const now = () => Math.floor(Date.now() / 1000);
const invitationHours = 72;
const invitable: Role[] = ['harmed', 'responsible', 'harmed_support', 'responsible_support', 'facilitator'];
// Whom an invitation is for: a facilitator invited into a case is the co-facilitator.
const invitedWords = (c: Console, role: Role) => role === 'facilitator' ? c.strings.t('console_role_cofacilitator') : roleWords(c, role);

function problemLine(text?: string): HTMLElement {
  return h('p', { role: 'alert', class: 'problem', hidden: !text }, text ?? '');
}

// Quiet hours as two local clock times in this browser's time zone (SPEC:
// the relay holds a release due inside them until they end). Both empty is
// none; one alone is asked about.
type Quiet = { start: string; end: string } | null;
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

function quietFields(c: Console, prefix: string, legend: string, now?: { start: string; end: string }):
  { fields: HTMLElement; read(): Quiet | 'incomplete' } {
  const { t } = c.strings;
  const from = h('input', { id: `${prefix}-from`, type: 'time', value: now?.start ?? '' });
  const until = h('input', { id: `${prefix}-until`, type: 'time', value: now?.end ?? '' });
  const fields = h('fieldset', { 'aria-describedby': `${prefix}-help` }, h('legend', {}, legend),
    h('p', { id: `${prefix}-help`, class: 'help' }, t('console_quiet_help', { zone: browserZone() })),
    h('div', { class: 'times' },
      h('span', {}, h('label', { for: `${prefix}-from` }, t('console_quiet_from')), from),
      h('span', {}, h('label', { for: `${prefix}-until` }, t('console_quiet_until')), until)));
  return { fields, read: () => {
    if (!from.value && !until.value) return null;
    if (!from.value || !until.value) return 'incomplete';
    return { start: from.value.slice(0, 5), end: until.value.slice(0, 5) };
  } };
}

async function setQuietHours(c: Console, caseId: string, quiet: Quiet): Promise<void> {
  // Equal times remove them (SPEC, the quiet-hours route).
  await c.relay.post(`/v1/cases/${caseId}/quiet-hours`,
    { time_zone: browserZone(), start: quiet?.start ?? '00:00', end: quiet?.end ?? '00:00' });
}

// ------------------------------------------------------------------ the list

export async function list(c: Console, notice?: string): Promise<void> {
  const { t } = c.strings;
  const open = h('a', { href: '#open', class: 'button' }, t('console_open_case'));
  let rows: HTMLElement[] = [];
  try {
    rows = caseList(await c.relay.get('/v1/cases')).map((o) =>
      h('li', {}, h('a', { href: `#case=${o.case}` }, labelOf(c, o.case, o.label)),
        o.state === 'closed' ? ` (${t('console_case_closed')})` : ` · ${stageWords(c, o)}`));
  } catch (e) {
    notice = wordsFor(c.strings, e);
  }
  draw(h('h1', {}, t('console_cases_title')), notice ? h('p', { role: 'status', class: 'status' }, notice) : null,
    rows.length ? h('ul', { id: 'cases' }, ...rows) : h('p', { id: 'cases' }, t('console_no_cases')), open,
    await keysLink(c), footer(c));
}

// The keys file (SPEC 11.1) for `shuttle import-keys` or another browser:
// the keystore as sealed here, the relay key pinned here, the cases, signed.
async function keysLink(c: Console): Promise<HTMLElement | null> {
  const { t } = c.strings;
  const sealed = await c.vault.get('keystore');
  const relayKey = c.session.relayKey ? b64.decode(c.session.relayKey) : null;
  if (!sealed || !relayKey) return null;
  const { keys, cases } = c.session.unlocked;
  const text = writeProfile({ keystore: sealed, relay: location.host, relayKey,
    cases: cases.map((e) => ({ case: e.case, role: e.role, pinned: e.pinned })) }, keys.identity);
  return h('section', { 'aria-labelledby': 'save-keys-title' }, h('h2', { id: 'save-keys-title' }, t('console_keys_save_title')),
    h('p', { class: 'help' }, t('console_keys_save_help')),
    h('a', { href: URL.createObjectURL(new Blob([text], { type: 'application/json' })), download: 'shuttle-keys.json' },
      t('console_keys_save')));
}

// ------------------------------------------------------------------ opening a case

export function openForm(c: Console, problem?: string, referral?: string): void {
  const { t } = c.strings;
  c.screen.redraw = () => openForm(c, problem, referral);
  const label = h('input', { id: 'label', type: 'text', maxlength: '200', required: true, 'aria-describedby': 'label-help' });
  const two = h('input', { id: 'two-person', type: 'checkbox' });
  const quiet = quietFields(c, 'quiet', t('console_quiet_legend'));
  const pass = h('input', { id: 'passphrase', type: 'password', autocomplete: 'current-password', required: true,
    'aria-describedby': 'open-pass-help' });
  const form = h('form', { novalidate: true },
    h('label', { for: 'label' }, t('console_label_label')), h('p', { id: 'label-help', class: 'help' }, t('console_label_help')), label,
    h('div', {}, two, h('label', { for: 'two-person' }, t('console_two_person'))), quiet.fields,
    h('label', { for: 'passphrase' }, t('passphrase_label')), h('p', { id: 'open-pass-help', class: 'help' }, t('console_open_pass_help')), pass,
    h('button', { type: 'submit' }, t('console_open_case')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!label.value.trim()) return openForm(c, t('console_label_needed'), referral);
    const hours = quiet.read();
    if (hours === 'incomplete') return openForm(c, t('console_quiet_both'), referral);
    void openCase(c, label.value.trim(), two.checked, hours, pass.value, referral);
  });
  draw(h('h1', {}, t('console_open_case')), referral ? h('p', {}, t('console_open_for_referral')) : null,
    problemLine(problem), form, footer(c));
}

async function openCase(c: Console, label: string, twoPerson: boolean, quiet: Quiet, passphrase: string,
  referral?: string): Promise<void> {
  const { t } = c.strings;
  draw(h('h1', {}, t('console_open_case')), h('p', { role: 'status' }, t('console_opening')));
  let keys;
  try {
    keys = await c.crypto.openKeystore((await c.vault.get('keystore'))!, passphrase);
  } catch (e) {
    return openForm(c, wordsFor(c.strings, e), referral);
  }
  try {
    const { identity } = keys;
    const id = newId();
    const caseId = b64.encode(id);
    const caseKey = newCaseKey();
    keys.caseKeys.set(caseId, caseKey);
    const entry: CaseEntry = { case: caseId, role: 'facilitator', pinned: b64.encode(identity.publicKey) };
    const cases = [...c.session.unlocked.cases, entry];
    // The case's key is in the keystore on this device before the relay learns of the case.
    await c.vault.putAll({ keystore: await c.crypto.sealKeystore(keys, passphrase), cases: JSON.stringify(cases) });
    const open = sign({ type: 'case_open', id, case: id, created_at: now(), approvals_required: twoPerson ? 2 : 1 },
      identity.secretKey, identity.publicKey);
    await c.relay.post('/v1/cases', { case_open: toJsonValue(open),
      keys: toJsonValue(makeKeyStatement(identity, id, caseKey)) });
    c.session.start({ keys, cases });
    await setLabel(c, caseId, label);
    if (quiet) await setQuietHours(c, caseId, quiet);
    if (referral) await caseOpenedFrom(c, referral, caseId);
    c.views.go({ view: 'case', case: caseId }, { replace: true,
      notice: t(twoPerson ? 'console_case_opened_two' : 'console_case_opened') });
  } catch (e) {
    openForm(c, wordsFor(c.strings, e), referral);
  }
}

// The label sealed to every facilitator this page trusts in the case, itself included.
async function setLabel(c: Console, caseId: string, text: string, r?: Roster): Promise<void> {
  const entry = caseEntryOf(c, caseId)!;
  const roster = r ?? rosterFrom(caseDetail(await c.relay.get(`/v1/cases/${caseId}`)), caseId, entry.pinned);
  const id = b64.decode(caseId)!;
  await c.relay.post(`/v1/cases/${caseId}/label`, { label: roster.facilitatorReaders().map((f) => ({
    reader: b64.encode(f.identity), box: b64.encode(sealNote({ purpose: 'label', text }, id, f.caseKey)) })) });
}

// ------------------------------------------------------------------ a case's page

function quietSection(c: Console, caseId: string, d: CaseDetail): HTMLElement {
  const { t } = c.strings;
  const q = d.quietHours;
  const quiet = quietFields(c, 'case-quiet', t(q ? 'console_quiet_change' : 'console_quiet_set_new'), q);
  const problem = problemLine();
  const save = async (hours: Quiet) => {
    try {
      await setQuietHours(c, caseId, hours);
      c.views.go({ view: 'case', case: caseId }, { replace: true,
        notice: t(hours ? 'console_quiet_saved' : 'console_quiet_removed') });
    } catch (e) {
      problem.textContent = wordsFor(c.strings, e);
      problem.hidden = false;
    }
  };
  const remove = h('button', { type: 'button', class: 'quiet' }, t('console_quiet_remove'));
  remove.addEventListener('click', () => void save(null));
  const form = h('form', { novalidate: true, id: 'quiet-form' }, quiet.fields,
    h('button', { type: 'submit', class: 'quiet' }, t('console_quiet_save')), q ? remove : null, problem);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const hours = quiet.read();
    if (hours === 'incomplete') {
      problem.textContent = t('console_quiet_both');
      problem.hidden = false;
      return;
    }
    void save(hours);
  });
  return h('section', { 'aria-labelledby': 'quiet-title' }, h('h2', { id: 'quiet-title' }, t('console_quiet_title')),
    h('p', { id: 'quiet-now' }, q ? t('console_quiet_is', { start: q.start, end: q.end, zone: q.timeZone }) : t('console_quiet_none')),
    d.state === 'closed' ? null : form);
}

// Only the digits count: a number read aloud, typed with spaces or dashes, or pasted.
const digits = (s: string) => s.replace(/[^0-9]/g, '');

// The newest key statement of a participant, and its attestation by this roster, if any.
function keysOf(d: CaseDetail, identity: string): Statement | undefined {
  return [...d.keyStatements].reverse().find((k) => b64.encode(k.signer) === identity);
}

function attestForm(c: Console, caseId: string, d: CaseDetail, identity: string, role: string): HTMLElement {
  const { t } = c.strings;
  const id = `heard-${identity.slice(0, 8)}`;
  const heard = h('input', { id, type: 'text', inputmode: 'numeric', autocomplete: 'off', 'aria-describedby': `${id}-help` });
  const problem = problemLine();
  const form = h('form', { novalidate: true, class: 'attest' },
    h('label', { for: id }, t('console_heard_label')),
    h('p', { id: `${id}-help`, class: 'help' }, t('console_heard_help')), heard,
    h('button', { type: 'submit' }, t('console_attest')), problem);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const expected = safetyNumber(b64.decode(identity)!);
    if (digits(heard.value) !== digits(expected)) {
      // Which group differs, so the two people can find it together.
      const groups = expected.split(' ');
      const typed = digits(heard.value);
      const wrong = groups.findIndex((g, i) => typed.slice(i * 5, i * 5 + 5) !== g);
      problem.textContent = t('console_numbers_differ', { group: String(wrong + 1) });
      problem.hidden = false;
      return;
    }
    const keys = keysOf(d, identity);
    if (!keys) return;
    const me = c.session.unlocked.keys.identity;
    const attestation = sign({ type: 'attestation', id: newId(), case: b64.decode(caseId)!, created_at: now(),
      subject: keys.signer, subject_role: role, key_statement: keys.id, subject_case_key: keys.case_key },
    me.secretKey, me.publicKey);
    try {
      await c.relay.post(`/v1/cases/${caseId}/attestations`, { attestation: toJsonValue(attestation) });
      // A colleague confirmed: the case's label is sealed to them too, so their queue names the case.
      const label = role === 'facilitator' ? openedLabel(c, caseId, d.label) : undefined;
      if (label !== undefined) await setLabel(c, caseId, label);
      c.views.go({ view: 'case', case: caseId }, { replace: true, notice: t('console_attested', { role: roleWords(c, role) }) });
    } catch (e) {
      problem.textContent = wordsFor(c.strings, e);
      problem.hidden = false;
    }
  });
  return form;
}

// The link as a QR code: the library (qrcode-generator) encodes, the page
// draws each dark module into an SVG path with the DOM, so nothing is parsed as markup.
export function qrCode(text: string, label: string): SVGSVGElement {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const margin = 4;
  let d = '';
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) if (qr.isDark(row, col)) d += `M${col + margin} ${row + margin}h1v1h-1z`;
  }
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const size = String(n + 2 * margin);
  for (const [k, v] of Object.entries({ viewBox: `0 0 ${size} ${size}`, role: 'img', 'aria-label': label, class: 'qr',
    'shape-rendering': 'crispEdges', 'data-modules': String(n) })) {
    svg.setAttribute(k, v);
  }
  const paper = document.createElementNS(ns, 'rect');
  for (const [k, v] of Object.entries({ width: size, height: size, fill: '#fff' })) paper.setAttribute(k, v);
  const ink = document.createElementNS(ns, 'path');
  ink.setAttribute('d', d);
  ink.setAttribute('fill', '#000');
  svg.append(paper, ink);
  return svg;
}

// The invitation as a letter to print or hand over, in English or Norwegian
// whatever the page's language: what Shuttle is, how to open the link (or
// scan the code), and that the facilitator will compare a number with them.
function invitationLetter(c: Console, link: string, role: Role, expires: number): HTMLElement {
  const { t } = c.strings;
  const choice = h('select', { id: 'letter-language' }, h('option', { value: 'en' }, 'English'),
    h('option', { value: 'nb' }, 'Norsk bokmål'));
  choice.value = c.strings.language;
  const letter = h('article', { class: 'invitation-letter', id: 'invitation-letter' });
  const draw = () => {
    const l = choice.value === 'nb' ? 'nb' : 'en';
    const service = c.session.service ?? textIn(l, 'title');
    letter.setAttribute('lang', l);
    letter.replaceChildren(
      h('h2', {}, textIn(l, 'console_letter_title', { service })),
      h('p', {}, textIn(l, role === 'facilitator' ? 'console_letter_colleague' : 'console_letter_intro')),
      h('p', {}, textIn(l, 'console_letter_how')),
      qrCode(link, textIn(l, 'console_letter_qr')),
      h('p', { class: 'letter-link' }, link),
      h('p', {}, textIn(l, 'console_letter_next')),
      h('p', {}, textIn(l, 'console_letter_expires', { time: new Intl.DateTimeFormat(l === 'nb' ? 'nb-NO' : 'en-GB',
        { dateStyle: 'long', timeStyle: 'short' }).format(new Date(expires * 1000)) })));
  };
  choice.addEventListener('change', draw);
  draw();
  return h('section', { 'aria-labelledby': 'letter-title' }, h('h3', { id: 'letter-title' }, t('console_letter_heading')),
    h('p', { class: 'help' }, t('console_letter_help')),
    h('label', { for: 'letter-language' }, t('console_letter_language')), choice, letter);
}

// `first`: the role chosen to begin with (the co-facilitator, while a two-person case has one facilitator).
function inviteForm(c: Console, caseId: string, first: Role): HTMLElement {
  const { t } = c.strings;
  const role = h('select', { id: 'invite-role' }, ...invitable.map((r) => h('option', { value: r }, invitedWords(c, r))));
  role.value = first;
  const result = h('div', { id: 'invitation', 'aria-live': 'polite' });
  const form = h('form', { novalidate: true },
    h('label', { for: 'invite-role' }, t('console_invite_role')), role,
    h('button', { type: 'submit' }, t('console_invite')), result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const me = c.session.unlocked.keys.identity;
    const invitation = newId();
    const secret = sodium().randombytes_buf(32);
    const id = b64.decode(caseId)!;
    const chosen = role.value as Role;
    const created = now();
    const statement = sign({ type: 'invitation', id: invitation, case: id, created_at: created, role: chosen,
      secret_hash: invitationSecretHash(secret), expires_at: created + invitationHours * 3600 }, me.secretKey, me.publicKey);
    try {
      await c.relay.post(`/v1/cases/${caseId}/invitations`, { invitation: toJsonValue(statement) });
    } catch (e) {
      result.replaceChildren(problemLine(wordsFor(c.strings, e)));
      return;
    }
    // No certificate pin: the page cannot read the relay's certificate; browsers check it, and a
    // person at the CLI behind a self-signed certificate gets a code from `shuttle invite` instead.
    const code = encodeCode({ invitation, case: id, role: chosen, secret, inviterFingerprint: fingerprint(me.publicKey),
      relay: location.host });
    const link = `${location.origin}/#join=${encodeURIComponent(code)}`;
    const field = h('textarea', { id: 'invitation-link', rows: '3', readonly: true, 'aria-describedby': 'invitation-help' });
    field.value = link;
    const expires = created + invitationHours * 3600;
    result.replaceChildren(h('label', { for: 'invitation-link' }, t('console_invitation_for', { role: invitedWords(c, chosen) })),
      h('p', { id: 'invitation-help', class: 'help' }, t('console_invitation_help', { hours: String(invitationHours) })), field,
      qrCode(link, t('console_qr_label', { role: invitedWords(c, chosen) })),
      invitationLetter(c, link, chosen, expires));
  });
  return h('section', { 'aria-labelledby': 'invite-title' }, h('h2', { id: 'invite-title' }, t('console_invite_title')), form);
}

// Closing, confirmed in words that say what the parties will see.
function closeButton(c: Console, caseId: string): HTMLElement {
  const { t } = c.strings;
  const b = h('button', { type: 'button', class: 'quiet' }, t('console_close_case'));
  b.addEventListener('click', async () => {
    const sure = await ask({ title: t('console_close_title'), text: [t('console_close_explain'), t('console_close_final')],
      confirm: t('console_close_go'), cancel: t('cancel'), serious: true });
    if (!sure) return;
    const me = c.session.unlocked.keys.identity;
    const id = b64.decode(caseId)!;
    const close = sign({ type: 'close', id: newId(), case: id, created_at: now() }, me.secretKey, me.publicKey);
    try {
      try {
        await c.relay.post(`/v1/cases/${caseId}/close`, { close: toJsonValue(close) });
      } catch (e) {
        // A check-in still open keeps the case open unless she says so (SPEC 5.19).
        if (!(e instanceof RelayRefusal && e.code === 'checkins_open')) throw e;
        const anyway = await ask({ title: t('console_close_checkins_title'), text: [t('console_close_checkins_explain')],
          confirm: t('console_close_checkins_go'), cancel: t('cancel'), serious: true });
        if (!anyway) return;
        await c.relay.post(`/v1/cases/${caseId}/close`, { close: toJsonValue(close), close_open_checkins: true });
      }
      c.views.go({ view: 'case', case: caseId }, { replace: true, notice: t('console_closed') });
    } catch (e) {
      c.views.go({ view: 'case', case: caseId }, { replace: true, notice: wordsFor(c.strings, e) });
    }
  });
  return b;
}

function labelForm(c: Console, caseId: string, r: Roster): HTMLElement {
  const { t } = c.strings;
  const input = h('input', { id: 'new-label', type: 'text', maxlength: '200' });
  const problem = problemLine();
  const form = h('form', { novalidate: true }, h('label', { for: 'new-label' }, t('console_label_label')), input,
    h('button', { type: 'submit', class: 'quiet' }, t('console_label_set')), problem);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!input.value.trim()) return;
    try {
      await setLabel(c, caseId, input.value.trim(), r);
      c.views.go({ view: 'case', case: caseId }, { replace: true, notice: t('console_label_done') });
    } catch (e) {
      problem.textContent = wordsFor(c.strings, e);
      problem.hidden = false;
    }
  });
  return form;
}

// Which consent text a person agreed to (SPEC 5.16), where the service asks
// for one: the current one (in its language), an earlier one, or none yet.
// A consent counts only with the person's own signature.
function consentWords(c: Console, d: CaseDetail, p: CaseDetail['participants'][number]): string {
  const { t } = c.strings;
  const asked = d.participants.some((x) => x.consent !== undefined);
  if (!asked || p.role === 'facilitator') return '';
  let signed = false;
  try {
    if (p.consent && b64.encode(p.consent.signer) === p.identity) {
      verifySignature(p.consent);
      signed = true;
    }
  } catch {
    signed = false;
  }
  if (!signed) return ` · ${t('console_consent_none')}`;
  return ` · ${p.consentCurrent ? t('console_consent_current', { language: p.consentLanguage ?? '' }) : t('console_consent_earlier')}`;
}

export async function showCase(c: Console, caseId: string, notice?: string): Promise<void> {
  const { t } = c.strings;
  const entry = caseEntryOf(c, caseId);
  if (!entry) return c.views.go({ view: 'cases' }, { replace: true, notice: t('console_no_key') });
  let d: CaseDetail, r: Roster;
  try {
    d = caseDetail(await c.relay.get(`/v1/cases/${caseId}`));
    r = rosterFrom(d, caseId, entry.pinned);
  } catch (e) {
    return c.views.go({ view: 'cases' }, { replace: true, notice: wordsFor(c.strings, e) });
  }
  const history = await historyView(c, caseId, r, d);
  const stay = (notice: string) => c.views.go({ view: 'case', case: caseId }, { replace: true, notice });
  const agreement = await agreementSection(c, caseId, r, d, stay);
  let checkins: HTMLElement | null = null;
  try {
    checkins = checkinSection(c, caseId, r, messageList(await c.relay.get(`/v1/cases/${caseId}/messages`)),
      d.state === 'closed', stay);
  } catch (e) {
    checkins = h('p', { role: 'alert', class: 'problem' }, wordsFor(c.strings, e));
  }
  const here = c.views.current();
  if (here.view !== 'case' || here.case !== caseId) return;  // moved on while it loaded
  c.screen.redraw = () => void showCase(c, caseId);
  const self = b64.encode(c.session.unlocked.keys.identity.publicKey);
  const people = d.participants.map((p) => {
    const keys = keysOf(d, p.identity);
    const known = keys ? r.has(keys.signer) : false;
    // A newer key than the one attested: flagged until the numbers are compared again.
    const changed = known && keys !== undefined &&
      b64.encode(r.find(keys.signer).caseKey) !== b64.encode(keys.case_key as Uint8Array);
    const state = p.state !== 'active' ? t('console_person_withdrawn')
      : !keys ? t('console_person_no_keys')
      : changed ? t('console_person_key_changed')
      : known ? t('console_person_attested') : t('console_person_to_attest');
    const who = `${roleWords(c, p.role)}${p.name ? ` (${p.name})` : ''}${p.identity === self ? ` · ${t('console_you')}` : ''}`;
    const needs = p.state === 'active' && keys && (!known || changed) && p.identity !== self;
    return h('li', { 'data-role': p.role }, h('p', {}, h('strong', {}, who), ` · ${state}`, consentWords(c, d, p)),
      needs ? attestForm(c, caseId, d, p.identity, p.role) : null);
  });
  // A two-person case with one facilitator releases nothing: the colleague is asked for first.
  const facilitators = d.participants.filter((p) => p.role === 'facilitator' && p.state === 'active').length;
  const needsColleague = d.state !== 'closed' && r.approvalsRequired > facilitators;
  draw(h('h1', {}, labelOf(c, caseId, d.label)),
    notice ? h('p', { role: 'status', class: 'status' }, notice) : null,
    h('p', {}, r.approvalsRequired === 2 ? t('console_two_person_case') : t('console_one_person_case'),
      d.state === 'closed' ? ` ${t('console_case_closed')}` : ''),
    needsColleague ? h('p', { class: 'notice', id: 'needs-colleague' }, t('console_needs_colleague')) : null,
    stageSection(c, caseId, d, r),
    h('section', { 'aria-labelledby': 'people-title' }, h('h2', { id: 'people-title' }, t('console_people')),
      h('ul', { id: 'people' }, ...people)),
    agreement, checkins, history, d.state === 'closed' ? null
      : noteForm(c, caseId, r, (notice) => c.views.go({ view: 'case', case: caseId }, { replace: true, notice })),
    aidsSection(c, caseId, r, d.state === 'closed',
      (notice) => c.views.go({ view: 'case', case: caseId }, { replace: true, notice })),
    h('p', {}, h('a', { href: `#record=${caseId}` }, t('console_record_link'))),
    d.state === 'closed' ? null : inviteForm(c, caseId, needsColleague ? 'facilitator' : 'harmed'),
    quietSection(c, caseId, d), labelForm(c, caseId, r), d.state === 'closed' ? null : closeButton(c, caseId), footer(c));
}

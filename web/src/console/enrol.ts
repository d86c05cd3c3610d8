// A facilitator comes to the console: from the operator's invitation (a
// name colleagues will know, and a passphrase; the keys are made here), or,
// already enrolled, from a colleague's invitation to a case (the passphrase
// again, to add the case's key to the keystore on this device).
import * as b64 from '../proto/base64url.js';
import { isDisplayName, toJsonValue } from '../proto/codec.js';
import { makeEnrolment, makeKeyStatement } from '../proto/enrolment.js';
import { ProfileFile, checkProfile, parseProfile } from '../proto/profile.js';
import { newCaseKey, newIdentity, safetyNumber } from '../proto/keys.js';
import { h, show } from '../app/dom.js';
import { Checked, JoinProblem, check, safetyNumberView, wordsForJoin } from '../app/join.js';
import type { CaseEntry } from '../app/session.js';
import type { Console } from './parts.js';
import { isOperatorInvitation, remember } from './parts.js';

const minPassphrase = 10;

function problemLine(text: string): HTMLElement {
  return h('p', { role: 'alert', class: 'problem' }, text);
}

// No keys here and no link: how to begin, and a place to paste the code.
export function noProfile(c: Console, problem?: string): void {
  const { t } = c.strings;
  c.screen.redraw = () => noProfile(c, problem);
  const input = h('textarea', { id: 'code', rows: '4', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'code-help' });
  const form = h('form', { novalidate: true }, h('label', { for: 'code' }, t('console_code_label')),
    h('p', { id: 'code-help', class: 'help' }, t('console_code_help')), input, h('button', { type: 'submit' }, t('continue')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void fromLink(c, input.value);
  });
  show(h('h1', {}, t('console_title')), problem ? problemLine(problem) : null, form, importForm(c));
}

// Keys saved by `shuttle export-keys` or by another browser (SPEC 11.1):
// the passphrase opens them, the identity's signature must hold, and then
// they are this browser's.
function importForm(c: Console): HTMLElement {
  const { t } = c.strings;
  const file = h('input', { id: 'keys-file', type: 'file', accept: 'application/json,.json' });
  const pass = h('input', { id: 'keys-passphrase', type: 'password', autocomplete: 'current-password' });
  const problem = h('p', { role: 'alert', class: 'problem', hidden: true });
  const form = h('form', { novalidate: true },
    h('label', { for: 'keys-file' }, t('console_keys_file')), file,
    h('label', { for: 'keys-passphrase' }, t('passphrase_label')), pass,
    h('button', { type: 'submit', class: 'quiet' }, t('console_keys_use')), problem);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const chosen = file.files?.[0];
    const say = (text: string) => {
      problem.textContent = text;
      problem.hidden = false;
    };
    if (!chosen) return say(t('console_keys_choose'));
    let p: ProfileFile;
    try {
      p = parseProfile(await chosen.text());
    } catch {
      return say(t('console_keys_not_a_file'));
    }
    say(t('unlocking'));
    let keys;
    try {
      keys = await c.crypto.openKeystore(p.keystore, pass.value);
    } catch (e) {
      return say(wordsForJoin(c, e));
    }
    try {
      checkProfile(p, keys.identity.publicKey);
    } catch {
      return say(t('console_keys_changed'));
    }
    const cases: CaseEntry[] = p.cases.map((x) => ({ case: x.case, role: x.role, pinned: x.pinned }));
    await c.vault.putAll({ keystore: p.keystore, cases: JSON.stringify(cases), relay_key: b64.encode(p.relayKey) });
    try {
      await c.session.login(keys);
    } catch (e) {
      await c.vault.forget();
      return say(wordsForJoin(c, e));
    }
    remember();
    c.session.start({ keys, cases });
    c.views.go({ view: 'queue' }, { replace: true, notice: cases.length === 1 ? t('console_keys_imported_one')
      : t('console_keys_imported', { n: String(cases.length) }) });
  });
  return h('section', { 'aria-labelledby': 'keys-title' }, h('h2', { id: 'keys-title' }, t('console_keys_title')),
    h('p', { class: 'help' }, t('console_keys_help')), form);
}

export async function fromLink(c: Console, codeText: string): Promise<void> {
  const { t } = c.strings;
  show(h('h1', {}, t('console_title')), h('p', { role: 'status' }, t('checking')));
  let checked: Checked;
  try {
    checked = await check(c, codeText);
  } catch (e) {
    return noProfile(c, e instanceof JoinProblem ? e.message : t('error_unexpected'));
  }
  const here = await c.session.hasProfile();
  if (isOperatorInvitation(checked.code.case)) {
    if (here) return noProfile(c, t('console_already_enrolled'));
    return askNameAndPassphrase(c, checked);
  }
  if (!here) return noProfile(c, t('console_enrol_first'));
  askToJoinCase(c, checked);
}

function askNameAndPassphrase(c: Console, checked: Checked, problem?: string): void {
  const { t } = c.strings;
  c.screen.redraw = () => askNameAndPassphrase(c, checked, problem);
  const name = h('input', { id: 'name', type: 'text', autocomplete: 'name', required: true, maxlength: '64',
    'aria-describedby': 'name-help' });
  const first = h('input', { id: 'passphrase', type: 'password', autocomplete: 'new-password', required: true,
    'aria-describedby': 'passphrase-explain' });
  const second = h('input', { id: 'passphrase-again', type: 'password', autocomplete: 'new-password', required: true });
  const form = h('form', { novalidate: true },
    h('label', { for: 'name' }, t('console_name_label')), h('p', { id: 'name-help', class: 'help' }, t('console_name_help')), name,
    h('label', { for: 'passphrase' }, t('passphrase_label')), first,
    h('label', { for: 'passphrase-again' }, t('passphrase_again')), second,
    h('button', { type: 'submit' }, t('continue')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const chosen = name.value.trim();
    if (!isDisplayName(chosen)) return askNameAndPassphrase(c, checked, t('console_name_needed'));
    if (first.value.length < minPassphrase) return askNameAndPassphrase(c, checked, t('passphrase_short'));
    if (first.value !== second.value) return askNameAndPassphrase(c, checked, t('passphrase_differ'));
    void enrolFacilitator(c, checked, chosen, first.value);
  });
  show(h('h1', {}, t('console_enrol_title')),
    checked.service ? h('p', { class: 'lead' }, t('console_invited_by', { service: checked.service })) : null,
    h('p', { id: 'passphrase-explain' }, t('console_passphrase_explain')),
    problem ? problemLine(problem) : null, form);
}

async function enrolFacilitator(c: Console, { code }: Checked, name: string, passphrase: string): Promise<void> {
  const { t } = c.strings;
  show(h('h1', {}, t('console_enrol_title')), h('p', { role: 'status' }, t('joining')));
  try {
    const identity = newIdentity();
    const keys = { identity, caseKeys: new Map() };
    // The keys are on this device, sealed, before the relay learns of them.
    await c.vault.putAll({ keystore: await c.crypto.sealKeystore(keys, passphrase), cases: '[]' });
    await c.relay.post('/v1/enrol', { enrolment: toJsonValue(makeEnrolment(identity, code, name)),
      secret: b64.encode(code.secret) });
    remember();
    await c.session.login(keys);
    c.session.start({ keys, cases: [] });
    c.views.go({ view: 'queue' }, { replace: true, notice: t('console_enrolled', { name }) });
  } catch (e) {
    await c.vault.forget();
    noProfile(c, wordsForJoin(c, e));
  }
}

// A colleague's invitation to a case: the passphrase opens the keys, the
// case's key is added to them and sealed again, and then the relay learns
// of it. The safety number is shown for the colleague to compare.
function askToJoinCase(c: Console, checked: Checked, problem?: string): void {
  const { t } = c.strings;
  c.screen.redraw = () => askToJoinCase(c, checked, problem);
  const input = h('input', { id: 'passphrase', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { novalidate: true }, h('label', { for: 'passphrase' }, t('passphrase_label')), input,
    h('button', { type: 'submit' }, t('console_join_case')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void joinCase(c, checked, input.value);
  });
  show(h('h1', {}, t('console_join_title')), h('p', {}, t('console_join_explain')),
    problem ? problemLine(problem) : null, form);
}

async function joinCase(c: Console, { code, inviter }: Checked, passphrase: string): Promise<void> {
  const { t } = c.strings;
  show(h('h1', {}, t('console_join_title')), h('p', { role: 'status' }, t('unlocking')));
  let keys;
  try {
    keys = await c.crypto.openKeystore((await c.vault.get('keystore'))!, passphrase);
  } catch (e) {
    return askToJoinCase(c, { code, inviter, consent: [] }, wordsForJoin(c, e));
  }
  try {
    const caseId = b64.encode(code.case);
    const caseKey = newCaseKey();
    keys.caseKeys.set(caseId, caseKey);
    const cases = JSON.parse((await c.vault.get('cases')) ?? '[]') as CaseEntry[];
    const entry: CaseEntry = { case: caseId, role: 'facilitator', pinned: b64.encode(inviter) };
    await c.vault.putAll({ keystore: await c.crypto.sealKeystore(keys, passphrase),
      cases: JSON.stringify([...cases.filter((x) => x.case !== caseId), entry]) });
    await c.session.login(keys);
    await c.relay.post('/v1/enrol', { enrolment: toJsonValue(makeEnrolment(keys.identity, code)),
      secret: b64.encode(code.secret), keys: toJsonValue(makeKeyStatement(keys.identity, code.case, caseKey)) });
    c.session.start({ keys, cases: [...cases.filter((x) => x.case !== caseId), entry] });
    showSafetyNumber(c, safetyNumber(keys.identity.publicKey));
  } catch (e) {
    noProfile(c, wordsForJoin(c, e));
  }
}

function showSafetyNumber(c: Console, number: string): void {
  const { t } = c.strings;
  c.screen.redraw = () => showSafetyNumber(c, number);
  const next = h('button', { type: 'button' }, t('console_to_queue'));
  next.addEventListener('click', () => c.views.go({ view: 'queue' }));
  show(h('h1', {}, t('console_joined_title')), h('p', {}, t('console_safety_explain')), h('h2', {}, t('safety_label')),
    safetyNumberView(number), next);
}

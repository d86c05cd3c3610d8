// Joining from a link (the code in the URL fragment, never sent to a server)
// or a pasted code: the invitation is checked against the pinned facilitator
// before anything is sent, the person chooses a passphrase, the page makes
// the keys, enrols and shows the safety number to read aloud.
import * as b64 from '../proto/base64url.js';
import { checkPresentedInvitation, makeEnrolment, makeKeyStatement } from '../proto/enrolment.js';
import { InvitationCode, parseCode } from '../proto/invitation.js';
import { newCaseKey, newIdentity, safetyNumber } from '../proto/keys.js';
import { consentTextHash, sign, toJsonValue } from '../proto/codec.js';
import { newId } from '../proto/keys.js';
import { ConsentText, consentTexts, presentedInvitation, serviceName } from './answers.js';
import type { App } from './app.js';
import { h, show } from './dom.js';
import { wordsFor } from './failure.js';

const minPassphrase = 10;

function status(text: string, role: 'status' | 'alert' = 'status'): HTMLElement {
  return h('p', { role, class: role === 'alert' ? 'problem' : 'status' }, text);
}

// An invitation's refusals in the join view's own words.
const invitationWords = {
  not_found: 'invitation_unknown', invitation_used: 'invitation_used', invitation_expired: 'invitation_expired',
} as const;
export const wordsForJoin = (app: Pick<App, 'strings'>, e: unknown) => wordsFor(app.strings, e, invitationWords);

export function askForCode(app: App, problem?: string): void {
  const { t } = app.strings;
  app.screen.redraw = () => askForCode(app, problem);
  const input = h('textarea', { id: 'code', rows: '4', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'code-help', required: true });
  const form = h('form', { novalidate: true },
    h('label', { for: 'code' }, t('code_label')),
    h('p', { id: 'code-help', class: 'help' }, t('code_help')),
    input,
    h('button', { type: 'submit' }, t('continue')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void join(app, input.value);
  });
  show(h('h1', {}, t('title')), problem ? status(problem, 'alert') : null, form);
}

// An invitation, checked: its code, who made it (pinned as the roster's
// root) and the service's name as the relay gives it.
export interface Checked {
  code: InvitationCode;
  inviter: Uint8Array;
  service?: string;
  consent: ConsentText[];  // the service's consent text in each language; none: it asks for none
}
// Why a code cannot be used, in the person's words.
export class JoinProblem extends Error {}

// Checks a code with the relay before anything is sent (the console's joins too).
export async function check(app: Pick<App, 'relay' | 'strings'>, codeText: string): Promise<Checked> {
  let code: InvitationCode;
  try {
    code = parseCode(codeText);
  } catch {
    throw new JoinProblem(app.strings.t('bad_code'));
  }
  try {
    const presented = await app.relay.post('/v1/invitations/open',
      { invitation: b64.encode(code.invitation), secret: b64.encode(code.secret) });
    const invitation = checkPresentedInvitation(code, presentedInvitation(presented));
    return { code, inviter: invitation.signer, service: serviceName(presented), consent: consentTexts(presented) };
  } catch (e) {
    throw new JoinProblem(wordsForJoin(app, e));
  }
}

// From a code typed or pasted: checked first, then the passphrase.
export async function join(app: App, codeText: string): Promise<void> {
  show(h('h1', {}, app.strings.t('title')), status(app.strings.t('checking')));
  try {
    const checked = await check(app, codeText);
    askPassphrase(app, Promise.resolve(checked));
  } catch (e) {
    askForCode(app, e instanceof JoinProblem ? e.message : app.strings.t('error_unexpected'));
  }
}

// From a joining link as the page opens: the passphrase is asked at once,
// while libsodium loads, the device is looked at and the invitation is
// checked. A device that already has a conversation says so instead
// (`alreadyHere`); a check that fails replaces the form with the reason;
// the form waits for the check.
export function joinFromLink(app: App, codeText: string, hasProfile: Promise<boolean>, alreadyHere: () => void): void {
  class AlreadyHere extends Error {}
  const checking = hasProfile.then((has) => {
    if (has) throw new AlreadyHere();
    return check(app, codeText);
  });
  checking.catch((e: Error) => (e instanceof AlreadyHere ? alreadyHere()
    : askForCode(app, e instanceof JoinProblem ? e.message : app.strings.t('error_unexpected'))));
  askPassphrase(app, checking);
}

function askPassphrase(app: App, checking: Promise<Checked>, problem?: string): void {
  const { t } = app.strings;
  app.screen.redraw = () => askPassphrase(app, checking, problem);
  const first = h('input', { id: 'passphrase', type: 'password', autocomplete: 'new-password', required: true,
    minlength: String(minPassphrase), 'aria-describedby': 'passphrase-explain' });
  const second = h('input', { id: 'passphrase-again', type: 'password', autocomplete: 'new-password', required: true });
  // The service's consent text, once the relay has given it: read and agreed to before joining.
  const consent = h('div', { id: 'consent-place' });
  let offered: ConsentText | undefined;
  const agree = h('input', { type: 'checkbox', id: 'consent-agree', required: true });
  const form = h('form', { novalidate: true }, consent,
    h('label', { for: 'passphrase' }, t('passphrase_label')), first,
    h('label', { for: 'passphrase-again' }, t('passphrase_again')), second,
    h('button', { type: 'submit' }, t('continue')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (first.value.length < minPassphrase) return askPassphrase(app, checking, t('passphrase_short'));
    if (first.value !== second.value) return askPassphrase(app, checking, t('passphrase_differ'));
    if (offered && !agree.checked) {
      if (!document.getElementById('consent-needed')) {
        const needed = status(t('consent_needed'), 'alert');
        needed.id = 'consent-needed';
        consent.append(needed);
      }
      agree.focus();
      return;
    }
    const passphrase = first.value;
    const agreed = offered;
    show(h('h1', {}, t('passphrase_title')), status(t('joining')));
    // A check that failed has already put its reason on the screen.
    checking.then((c) => enrol(app, c, passphrase, agreed), () => {});
  });
  // Who invited her, once the relay has said (at once when it already has).
  const lead = h('p', { class: 'lead', hidden: '' });
  void checking.then((c) => {
    if (c.consent.length) {
      // In the page's language when the service wrote it in it, else English, else its first.
      offered = c.consent.find((x) => x.language === app.strings.language) ?? c.consent.find((x) => x.language === 'en')
        ?? c.consent[0];
      consent.replaceChildren(h('section', { class: 'note', 'aria-labelledby': 'consent-title' },
        h('h2', { id: 'consent-title' }, t('consent_title')),
        h('div', { class: 'consent-text', id: 'consent-text', lang: offered.language, dir: 'auto', tabindex: '0' }, offered.text),
        h('div', {}, agree, h('label', { for: 'consent-agree' }, t('consent_agree')))));
    }
    if (!c.service) return;
    lead.textContent = t('invited_by', { service: c.service });
    lead.hidden = false;
  }, () => {});
  show(h('h1', {}, t('passphrase_title')), lead,
    h('p', { id: 'passphrase-explain' }, t('passphrase_explain')),
    problem ? status(problem, 'alert') : null, form);
  app.crypto.warmUp();
}

async function enrol(app: App, { code, inviter }: Checked, passphrase: string, agreed?: ConsentText): Promise<void> {
  try {
    const identity = newIdentity();
    const caseKey = newCaseKey();
    const enrolment = makeEnrolment(identity, code);
    const keys = makeKeyStatement(identity, code.case, caseKey);
    // The keys are on this device, sealed (Argon2id, in the worker), before the relay learns of them.
    const caseKeys = new Map([[b64.encode(code.case), caseKey]]);
    const caseEntry = { case: b64.encode(code.case), role: code.role, pinned: b64.encode(inviter) };
    await app.vault.putAll({ keystore: await app.crypto.sealKeystore({ identity, caseKeys }, passphrase),
      cases: JSON.stringify([caseEntry]) });
    // Agreed to the text shown, by its hash computed here (SPEC 5.16); kept to be read again.
    const consent = agreed ? sign({ type: 'consent', id: newId(), case: code.case, created_at: Math.floor(Date.now() / 1000),
      text_hash: consentTextHash(agreed.language, agreed.text) }, identity.secretKey, identity.publicKey) : undefined;
    if (agreed) {
      await app.vault.put('consent', JSON.stringify({ ...agreed, at: Math.floor(Date.now() / 1000) }));
    }
    await app.relay.post('/v1/enrol', { enrolment: toJsonValue(enrolment), secret: b64.encode(code.secret),
      keys: toJsonValue(keys), ...(consent ? { consent: toJsonValue(consent) } : {}) });
    await app.session.login({ identity, caseKeys });
    app.session.start({ keys: { identity, caseKeys }, caseEntry });
    showSafetyNumber(app, safetyNumber(identity.publicKey));
  } catch (e) {
    await app.vault.forget();
    askForCode(app, wordsForJoin(app, e));
  }
}

export function showSafetyNumber(app: App, number: string): void {
  const { t } = app.strings;
  app.screen.redraw = () => showSafetyNumber(app, number);
  show(h('h1', {}, t('joined_title')),
    h('p', {}, t('safety_explain')),
    h('h2', {}, t('safety_label')),
    safetyNumberView(number),
    continueButton(app));
}

// Twelve groups of five digits, four to a line where there is room, fewer on
// a narrow screen (the console shows a facilitator's the same way).
export function safetyNumberView(number: string): HTMLElement {
  const groups = number.split(' ');
  return h('p', { class: 'safety-number', id: 'safety-number', 'data-number': number },
    ...groups.map((g, i) => h('span', { class: 'safety-group' }, g, i < groups.length - 1 ? ' ' : '')));
}

function continueButton(app: App): HTMLElement {
  const b = h('button', { type: 'button' }, app.strings.t('letters_title'));
  b.addEventListener('click', () => app.views.go({ view: 'letters' }));
  return b;
}

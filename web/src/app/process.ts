// The restorative process around the letters, as a party sees it: where the
// case is (the stage a facilitator set, SPEC 5.14) and what comes next, the
// person harmed's pause (SPEC 5.15), one confirmed step away, and the
// consent text she agreed to, to read again (SPEC 5.16).
import * as b64 from '../proto/base64url.js';
import { consentTextHash, sign, toJsonValue } from '../proto/codec.js';
import { newId } from '../proto/keys.js';
import { ConsentText, consentTexts } from './answers.js';
import type { App } from './app.js';
import { h, show } from './dom.js';
import { wordsFor } from './failure.js';
import { when } from './letter_parts.js';

const caseId = (app: App) => app.session.unlocked.caseEntry.case;
const isHarmed = (app: App) => app.session.unlocked.caseEntry.role === 'harmed';

// Where the case is and what comes next, and whether it is paused: for the
// context at the foot of every page while the case is open.
export function stageLines(app: App): HTMLElement[] {
  const { t } = app.strings;
  const { stage, paused, standing } = app.caseStatus;
  if (standing !== 'open' || !stage) return [];
  const where = `stage_${stage}`, next = `stage_next_${stage}`;
  if (!app.strings.has(where) || !app.strings.has(next)) return [];  // a stage of a newer protocol
  const lines = [h('p', { id: 'stage' }, `${t(where)} ${t(next)}`)];
  if (paused) lines.push(h('p', { id: 'paused', class: 'notice' }, isHarmed(app) ? t('paused_mine') : t('paused_other')));
  return lines;
}

// The person harmed's button to pause the case or go on with it.
export function pauseButton(app: App): HTMLElement | null {
  if (!isHarmed(app) || app.caseStatus.gone || app.caseStatus.standing !== 'open') return null;
  const b = h('button', { type: 'button', class: 'quiet', id: 'pause' },
    app.strings.t(app.caseStatus.paused ? 'resume_button' : 'pause_button'));
  b.addEventListener('click', () => app.views.go({ view: 'pause' }));
  return b;
}

// Pausing (or going on) after reading what it does; nothing is asked for a reason.
export function confirmPause(app: App): void {
  const { t } = app.strings;
  if (!isHarmed(app)) return app.views.go({ view: 'letters' }, { replace: true });
  const pausing = !app.caseStatus.paused;
  const yes = h('button', { type: 'button' }, t(pausing ? 'pause_confirm' : 'resume_confirm'));
  const no = h('button', { type: 'button', class: 'quiet' }, t('cancel'));
  no.addEventListener('click', () => app.views.go({ view: 'letters' }));
  yes.addEventListener('click', async () => {
    yes.setAttribute('disabled', '');
    const { identity } = app.session.unlocked.keys;
    const s = sign({ type: 'pause', id: newId(), case: b64.decode(caseId(app))!,
      created_at: Math.floor(Date.now() / 1000), paused: pausing }, identity.secretKey, identity.publicKey);
    try {
      await app.relay.post(`/v1/cases/${caseId(app)}/pause`, { pause: toJsonValue(s) });
    } catch (e) {
      return app.views.go({ view: 'letters' }, { replace: true, notice: wordsFor(app.strings, e) });
    }
    app.caseStatus.paused = pausing;
    app.views.go({ view: 'letters' }, { replace: true, notice: t(pausing ? 'pause_done' : 'resume_done') });
  });
  show(h('h1', {}, t(pausing ? 'pause_title' : 'resume_title')),
    h('p', {}, t(pausing ? 'pause_explain' : 'resume_explain')), h('div', { class: 'choices' }, yes, no));
}

// The consent text as she agreed to it, kept on this device; when the
// service's text has changed since, the new one with the way to agree.
export async function consentView(app: App): Promise<void> {
  const { t } = app.strings;
  const back = h('button', { type: 'button', class: 'quiet' }, t('back'));
  back.addEventListener('click', () => app.views.go({ view: 'letters' }));
  const kept = await app.vault.get('consent');
  if (kept === undefined) return show(h('h1', {}, t('consent_read_title')), h('p', {}, t('consent_none')), back);
  const agreed = JSON.parse(kept) as ConsentText & { at: number };
  let current: ConsentText[] = [];
  try {
    current = consentTexts(await app.relay.get('/v1/consent'));
  } catch {
    // out of reach: what she agreed to is still here to read
  }
  const still = !current.length || current.some((c) => c.language === agreed.language && c.text === agreed.text);
  const newer = still ? undefined
    : current.find((c) => c.language === agreed.language) ?? current.find((c) => c.language === 'en') ?? current[0];
  let again: HTMLElement | null = null;
  if (newer) {
    const box = h('input', { type: 'checkbox', id: 'consent-agree' });
    const agree = h('button', { type: 'button' }, t('consent_agree_again'));
    agree.addEventListener('click', async () => {
      if (!box.checked) return box.focus();
      const { identity } = app.session.unlocked.keys;
      const caseId = app.session.unlocked.caseEntry.case;
      const s = sign({ type: 'consent', id: newId(), case: b64.decode(caseId)!, created_at: Math.floor(Date.now() / 1000),
        text_hash: consentTextHash(newer.language, newer.text) }, identity.secretKey, identity.publicKey);
      try {
        await app.relay.post(`/v1/cases/${caseId}/consent`, { consent: toJsonValue(s) });
      } catch (e) {
        return app.views.go({ view: 'letters' }, { replace: true, notice: wordsFor(app.strings, e) });
      }
      await app.vault.put('consent', JSON.stringify({ ...newer, at: Math.floor(Date.now() / 1000) }));
      app.views.go({ view: 'letters' }, { replace: true, notice: t('consent_agreed_again') });
    });
    again = h('section', { class: 'note', id: 'consent-new' }, h('p', {}, t('consent_changed')),
      h('div', { class: 'consent-text', lang: newer.language, dir: 'auto', tabindex: '0' }, newer.text),
      h('div', {}, box, h('label', { for: 'consent-agree' }, t('consent_agree'))), agree);
  }
  if (app.views.current().view !== 'consent') return;  // moved on while it loaded
  show(h('h1', {}, t('consent_read_title')), h('p', {}, t('consent_read_when', { date: when(app.strings, agreed.at) })),
    h('div', { class: 'consent-text', id: 'consent-text', lang: agreed.language, dir: 'auto', tabindex: '0' }, agreed.text),
    h('p', {}, t('consent_withdraw_note')), again, back);
}

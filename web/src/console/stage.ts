// Where each case is in the restorative process, for its facilitators
// (SPEC 5.14, 5.15): the stage in the case list and on the case's page, and
// on that page the signed statement that moves it to another stage. The
// person harmed's pause is shown, never set here: it is theirs.
import * as b64 from '../proto/base64url.js';
import { Stage, sign, stages, toJsonValue } from '../proto/codec.js';
import { newId } from '../proto/keys.js';
import { Roster } from '../proto/roster.js';
import type { CaseDetail, CaseSummary } from '../app/answers.js';
import { h } from '../app/dom.js';
import { wordsFor } from '../app/failure.js';
import type { Console } from './parts.js';

const stageKey = (stage: string) => `console_stage_${stage}`;

// The stage in a few words ("preparing"), and "paused" when it is; a stage
// this console does not know is named by its word.
export function stageWords(c: Console, s: Pick<CaseSummary, 'stage' | 'paused' | 'state'>): string {
  const { t } = c.strings;
  if (s.state === 'closed') return '';
  const key = stageKey(s.stage);
  const words = c.strings.has(key) ? t(key) : s.stage;
  return s.paused ? `${words} · ${t('console_stage_paused')}` : words;
}

// The case page's section: where it is, whether the person harmed paused
// it, and the stages to move it to (forward or back), signed in the page.
export function stageSection(c: Console, caseId: string, d: CaseDetail, r: Roster): HTMLElement | null {
  const { t } = c.strings;
  if (d.state === 'closed') return null;
  try {
    r.checkStage(d.stage, d.stageStatement);
    r.checkPause(d.paused, d.pauseStatement);
  } catch {
    return h('section', { 'aria-labelledby': 'stage-title' }, h('h2', { id: 'stage-title' }, t('console_stage_title')),
      h('p', { role: 'alert', class: 'problem' }, t('console_stage_unverified')));
  }
  const select = h('select', { id: 'new-stage' },
    ...stages.filter((s) => s !== d.stage).map((s) => h('option', { value: s }, t(stageKey(s) as 'console_stage_referral'))));
  const problem = h('p', { role: 'alert', class: 'problem', hidden: true });
  const form = h('form', { novalidate: true, id: 'stage-form' },
    h('label', { for: 'new-stage' }, t('console_stage_move_to')), select,
    h('button', { type: 'submit', class: 'quiet' }, t('console_stage_move')), problem);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const me = c.session.unlocked.keys.identity;
    const s = sign({ type: 'stage', id: newId(), case: b64.decode(caseId)!, created_at: Math.floor(Date.now() / 1000),
      stage: select.value as Stage }, me.secretKey, me.publicKey);
    try {
      await c.relay.post(`/v1/cases/${caseId}/stage`, { stage: toJsonValue(s) });
      c.views.go({ view: 'case', case: caseId }, { replace: true,
        notice: t('console_stage_moved', { stage: t(stageKey(select.value) as 'console_stage_referral') }) });
    } catch (e) {
      problem.textContent = wordsFor(c.strings, e);
      problem.hidden = false;
    }
  });
  return h('section', { 'aria-labelledby': 'stage-title' }, h('h2', { id: 'stage-title' }, t('console_stage_title')),
    h('p', { id: 'stage-now' }, t('console_stage_is', { stage: stageWords(c, { ...d, paused: false }) })),
    d.paused ? h('p', { class: 'notice', id: 'case-paused' }, t('console_stage_paused_explain')) : null,
    form);
}

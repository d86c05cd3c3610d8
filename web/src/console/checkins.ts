// Aftercare check-ins on a case's page, for its facilitators (SPEC 5.19):
// each one scheduled with when it reaches its party and whether they have
// answered, and the form to schedule one: the party, the time, the
// question and the support services, sealed in the page to that party and
// the facilitators, with the signed statement that schedules it.
import * as b64 from '../proto/base64url.js';
import { utf8 } from '../proto/bytes.js';
import { sign, toJsonValue } from '../proto/codec.js';
import { checkinBody, checkinContentType, parseCheckinBody } from '../proto/checkin.js';
import { newId } from '../proto/keys.js';
import { sealLetter } from '../proto/letters.js';
import { Roster } from '../proto/roster.js';
import { MessageSummary } from '../app/answers.js';
import { h } from '../app/dom.js';
import { wordsFor } from '../app/failure.js';
import { when } from '../app/letter_parts.js';
import type { Console } from './parts.js';
import { roleWords } from './parts.js';

type Party = 'harmed' | 'responsible';

async function schedule(c: Console, caseId: string, r: Roster, to: Party, dueAt: number, question: string,
                        support: string[]): Promise<void> {
  const me = c.session.unlocked.keys;
  const caseKey = me.caseKeys.get(caseId)!;
  const now = Math.floor(Date.now() / 1000);
  const draft = { id: newId(), case: b64.decode(caseId)!, created_at: now, kind: 'checkin' as const, to };
  const readers = [...r.facilitatorReaders(), ...r.inRole(to).map((p) => ({ identity: p.identity, caseKey: p.caseKey }))];
  const doc = { contentType: checkinContentType, body: utf8(checkinBody({ question, support })), attachments: [] };
  const sealed = sealLetter({ identity: me.identity, caseKey }, draft, readers, doc);
  const checkin = sign({ type: 'checkin', id: newId(), case: draft.case, created_at: now, message: draft.id, due_at: dueAt },
    me.identity.secretKey, me.identity.publicKey);
  await c.relay.post(`/v1/cases/${caseId}/messages`,
    { envelope: toJsonValue(sealed.envelope), ciphertext: b64.encode(sealed.ciphertext), checkin: toJsonValue(checkin) });
}

function line(c: Console, m: MessageSummary, answered: boolean): HTMLElement {
  const { t } = c.strings;
  const role = roleWords(c, m.to ?? '');
  const words = answered ? t('console_checkin_is_answered', { role })
    : m.releasedAt !== undefined ? t('console_checkin_is_open', { role, date: when(c.strings, m.releasedAt) })
    : t('console_checkin_is_scheduled', { role, date: m.releaseAt !== undefined ? when(c.strings, m.releaseAt) : '' });
  return h('li', { 'data-checkin': m.message }, words);
}

export function checkinSection(c: Console, caseId: string, r: Roster, list: MessageSummary[], closed: boolean,
                               done: (notice: string) => void): HTMLElement | null {
  const { t } = c.strings;
  const checkins = list.filter((m) => m.kind === 'checkin' && m.state !== 'revoked');
  const answered = new Set(list.filter((m) => m.kind === 'note' && m.answers !== undefined).map((m) => m.answers));
  const parties = (['harmed', 'responsible'] as const).filter((role) => r.inRole(role).length > 0);
  if (closed && !checkins.length) return null;
  let form: HTMLElement | null = null;
  if (!closed && parties.length) {
    const forWhom = h('select', { id: 'checkin-for' }, ...parties.map((role) => h('option', { value: role }, roleWords(c, role))));
    const at = h('input', { id: 'checkin-at', type: 'datetime-local', step: '1' });
    const question = h('textarea', { id: 'checkin-question', rows: '3', dir: 'auto', maxlength: '2000' });
    const support = h('textarea', { id: 'checkin-support', rows: '3', dir: 'auto' });
    const problem = h('p', { role: 'alert', class: 'problem', hidden: true });
    form = h('form', { novalidate: true, id: 'checkin-form' },
      h('label', { for: 'checkin-for' }, t('console_checkin_for')), forWhom,
      h('label', { for: 'checkin-at' }, t('console_checkin_at')), at,
      h('label', { for: 'checkin-question' }, t('console_checkin_question')), question,
      h('label', { for: 'checkin-support' }, t('console_checkin_support')), support,
      h('button', { type: 'submit', class: 'quiet' }, t('console_checkin_schedule')), problem);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const dueAt = Math.floor(new Date(at.value).getTime() / 1000);  // the page's own time zone, as typed
      const lines = support.value.split('\n').map((s) => s.trim()).filter((s) => s);
      try {
        if (!Number.isFinite(dueAt) || dueAt * 1000 < Date.now() - 60_000) throw new Error('time');
        parseCheckinBody(checkinBody({ question: question.value.trim(), support: lines }));
      } catch {
        problem.textContent = t('console_checkin_incomplete');
        problem.hidden = false;
        return;
      }
      try {
        await schedule(c, caseId, r, forWhom.value as Party, dueAt, question.value.trim(), lines);
        done(t('console_checkin_scheduled', { role: roleWords(c, forWhom.value), date: when(c.strings, dueAt) }));
      } catch (e) {
        problem.textContent = wordsFor(c.strings, e);
        problem.hidden = false;
      }
    });
  }
  return h('section', { 'aria-labelledby': 'checkins-title' }, h('h2', { id: 'checkins-title' }, t('console_checkin_title')),
    h('p', { class: 'help' }, t('console_checkin_help')),
    checkins.length ? h('ul', { id: 'checkins' }, ...checkins.map((m) => line(c, m, answered.has(m.message)))) : null,
    form);
}

// Helping a party write (SPEC 7, purposes `names` and `prompts`): on a case's
// page the facilitator lists the names and places that party's letters are
// checked for, and the questions offered to them as prompts, one per line,
// sealed in the page to that party's attested keys (the relay cannot read
// them). Saving replaces what that party had.
import * as b64 from '../proto/base64url.js';
import { sealNote } from '../proto/letters.js';
import { Roster } from '../proto/roster.js';
import { h } from '../app/dom.js';
import { wordsFor } from '../app/failure.js';
import type { Console } from './parts.js';
import { roleWords } from './parts.js';

type Party = 'harmed' | 'responsible';

// Sealed to every attested participant in the role; empty text leaves that aid as it was.
async function save(c: Console, caseId: string, r: Roster, party: Party, purpose: 'names' | 'prompts', text: string):
    Promise<void> {
  if (!text.trim()) return;
  const aids = r.inRole(party).map((p) => ({ reader: b64.encode(p.identity),
    box: b64.encode(sealNote({ purpose, text: text.trim() }, b64.decode(caseId)!, p.caseKey)) }));
  await c.relay.post(`/v1/cases/${caseId}/writing-aids`, { purpose, aids });
}

export function aidsSection(c: Console, caseId: string, r: Roster, closed: boolean, done: (notice: string) => void):
    HTMLElement | null {
  const { t } = c.strings;
  const parties = (['harmed', 'responsible'] as const).filter((role) => r.inRole(role).length > 0);
  if (closed || !parties.length) return null;
  const party = h('select', { id: 'aids-for' }, ...parties.map((role) => h('option', { value: role }, roleWords(c, role))));
  const names = h('textarea', { id: 'aids-names', rows: '3', dir: 'auto', 'aria-describedby': 'aids-names-help' });
  const prompts = h('textarea', { id: 'aids-prompts', rows: '4', dir: 'auto' });
  const core = h('button', { type: 'button', class: 'quiet' }, t('console_aids_core'));
  core.addEventListener('click', () => { prompts.value = t('console_aids_core_questions'); });
  const problem = h('p', { role: 'alert', class: 'problem', hidden: true });
  const form = h('form', { novalidate: true, id: 'aids-form' },
    h('label', { for: 'aids-for' }, t('console_aids_for')), party,
    h('label', { for: 'aids-names' }, t('console_aids_names')),
    h('p', { id: 'aids-names-help', class: 'help' }, t('console_aids_names_help')), names,
    h('label', { for: 'aids-prompts' }, t('console_aids_prompts')), prompts, core,
    h('button', { type: 'submit', class: 'quiet' }, t('console_aids_save')), problem);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const who = party.value as Party;
    try {
      await save(c, caseId, r, who, 'names', names.value);
      await save(c, caseId, r, who, 'prompts', prompts.value);
      done(t('console_aids_saved', { role: roleWords(c, who) }));
    } catch (e) {
      problem.textContent = wordsFor(c.strings, e);
      problem.hidden = false;
    }
  });
  return h('section', { 'aria-labelledby': 'aids-title' }, h('h2', { id: 'aids-title' }, t('console_aids_title')),
    h('p', { class: 'help' }, t('console_aids_help')), form);
}

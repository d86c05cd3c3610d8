// A case's record: its audit trail (SPEC 10) in words, who did what when and
// never what was written, drawn as a timeline; saved as the signed file the
// relay gives; and a saved file checked here against the relay's key this
// browser pinned, naming the entry that fails in a file someone edited.
import * as b64 from '../proto/base64url.js';
import { AuditEntry, AuditExport, parseAuditExport, verifyAuditExport } from '../proto/audit.js';
import { ProtocolError } from '../proto/errors.js';
import { auditExportOf, caseDetail, messageList } from '../app/answers.js';
import { h, show as draw } from '../app/dom.js';
import { wordsFor } from '../app/failure.js';
import { when } from '../app/letter_parts.js';
import type { Console } from './parts.js';
import { footer, labelOf } from './queue.js';

const zeroKey = b64.encode(new Uint8Array(32));

function eventWords(c: Console, event: string): string {
  const key = `console_event_${event}`;
  return c.strings.has(key) ? c.strings.t(key) : event;
}

// Who acted, by the names and roles the case lists; the relay itself as "the service".
function actorWords(c: Console, names: Map<string, string>, actor: Uint8Array): string {
  const id = b64.encode(actor);
  if (id === zeroKey) return c.strings.t('console_actor_service');
  return names.get(id) ?? c.strings.t('console_actor_unknown');
}

function roleActor(c: Console, role: string): string {
  const { t } = c.strings;
  switch (role) {
    case 'harmed': return t('console_actor_harmed');
    case 'responsible': return t('console_actor_responsible');
    case 'harmed_support': return t('console_actor_harmed_support');
    case 'responsible_support': return t('console_actor_responsible_support');
    default: return t('console_actor_facilitator');
  }
}

// `notes`: the case's internal notes by id, so writing one is not told as a letter sent for review.
function timeline(c: Console, record: AuditExport, names: Map<string, string>, notes: Set<string>): HTMLElement {
  const what = (e: AuditEntry) => e.event === 'submitted' && notes.has(b64.encode(e.subject))
    ? c.strings.t('console_event_note_written') : eventWords(c, e.event);
  return h('ol', { class: 'timeline', id: 'record' }, ...record.entries.map((e: AuditEntry) =>
    h('li', { 'data-event': e.event },
      h('time', { datetime: new Date(e.at * 1000).toISOString() }, when(c.strings, e.at)),
      h('span', {}, `${actorWords(c, names, e.actor)}: ${what(e)}`))));
}

// What a check found, in words: verified, or the first rule that fails.
function checked(c: Console, text: string, relayKey: Uint8Array): { ok: boolean; words: string } {
  const { t } = c.strings;
  try {
    const record = parseAuditExport(text);
    verifyAuditExport(record, relayKey);
    return { ok: true, words: t('console_record_verifies', { n: String(record.entries.length),
      at: when(c.strings, record.checkpoint.at) }) };
  } catch (e) {
    if (!(e instanceof ProtocolError)) return { ok: false, words: t('console_record_unreadable') };
    const entry = /^entry (\d+)/.exec(e.detail);
    if (e.code === 'broken_chain' && entry) return { ok: false, words: t('console_record_entry_fails', { n: entry[1] }) };
    if (e.code === 'broken_chain') return { ok: false, words: t('console_record_end_fails') };
    if (e.code === 'bad_signature') return { ok: false, words: t('console_record_signature_fails') };
    return { ok: false, words: t('console_record_unreadable') };
  }
}

export async function show(c: Console, caseId: string): Promise<void> {
  const { t } = c.strings;
  let text: string, record: AuditExport, names: Map<string, string>, label: Uint8Array | undefined, notes: Set<string>;
  try {
    ({ text, record } = auditExportOf(await c.relay.get(`/v1/cases/${caseId}/audit`)));
    notes = new Set(messageList(await c.relay.get(`/v1/cases/${caseId}/messages`))
      .filter((m) => m.kind === 'note').map((m) => m.message));
    const d = caseDetail(await c.relay.get(`/v1/cases/${caseId}`));
    label = d.label;
    names = new Map(d.participants.map((p) => [p.identity, p.name ?? roleActor(c, p.role)]));
  } catch (e) {
    return c.views.go({ view: 'case', case: caseId }, { replace: true, notice: wordsFor(c.strings, e) });
  }
  c.screen.redraw = () => void show(c, caseId);
  const relayKey = b64.decode(c.session.relayKey ?? '')!;
  const here = checked(c, text, relayKey);
  const save = h('a', { href: URL.createObjectURL(new Blob([text], { type: 'application/json' })),
    download: `shuttle-record-${caseId.slice(0, 8)}.json` }, t('console_record_save'));
  const file = h('input', { id: 'record-file', type: 'file', accept: 'application/json,.json' });
  const result = h('p', { id: 'record-check', role: 'status' });
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    const found = checked(c, await chosen.text(), relayKey);
    result.textContent = found.words;
    result.className = found.ok ? 'status' : 'problem';
  });
  draw(h('h1', {}, t('console_record_title', { label: labelOf(c, caseId, label) })),
    h('p', { class: here.ok ? 'status' : 'problem' }, here.words),
    h('p', {}, t('console_record_explain')),
    timeline(c, record, names, notes),
    h('p', {}, save),
    h('section', { 'aria-labelledby': 'check-title' }, h('h2', { id: 'check-title' }, t('console_record_check')),
      h('label', { for: 'record-file' }, t('console_record_file')), file, result),
    footer(c));
}

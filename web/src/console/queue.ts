// The console's first page: what waits, across every case, oldest first,
// answering "what should I do next?": each letter with its case's label
// (opened here), its kind, how long it has waited, its approvals, who is
// reading it, and a release time in local time.
import * as b64 from '../proto/base64url.js';
import { openNote } from '../proto/letters.js';
import { QueueItem, queueItems } from '../app/answers.js';
import { h, show as draw } from '../app/dom.js';
import { wordsFor } from '../app/failure.js';
import { when } from '../app/letter_parts.js';
import type { Console } from './parts.js';

// The case's label, sealed to this facilitator's case key; a case this
// browser holds no key for is named by the start of its id.
export function labelOf(c: Console, caseId: string, sealed?: Uint8Array): string {
  const key = c.session.unlocked.keys.caseKeys.get(caseId);
  if (sealed && key) {
    try {
      return openNote(sealed, b64.decode(caseId)!, 'label', key.publicKey, key.secret).text;
    } catch {
      // a label that does not open is shown as no label
    }
  }
  return c.strings.t('console_case_unnamed', { id: caseId.slice(0, 8) });
}

// "3 hours", "2 days": in the page's language.
function duration(c: Console, seconds: number): string {
  const lang = c.strings.language === 'nb' ? 'nb-NO' : 'en-GB';
  const [n, unit] = seconds < 3600 ? [Math.max(1, Math.floor(seconds / 60)), 'minute']
    : seconds < 48 * 3600 ? [Math.floor(seconds / 3600), 'hour'] : [Math.floor(seconds / 86400), 'day'];
  return new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'long' }).format(n);
}

const me = (c: Console) => b64.encode(c.session.unlocked.keys.identity.publicKey);
const takenByOther = (c: Console, q: QueueItem) => q.claimedBy !== undefined && q.claimedBy !== me(c);
const waitsForMe = (c: Console, q: QueueItem) => !q.reviewedByYou && !takenByOther(c, q);

function item(c: Console, q: QueueItem): HTMLElement {
  const { t } = c.strings;
  const kind = q.revises ? t('console_kind_revision') : q.kind === 'reply' ? t('console_kind_reply') : t('console_kind_letter');
  const lines = [
    t('console_waited', { time: duration(c, q.waitingSeconds) }),
    t('console_approvals', { n: String(q.approvals), of: String(q.approvalsRequired) }),
    q.reviewedByYou ? t('console_you_approved') : null,
    q.claimedBy === undefined ? null
      : q.claimedBy === me(c) ? t('console_claimed_by_you', { until: when(c.strings, q.claimedUntil ?? 0) })
      : t('console_claimed_by', { name: q.claimedByName ?? t('console_a_colleague'), until: when(c.strings, q.claimedUntil ?? 0) }),
    q.releaseAt !== undefined ? t('console_release_at', { time: when(c.strings, q.releaseAt) }) : null,
  ].filter((x): x is string => x !== null);
  const open = h('a', { href: `#review=${q.case}.${q.message}` },
    waitsForMe(c, q) ? t('console_read_and_decide') : t('console_look'));
  return h('li', { class: 'queue-item', 'data-message': q.message },
    h('h2', {}, `${labelOf(c, q.case, q.caseLabel)}: ${kind}`),
    h('ul', { class: 'facts' }, ...lines.map((l) => h('li', {}, l))), open);
}

export async function show(c: Console, notice?: string): Promise<void> {
  const { t } = c.strings;
  let items: QueueItem[];
  try {
    items = queueItems(await c.relay.get('/v1/queue'));
  } catch (e) {
    if (!c.session.isUnlocked) return;
    draw(h('h1', {}, t('console_queue_title')), h('p', { role: 'alert', class: 'problem' }, wordsFor(c.strings, e)), footer(c));
    return;
  }
  const mine = items.filter((q) => waitsForMe(c, q));
  const second = items.filter((q) => q.approvalsRequired > 1 && q.approvals > 0 && !q.reviewedByYou);
  const summary = mine.length === 0 ? t('console_nothing_waits')
    : t(mine.length === 1 ? 'console_one_waits' : 'console_many_wait', { n: String(mine.length) });
  draw(h('h1', {}, t('console_queue_title')),
    notice ? h('p', { role: 'status', class: 'status' }, notice) : null,
    h('p', { class: 'lead', id: 'queue-summary' }, summary),
    second.length ? h('p', {}, t('console_second_approvals', { n: String(second.length) })) : null,
    items.length ? h('ol', { class: 'queue', id: 'queue' }, ...items.map((q) => item(c, q))) : null,
    footer(c));
}

export function footer(c: Console): HTMLElement {
  const { t } = c.strings;
  const lock = h('button', { type: 'button', class: 'quiet' }, t('lock_now'));
  lock.addEventListener('click', () => c.session.lock());
  const queue = h('a', { href: '#queue' }, t('console_queue_title'));
  return h('footer', {}, h('nav', { 'aria-label': t('console_title') }, queue, lock));
}

// The console's first page: what waits, across every case, oldest first,
// answering "what should I do next?": each letter with its case's label
// (opened here), its kind, how long it has waited, its approvals, who is
// reading it, and a release time in local time; then what else asks for
// them: a declined letter to pass on, a person who left.
import * as b64 from '../proto/base64url.js';
import { openNote } from '../proto/letters.js';
import { CaseSummary, QueueItem, caseList, queueItems } from '../app/answers.js';
import { h, show as draw } from '../app/dom.js';
import { wordsFor } from '../app/failure.js';
import { when } from '../app/letter_parts.js';
import type { Console, Filter } from './parts.js';
import { filters, roleWords } from './parts.js';
import { referrals } from './requests.js';
import { stageWords } from './stage.js';

// The case's label, sealed to this facilitator's case key; a case this
// browser holds no key for is named by the start of its id.
export function labelOf(c: Console, caseId: string, sealed?: Uint8Array): string {
  return openedLabel(c, caseId, sealed) ?? c.strings.t('console_case_unnamed', { id: caseId.slice(0, 8) });
}

// The label's text, if this page holds it sealed to its key (one that does not open is no label).
export function openedLabel(c: Console, caseId: string, sealed?: Uint8Array): string | undefined {
  const key = c.session.unlocked.keys.caseKeys.get(caseId);
  if (!sealed || !key) return undefined;
  try {
    return openNote(sealed, b64.decode(caseId)!, 'label', key.publicKey, key.secret).text;
  } catch {
    return undefined;
  }
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

// What a letter in the queue is: a letter, a reply, or a returned letter written again.
function kindWords(c: Console, q: QueueItem): string {
  const { t } = c.strings;
  return q.revises ? t('console_kind_revision') : q.kind === 'reply' ? t('console_kind_reply') : t('console_kind_letter');
}

function item(c: Console, q: QueueItem, cases: Map<string, CaseSummary>): HTMLElement {
  const { t } = c.strings;
  const k = cases.get(q.case);
  const lines = [
    k ? t('console_case_stage', { stage: stageWords(c, k) }) : null,
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
    h('h2', {}, `${labelOf(c, q.case, q.caseLabel)}: ${kindWords(c, q)}`),
    h('ul', { class: 'facts' }, ...lines.map((l) => h('li', {}, l))), open);
}

// An approved letter waiting for its release time (or for the person
// harmed to go on with a paused case): when, and the case's page.
function laterItem(c: Console, q: QueueItem): HTMLElement {
  const { t } = c.strings;
  return h('li', { class: 'queue-item', 'data-message': q.message },
    h('h2', {}, `${labelOf(c, q.case, q.caseLabel)}: ${kindWords(c, q)}`),
    h('ul', { class: 'facts' }, h('li', {}, q.casePaused ? t('console_approved_paused')
      : t('console_approved_release_at', { time: when(c.strings, q.releaseAt ?? 0) }))),
    h('a', { href: `#case=${q.case}` }, t('console_attention_see_case')));
}

// Before the next local midnight.
function today(at: number): boolean {
  const midnight = new Date();
  midnight.setHours(24, 0, 0, 0);
  return at * 1000 < midnight.getTime();
}

const claimedByMe = (c: Console, q: QueueItem) => q.claimedBy === me(c);
const secondApproval = (q: QueueItem) => q.approvalsRequired > 1 && q.approvals > 0 && !q.reviewedByYou;
const chosen: Record<Exclude<Filter, 'later'>, (c: Console, q: QueueItem) => boolean> = {
  mine: waitsForMe, second: (_c, q) => secondApproval(q), claims: claimedByMe,
};

// The filters as links, each with its count; the one shown is marked.
function filterNav(c: Console, items: QueueItem[], later: QueueItem[], current?: Filter): HTMLElement {
  const { t } = c.strings;
  const link = (label: string, href: string, count: number, active: boolean) =>
    h('li', {}, h('a', { href, 'aria-current': active ? 'page' : undefined }, `${label} (${count})`));
  return h('nav', { 'aria-label': t('console_filters'), class: 'filters' }, h('ul', {},
    link(t('console_filter_all'), '#queue', items.length, current === undefined),
    ...filters.map((f) => link(t(`console_filter_${f}`), `#queue=${f}`,
      f === 'later' ? later.length : items.filter((q) => chosen[f](c, q)).length, current === f))));
}

// What asks for the facilitator besides the letters to review: a letter
// its reader declined that no one has passed on to its writer, and a person
// who left a case that is still open.
function attention(c: Console, cases: CaseSummary[], waitingReferrals: number): HTMLElement | null {
  const { t } = c.strings;
  const items: HTMLElement[] = [];
  if (waitingReferrals) {
    items.push(h('li', { class: 'attention-item' }, h('p', {}, t(waitingReferrals === 1 ? 'console_attention_referral'
      : 'console_attention_referrals', { n: String(waitingReferrals) })),
      h('a', { href: '#referrals' }, t('console_attention_see_referrals'))));
  }
  for (const k of cases) {
    const name = labelOf(c, k.case, k.label);
    for (const m of k.declinedUntold) {
      items.push(h('li', { class: 'attention-item' }, h('p', {}, t('console_attention_declined', { case: name })),
        h('a', { href: `#declined=${k.case}.${m}` }, t('console_attention_passon'))));
    }
    for (const role of k.withdrawn) {
      items.push(h('li', { class: 'attention-item' }, h('p', {}, t('console_attention_left', { case: name, role: roleWords(c, role) })),
        h('a', { href: `#case=${k.case}` }, t('console_attention_see_case'))));
    }
  }
  if (!items.length) return null;
  return h('section', { 'aria-labelledby': 'attention-title' }, h('h2', { id: 'attention-title' }, t('console_attention_title')),
    h('ul', { id: 'attention' }, ...items));
}

// A new letter, announced without content to a facilitator who asked for it.
export function announce(c: Console): void {
  if (localStorage.getItem(notifyKey) !== '1' || typeof Notification === 'undefined' ||
      Notification.permission !== 'granted') {
    return;
  }
  new Notification(c.strings.t('console_title'), { body: c.strings.t('console_notification'), tag: 'shuttle-queue' });
}
const notifyKey = 'shuttle.console.notify';

// Asking the browser to tell of new letters: only when the facilitator chooses it.
function notifyChoice(c: Console): HTMLElement | null {
  const { t } = c.strings;
  if (typeof Notification === 'undefined') return null;
  const on = localStorage.getItem(notifyKey) === '1' && Notification.permission === 'granted';
  const b = h('button', { type: 'button', class: 'quiet', 'aria-pressed': String(on) },
    on ? t('console_notify_off') : t('console_notify_on'));
  b.addEventListener('click', async () => {
    if (on) {
      localStorage.removeItem(notifyKey);
    } else if ((await Notification.requestPermission()) === 'granted') {
      localStorage.setItem(notifyKey, '1');
    }
    b.replaceWith(notifyChoice(c) ?? '');
  });
  return h('p', {}, b, ' ', h('span', { class: 'help' }, t('console_notify_help')));
}

export async function show(c: Console, notice?: string, filter?: Filter): Promise<void> {
  const { t } = c.strings;
  let items: QueueItem[];
  // Drawn only if the queue is still what the page shows when the answer
  // comes (an event's redraw must not cover the letter opened meanwhile),
  // and only by the newest drawing.
  const drawing = ++c.queue.drawing;
  const stillHere = () => c.session.isUnlocked && c.views.current().view === 'queue' && drawing === c.queue.drawing;
  let cases: CaseSummary[], scheduled: QueueItem[], waitingReferrals: number;
  try {
    // Requests from people with no account that no one answered yet (a relay
    // without referrals, or one out of reach for them, leaves the queue as it is).
    const [queue, list, asked] = await Promise.all([c.relay.get('/v1/queue'), c.relay.get('/v1/cases'),
      referrals(c).catch(() => [])]);
    waitingReferrals = asked.filter((r) => r.state === 'received').length;
    items = queueItems(queue);
    scheduled = queueItems(queue, 'scheduled');
    cases = caseList(list).filter((k) => k.role === 'facilitator' && k.state === 'open');
    if (!stillHere()) return;
  } catch (e) {
    if (!stillHere()) return;
    draw(h('h1', {}, t('console_queue_title')), h('p', { role: 'alert', class: 'problem' }, wordsFor(c.strings, e)), footer(c));
    return;
  }
  const mine = items.filter((q) => waitsForMe(c, q));
  const second = items.filter(secondApproval);
  const later = scheduled.filter((q) => q.casePaused || (q.releaseAt !== undefined && today(q.releaseAt)));
  const byCase = new Map(cases.map((k) => [k.case, k]));
  const timed = scheduled.filter((q) => !q.casePaused);
  const shown = filter === 'later' ? later : filter ? items.filter((q) => chosen[filter](c, q)) : items;
  const summary = mine.length === 0 ? t('console_nothing_waits')
    : t(mine.length === 1 ? 'console_one_waits' : 'console_many_wait', { n: String(mine.length) });
  draw(h('h1', {}, t('console_queue_title')),
    notice ? h('p', { role: 'status', class: 'status' }, notice) : null,
    h('p', { class: 'lead', id: 'queue-summary' }, summary),
    second.length ? h('p', {}, t('console_second_approvals', { n: String(second.length) })) : null,
    timed.length ? h('p', {}, t('console_scheduled', { n: String(timed.length),
      time: when(c.strings, timed[0].releaseAt ?? 0) })) : null,
    attention(c, cases, waitingReferrals),
    filterNav(c, items, later, filter),
    shown.length ? h('ol', { class: 'queue', id: 'queue' }, ...shown.map((q) => filter === 'later' ? laterItem(c, q) : item(c, q, byCase)))
      : h('p', { id: 'queue' }, filter ? t('console_filter_empty') : ''),
    notifyChoice(c),
    footer(c));
}

// The queue drawn again for an event: the line that said what was just done stays.
export function refresh(c: Console, filter?: Filter): Promise<void> {
  return show(c, c.queue.notice, filter);
}

export function footer(c: Console): HTMLElement {
  const { t } = c.strings;
  const lock = h('button', { type: 'button', class: 'quiet' }, t('lock_now'));
  lock.addEventListener('click', () => c.session.lock());
  const queue = h('a', { href: '#queue' }, t('console_queue_title'));
  const cases = h('a', { href: '#cases' }, t('console_cases_title'));
  const asked = h('a', { href: '#referrals' }, t('console_referrals_title'));
  return h('footer', {}, h('nav', { 'aria-label': t('console_title') }, queue, ' ', cases, ' ', asked, ' ', lock));
}

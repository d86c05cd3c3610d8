// What the console's root and views share: the facilitator's unlocked
// keys and cases, the console's routes, and the Console the root hands to
// each view. No view here: views import this, never each other.
import * as b64 from '../proto/base64url.js';
import { nullCase } from '../proto/codec.js';
import { parseCode } from '../proto/invitation.js';
import type { Keys } from '../proto/keystore.js';
import type { Screen } from '../app/app.js';
import type { CryptoWorker } from '../app/crypto.js';
import type { EventStream } from '../app/events.js';
import type { Strings } from '../app/i18n.js';
import type { Relay } from '../app/relay.js';
import type { Go } from '../app/router.js';
import type { CaseEntry, Holder, Session } from '../app/session.js';
import type { Vault } from '../app/vault.js';

// The facilitator's keys and the cases this browser holds a case key for,
// each with the key its trust grows from (the facilitator's own for a case
// they opened, the inviting colleague's for one they joined).
export interface Facilitator {
  keys: Keys;
  cases: CaseEntry[];
}
export const facilitatorHolder: Holder<Facilitator> = (keys, cases) => ({ keys, cases });

// The queue's filters: waiting for me, waiting for a second approval, the
// letters I am reading, the letters approved for a release later today
// (the relay's `scheduled` list); or all.
export const filters = ['mine', 'second', 'claims', 'later'] as const;
export type Filter = typeof filters[number];
export type ConsoleRoute =
  | { view: 'queue'; filter?: Filter }
  | { view: 'review'; case: string; message: string }
  | { view: 'declined'; case: string; message: string }  // a declined letter, to pass on to its writer
  | { view: 'cases' }
  | { view: 'open'; referral?: string }  // a case opened for a referral names it
  | { view: 'referrals' }
  | { view: 'case'; case: string }
  | { view: 'record'; case: string };

const idPattern = '[A-Za-z0-9_-]{22}';
export function consoleRouteOf(hash: string): ConsoleRoute | null {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (h === 'queue') return { view: 'queue' };
  if (h === 'cases') return { view: 'cases' };
  if (h === 'open') return { view: 'open' };
  if (h === 'referrals') return { view: 'referrals' };
  const forReferral = new RegExp(`^open=(${idPattern})$`).exec(h);
  if (forReferral) return { view: 'open', referral: forReferral[1] };
  const one = new RegExp(`^(case|record)=(${idPattern})$`).exec(h);
  if (one) return { view: one[1] as 'case' | 'record', case: one[2] };
  const filter = filters.find((f) => h === `queue=${f}`);
  if (filter) return { view: 'queue', filter };
  const letter = new RegExp(`^(review|declined)=(${idPattern})\\.(${idPattern})$`).exec(h);
  return letter ? { view: letter[1] as 'review' | 'declined', case: letter[2], message: letter[3] } : null;
}
export function consoleHashOf(r: ConsoleRoute): string {
  if (r.view === 'review' || r.view === 'declined') return `#${r.view}=${r.case}.${r.message}`;
  if (r.view === 'case' || r.view === 'record') return `#${r.view}=${r.case}`;
  if (r.view === 'open' && r.referral) return `#open=${r.referral}`;
  if (r.view === 'cases' || r.view === 'open' || r.view === 'referrals') return `#${r.view}`;
  return r.filter ? `#queue=${r.filter}` : '#queue';
}

export interface ConsoleViews {
  go(route: ConsoleRoute, options?: Go): void;
  current(): ConsoleRoute;
  resume(): Promise<void>;
  askToUnlock(problem?: string): void;
}

export interface Console {
  readonly strings: Strings;
  readonly crypto: CryptoWorker;
  readonly relay: Relay;
  readonly vault: Vault;
  readonly session: Session<Facilitator>;
  readonly events: EventStream;
  readonly views: ConsoleViews;
  // The queue as last asked for: the line saying what was just done (kept
  // when events draw the queue again) and which drawing is the newest.
  readonly queue: { notice?: string; drawing: number };
  // The referral key this page saw on the relay's list (or published there).
  readonly referralKey: { published?: string };
  readonly screen: Screen;
}

// Where this browser is the console: a facilitator's invitation in the
// address, the address asking for it (#console: a facilitator bringing keys
// from the CLI), or a facilitator enrolled here before (a flag, not a secret).
const consoleKey = 'shuttle.console';
export function wanted(hash: string): boolean {
  if (hash === '#console') return true;
  if (hash.startsWith('#join=')) {
    try {
      return parseCode(decodeURIComponent(hash.slice('#join='.length))).role === 'facilitator';
    } catch {
      return false;  // the parties' page says what is wrong with a code
    }
  }
  return localStorage.getItem(consoleKey) === '1';
}
export const remember = () => localStorage.setItem(consoleKey, '1');

// A role in words, as facilitators read it ("harmed party").
export function roleWords(c: Console, role: string): string {
  const { t } = c.strings;
  switch (role) {
    case 'harmed': return t('console_role_harmed');
    case 'responsible': return t('console_role_responsible');
    case 'harmed_support': return t('console_role_harmed_support');
    case 'responsible_support': return t('console_role_responsible_support');
    default: return t('console_role_facilitator');
  }
}

// The case entry of a case this facilitator holds a key for.
export function caseEntryOf(c: Console, caseId: string): CaseEntry | undefined {
  return c.session.unlocked.cases.find((e) => e.case === caseId);
}
export const isOperatorInvitation = (caseId: Uint8Array) => b64.encode(caseId) === b64.encode(nullCase);

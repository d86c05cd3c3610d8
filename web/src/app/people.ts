// The people of a case in words, as the person reading sees them: "you",
// "the other person", each supporter (whose, never who), each facilitator
// by name. Shared by the list of who takes part and the outcome agreement.
import * as b64 from '../proto/base64url.js';
import { Role } from '../proto/codec.js';
import { partyOf } from '../proto/roster.js';
import type { CaseDetail } from './answers.js';
import type { App } from './app.js';

// A party's side: its own role, or a supporter's party.
export const sideOf = (role: string) => partyOf(role as Role) ?? role;

// One person in the case in words as this person sees them (whose
// supporter, never who).
export function whoWords(app: App, p: CaseDetail['participants'][number]): string {
  const { t } = app.strings;
  const myRole = app.session.unlocked.caseEntry.role;
  const iSupport = partyOf(myRole) !== undefined;
  if (p.identity === b64.encode(app.session.unlocked.keys.identity.publicKey)) return t('who_you');
  if (p.role === 'facilitator') return p.name ? t('who_facilitator', { name: p.name }) : t('who_a_facilitator');
  const supporter = partyOf(p.role as Role) !== undefined;
  if (sideOf(p.role) !== sideOf(myRole)) return supporter ? t('who_other_supporter') : t('who_other');
  if (!supporter) return t('who_your_party');          // the party this supporter supports
  return iSupport ? t('who_another_supporter') : t('who_your_supporter');
}

// Words for what went wrong, for every view: a sentence in the page's
// language that says what happened and what to do. Never a code word, never
// the relay's own English sentence, never an exception's text.
import { ProtocolError } from '../proto/errors.js';
import { Key, refusal, t } from './i18n.js';
import { RelayRefusal, RelayUnreachable } from './relay.js';

// `instead` gives a view's own words for some relay codes (an invitation's
// not_found is "this invitation is not known").
export function wordsFor(e: unknown, instead: Partial<Record<string, Key>> = {}): string {
  if (e instanceof RelayUnreachable) return t('unreachable');
  if (e instanceof RelayRefusal) {
    const own = instead[e.code];
    if (own) return t(own);
    return e.code === 'not_understood' ? t('not_understood') : refusal(e.code);
  }
  if (e instanceof ProtocolError) {
    if (e.code === 'wrong_passphrase') return t('wrong_passphrase');
    if (e.code === 'facilitator_mismatch') return t('facilitator_mismatch');
  }
  return t('error_unexpected');
}

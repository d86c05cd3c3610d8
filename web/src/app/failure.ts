// Words for what went wrong, for every view: a sentence in the page's
// language that says what happened and what to do. Never a code word, never
// the relay's own English sentence, never an exception's text.
import { ProtocolError } from '../proto/errors.js';
import type { Key, Strings } from './i18n.js';
import { CryptoUnavailable } from './crypto.js';
import { RelayRefusal, RelayUnreachable } from './relay.js';

// `instead` gives a view's own words for some relay codes (an invitation's
// not_found is "this invitation is not known").
export function wordsFor(strings: Strings, e: unknown, instead: Partial<Record<string, Key>> = {}): string {
  if (e instanceof RelayUnreachable) return strings.t('unreachable');
  if (e instanceof CryptoUnavailable) return strings.t('crypto_unavailable');
  if (e instanceof RelayRefusal) {
    const own = instead[e.code];
    if (own) return strings.t(own);
    return e.code === 'not_understood' ? strings.t('not_understood') : strings.refusal(e.code);
  }
  if (e instanceof ProtocolError) {
    if (e.code === 'wrong_passphrase') return strings.t('wrong_passphrase');
    if (e.code === 'facilitator_mismatch') return strings.t('facilitator_mismatch');
  }
  return strings.t('error_unexpected');
}

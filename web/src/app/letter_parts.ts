// What both roots show of a letter and its case: the case's roster (grown
// only from the pinned key's signatures), a ciphertext opened in the crypto
// worker as it arrives, attachments, and times in the reader's language.
import * as b64 from '../proto/base64url.js';
import { AgreementItem, CheckedAgreement, agreementContentType, agreementHash, checkAgreement,
  parseAgreementBody } from '../proto/agreement.js';
import { Bytes, equal, utf8 } from '../proto/bytes.js';
import type { Statement } from '../proto/codec.js';
import { ProtocolError } from '../proto/errors.js';
import { SealedFacts, descriptionOf, mediaTypeOf, sealedFactsOf } from '../proto/letters.js';
import { Roster } from '../proto/roster.js';
import { AgreementState, CaseDetail, agreementState, caseDetail, envelopeOf } from './answers.js';
import { CryptoUnavailable, CryptoWorker } from './crypto.js';
import { h, show } from './dom.js';
import type { Strings } from './i18n.js';
import { Relay, RelayRefusal, RelayUnreachable } from './relay.js';
import type { Attached, Opened } from './worker.js';

export function mib(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

// A time in the reader's language and time zone.
export const when = (strings: Strings, seconds: number) =>
  new Intl.DateTimeFormat(strings.language === 'nb' ? 'nb-NO' : undefined, { dateStyle: 'medium', timeStyle: 'short' })
    .format(new Date(seconds * 1000));

// The roster of a case, from what the relay lists, trusting only the
// signatures that grow from `pinned` (the key the invitation pinned).
export async function rosterOf(relay: Relay, caseId: string, pinned: string): Promise<Roster> {
  return rosterFrom(caseDetail(await relay.get(`/v1/cases/${caseId}`)), caseId, pinned);
}
export function rosterFrom(d: CaseDetail, caseId: string, pinned: string): Roster {
  const r = new Roster(b64.decode(caseId)!, b64.decode(pinned)!);
  r.addCaseOpen(d.caseOpen);
  const keys = d.keyStatements;
  const atts = d.attestations;
  for (let round = 0; round <= 8; round++) {
    for (const k of keys) if (r.isFacilitator(k.signer)) try { r.addFacilitatorKeys(k); } catch { /* not this round */ }
    for (const a of atts) {
      const k = keys.find((x) => b64.encode(x.id) === b64.encode(a.key_statement as Bytes));
      if (k) try { r.addAttested(a, k); } catch { /* an attestation by no one trusted yet */ }
    }
  }
  for (const g of d.grants) {
    try { r.addGrant(g); } catch { /* a grant that does not verify counts for nothing */ }
  }
  return r;
}

// A letter's attachments: images shown (the reader opened the letter) with
// the description their writer gave as the text alternative, every file to save.
export function attachmentsView(strings: Strings, list: Attached[]): HTMLElement | null {
  const { t } = strings;
  if (!list.length) return null;
  const items = list.map((a) => {
    const url = URL.createObjectURL(a.data);
    const save = h('a', { href: url, download: a.name }, t('save_file', { name: a.name, size: mib(a.data.size) }));
    const described = descriptionOf(a.type);
    const image = /^image\/(png|jpeg|gif|webp)$/.test(mediaTypeOf(a.type))
      ? h('img', { src: url, alt: described ?? t('photo_undescribed', { name: a.name }), class: 'attached' }) : null;
    return h('li', {}, image, save);
  });
  return h('section', { 'aria-label': t('attachments_title') }, h('h2', {}, t('attachments_title')), h('ul', {}, ...items));
}

// Opening a letter's ciphertext as it arrives, in the crypto worker, with
// a bar that follows the bytes received and opened; `footer` stays below it.
// `asked` is the ciphertext when it was asked for earlier (beside the
// envelope, so the bytes travel while the envelope is checked).
export async function openCiphertext(parts: { strings: Strings; relay: Relay; crypto: CryptoWorker }, path: string,
                                     sealed: SealedFacts, key: Bytes, footer: HTMLElement | null,
                                     asked?: Promise<ReadableStream<Uint8Array>>): Promise<Opened> {
  const { t } = parts.strings;
  const bar = h('progress', { max: '100', value: '0', 'aria-label': t('opening_progress') });
  show(h('h1', {}, t('letter_title')), h('p', { role: 'status' }, t('opening')), bar, footer);
  return openQuietly(parts, path, sealed, key, (done, total) => {
    if (total > 0) bar.setAttribute('value', String(Math.floor((done / total) * 100)));
  }, asked);
}

// The ciphertext of the letter at `path`, as it arrives.
export const askCiphertext = (relay: Relay, path: string): Promise<ReadableStream<Uint8Array>> =>
  relay.getStream(`${path}/ciphertext`);

// The same without a screen of its own (a letter opened inside a page, as
// the console's case history does).
export async function openQuietly(parts: { relay: Relay; crypto: CryptoWorker }, path: string, sealed: SealedFacts,
                                  key: Bytes, progress: (done: number, total: number) => void = () => {},
                                  asked: Promise<ReadableStream<Uint8Array>> = askCiphertext(parts.relay, path)):
    Promise<Opened> {
  const body = await asked;
  try {
    return await parts.crypto.openLetter(sealed, key, body, progress);
  } catch (e) {
    // A connection that drops mid-letter is the relay out of reach, not a damaged letter.
    if (e instanceof ProtocolError || e instanceof CryptoUnavailable) throw e;
    throw new RelayUnreachable();
  }
}

// The case's agreement in force (SPEC 6.6, 9), opened and checked on this
// device by either root: its envelope a facilitator's agreement, its body
// opened with the key `keyOf` finds for this reader (a party's from the
// release, a facilitator's from its wrap), its hash computed here, and only
// the signatures and marks that verify; a relay that says it binds when the
// signatures do not show it is not understood. Nothing when there is none.
export interface OpenedAgreement {
  message: string;
  items: AgreementItem[];
  hash: Bytes;
  checked: CheckedAgreement;
  boundAt?: number;
}
export async function openAgreement(parts: { relay: Relay; crypto: CryptoWorker }, caseId: string, r: Roster,
  keyOf: (envelope: Statement) => Bytes, listed?: AgreementState): Promise<OpenedAgreement | undefined> {
  const state = listed ?? agreementState(await parts.relay.get(`/v1/cases/${caseId}/agreement`));
  if (!state) return undefined;
  const path = `/v1/cases/${caseId}/messages/${state.message}`;
  const envelope = envelopeOf(await parts.relay.get(path));
  if (envelope.kind !== 'agreement' || !r.isFacilitator(envelope.signer)) throw new RelayRefusal(200, 'not_understood');
  const opened = await openQuietly(parts, path, sealedFactsOf(envelope), keyOf(envelope));
  if (opened.contentType !== agreementContentType || opened.attachments.length) throw new RelayRefusal(200, 'not_understood');
  const items = parseAgreementBody(opened.text);
  const message = b64.decode(state.message)!;
  const hash = agreementHash(b64.decode(caseId)!, message, utf8(opened.text));
  const checked = checkAgreement(r, message, hash, items.length, state.signatures, state.marks);
  if (state.boundAt !== undefined && (!checked.binds || !equal(state.agreementHash!, hash))) {
    throw new RelayRefusal(200, 'not_understood');
  }
  return { message: state.message, items, hash, checked, boundAt: state.boundAt };
}

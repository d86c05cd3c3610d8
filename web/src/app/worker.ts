// The page's crypto worker: the slow work, off the page's own thread, so the
// page answers taps and keys while it runs. Argon2id for the keystore
// (sealing it when joining, opening it when unlocking), sealing a letter
// with its attachments, opening one as its ciphertext arrives, and sealing
// and opening the copies this device keeps. It runs the same script as the
// page (main.ts starts it when there is no document), has no DOM, no relay
// and no state beyond the letters being opened, and answers each request
// with its id: progress as it goes, then the value or the failure.
import * as b64 from '../proto/base64url.js';
import { Bytes, fromUtf8 } from '../proto/bytes.js';
import { ciphertextSizeFor } from '../proto/codec.js';
import { ProtocolError } from '../proto/errors.js';
import { Keys, openKeystore, sealKeystore, warmUpDerivation } from '../proto/keystore.js';
import { LetterDocument, LetterFacts, LetterOpener, SealedFacts, documentTranscript, paddedSize,
  parseDocument, sealDocument, textDocument, unpad, withDescription } from '../proto/letters.js';
import { blake2b256, ready, sodium } from '../proto/sodium.js';
import { openText, sealText } from './sealed_text.js';

// An attachment as the page holds it: its bytes as a Blob (made in the
// worker, shown or saved by the page without copying them on its thread).
export interface Attached {
  name: string;
  type: string;  // the content type, with its description (SPEC 6.1) if it has one
  data: Blob;
}
// A file the person chose, with the description they gave it.
export interface ToAttach {
  name: string;
  type: string;
  description: string;
  data: Blob;
}
// A letter kept on this device (kept.ts), as the page holds it.
export interface KeptLetter {
  message: string;
  mine: boolean;
  at: number;        // when it was kept, Unix seconds
  text: string;
  notes: string[];   // the facilitators' notes that came with it
  attachments?: Attached[];
}
// A letter's content once opened.
export interface Opened {
  text: string;
  contentType: string;  // the document's (an outcome agreement has its own, SPEC 6.6)
  attachments: Attached[];
}
// A letter sealed for sending: what its envelope needs, and the ciphertext
// as the base64url text the relay takes, in a Blob made here: the page puts
// it in the request's body by reference, never copying megabytes on its
// thread.
export interface SealedLetter {
  key: Bytes;
  stream: Bytes;
  size: number;
  hash: Bytes;
  ciphertextText: Blob;
  attachments: Attached[];
}

export type Request =
  | { op: 'warm-up' }
  | { op: 'seal-keystore'; keys: Keys; passphrase: string }
  | { op: 'open-keystore'; text: string; passphrase: string }
  | { op: 'seal-letter'; facts: LetterFacts; text: string; files: ToAttach[]; limit: number }
  | { op: 'open-letter'; sealed: SealedFacts; key: Bytes }
  | { op: 'letter-bytes'; job: number; data: Bytes }
  | { op: 'letter-end'; job: number }
  | { op: 'seal-kept'; key: Bytes; letter: KeptLetter }
  | { op: 'open-kept'; key: Bytes; message: string; sealed: string | Blob };

// What each request answers.
export interface Answers {
  'warm-up': null;
  'seal-keystore': string;
  'open-keystore': Keys;
  'seal-letter': SealedLetter | { tooLarge: number };
  'open-letter': Opened;
  'letter-bytes': never;
  'letter-end': never;
  'seal-kept': Blob;
  'open-kept': KeptLetter;
}

export type Reply =
  | { id: number; progress: [number, number] }
  | { id: number; value: unknown }
  | { id: number; failure: { code?: string; detail: string } };

interface Scope {
  postMessage(message: Reply, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent<{ id: number; request: Request }>) => void): void;
}

const attached = (doc: LetterDocument): Attached[] =>
  doc.attachments.map((a) => ({ name: a.name, type: a.contentType, data: new Blob([a.data], { type: a.contentType }) }));
const opened = (doc: LetterDocument): Opened =>
  ({ text: fromUtf8(doc.body), contentType: doc.contentType, attachments: attached(doc) });

// The kept copies: XChaCha20-Poly1305 under the device key the page derives,
// the message id as additional data; attachments as base64url in the JSON.
// The sealed text goes to the page, and from it to IndexedDB, as a Blob: a
// string of a letter's size had to be copied on the page's thread into the
// database and back out to this worker, 60 to 100 ms with a 5 MiB photo
// (docs/PERFORMANCE.md). Copies kept by earlier versions are strings
// of the same text, and open the same way.
async function sealKept(key: Bytes, l: KeptLetter): Promise<Blob> {
  const files = [];
  for (const a of l.attachments ?? []) {
    files.push({ name: a.name, type: a.type, data: b64.encode(new Uint8Array(await a.data.arrayBuffer())) });
  }
  return new Blob([sealText(key, JSON.stringify({ ...l, attachments: files }), l.message)], { type: 'text/plain' });
}
async function openKept(key: Bytes, message: string, sealed: string | Blob): Promise<KeptLetter> {
  const text = typeof sealed === 'string' ? sealed : await sealed.text();
  const l = JSON.parse(openText(key, text, message)) as
    Omit<KeptLetter, 'attachments'> & { attachments?: { name: string; type: string; data: string }[] };
  return { ...l, attachments: (l.attachments ?? []).map((a) => ({ name: a.name, type: a.type,
    data: new Blob([b64.decode(a.data)!], { type: a.type }) })) };
}

export function serveCrypto(scope: Scope): void {
  const loading = ready();
  const opening = new Map<number, { opener: LetterOpener; size: number }>();

  async function answer(id: number, r: Request, progress: (done: number, total: number) => void):
      Promise<{ value: unknown; transfer?: Transferable[] } | null> {
    await loading;
    switch (r.op) {
      case 'warm-up':
        warmUpDerivation();
        return { value: null };
      case 'seal-keystore': return { value: sealKeystore(r.keys, r.passphrase) };
      case 'open-keystore': return { value: openKeystore(r.text, r.passphrase) };
      case 'seal-letter': {
        const doc = textDocument(r.text);
        for (const f of r.files) {
          doc.attachments.push({ name: f.name, contentType: withDescription(f.type, f.description),
            data: new Uint8Array(await f.data.arrayBuffer()) });
        }
        const document = documentTranscript(doc);
        // Too large for the relay: said before anything is sealed, with the size it would have.
        const size = ciphertextSizeFor(paddedSize(document.length));
        if (size > r.limit) return { value: { tooLarge: size } };
        const s = sodium();
        const key = s.crypto_secretstream_xchacha20poly1305_keygen();
        const sealed = sealDocument(document, key, r.facts, progress);
        const text = new Blob([b64.encode(sealed.ciphertext)], { type: 'text/plain' });
        const value: SealedLetter = { key, stream: sealed.stream, size: sealed.ciphertext.length,
          hash: blake2b256(sealed.ciphertext), ciphertextText: text, attachments: attached(doc) };
        return { value, transfer: [key.buffer] };
      }
      case 'open-letter':
        opening.set(id, { opener: new LetterOpener(r.sealed, r.key), size: r.sealed.size });
        return null;  // answered at its letter-end
      case 'letter-bytes': {
        const job = opening.get(r.job);
        if (!job) return null;
        try {
          job.opener.push(r.data);
          scope.postMessage({ id: r.job, progress: [job.opener.receivedBytes, job.size] });
        } catch (e) {
          opening.delete(r.job);
          scope.postMessage({ id: r.job, failure: failureOf(e) });
        }
        return null;
      }
      case 'letter-end': {
        const job = opening.get(r.job);
        if (!job) return null;
        opening.delete(r.job);
        try {
          scope.postMessage({ id: r.job, value: opened(parseDocument(unpad(job.opener.finish()))) });
        } catch (e) {
          scope.postMessage({ id: r.job, failure: failureOf(e) });
        }
        return null;
      }
      case 'seal-kept': return { value: await sealKept(r.key, r.letter) };
      case 'open-kept': return { value: await openKept(r.key, r.message, r.sealed) };
    }
  }

  // Requests are answered in the order they come: the bytes of a letter
  // reach its opener in order, after the opener exists.
  let queue: Promise<void> = Promise.resolve();
  scope.addEventListener('message', (ev) => {
    const { id, request } = ev.data;
    queue = queue.then(async () => {
      try {
        const done = await answer(id, request, (d, t) => scope.postMessage({ id, progress: [d, t] }));
        if (done) scope.postMessage({ id, value: done.value }, done.transfer);
      } catch (e) {
        scope.postMessage({ id, failure: failureOf(e) });
      }
    });
  });
}

function failureOf(e: unknown): { code?: string; detail: string } {
  if (e instanceof ProtocolError) return { code: e.code, detail: e.detail };
  return { detail: e instanceof Error ? e.message : String(e) };
}

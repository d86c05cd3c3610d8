// Letters (proto/SPEC.md sections 6 and 7): documents, Padmé padding,
// secretstream chunks bound to the letter's facts, wraps and sealed notes.
import { Bytes, compare as compareBytes, concat, equal, fromUtf8, readU64, u64, utf8 } from './bytes.js';
import { Kind, Role, Statement, Wrap, chunkBytes, chunkOverhead, ciphertextSizeFor, padme, sign } from './codec.js';
import { ProtocolError, fail } from './errors.js';
import { blake2b256, sodium } from './sodium.js';
import { newId } from './keys.js';
import { FrameReader, Transcript } from './transcript.js';

export interface Attachment {
  name: string;
  contentType: string;
  data: Bytes;
}
export interface LetterDocument {
  contentType: string;
  body: Bytes;
  attachments: Attachment[];
}

const maxAttachments = 16;
const maxNameBytes = 255;
const validType = (t: string) => t.length >= 1 && t.length <= maxNameBytes && /^[\x20-\x7e]+$/.test(t);
const validName = (n: string) => {
  const b = utf8(n).length;
  return b >= 1 && b <= maxNameBytes && !n.includes('/') && !n.includes('\0');
};

// An image's description (its text alternative, SPEC 6.1): the content
// type's `description*` parameter in RFC 8187's encoding, UTF-8 and
// percent-escapes. It counts toward the content type's 255 characters.
const attrChar = /[A-Za-z0-9!#$&+\-.^_`|~]/;
export function withDescription(contentType: string, description: string): string {
  const text = description.trim();
  if (!text) return contentType;
  let encoded = '';
  for (const byte of utf8(text)) {
    const c = String.fromCharCode(byte);
    encoded += byte < 0x80 && attrChar.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  const full = `${contentType}; description*=UTF-8''${encoded}`;
  if (!validType(full)) fail('invalid_argument', 'the description is too long');
  return full;
}
// The description a content type carries, if any and if it reads.
export function descriptionOf(contentType: string): string | undefined {
  const m = /;\s*description\*=utf-8''([^;\s]*)/i.exec(contentType);
  if (!m) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < m[1].length; i++) {
    const c = m[1][i];
    if (c === '%') {
      const v = /^[0-9A-Fa-f]{2}$/.test(m[1].slice(i + 1, i + 3)) ? parseInt(m[1].slice(i + 1, i + 3), 16) : -1;
      if (v < 0) return undefined;
      bytes.push(v);
      i += 2;
    } else if (attrChar.test(c)) {
      bytes.push(c.charCodeAt(0));
    } else {
      return undefined;
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}
// The media type alone, lower case: "image/png" for "image/PNG; description*=...".
export const mediaTypeOf = (contentType: string): string => contentType.split(';')[0].trim().toLowerCase();

export function textDocument(text: string): LetterDocument {
  return { contentType: 'text/plain; charset=utf-8', body: utf8(text), attachments: [] };
}

// The document's transcript, not yet copied into one buffer: sealDocument
// takes its pieces as they are.
export function documentTranscript(d: LetterDocument): Transcript {
  if (!validType(d.contentType)) fail('invalid_argument', 'content type');
  if (d.attachments.length > maxAttachments) fail('invalid_argument', 'too many attachments');
  const t = new Transcript('shuttle/v1/document').add(d.contentType).add(d.body).addU64(d.attachments.length);
  for (const a of d.attachments) {
    if (!validName(a.name)) fail('invalid_argument', 'attachment name');
    if (!validType(a.contentType)) fail('invalid_argument', 'attachment content type');
    t.add(a.name).add(a.contentType).add(a.data);
  }
  return t;
}
export const serializeDocument = (d: LetterDocument): Bytes => documentTranscript(d).data();

// The body and the attachments are views of `data`, not copies: the caller
// owns the plaintext it passes (a large letter is not held twice).
export function parseDocument(data: Bytes): LetterDocument {
  const damaged = () => fail('decrypt_failed', "the letter's contents are malformed");
  const r = new FrameReader(data);
  const domain = r.next();
  if (!domain || fromUtf8(domain) !== 'shuttle/v1/document') damaged();
  const type = r.next(), body = r.next(), count = r.nextU64();
  if (!type || !body || count === null || count > maxAttachments) damaged();
  const contentType = fromUtf8(type!);
  if (!validType(contentType)) damaged();
  const attachments: Attachment[] = [];
  for (let i = 0; i < count!; i++) {
    const name = r.next(), atype = r.next(), adata = r.next();
    if (!name || !atype || !adata) damaged();
    const a = { name: fromUtf8(name!), contentType: fromUtf8(atype!), data: adata! };
    if (!validName(a.name) || !validType(a.contentType)) damaged();
    attachments.push(a);
  }
  if (!r.atEnd()) damaged();
  return { contentType, body: body!, attachments };
}

// Padding: an 8-byte big-endian length, the data, then zeros up to padme(8 + n).
export const paddedSize = (n: number) => padme(8 + n);
export function pad(data: Bytes): Bytes {
  const out = new Uint8Array(paddedSize(data.length));
  out.set(u64(data.length), 0);
  out.set(data, 8);
  return out;
}
// The data inside the padding, as a view of `padded` (not a copy: the
// callers parse it and copy out what they keep).
export function unpad(padded: Bytes): Bytes {
  const damaged = () => fail('decrypt_failed', 'malformed padding');
  if (padded.length < 8) damaged();
  let n = 0;
  try {
    n = readU64(padded.subarray(0, 8));
  } catch {
    damaged();
  }
  if (n > padded.length - 8 || paddedSize(n) !== padded.length) damaged();
  for (let i = 8 + n; i < padded.length; i++) if (padded[i] !== 0) damaged();
  return padded.subarray(8, 8 + n);
}

export interface LetterFacts {
  message: Bytes;
  case: Bytes;
  sender: Bytes;
  kind: Kind;
  to: Role;
}
export const factsOf = (e: Statement): LetterFacts => ({
  message: e.id, case: e.case, sender: e.signer, kind: e.kind as Kind, to: e.to as Role,
});
export function letterAd(f: LetterFacts): Bytes {
  return new Transcript('shuttle/v1/letter-ad').add(f.message).add(f.case).add(f.sender).add(f.kind).add(f.to).data();
}

export interface Sealed {
  stream: Bytes;  // the secretstream header (24 bytes)
  ciphertext: Bytes;
}

// What the signed envelope says of a sealed letter: enough to open it.
export interface SealedFacts {
  facts: LetterFacts;
  stream: Bytes;
  size: number;   // ciphertext_size
  hash: Bytes;    // ciphertext_hash
}
export const sealedFactsOf = (e: Statement): SealedFacts => ({
  facts: factsOf(e), stream: e.stream as Bytes, size: e.ciphertext_size as number, hash: e.ciphertext_hash as Bytes,
});

// Seals a document's transcript in 64 KiB chunks under `key` (SPEC 6.3),
// telling `progress` after each chunk how many bytes are sealed. The padded
// plaintext (the 8-byte length, the transcript, zeros up to padme) goes to
// the cipher through one reused chunk and is never held whole: an
// attachment is copied once, into the cipher.
export function sealDocument(t: Transcript, key: Bytes, facts: LetterFacts,
                             progress?: (done: number, total: number) => void): Sealed {
  const s = sodium();
  const ad = letterAd(facts);
  const { state, header } = s.crypto_secretstream_xchacha20poly1305_init_push(key);
  const length = t.length;
  const size = paddedSize(length);
  const frames = [u64(length), ...t.frames()];
  const chunk = new Uint8Array(chunkBytes);
  const out = new Uint8Array(ciphertextSizeFor(size));
  let frame = 0, inFrame = 0, written = 0;
  for (let at = 0; at < size; at += chunkBytes) {
    const n = Math.min(chunkBytes, size - at);
    let filled = 0;
    while (filled < n && frame < frames.length) {
      const f = frames[frame];
      const take = Math.min(n - filled, f.length - inFrame);
      chunk.set(f.subarray(inFrame, inFrame + take), filled);
      filled += take;
      inFrame += take;
      if (inFrame === f.length) {
        frame++;
        inFrame = 0;
      }
    }
    chunk.fill(0, filled, n);
    const last = at + chunkBytes >= size;
    const sealed = s.crypto_secretstream_xchacha20poly1305_push(state, chunk.subarray(0, n), ad,
      last ? s.crypto_secretstream_xchacha20poly1305_TAG_FINAL : s.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    out.set(sealed, written);
    written += sealed.length;
    progress?.(Math.min(at + chunkBytes, size), size);
  }
  chunk.fill(0);
  return { stream: header, ciphertext: out };
}

// Opens a letter as its ciphertext arrives (SPEC 6.3 and 6.5): each whole
// chunk is decrypted when it is in and the hash is taken as the bytes come,
// but nothing is given out before `finish()` has checked the size and the
// hash against the signed envelope, then the chunks. The failures are
// those of the whole letter at once, in the same order: hash_mismatch
// first, then decrypt_failed, trailing_data or truncated.
export class LetterOpener {
  private readonly ad: Bytes;
  private readonly state: unknown;
  private readonly hash: unknown;
  private pending = new Uint8Array(chunkBytes + chunkOverhead);
  private pendingLength = 0;
  private readonly parts: Bytes[] = [];
  private received = 0;
  private final = false;
  private failure: ProtocolError | null = null;

  constructor(private readonly e: SealedFacts, key: Bytes) {
    const s = sodium();
    this.ad = letterAd(e.facts);
    this.state = s.crypto_secretstream_xchacha20poly1305_init_pull(e.stream, key);
    this.hash = s.crypto_generichash_init(null, 32);
  }

  get receivedBytes(): number {
    return this.received;
  }

  push(data: Bytes): void {
    this.received += data.length;
    if (this.received > this.e.size) fail('hash_mismatch', 'the letter is not the one its sender signed');
    sodium().crypto_generichash_update(this.hash as never, data);
    const full = this.pending.length;
    for (let at = 0; at < data.length;) {
      const take = Math.min(full - this.pendingLength, data.length - at);
      this.pending.set(data.subarray(at, at + take), this.pendingLength);
      this.pendingLength += take;
      at += take;
      if (this.pendingLength === full) this.pull();
    }
  }

  finish(): Bytes {
    const digest = sodium().crypto_generichash_final(this.hash as never, 32);
    if (this.received !== this.e.size || !equal(digest, this.e.hash)) {
      fail('hash_mismatch', 'the letter is not the one its sender signed');
    }
    if (this.pendingLength > 0) this.pull();
    if (this.failure) throw this.failure;
    if (!this.final) fail('truncated', 'the letter ends before its final chunk');
    return concat(...this.parts);
  }

  private pull(): void {
    const chunk = this.pending.subarray(0, this.pendingLength);
    this.pendingLength = 0;
    if (this.failure) return;
    if (this.final) {
      this.failure = new ProtocolError('trailing_data', 'bytes after the final chunk');
      return;
    }
    const s = sodium();
    let r: { message: Bytes; tag: number } | false;
    try {
      r = s.crypto_secretstream_xchacha20poly1305_pull(this.state as never, chunk, this.ad) as { message: Bytes; tag: number } | false;
    } catch {
      r = false;
    }
    if (!r) {
      this.failure = new ProtocolError('decrypt_failed', 'a chunk does not authenticate');
    } else if (r.tag === s.crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      this.final = true;
      this.parts.push(r.message);
    } else if (r.tag !== s.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
      this.failure = new ProtocolError('decrypt_failed', 'an unexpected tag');
    } else {
      this.parts.push(r.message);
    }
  }
}

// Wraps (SPEC 6.4): crypto_box_seal(letter key || message id, reader's case key).
export function wrapKey(letterKey: Bytes, message: Bytes, readerCaseKey: Bytes): Bytes {
  return sodium().crypto_box_seal(concat(letterKey, message), readerCaseKey);
}
export function unwrapKey(box: Bytes, message: Bytes, caseKeyPublic: Bytes, caseKeySecret: Bytes): Bytes {
  let opened: Bytes;
  try {
    opened = sodium().crypto_box_seal_open(box, caseKeyPublic, caseKeySecret);
  } catch {
    return fail('decrypt_failed', 'the wrap does not open with this key');
  }
  if (opened.length !== 48 || !equal(opened.subarray(32), message)) fail('wrap_mismatch', 'the wrap names another message');
  return opened.slice(0, 32);
}
export function unwrapFor(wraps: Wrap[], message: Bytes, identity: Bytes, caseKeyPublic: Bytes, caseKeySecret: Bytes): Bytes {
  const mine = wraps.find((w) => equal(w.reader, identity));
  if (!mine) fail('no_wrap_for_reader', 'the letter holds no key for this reader');
  return unwrapKey(mine.box, message, caseKeyPublic, caseKeySecret);
}

// Checks size and hash against the envelope, then decrypts and parses.
export function decryptLetter(e: Statement, ciphertext: Bytes, letterKey: Bytes): LetterDocument {
  const opener = new LetterOpener(sealedFactsOf(e), letterKey);
  opener.push(ciphertext);
  return parseDocument(unpad(opener.finish()));
}

// Notes (SPEC 7): a padded transcript sealed to one reader's case key.
export type NotePurpose = 'content' | 'return' | 'declined' | 'label' | 'names' | 'prompts';
export interface Note {
  purpose: NotePurpose;
  reason?: string;
  text: string;
}
export function sealNote(n: Note, message: Bytes, readerCaseKey: Bytes): Bytes {
  if (utf8(n.text).length > 8192) fail('invalid_argument', 'the note is too long');
  const t = new Transcript('shuttle/v1/note').add(message).add(n.purpose).add(n.reason ?? '').add(n.text);
  return sodium().crypto_box_seal(pad(t.data()), readerCaseKey);
}
export function openNote(box: Bytes, message: Bytes, purpose: NotePurpose, caseKeyPublic: Bytes, caseKeySecret: Bytes): Note {
  let padded: Bytes;
  try {
    padded = sodium().crypto_box_seal_open(box, caseKeyPublic, caseKeySecret);
  } catch {
    return fail('decrypt_failed', 'the note does not open');
  }
  const r = new FrameReader(unpad(padded));
  const domain = r.next(), id = r.next(), p = r.next(), reason = r.next(), text = r.next();
  if (!domain || fromUtf8(domain) !== 'shuttle/v1/note' || !id || !p || !reason || !text || !r.atEnd()) {
    fail('decrypt_failed', 'the note is malformed');
  }
  if (!equal(id!, message) || fromUtf8(p!) !== purpose) fail('wrap_mismatch', 'the note is for another letter or purpose');
  const reasonText = fromUtf8(reason!);
  return { purpose, reason: reasonText || undefined, text: fromUtf8(text!) };
}

export interface LetterDraft {
  id: Bytes;          // the message id
  case: Bytes;
  created_at: number;
  kind: Kind;
  to: Role;
  answers?: Bytes;
}
// The signed statement that `message` revises the returned `supersedes`
// (SPEC 5.13), sent beside the envelope: the recipient never sees it.
export function revisionOf(me: Writer, caseId: Bytes, message: Bytes, supersedes: Bytes, createdAt: number): Statement {
  return sign({ type: 'revision', id: newId(), case: caseId, created_at: createdAt, message, supersedes },
    me.identity.secretKey, me.identity.publicKey);
}

export interface Writer {
  identity: { publicKey: Bytes; secretKey: Bytes };
  caseKey: { publicKey: Bytes };
}

// The signed envelope of a sealed letter, for its writer and `readers` (the
// facilitators, and the supporters the writer lets read): wraps of the
// letter key with the writer first and the others by reader bytes.
export function envelopeFor(me: Writer, d: LetterDraft, readers: { identity: Bytes; caseKey: Bytes }[],
                            sealed: { stream: Bytes; size: number; hash: Bytes }, key: Bytes): Statement {
  const others = readers.filter((r) => !equal(r.identity, me.identity.publicKey))
    .sort((a, b) => compareBytes(a.identity, b.identity));
  const wraps: Wrap[] = [{ reader: me.identity.publicKey, box: wrapKey(key, d.id, me.caseKey.publicKey) }];
  for (const r of others) wraps.push({ reader: r.identity, box: wrapKey(key, d.id, r.caseKey) });
  return sign({
    type: 'envelope', id: d.id, case: d.case, created_at: d.created_at, kind: d.kind, to: d.to,
    answers: d.answers, stream: sealed.stream, ciphertext_size: sealed.size, ciphertext_hash: sealed.hash, wraps,
  }, me.identity.secretKey, me.identity.publicKey);
}

// Seals a letter with a fresh letter key and signs its envelope.
export function sealLetter(me: Writer, d: LetterDraft, readers: { identity: Bytes; caseKey: Bytes }[], doc: LetterDocument):
    { envelope: Statement; ciphertext: Bytes } {
  const s = sodium();
  const key = s.crypto_secretstream_xchacha20poly1305_keygen();
  const facts: LetterFacts = { message: d.id, case: d.case, sender: me.identity.publicKey, kind: d.kind, to: d.to };
  const sealed = sealDocument(documentTranscript(doc), key, facts);
  const envelope = envelopeFor(me, d, readers,
    { stream: sealed.stream, size: sealed.ciphertext.length, hash: blake2b256(sealed.ciphertext) }, key);
  s.memzero(key);
  return { envelope, ciphertext: sealed.ciphertext };
}

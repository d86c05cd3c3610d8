// Letters (proto/SPEC.md sections 6 and 7): documents, Padmé padding,
// secretstream chunks bound to the letter's facts, wraps and sealed notes.
import { Bytes, compare as compareBytes, concat, equal, fromUtf8, readU64, u64, utf8 } from './bytes.js';
import { Kind, Role, Statement, Wrap, chunkBytes, padme, sign } from './codec.js';
import { fail } from './errors.js';
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

export function textDocument(text: string): LetterDocument {
  return { contentType: 'text/plain; charset=utf-8', body: utf8(text), attachments: [] };
}

export function serializeDocument(d: LetterDocument): Bytes {
  if (!validType(d.contentType)) fail('invalid_argument', 'content type');
  if (d.attachments.length > maxAttachments) fail('invalid_argument', 'too many attachments');
  const t = new Transcript('shuttle/v1/document').add(d.contentType).add(d.body).addU64(d.attachments.length);
  for (const a of d.attachments) {
    if (!validName(a.name)) fail('invalid_argument', 'attachment name');
    if (!validType(a.contentType)) fail('invalid_argument', 'attachment content type');
    t.add(a.name).add(a.contentType).add(a.data);
  }
  return t.data();
}

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
    const a = { name: fromUtf8(name!), contentType: fromUtf8(atype!), data: adata!.slice() };
    if (!validName(a.name) || !validType(a.contentType)) damaged();
    attachments.push(a);
  }
  if (!r.atEnd()) damaged();
  return { contentType, body: body!.slice(), attachments };
}

// Padding: an 8-byte big-endian length, the data, then zeros up to padme(8 + n).
export const paddedSize = (n: number) => padme(8 + n);
export function pad(data: Bytes): Bytes {
  const out = new Uint8Array(paddedSize(data.length));
  out.set(u64(data.length), 0);
  out.set(data, 8);
  return out;
}
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
  return padded.slice(8, 8 + n);
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

// Encrypts a padded plaintext in 64 KiB chunks under `key` (SPEC 6.3).
export function sealPadded(padded: Bytes, key: Bytes, facts: LetterFacts): Sealed {
  const s = sodium();
  const ad = letterAd(facts);
  const { state, header } = s.crypto_secretstream_xchacha20poly1305_init_push(key);
  const parts: Bytes[] = [];
  for (let at = 0; at < padded.length; at += chunkBytes) {
    const last = at + chunkBytes >= padded.length;
    parts.push(s.crypto_secretstream_xchacha20poly1305_push(state, padded.subarray(at, at + chunkBytes), ad,
      last ? s.crypto_secretstream_xchacha20poly1305_TAG_FINAL : s.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE));
  }
  return { stream: header, ciphertext: concat(...parts) };
}

// Decrypts chunk by chunk: truncated, trailing_data or decrypt_failed.
export function openPadded(ciphertext: Bytes, stream: Bytes, key: Bytes, facts: LetterFacts): Bytes {
  const s = sodium();
  const ad = letterAd(facts);
  const state = s.crypto_secretstream_xchacha20poly1305_init_pull(stream, key);
  const full = chunkBytes + 17;
  const parts: Bytes[] = [];
  let at = 0;
  let final = false;
  while (at < ciphertext.length) {
    if (final) fail('trailing_data', 'bytes after the final chunk');
    const chunk = ciphertext.subarray(at, at + full);
    let r: { message: Bytes; tag: number } | false;
    try {
      r = s.crypto_secretstream_xchacha20poly1305_pull(state, chunk, ad) as { message: Bytes; tag: number } | false;
    } catch {
      r = false;
    }
    if (!r) fail('decrypt_failed', 'a chunk does not authenticate');
    if (r.tag === s.crypto_secretstream_xchacha20poly1305_TAG_FINAL) final = true;
    else if (r.tag !== s.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) fail('decrypt_failed', 'an unexpected tag');
    parts.push(r.message);
    at += chunk.length;
  }
  if (!final) fail('truncated', 'the letter ends before its final chunk');
  return concat(...parts);
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
  if (ciphertext.length !== e.ciphertext_size || !equal(blake2b256(ciphertext), e.ciphertext_hash as Bytes)) {
    fail('hash_mismatch', 'the letter is not the one its sender signed');
  }
  return parseDocument(unpad(openPadded(ciphertext, e.stream as Bytes, letterKey, factsOf(e))));
}

// Notes (SPEC 7): a padded transcript sealed to one reader's case key.
export type NotePurpose = 'content' | 'return' | 'declined' | 'label';
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

// Seals a letter for its writer and `readers` (the facilitators, and the
// supporters the writer lets read): a fresh letter key, wraps with the writer
// first and the others by reader bytes, and the signed envelope.
export function sealLetter(me: Writer, d: LetterDraft, readers: { identity: Bytes; caseKey: Bytes }[], doc: LetterDocument):
    { envelope: Statement; ciphertext: Bytes } {
  const s = sodium();
  const key = s.crypto_secretstream_xchacha20poly1305_keygen();
  const facts: LetterFacts = { message: d.id, case: d.case, sender: me.identity.publicKey, kind: d.kind, to: d.to };
  const sealed = sealPadded(pad(serializeDocument(doc)), key, facts);
  const others = readers.filter((r) => !equal(r.identity, me.identity.publicKey))
    .sort((a, b) => compareBytes(a.identity, b.identity));
  const wraps: Wrap[] = [{ reader: me.identity.publicKey, box: wrapKey(key, d.id, me.caseKey.publicKey) }];
  for (const r of others) wraps.push({ reader: r.identity, box: wrapKey(key, d.id, r.caseKey) });
  s.memzero(key);
  const envelope = sign({
    type: 'envelope', id: d.id, case: d.case, created_at: d.created_at, kind: d.kind, to: d.to,
    answers: d.answers, stream: sealed.stream, ciphertext_size: sealed.ciphertext.length,
    ciphertext_hash: blake2b256(sealed.ciphertext), wraps,
  }, me.identity.secretKey, me.identity.publicKey);
  return { envelope, ciphertext: sealed.ciphertext };
}

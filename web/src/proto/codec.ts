// The signed statements of protocol v1 (proto/SPEC.md section 5), from one
// table per type: the same table drives parsing, JSON writing and the
// signing transcript, as in the C++ codec (proto/codec.cpp).
import * as b64 from './base64url.js';
import { Bytes, compare, equal } from './bytes.js';
import { fail } from './errors.js';
import { JsonNumber, JsonObject, JsonValue, isObject, num, parseStrict, serialize } from './json.js';
import { blake2b256, sodium } from './sodium.js';
import { Transcript } from './transcript.js';

export const roles = ['facilitator', 'harmed', 'responsible', 'harmed_support', 'responsible_support'] as const;
export type Role = (typeof roles)[number];
export const kinds = ['letter', 'reply', 'note', 'agreement', 'checkin'] as const;
export type Kind = (typeof kinds)[number];
export const stages = ['referral', 'preparation', 'exchange', 'agreement', 'aftercare'] as const;
export type Stage = (typeof stages)[number];

export const limits = {
  statementJsonChars: 64 * 1024,
  statementDepth: 4,
  bodyDepth: 8,
  maxWraps: 16,
  minSealed: 49,
  maxSealed: 16 * 1024,
  maxCiphertext: 128 * 1024 * 1024,
  relayCiphertext: 16 * 1024 * 1024,
  maxJsonInteger: Number.MAX_SAFE_INTEGER,
  displayName: 64,
};

export interface Wrap {
  reader: Bytes;  // identity key of the reader
  box: Bytes;     // 96 bytes
}

type FieldKind = 'id' | 'key' | 'hash' | 'stream' | 'sealed' | 'u64' | 'bool' | 'role' | 'kind' | 'stage' | 'wraps' | 'text';
interface Field {
  name: string;
  kind: FieldKind;
  optional?: boolean;
}

// Each type's own fields, in transcript order (SPEC section 5's tables).
export const statementFields = {
  case_open: [{ name: 'approvals_required', kind: 'u64' }],
  invitation: [
    { name: 'role', kind: 'role' },
    { name: 'secret_hash', kind: 'hash' },
    { name: 'expires_at', kind: 'u64' },
  ],
  enrolment: [
    { name: 'invitation', kind: 'id' },
    { name: 'role', kind: 'role' },
    { name: 'name', kind: 'text', optional: true },
  ],
  key_statement: [{ name: 'case_key', kind: 'key' }],
  attestation: [
    { name: 'subject', kind: 'key' },
    { name: 'subject_role', kind: 'role' },
    { name: 'key_statement', kind: 'id' },
    { name: 'subject_case_key', kind: 'key' },
  ],
  envelope: [
    { name: 'kind', kind: 'kind' },
    { name: 'to', kind: 'role' },
    // Only in envelopes signed before SPEC 5.13's revision statement: kept so
    // they still verify; a new envelope never carries it.
    { name: 'supersedes', kind: 'id', optional: true },
    { name: 'answers', kind: 'id', optional: true },
    { name: 'stream', kind: 'stream' },
    { name: 'ciphertext_size', kind: 'u64' },
    { name: 'ciphertext_hash', kind: 'hash' },
    { name: 'wraps', kind: 'wraps' },
  ],
  approval: [
    { name: 'message', kind: 'id' },
    { name: 'ciphertext_hash', kind: 'hash' },
    { name: 'wraps', kind: 'wraps' },
    { name: 'note', kind: 'sealed', optional: true },
    { name: 'release_at', kind: 'u64', optional: true },
  ],
  return: [
    { name: 'message', kind: 'id' },
    { name: 'ciphertext_hash', kind: 'hash' },
    { name: 'note', kind: 'sealed' },
  ],
  revoke: [{ name: 'message', kind: 'id' }],
  withdraw: [{ name: 'revoke_released', kind: 'bool' }],
  close: [],
  grant: [
    { name: 'subject', kind: 'key' },
    { name: 'reads', kind: 'bool' },
  ],
  revision: [
    { name: 'message', kind: 'id' },
    { name: 'supersedes', kind: 'id' },
  ],
  stage: [{ name: 'stage', kind: 'stage' }],
  pause: [{ name: 'paused', kind: 'bool' }],
  consent: [{ name: 'text_hash', kind: 'hash' }],
  agreement_signature: [{ name: 'message', kind: 'id' }, { name: 'agreement_hash', kind: 'hash' }],
  checkin: [{ name: 'message', kind: 'id' }, { name: 'due_at', kind: 'u64' }],
  referral_key: [{ name: 'key', kind: 'key' }],
  agreement_mark: [
    { name: 'message', kind: 'id' },
    { name: 'agreement_hash', kind: 'hash' },
    { name: 'item', kind: 'u64' },
    { name: 'done', kind: 'bool' },
  ],
} satisfies Record<string, Field[]>;

export type StatementType = keyof typeof statementFields;
export const statementTypes = Object.keys(statementFields) as StatementType[];

// A statement as a plain value: the JSON keys, binary fields as bytes,
// integers as numbers, optional fields absent (undefined).
export interface Statement {
  type: StatementType;
  id: Bytes;
  case: Bytes;
  signer: Bytes;
  created_at: number;
  sig: Bytes;
  [field: string]: unknown;
}

const fixedSize: Record<'id' | 'key' | 'hash' | 'stream', number> = { id: 16, key: 32, hash: 32, stream: 24 };
export const nullCase = new Uint8Array(16);
const isZero = (b: Bytes) => b.every((x) => x === 0);

function readBytes(v: JsonValue, path: string, min: number, max: number): Bytes {
  if (typeof v !== 'string') fail('wrong_type', path);
  if (v.length > Math.floor((max + 2) / 3) * 4) fail('bad_length', path);
  const d = b64.decode(v);
  if (!d) fail('bad_encoding', path);
  if (d.length < min || d.length > max) fail('bad_length', path);
  return d;
}

export function readU64(v: JsonValue, path: string): number {
  if (!(v instanceof JsonNumber)) fail('wrong_type', path);
  if (!/^-?(0|[1-9][0-9]*)$/.test(v.text)) fail('wrong_type', path);
  if (v.text.startsWith('-')) fail('bad_value', path);
  const n = Number(v.text);
  if (!Number.isSafeInteger(n)) fail('bad_value', path);
  return n;
}

export function isDisplayName(text: string): boolean {
  const n = new TextEncoder().encode(text).length;
  return n >= 1 && n <= limits.displayName && !/[\u0000-\u001f\u007f]/.test(text);
}

function readField(kind: FieldKind, v: JsonValue, path: string): unknown {
  switch (kind) {
    case 'id': case 'key': case 'hash': case 'stream': {
      const n = fixedSize[kind];
      return readBytes(v, path, n, n);
    }
    case 'sealed': return readBytes(v, path, limits.minSealed, limits.maxSealed);
    case 'u64': return readU64(v, path);
    case 'bool':
      if (typeof v !== 'boolean') fail('wrong_type', path);
      return v;
    case 'role': case 'kind': case 'stage': {
      if (typeof v !== 'string') fail('wrong_type', path);
      const words: readonly string[] = kind === 'role' ? roles : kind === 'kind' ? kinds : stages;
      if (!words.includes(v)) fail('bad_value', path);
      return v;
    }
    case 'text':
      if (typeof v !== 'string') fail('wrong_type', path);
      if (!isDisplayName(v)) fail('bad_value', path);
      return v;
    case 'wraps': {
      if (!Array.isArray(v)) fail('wrong_type', path);
      if (v.length === 0 || v.length > limits.maxWraps) fail('bad_length', path);
      return v.map((w, i) => {
        const at = `${path}[${i}]`;
        const r = new Reader(w, at);
        const wrap = { reader: r.bytes('reader', 32), box: r.bytes('box', 96) };
        r.finish();
        return wrap;
      });
    }
  }
}

// Reads named keys of one object; finish() refuses keys nobody asked for.
class Reader {
  private named = new Set<string>();
  readonly object: JsonObject;
  constructor(v: JsonValue, readonly path: string) {
    if (!isObject(v)) fail('not_an_object', path);
    this.object = v;
  }
  pathOf(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }
  find(name: string): JsonValue | undefined {
    this.named.add(name);
    return Object.prototype.hasOwnProperty.call(this.object, name) ? this.object[name] : undefined;
  }
  field(f: Field): unknown {
    const v = this.find(f.name);
    if (v === undefined) {
      if (f.optional) return undefined;
      fail('missing_field', this.pathOf(f.name));
    }
    return readField(f.kind, v, this.pathOf(f.name));
  }
  // A required field of exactly n bytes.
  bytes(name: string, n: number): Bytes {
    const v = this.find(name);
    if (v === undefined) fail('missing_field', this.pathOf(name));
    return readBytes(v, this.pathOf(name), n, n);
  }
  finish(): void {
    for (const key of Object.keys(this.object)) if (!this.named.has(key)) fail('unknown_field', this.pathOf(key));
  }
}

const headerFields: Field[] = [
  { name: 'id', kind: 'id' },
  { name: 'case', kind: 'id' },
  { name: 'signer', kind: 'key' },
  { name: 'created_at', kind: 'u64' },
];

// Parses a statement of `type` from a JSON value (nested in a body) or text.
export function parseStatement(type: StatementType, input: JsonValue | string, path = ''): Statement {
  const v = typeof input === 'string' ? parseStrict(input, limits.statementJsonChars, limits.statementDepth) : input;
  const r = new Reader(v, path);
  const version = r.find('v');
  if (version === undefined) fail('missing_field', r.pathOf('v'));
  if (!(version instanceof JsonNumber) || version.text !== '1') fail('unsupported_version', r.pathOf('v'));
  const t = r.find('type');
  if (t === undefined) fail('missing_field', r.pathOf('type'));
  if (typeof t !== 'string') fail('wrong_type', r.pathOf('type'));
  if (t !== type) fail('wrong_statement', r.pathOf('type'));
  const s: Statement = { type } as Statement;
  for (const f of [...headerFields, ...statementFields[type]]) s[f.name] = r.field(f);
  s.sig = readBytes(r.find('sig') ?? fail('missing_field', r.pathOf('sig')), r.pathOf('sig'), 64, 64);
  r.finish();
  try {
    check(s);
  } catch (e) {
    if (e instanceof Error && 'code' in e && 'detail' in e) {
      const pe = e as unknown as { code: Parameters<typeof fail>[0]; detail: string };
      fail(pe.code, r.pathOf(pe.detail));
    }
    throw e;
  }
  return s;
}

function writeField(kind: FieldKind, v: unknown): JsonValue {
  switch (kind) {
    case 'u64': return num(v as number);
    case 'bool': case 'role': case 'kind': case 'stage': case 'text': return v as JsonValue;
    case 'wraps': return (v as Wrap[]).map((w) => ({ reader: b64.encode(w.reader), box: b64.encode(w.box) }));
    default: return b64.encode(v as Bytes);
  }
}

// The statement's JSON value, keys in SPEC order.
export function toJsonValue(s: Statement): JsonObject {
  const o: JsonObject = {};
  o.v = num(1);
  o.type = s.type;
  for (const f of [...headerFields, ...statementFields[s.type]]) {
    if (s[f.name] !== undefined) o[f.name] = writeField(f.kind, s[f.name]);
  }
  o.sig = b64.encode(s.sig);
  return o;
}
export const toJson = (s: Statement): string => serialize(toJsonValue(s));

function addField(t: Transcript, kind: FieldKind, v: unknown): void {
  if (v === undefined) {
    t.addAbsent();
    return;
  }
  switch (kind) {
    case 'u64': t.addU64(v as number); break;
    case 'bool': t.addBool(v as boolean); break;
    case 'role': case 'kind': case 'stage': case 'text': t.add(v as string); break;
    case 'wraps':
      t.addU64((v as Wrap[]).length);
      for (const w of v as Wrap[]) t.add(w.reader).add(w.box);
      break;
    default: t.add(v as Bytes);
  }
}

export function signingTranscript(s: Statement): Bytes {
  const t = new Transcript(`shuttle/v1/${s.type}`);
  t.add(s.id).add(s.case).add(s.signer).addU64(s.created_at);
  for (const f of statementFields[s.type]) addField(t, f.kind as FieldKind, s[f.name]);
  return t.data();
}

export function verifySignature(s: Statement): void {
  if (!sodium().crypto_sign_verify_detached(s.sig, signingTranscript(s), s.signer)) fail('bad_signature', s.type);
}

export function statementHash(s: Statement): Bytes {
  return blake2b256(new Transcript('shuttle/v1/statement-hash').add(signingTranscript(s)).add(s.sig).data());
}

// The hash a consent statement names (SPEC 5.16): of the language tag and the text, as shown.
export function consentTextHash(language: string, text: string): Bytes {
  const utf8 = new TextEncoder();
  return blake2b256(new Transcript('shuttle/v1/consent-text').add(utf8.encode(language)).add(utf8.encode(text)).data());
}

// Signs a statement built in memory with an Ed25519 secret key (64 bytes),
// after the rules a receiver would check.
export function sign(s: Omit<Statement, 'sig' | 'signer'> & { signer?: Bytes }, secretKey: Bytes, publicKey: Bytes): Statement {
  const out = { ...s, signer: publicKey, sig: new Uint8Array(64) } as Statement;
  check(out);
  out.sig = sodium().crypto_sign_detached(signingTranscript(out), secretKey);
  return out;
}

// The semantic rules of each type (as proto/codec.cpp checks them).
export function check(s: Statement): void {
  const roleIs = (r: unknown) => r as Role;
  const caseMayBeNull = s.type === 'referral_key' ||
    (s.type === 'invitation' && s.role === 'facilitator') || (s.type === 'enrolment' && s.role === 'facilitator');
  if (isZero(s.id)) fail('bad_value', 'id');
  if (!caseMayBeNull && isZero(s.case)) fail('bad_value', 'case');
  if (s.created_at === 0 || s.created_at > limits.maxJsonInteger) fail('bad_value', 'created_at');
  const readers = (wraps: Wrap[], field: string) => {
    if (wraps.length === 0 || wraps.length > limits.maxWraps) fail('bad_length', field);
    for (let i = 0; i < wraps.length; i++) {
      for (let j = i + 1; j < wraps.length; j++) if (equal(wraps[i].reader, wraps[j].reader)) fail('bad_value', `${field}[${j}].reader`);
    }
  };
  switch (s.type) {
    case 'referral_key':
      if (!isZero(s.case)) fail('bad_value', 'case');
      if ((s.key as Bytes).every((b) => b === 0)) fail('bad_value', 'key');
      break;
    case 'case_open':
      if (s.approvals_required !== 1 && s.approvals_required !== 2) fail('bad_value', 'approvals_required');
      break;
    case 'invitation':
      if ((s.expires_at as number) <= s.created_at) fail('bad_value', 'expires_at');
      break;
    case 'enrolment':
      if (isZero(s.invitation as Bytes)) fail('bad_value', 'invitation');
      if (s.name !== undefined && (s.role !== 'facilitator' || !isZero(s.case) || !isDisplayName(s.name as string))) {
        fail('bad_value', 'name');
      }
      break;
    case 'attestation':
      if (equal(s.subject as Bytes, s.signer)) fail('bad_value', 'subject');
      if (isZero(s.key_statement as Bytes)) fail('bad_value', 'key_statement');
      break;
    case 'envelope': {
      const to = roleIs(s.to);
      if (to !== 'harmed' && to !== 'responsible' && to !== 'facilitator') fail('bad_value', 'to');
      // Only a note or the agreement goes to the facilitators; the agreement always does (SPEC 5.6).
      if (s.kind !== 'note' && s.kind !== 'agreement' && to === 'facilitator') fail('bad_value', 'to');
      if (s.kind === 'agreement' && to !== 'facilitator') fail('bad_value', 'to');
      const sup = s.supersedes as Bytes | undefined;
      if (sup && (isZero(sup) || equal(sup, s.id))) fail('bad_value', 'supersedes');
      if (s.kind === 'checkin' && to === 'facilitator') fail('bad_value', 'to');  // a check-in goes to one party
      // A reply names the letter it answers; a note to the facilitators may name the check-in it answers.
      const ans = s.answers as Bytes | undefined;
      const mayAnswer = s.kind === 'note' && to === 'facilitator';
      if ((s.kind === 'reply' ? ans === undefined : ans !== undefined && !mayAnswer) || (ans && (isZero(ans) || equal(ans, s.id)))) {
        fail('bad_value', 'answers');
      }
      if (!isCiphertextSize(s.ciphertext_size as number)) fail('bad_value', 'ciphertext_size');
      const wraps = s.wraps as Wrap[];
      readers(wraps, 'wraps');
      if (!equal(wraps[0].reader, s.signer)) fail('bad_value', 'wraps[0].reader');
      for (let i = 2; i < wraps.length; i++) {
        if (compare(wraps[i - 1].reader, wraps[i].reader) >= 0) fail('bad_value', `wraps[${i}].reader`);
      }
      break;
    }
    case 'approval':
      if (isZero(s.message as Bytes)) fail('bad_value', 'message');
      if (s.release_at !== undefined && ((s.release_at as number) === 0)) fail('bad_value', 'release_at');
      readers(s.wraps as Wrap[], 'wraps');
      break;
    case 'return': case 'revoke':
      if (isZero(s.message as Bytes)) fail('bad_value', 'message');
      break;
    case 'grant':
      if (equal(s.subject as Bytes, s.signer)) fail('bad_value', 'subject');
      break;
    case 'revision':
      if (isZero(s.message as Bytes)) fail('bad_value', 'message');
      if (isZero(s.supersedes as Bytes) || equal(s.supersedes as Bytes, s.message as Bytes)) fail('bad_value', 'supersedes');
      break;
    default:
      break;
  }
}

// Padmé (SPEC 6.2) and the sizes chunking gives (SPEC 6.3).
export function padme(n: number): number {
  if (n < 2) return n;
  const e = Math.floor(Math.log2(n));
  const s = Math.floor(Math.log2(e)) + 1;
  const unit = 2 ** (e - s);
  return Math.floor((n + unit - 1) / unit) * unit;
}
export const chunkBytes = 65536;
export const chunkOverhead = 17;
export function ciphertextSizeFor(plaintext: number): number {
  return plaintext + chunkOverhead * Math.ceil(plaintext / chunkBytes);
}
export function plaintextSizeFor(ciphertext: number): number | null {
  const full = chunkBytes + chunkOverhead;
  const whole = Math.floor(ciphertext / full);
  const rest = ciphertext % full;
  if (rest === 0) return whole === 0 ? null : whole * chunkBytes;
  if (rest <= chunkOverhead) return null;
  return whole * chunkBytes + (rest - chunkOverhead);
}
export function isCiphertextSize(n: number): boolean {
  const p = plaintextSizeFor(n);
  return n <= limits.maxCiphertext && p !== null && p >= 8 && padme(p) === p;
}

// The audit trail (proto/SPEC.md section 10): hash-chained entries and the
// relay's signed checkpoint, verified with the relay key known out of band.
import * as b64 from './base64url.js';
import { Bytes, equal } from './bytes.js';
import { readU64 } from './codec.js';
import { fail } from './errors.js';
import { JsonNumber, JsonValue, isObject, parseStrict } from './json.js';
import { blake2b256, sodium } from './sodium.js';
import { Transcript } from './transcript.js';

export const auditEvents = [
  'case_opened', 'invited', 'enrolled', 'key_published', 'attested', 'submitted', 'approved', 'returned',
  'released', 'delivered', 'opened', 'declined', 'revoked', 'withdrawn', 'closed', 'purged', 'decline_told',
  'granted', 'grant_ended', 'quiet_hours_set', 'stage_set', 'paused', 'resumed', 'consented',
  'agreement_signed', 'agreement_bound', 'item_marked', 'checkin_scheduled',
] as const;

export interface AuditEntry {
  seq: number; at: number; case: Bytes; event: string; actor: Bytes; subject: Bytes; statement: Bytes;
  prev: Bytes; hash: Bytes;
}
export interface Checkpoint {
  case: Bytes; seq: number; head: Bytes; at: number; relay_key: Bytes; sig: Bytes;
}
export interface AuditExport {
  case: Bytes;
  entries: AuditEntry[];
  checkpoint: Checkpoint;
}

export function entryHash(e: AuditEntry): Bytes {
  return blake2b256(new Transcript('shuttle/v1/audit-entry').add(e.prev).addU64(e.seq).addU64(e.at).add(e.case)
    .add(e.event).add(e.actor).add(e.subject).add(e.statement).data());
}
export function checkpointTranscript(c: Checkpoint): Bytes {
  return new Transcript('shuttle/v1/audit-checkpoint').add(c.case).addU64(c.seq).add(c.head).addU64(c.at)
    .add(c.relay_key).data();
}

function fields<T>(v: JsonValue, path: string, spec: Record<string, number | 'u64' | 'event'>): T {
  if (!isObject(v)) fail('not_an_object', path);
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(spec)) {
    const x = v[name];
    const at = path ? `${path}.${name}` : name;
    if (x === undefined) fail('missing_field', at);
    if (kind === 'u64') out[name] = readU64(x, at);
    else if (kind === 'event') {
      if (typeof x !== 'string' || !(auditEvents as readonly string[]).includes(x)) fail('bad_value', at);
      out[name] = x;
    } else {
      const d = typeof x === 'string' ? b64.decode(x) : null;
      if (!d) fail(typeof x === 'string' ? 'bad_encoding' : 'wrong_type', at);
      if (d.length !== kind) fail('bad_length', at);
      out[name] = d;
    }
  }
  for (const k of Object.keys(v)) if (!(k in spec)) fail('unknown_field', path ? `${path}.${k}` : k);
  return out as T;
}

export function parseAuditExport(text: string): AuditExport {
  const v = parseStrict(text, 64 * 1024 * 1024, 8);
  if (!isObject(v)) return fail('not_an_object', '');
  if (!(v.v instanceof JsonNumber) || v.v.text !== '1') fail('unsupported_version', 'v');
  if (v.type !== 'audit_export') fail('wrong_statement', 'type');
  const list = v.entries;
  if (!Array.isArray(list)) return fail('wrong_type', 'entries');
  if (list.length > 200000) fail('too_large', 'entries');
  const entries = list.map((e, i) => fields<AuditEntry>(e, `entries[${i}]`, {
    seq: 'u64', at: 'u64', case: 16, event: 'event', actor: 32, subject: 16, statement: 32, prev: 32, hash: 32,
  }));
  const checkpoint = fields<Checkpoint>(v.checkpoint ?? null, 'checkpoint', {
    case: 16, seq: 'u64', head: 32, at: 'u64', relay_key: 32, sig: 64,
  });
  const caseId = typeof v.case === 'string' ? b64.decode(v.case) : null;
  if (!caseId || caseId.length !== 16) fail('bad_value', 'case');
  for (const k of Object.keys(v)) if (!['v', 'type', 'case', 'entries', 'checkpoint'].includes(k)) fail('unknown_field', k);
  return { case: caseId!, entries, checkpoint };
}

// Every rule of SPEC 10: numbering, case, links, hashes, checkpoint and its signature.
export function verifyAuditExport(x: AuditExport, relayKey: Bytes): void {
  let prev = new Uint8Array(32);
  x.entries.forEach((e, i) => {
    const where = `entry ${i + 1}`;
    if (e.seq !== i + 1) fail('broken_chain', `${where}: out of sequence`);
    if (!equal(e.case, x.case)) fail('broken_chain', `${where}: another case's entry`);
    if (!equal(e.prev, prev)) fail('broken_chain', `${where}: does not follow its predecessor`);
    if (!equal(entryHash(e), e.hash)) fail('broken_chain', `${where}: altered`);
    prev = e.hash;
  });
  const c = x.checkpoint;
  if (!equal(c.case, x.case) || c.seq !== x.entries.length || !equal(c.head, prev)) {
    fail('broken_chain', 'the checkpoint does not cover the entries');
  }
  if (!equal(c.relay_key, relayKey)) fail('bad_signature', 'the checkpoint is signed by another key');
  if (!sodium().crypto_sign_verify_detached(c.sig, checkpointTranscript(c), c.relay_key)) fail('bad_signature', 'checkpoint');
}

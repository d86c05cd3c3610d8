// The outcome agreement (proto/SPEC.md 6.6, 5.17, 5.18 and 9): its document's
// body, the hash each signer signs, and which signatures and marks count.
import { Bytes, equal } from './bytes.js';
import { Role, Statement, check, verifySignature } from './codec.js';
import { fail } from './errors.js';
import { JsonNumber, isObject, num, parseStrict, personText, serialize } from './json.js';
import { Roster } from './roster.js';
import { blake2b256 } from './sodium.js';
import { Transcript } from './transcript.js';

export const agreementContentType = 'application/vnd.shuttle.agreement+json';
export const agreementLimits = { items: 64, fieldBytes: 2000, bodyChars: 512 * 1024 };

// One commitment: what is done, by whom, by when, and how it is checked.
export interface AgreementItem {
  what: string;
  who: string;
  by: string;
  check: string;
}
const fields = ['what', 'who', 'by', 'check'] as const;

// The body's JSON text, keys in the order SPEC 6.6 writes them.
export function agreementBody(items: AgreementItem[]): string {
  return serialize({ v: num(1), items: items.map((i) => ({ what: i.what, who: i.who, by: i.by, check: i.check })) });
}

// Strict, as SPEC 6.6 says: 1 to 64 items of exactly four texts each, each
// 1 to 2000 bytes of UTF-8 without a control character but the line feed.
export function parseAgreementBody(body: string): AgreementItem[] {
  const v = parseStrict(body, agreementLimits.bodyChars, 4);
  if (!isObject(v)) fail('not_an_object', 'agreement');
  for (const k of Object.keys(v)) if (k !== 'v' && k !== 'items') fail('unknown_field', k);
  if (!(v.v instanceof JsonNumber) || v.v.text !== '1') fail('unsupported_version', 'v');
  const items = v.items;
  if (!Array.isArray(items)) fail(items === undefined ? 'missing_field' : 'wrong_type', 'items');
  if (items.length < 1 || items.length > agreementLimits.items) fail('bad_value', 'items');
  return items.map((item, i) => {
    if (!isObject(item)) fail('not_an_object', `items[${i}]`);
    for (const k of Object.keys(item)) if (!(fields as readonly string[]).includes(k)) fail('unknown_field', `items[${i}].${k}`);
    const out = {} as AgreementItem;
    for (const f of fields) {
      out[f] = personText(item[f], agreementLimits.fieldBytes, `items[${i}].${f}`);
    }
    return out;
  });
}

// BLAKE2b-256 over "shuttle/v1/agreement", the case id, the message id and
// the body's bytes exactly as sealed.
export function agreementHash(caseId: Bytes, messageId: Bytes, body: Bytes): Bytes {
  return blake2b256(new Transcript('shuttle/v1/agreement').add(caseId).add(messageId).add(body).data());
}

export interface AgreementSigner {
  identity: Bytes;
  role: Role;
  sameText: boolean;  // signed the hash this device computed; else another text
}
export interface AgreementMark {
  item: number;  // 1, 2, ...
  done: boolean;
  by: Bytes;
}
export interface CheckedAgreement {
  signers: AgreementSigner[];
  marks: AgreementMark[];  // the newest of each item, in item order
  ignoredMarks: number;    // naming an item the document lacks
  binds: boolean;          // the signatures that count show what SPEC 9 asks of a binding agreement
}

const signs = (role: Role) => role === 'harmed' || role === 'responsible' || role === 'facilitator';

// Which signatures and marks count (SPEC 9, "Outcome agreement"): each
// verifies, is of this case and agreement, and is signed by someone of the
// roster who may make it; marks only with the hash computed here.
export function checkAgreement(r: Roster, message: Bytes, hash: Bytes, items: number,
                               signatures: Statement[], marks: Statement[]): CheckedAgreement {
  const counts = (s: Statement, facilitatorsOnly: boolean): Role | undefined => {
    if (!equal(s.case, r.caseId) || !equal(s.message as Bytes, message)) return undefined;
    try {
      check(s);
      verifySignature(s);
      const who = r.find(s.signer);
      return (facilitatorsOnly ? r.isFacilitator(s.signer) : signs(who.role)) ? who.role : undefined;
    } catch {
      return undefined;
    }
  };
  const signers: AgreementSigner[] = [];
  for (const s of signatures) {
    const role = counts(s, false);
    if (role && !signers.some((x) => equal(x.identity, s.signer))) {
      signers.push({ identity: s.signer, role, sameText: equal(s.agreement_hash as Bytes, hash) });
    }
  }
  const newest = new Map<number, AgreementMark>();
  let ignoredMarks = 0;
  for (const m of marks) {
    if (!counts(m, true) || !equal(m.agreement_hash as Bytes, hash)) continue;
    const item = m.item as number;
    if (item < 1 || item > items) {
      ignoredMarks++;
      continue;
    }
    newest.set(item, { item, done: m.done as boolean, by: m.signer });  // the relay lists them as stored: the last holds
  }
  const agreed = (role: Role) => signers.filter((s) => s.sameText && s.role === role).length;
  const binds = agreed('harmed') >= 1 && agreed('responsible') >= 1 && agreed('facilitator') >= Math.max(1, r.approvalsRequired);
  return { signers, marks: [...newest.values()].sort((a, b) => a.item - b.item), ignoredMarks, binds };
}

// Client checks (proto/SPEC.md section 9): the keys a client may use in one
// case, grown only from the pinned facilitator's signatures, and the checks
// before a letter is sealed, reviewed or opened. Nothing the relay says
// without such a signature is used.
import { Bytes, equal } from './bytes.js';
import { Role, Statement, Wrap, check, sign, verifySignature } from './codec.js';
import { fail } from './errors.js';
import { IdentityKey, CaseKey } from './keys.js';
import { LetterDocument, decryptLetter, openNote, sealNote, unwrapFor, wrapKey } from './letters.js';

export interface ParticipantKeys {
  identity: Bytes;
  role: Role;
  caseKey: Bytes;
  keyStatement: Bytes;
}
export interface Reader {
  identity: Bytes;
  caseKey: Bytes;
}

export function partyOf(supporter: Role): Role | undefined {
  if (supporter === 'harmed_support') return 'harmed';
  if (supporter === 'responsible_support') return 'responsible';
  return undefined;
}

export class Roster {
  private facilitators: Bytes[];
  private participants: ParticipantKeys[] = [];
  private grants: Statement[] = [];
  approvalsRequired = 1;

  constructor(readonly caseId: Bytes, pinnedFacilitator: Bytes) {
    this.facilitators = [pinnedFacilitator];
  }

  private checkCase(s: Statement): void {
    if (!equal(s.case, this.caseId)) fail('wrong_case', 'a statement from another case');
  }
  isFacilitator(identity: Bytes): boolean {
    return this.facilitators.some((f) => equal(f, identity));
  }
  addCaseOpen(s: Statement): void {
    this.checkCase(s);
    if (!this.isFacilitator(s.signer)) fail('not_attested', 'the case was opened by an unknown key');
    verifySignature(s);
    this.approvalsRequired = s.approvals_required as number;
  }
  addFacilitatorKeys(s: Statement): void {
    this.checkCase(s);
    if (!this.isFacilitator(s.signer)) fail('not_attested', 'a key statement by an unknown facilitator');
    verifySignature(s);
    const existing = this.participants.find((p) => equal(p.identity, s.signer));
    if (existing && !equal(existing.caseKey, s.case_key as Bytes)) fail('key_changed', "a facilitator's case key changed");
    this.participants = this.participants.filter((p) => !equal(p.identity, s.signer));
    this.participants.push({ identity: s.signer, role: 'facilitator', caseKey: s.case_key as Bytes, keyStatement: s.id });
  }
  addAttested(a: Statement, keys: Statement): void {
    this.checkCase(a);
    this.checkCase(keys);
    if (!this.isFacilitator(a.signer)) fail('not_attested', 'an attestation by an unknown key');
    verifySignature(a);
    verifySignature(keys);
    if (!equal(a.subject as Bytes, keys.signer) || !equal(a.key_statement as Bytes, keys.id) ||
        !equal(a.subject_case_key as Bytes, keys.case_key as Bytes)) {
      fail('not_attested', 'the attestation names other keys');
    }
    this.participants = this.participants.filter((p) => !equal(p.identity, a.subject as Bytes));
    const role = a.subject_role as Role;
    this.participants.push({ identity: a.subject as Bytes, role, caseKey: keys.case_key as Bytes, keyStatement: keys.id });
    if (role === 'facilitator' && !this.isFacilitator(a.subject as Bytes)) this.facilitators.push(a.subject as Bytes);
  }
  // A party's grant for an attested supporter of its own side; the latest holds.
  addGrant(g: Statement): void {
    this.checkCase(g);
    check(g);
    verifySignature(g);
    const party = this.find(g.signer), supporter = this.find(g.subject as Bytes);
    if (partyOf(supporter.role) !== party.role) fail('not_attested', 'a grant between people not attested as a party and its supporter');
    const i = this.grants.findIndex((k) => equal(k.signer, g.signer) && equal(k.subject as Bytes, g.subject as Bytes));
    if (i < 0) this.grants.push(g);
    else if (this.grants[i].created_at <= g.created_at) this.grants[i] = g;
  }
  find(identity: Bytes): ParticipantKeys {
    const p = this.participants.find((x) => equal(x.identity, identity));
    if (!p) return fail('not_attested', "no facilitator has attested this participant's keys");
    return p;
  }
  has(identity: Bytes): boolean {
    return this.participants.some((x) => equal(x.identity, identity));
  }
  checkCurrentKey(identity: Bytes, caseKey: Bytes): void {
    if (!equal(this.find(identity).caseKey, caseKey)) fail('key_changed', "this participant's key changed since a facilitator attested it");
  }
  facilitatorReaders(): Reader[] {
    return this.participants.filter((p) => p.role === 'facilitator' && this.isFacilitator(p.identity))
      .map((p) => ({ identity: p.identity, caseKey: p.caseKey }));
  }
  inRole(role: Role): ParticipantKeys[] {
    return this.participants.filter((p) => p.role === role);
  }
  supportersOf(party: Bytes): Reader[] {
    return this.grants.filter((g) => equal(g.signer, party) && g.reads === true && this.has(g.subject as Bytes))
      .map((g) => {
        const s = this.find(g.subject as Bytes);
        return { identity: s.identity, caseKey: s.caseKey };
      });
  }

  // The stage and the pause only as their statements show them (SPEC 9,
  // "Stage and pause"): a stage other than referral or exchange needs a
  // facilitator's statement naming it, a pause the person harmed's.
  checkStage(stage: string, s: Statement | undefined): void {
    if (!s) {
      if (stage !== 'referral' && stage !== 'exchange') fail('not_attested', 'a stage without the statement that set it');
      return;
    }
    this.checkCase(s);
    check(s);
    verifySignature(s);
    if (!this.isFacilitator(s.signer) || s.stage !== stage) fail('not_attested', 'a stage no facilitator of this case set');
  }
  checkPause(paused: boolean, p: Statement | undefined): void {
    if (!p) {
      if (paused) fail('not_attested', 'a pause without the statement that made it');
      return;
    }
    this.checkCase(p);
    check(p);
    verifySignature(p);
    if (this.find(p.signer).role !== 'harmed' || p.paused !== paused) fail('not_attested', 'a pause the person harmed did not make');
  }

  // The envelope is of this case, valid, signed, and its sender is attested.
  checkEnvelope(e: Statement): ParticipantKeys {
    if (!equal(e.case, this.caseId)) fail('wrong_case', 'a letter from another case');
    check(e);
    verifySignature(e);
    return this.find(e.signer);
  }
}

export interface Me {
  identity: IdentityKey;
  caseKey: CaseKey;
}

// A reader wrapped in the envelope (a facilitator, the writer, the writer's supporter).
// The writer (or a facilitator) reading from the envelope: the envelope
// checked, and the letter key from its wrap.
export function keyFromEnvelope(r: Roster, e: Statement, me: Me): Bytes {
  r.checkEnvelope(e);
  return unwrapFor(e.wraps as Wrap[], e.id, me.identity.publicKey, me.caseKey.publicKey, me.caseKey.secret);
}
export function openFromEnvelope(r: Roster, e: Statement, ciphertext: Bytes, me: Me): LetterDocument {
  return decryptLetter(e, ciphertext, keyFromEnvelope(r, e, me));
}

export interface Released {
  key: Bytes;  // the letter key, from an approval's wrap for this reader
  sender: ParticipantKeys;
  approvedBy: Bytes[];
  notes: { by: Bytes; text: string }[];
}
export interface Delivered extends Omit<Released, 'key'> {
  content: LetterDocument;
}

// A recipient (or its supporter) about to open a released letter: every
// check of SPEC 9 that comes before the ciphertext, in order; the size and
// hash are checked as the ciphertext is opened (decryptLetter, LetterOpener).
export function checkReleased(r: Roster, e: Statement, approvals: Statement[], me: Me, now: number): Released {
  const sender = r.checkEnvelope(e);
  const self = r.find(me.identity.publicKey);
  const supporter = partyOf(self.role) === e.to;
  // The outcome agreement goes to both parties, addressed to the facilitators (SPEC 6.6).
  const agreement = e.kind === 'agreement';
  const agreementReader = agreement && e.to === 'facilitator' && (self.role === 'harmed' || self.role === 'responsible');
  if (self.role !== e.to && !supporter && !agreementReader) fail('not_approved', 'this letter is not addressed to you');
  if (agreement && !agreementReader) fail('not_approved', 'an agreement is for the parties');
  if (!equal(self.caseKey, me.caseKey.publicKey)) fail('key_changed', 'your case key is not the one a facilitator attested');
  if (e.kind === 'note' || e.kind === 'checkin' || agreement) {
    // A facilitator's note or check-in to this party, or the outcome
    // agreement: no review, so no approval; the envelope itself carries this
    // reader's wrap (SPEC 9, "A facilitator's note").
    if (supporter || !r.isFacilitator(e.signer)) fail('not_approved', 'notes to the facilitators are never released');
    const key = unwrapFor(e.wraps as Wrap[], e.id, me.identity.publicKey, me.caseKey.publicKey, me.caseKey.secret);
    return { key, sender, approvedBy: [], notes: [] };
  }
  const approvedBy: Bytes[] = [];
  const counted: Statement[] = [];
  let withMyWrap: Statement | undefined;
  for (const a of approvals) {
    if (!equal(a.case, r.caseId) || !equal(a.message as Bytes, e.id) || !equal(a.ciphertext_hash as Bytes, e.ciphertext_hash as Bytes) ||
        !r.isFacilitator(a.signer) || approvedBy.some((b) => equal(b, a.signer))) {
      continue;
    }
    try {
      check(a);
      verifySignature(a);
    } catch {
      continue;
    }
    if (a.release_at !== undefined && (a.release_at as number) > now) continue;
    approvedBy.push(a.signer);
    counted.push(a);
    if (!withMyWrap && (a.wraps as Wrap[]).some((w) => equal(w.reader, me.identity.publicKey))) withMyWrap = a;
  }
  if (approvedBy.length < r.approvalsRequired) fail('not_approved', 'this letter has not been approved for you');
  if (!withMyWrap) fail('no_wrap_for_reader', 'no approval carries a key for you');
  const key = unwrapFor(withMyWrap.wraps as Wrap[], e.id, me.identity.publicKey, me.caseKey.publicKey, me.caseKey.secret);
  const notes = supporter ? [] : counted.filter((a) => a.note !== undefined).map((a) => ({
    by: a.signer,
    text: openNote(a.note as Bytes, e.id, 'content', me.caseKey.publicKey, me.caseKey.secret).text,
  }));
  return { key, sender, approvedBy, notes };
}

// A recipient (or its supporter) opens a released letter: every check of SPEC 9, in order.
export function openDelivered(r: Roster, e: Statement, approvals: Statement[], ciphertext: Bytes, me: Me, now: number): Delivered {
  const { key, ...released } = checkReleased(r, e, approvals, me, now);
  if (ciphertext.length !== e.ciphertext_size) fail('hash_mismatch', 'the letter is not the one its sender signed');
  return { ...released, content: decryptLetter(e, ciphertext, key) };
}

// A facilitator approves: rewraps the letter key for each attested recipient
// and each supporter a recipient lets read.
export function approveLetter(r: Roster, e: Statement, me: Me, header: { id: Bytes; created_at: number },
                              options: { contentNote?: string; releaseAt?: number } = {}): Statement {
  if (!r.isFacilitator(me.identity.publicKey)) fail('not_attested', 'only a facilitator approves');
  r.checkEnvelope(e);
  if (e.kind === 'note') fail('invalid_argument', 'internal notes are not released');
  const key = unwrapFor(e.wraps as Wrap[], e.id, me.identity.publicKey, me.caseKey.publicKey, me.caseKey.secret);
  const recipients = r.inRole(e.to as Role);
  if (recipients.length === 0) fail('not_attested', "the recipient's keys are not attested yet");
  const wraps: Wrap[] = [];
  for (const p of recipients) {
    wraps.push({ reader: p.identity, box: wrapKey(key, e.id, p.caseKey) });
    for (const s of r.supportersOf(p.identity)) wraps.push({ reader: s.identity, box: wrapKey(key, e.id, s.caseKey) });
  }
  let note: Bytes | undefined;
  if (options.contentNote !== undefined) {
    if (recipients.length !== 1) fail('invalid_argument', 'a content note needs a single recipient');
    note = sealNote({ purpose: 'content', text: options.contentNote }, e.id, recipients[0].caseKey);
  }
  return sign({
    type: 'approval', id: header.id, case: e.case, created_at: header.created_at,
    message: e.id, ciphertext_hash: e.ciphertext_hash, wraps, note, release_at: options.releaseAt,
  }, me.identity.secretKey, me.identity.publicKey);
}

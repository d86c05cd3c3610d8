// The relay's answers as typed values, read at the edge (as client-lib's
// relay_answers.cpp does for the CLI): every field checked for its type,
// statements parsed and checked by the protocol module. A view never reads
// relay JSON itself; an answer that does not read is "not understood".
import * as b64 from '../proto/base64url.js';
import { Bytes } from '../proto/bytes.js';
import { Statement, StatementType, parseStatement, readU64 } from '../proto/codec.js';
import { AuditExport, parseAuditExport } from '../proto/audit.js';
import { JsonObject, JsonValue, isObject, serialize } from '../proto/json.js';
import { RelayRefusal } from './relay.js';

const notUnderstood = (): never => {
  throw new RelayRefusal(200, 'not_understood');
};

function text(o: JsonObject, name: string): string {
  const v = o[name];
  return typeof v === 'string' ? v : notUnderstood();
}
function optionalTime(o: JsonObject, name: string): number | undefined {
  const v = o[name];
  if (v === undefined) return undefined;
  try {
    return readU64(v, name);
  } catch {
    return notUnderstood();
  }
}
function list(o: JsonObject, name: string, optional = false): JsonValue[] {
  const v = o[name];
  if (v === undefined && optional) return [];
  return Array.isArray(v) ? v : notUnderstood();
}
function bytes(o: JsonObject, name: string): Bytes {
  return b64.decode(text(o, name)) ?? notUnderstood();
}
function statement(type: StatementType, v: JsonValue | undefined): Statement {
  if (v === undefined) return notUnderstood();
  try {
    return parseStatement(type, v);
  } catch {
    return notUnderstood();
  }
}

export interface MessageSummary {
  message: string;       // base64url id
  sender: string;        // base64url identity key
  state: string;         // SPEC 8's word
  kind?: string;         // letter, reply, note
  to?: string;           // the role it goes to
  answers?: string;      // a reply's letter (base64url id)
  declineTold?: boolean; // for facilitators: a declined letter passed on to its writer
  size?: number;         // the ciphertext's size in bytes
  releasedAt?: number;
  submittedAt?: number;
  releaseAt?: number;    // for facilitators and its writer: when a scheduled message (a check-in) is released
}
export function messageList(answer: JsonObject): MessageSummary[] {
  return list(answer, 'messages').map((v) => {
    if (!isObject(v)) return notUnderstood();
    return { message: text(v, 'message'), sender: text(v, 'sender'), state: text(v, 'state'),
      kind: typeof v.kind === 'string' ? v.kind : undefined, to: typeof v.to === 'string' ? v.to : undefined,
      declineTold: typeof v.decline_told === 'boolean' ? v.decline_told : undefined, size: optionalTime(v, 'size'),
      answers: typeof v.answers === 'string' ? v.answers : undefined,
      releasedAt: optionalTime(v, 'released_at'), submittedAt: optionalTime(v, 'submitted_at'),
      releaseAt: optionalTime(v, 'release_at') };
  });
}

// When the relay's store was restored from a backup, if it was (SPEC 16.2,
// "After a restore"): a letter this device sent that the list lacks was lost
// there.
export interface Restored {
  at: number;
  copyTakenAt?: number;
}
export function restoredOf(answer: JsonObject): Restored | undefined {
  const v = answer.restored;
  if (v === undefined) return undefined;
  if (!isObject(v)) return notUnderstood();
  const at = optionalTime(v, 'at');
  return at === undefined ? notUnderstood() : { at, copyTakenAt: optionalTime(v, 'copy_taken_at') };
}

export interface Participant {
  identity: string;      // base64url identity key
  role: string;
  state: string;         // active, withdrawn
  name?: string;         // a facilitator's name, as the relay knows it
  consent?: Statement;   // the consent it signed (SPEC 5.16)
  consentCurrent?: boolean;  // ... to the service's current text
  consentLanguage?: string;  // ... in this language
}
export interface CaseDetail {
  state: string;         // open, closed
  participants: Participant[];
  caseOpen: Statement;
  keyStatements: Statement[];
  attestations: Statement[];
  grants: Statement[];   // a grant that does not read counts for nothing, and is left out
  label?: Bytes;         // for a facilitator: the case's label, sealed to them
  quietHours?: { timeZone: string; start: string; end: string };  // no letter is released between start and end
  writingAids: { names?: Bytes; prompts?: Bytes };  // for a party: sealed to it by the facilitators (SPEC 7)
  stage: string;                // SPEC 5.14's word
  stageStatement?: Statement;   // the statement that set it
  paused: boolean;              // the person harmed paused the case (SPEC 5.15)
  pauseStatement?: Statement;   // the latest pause or resume
}
function quietHoursOf(v: JsonValue): { timeZone: string; start: string; end: string } {
  if (!isObject(v)) return notUnderstood();
  return { timeZone: text(v, 'time_zone'), start: text(v, 'start'), end: text(v, 'end') };
}
function writingAidsOf(v: JsonValue | undefined): { names?: Bytes; prompts?: Bytes } {
  if (v === undefined) return {};
  if (!isObject(v)) return notUnderstood();
  return { names: v.names === undefined ? undefined : bytes(v, 'names'),
    prompts: v.prompts === undefined ? undefined : bytes(v, 'prompts') };
}
export function caseDetail(answer: JsonObject): CaseDetail {
  return {
    state: text(answer, 'state'),
    participants: list(answer, 'participants').map((p) => {
      if (!isObject(p)) return notUnderstood();
      return { identity: text(p, 'identity'), role: text(p, 'role'), state: text(p, 'state'),
        name: typeof p.name === 'string' ? p.name : undefined,
        consent: p.consent === undefined ? undefined : statement('consent', p.consent),
        consentCurrent: p.consent_current === true,
        consentLanguage: typeof p.consent_language === 'string' ? p.consent_language : undefined };
    }),
    caseOpen: statement('case_open', answer.case_open),
    label: answer.label === undefined ? undefined : bytes(answer, 'label'),
    quietHours: answer.quiet_hours === undefined ? undefined : quietHoursOf(answer.quiet_hours),
    writingAids: writingAidsOf(answer.writing_aids),
    stage: text(answer, 'stage'),
    stageStatement: answer.stage_statement === undefined ? undefined : statement('stage', answer.stage_statement),
    paused: typeof answer.paused === 'boolean' ? answer.paused : notUnderstood(),
    pauseStatement: answer.pause_statement === undefined ? undefined : statement('pause', answer.pause_statement),
    keyStatements: list(answer, 'key_statements').map((k) => statement('key_statement', k)),
    attestations: list(answer, 'attestations').map((a) => statement('attestation', a)),
    grants: list(answer, 'grants', true).flatMap((g) => {
      try {
        return [parseStatement('grant', g)];
      } catch {
        return [];
      }
    }),
  };
}

export interface FetchedMessage {
  envelope: Statement;
  approvals: Statement[];
  returned?: Statement;  // the facilitator's return, shown to the writer only
  declineNote?: Bytes;   // the reader's note on declining, sealed to the writer, once a facilitator passed it on
}
// A message's envelope alone, from the fetch of any reader (a party's or a facilitator's).
export const envelopeOf = (answer: JsonObject): Statement => statement('envelope', answer.envelope);

export function fetchedMessage(answer: JsonObject): FetchedMessage {
  return {
    envelope: statement('envelope', answer.envelope),
    approvals: list(answer, 'approvals', true).map((a) => statement('approval', a)),
    returned: answer.return === undefined ? undefined : statement('return', answer.return),
    declineNote: answer.decline_note === undefined ? undefined : bytes(answer, 'decline_note'),
  };
}

// GET /v1/cases/{case}/agreement: the outcome agreement in force, its
// signatures and marks as stored (SPEC 5.17, 5.18); whether they count is
// the protocol module's check (proto/agreement.ts).
export interface AgreementState {
  message: string;
  submittedAt: number;
  signatures: Statement[];
  marks: Statement[];
  boundAt?: number;
  agreementHash?: Bytes;  // the hash it bound with
}
export function agreementState(answer: JsonObject): AgreementState | undefined {
  const a = answer.agreement;
  if (a === undefined) return undefined;
  if (!isObject(a)) return notUnderstood();
  const boundAt = optionalTime(a, 'bound_at');
  const agreementHash = a.agreement_hash === undefined ? undefined : bytes(a, 'agreement_hash');
  if ((boundAt === undefined) !== (agreementHash === undefined)) return notUnderstood();
  return {
    message: text(a, 'message'),
    submittedAt: optionalTime(a, 'submitted_at') ?? notUnderstood(),
    signatures: list(a, 'signatures').map((s) => statement('agreement_signature', s)),
    marks: list(a, 'marks').map((s) => statement('agreement_mark', s)),
    boundAt,
    agreementHash,
  };
}

// A case's audit export (GET /v1/cases/{case}/audit) as its text (what the
// facilitator saves) and parsed by the protocol module.
export function auditExportOf(answer: JsonObject): { text: string; record: AuditExport } {
  const text = serialize(answer);
  try {
    return { text, record: parseAuditExport(text) };
  } catch {
    return notUnderstood();
  }
}

// The cases a person takes part in (GET /v1/cases); a facilitator's with
// the label sealed to them.
export interface CaseSummary {
  case: string;
  state: string;
  role: string;
  label?: Bytes;
  stage: string;             // SPEC 5.14's word, as the relay lists it
  paused: boolean;           // the person harmed paused the case
  withdrawn: string[];       // for a facilitator: the roles of those who left
  declinedUntold: string[];  // for a facilitator: declined letters no facilitator has passed on
}
const texts = (o: JsonObject, name: string) =>
  list(o, name, true).map((x) => (typeof x === 'string' ? x : notUnderstood()));
export function caseList(answer: JsonObject): CaseSummary[] {
  return list(answer, 'cases').map((v) => {
    if (!isObject(v)) return notUnderstood();
    return { case: text(v, 'case'), state: text(v, 'state'), role: text(v, 'role'), stage: text(v, 'stage'),
      paused: typeof v.paused === 'boolean' ? v.paused : notUnderstood(),
      label: v.label === undefined ? undefined : bytes(v, 'label'),
      withdrawn: texts(v, 'withdrawn'), declinedUntold: texts(v, 'declined_untold') };
  });
}

// The facilitators' queue (GET /v1/queue): oldest first, across their cases.
export interface QueueItem {
  message: string;
  case: string;
  kind: string;              // letter, reply
  revises?: string;          // the returned letter this one writes again
  to: string;                // the role it goes to
  waitingSeconds: number;
  approvals: number;
  approvalsRequired: number;
  reviewedByYou: boolean;
  claimedByName?: string;
  claimedBy?: string;
  claimedUntil?: number;
  releaseAt?: number;
  caseLabel?: Bytes;         // the case's label, sealed to this facilitator
  casePaused?: boolean;      // scheduled: the person harmed paused the case, so it waits for them
}
// `scheduled`: the letters approved and waiting for their release time
// instead (soonest first), which carry no wait.
export function queueItems(answer: JsonObject, which: 'queue' | 'scheduled' = 'queue'): QueueItem[] {
  return list(answer, which).map((v) => {
    if (!isObject(v)) return notUnderstood();
    const count = (name: string) => optionalTime(v, name) ?? notUnderstood();
    return { message: text(v, 'message'), case: text(v, 'case'), kind: text(v, 'kind'), to: text(v, 'to'),
      revises: typeof v.supersedes === 'string' ? v.supersedes : undefined,
      waitingSeconds: which === 'queue' ? count('waiting_seconds') : 0, approvals: count('approvals'), approvalsRequired: count('approvals_required'),
      reviewedByYou: v.reviewed_by_you === true,
      claimedBy: typeof v.claimed_by === 'string' ? v.claimed_by : undefined,
      claimedByName: typeof v.claimed_by_name === 'string' ? v.claimed_by_name : undefined,
      claimedUntil: optionalTime(v, 'claimed_until'), releaseAt: optionalTime(v, 'release_at'),
      caseLabel: typeof v.case_label === 'string' ? (b64.decode(v.case_label) ?? notUnderstood()) : undefined,
      casePaused: v.case_paused === true };
  });
}

// What an approval did (POST .../approve): released, or still in review
// (waiting for a colleague, or for its release time).
export interface ApprovalAnswer {
  state: string;
  approvals: number;
  approvalsRequired: number;
  releaseAt?: number;
  paused: boolean;   // the person harmed paused the case: released when they go on with it
}
export function approvalAnswer(answer: JsonObject): ApprovalAnswer {
  return { state: text(answer, 'state'), approvals: optionalTime(answer, 'approvals') ?? notUnderstood(),
    approvalsRequired: optionalTime(answer, 'approvals_required') ?? notUnderstood(),
    releaseAt: optionalTime(answer, 'release_at'), paused: answer.paused === true };
}

// A message as its case's facilitator fetches it for review: the envelope,
// and each facilitator's decision so far as its signed statement.
export interface ReviewedMessage {
  envelope: Statement;
  reviews: { facilitator: string; decision: string; statement: Statement }[];
}
export function reviewedMessage(answer: JsonObject): ReviewedMessage {
  return {
    envelope: statement('envelope', answer.envelope),
    reviews: list(answer, 'reviews', true).map((v) => {
      if (!isObject(v)) return notUnderstood();
      const decision = text(v, 'decision');
      return { facilitator: text(v, 'facilitator'), decision,
        statement: statement(decision === 'approve' ? 'approval' : 'return', v.statement) };
    }),
  };
}

export interface LoginChallenge {
  challenge: string;     // base64url, sent back as it came
  challengeBytes: Bytes;
  relayKey: string;      // base64url
  relayKeyBytes: Bytes;
}
export function loginChallenge(answer: JsonObject): LoginChallenge {
  return { challenge: text(answer, 'challenge'), challengeBytes: bytes(answer, 'challenge'),
    relayKey: text(answer, 'relay_key'), relayKeyBytes: bytes(answer, 'relay_key') };
}
export const sessionToken = (answer: JsonObject): string => text(answer, 'token');
export const eventTicket = (answer: JsonObject): string => text(answer, 'ticket');

export interface RevokeAnswer {
  wasReleased: boolean;
  wasOpened: boolean;
}
export function revokeAnswer(answer: JsonObject): RevokeAnswer {
  const flag = (name: string) => (typeof answer[name] === 'boolean' ? answer[name] as boolean : notUnderstood());
  return { wasReleased: flag('was_released'), wasOpened: flag('was_opened') };
}

// The invitation a relay presents for a code: checked by the protocol module (proto/enrolment.ts).
export const presentedInvitation = (answer: JsonObject): JsonValue => answer.invitation ?? null;

// The service's name as the operator gave it (SPEC 16.2), when there is one.
// The service's consent text in each language (SPEC 5.16): offered when an
// invitation is opened and at GET /v1/consent; none when it asks for none.
export interface ConsentText {
  language: string;
  text: string;
}
export function consentTexts(answer: JsonObject): ConsentText[] {
  return list(answer, 'consent', true).map((v) => {
    if (!isObject(v)) return notUnderstood();
    const language = text(v, 'language'), body = text(v, 'text');
    if (!/^[a-z]{2,8}$/.test(language) || !body) return notUnderstood();
    return { language, text: body };
  });
}

export function serviceName(answer: JsonObject): string | undefined {
  const v = answer.service;
  if (v === undefined) return undefined;
  return typeof v === 'string' && v.length > 0 && v.length <= 64 ? v : notUnderstood();
}

// A live event (SPEC 16.4): content-free; the page only looks again.
export interface LiveEvent {
  event: string;
  case?: string;
  message?: string;
}
export function liveEvent(v: JsonValue): LiveEvent | null {
  if (!isObject(v) || typeof v.event !== 'string') return null;
  return { event: v.event, case: typeof v.case === 'string' ? v.case : undefined,
    message: typeof v.message === 'string' ? v.message : undefined };
}

// GET /v1/referrals (SPEC 16.2): the requests not closed, each with this
// facilitator's wrap where there is one.
export interface ListedReferral {
  referral: string;
  receivedAt: number;
  state: 'received' | 'contacted' | 'closed';
  ciphertext?: Bytes;
  wrap?: Bytes;
  entered: boolean;
  enteredByName?: string;
  case?: string;
}
const referralStates = ['received', 'contacted', 'closed'] as const;
function referralState(o: JsonObject): ListedReferral['state'] {
  const state = text(o, 'state');
  return (referralStates as readonly string[]).includes(state) ? state as ListedReferral['state'] : notUnderstood();
}
export function referralList(answer: JsonObject): ListedReferral[] {
  return list(answer, 'referrals').map((v) => {
    if (!isObject(v)) return notUnderstood();
    return {
      referral: text(v, 'referral'), receivedAt: optionalTime(v, 'received_at') ?? notUnderstood(), state: referralState(v),
      ciphertext: v.ciphertext === undefined ? undefined : bytes(v, 'ciphertext'),
      wrap: v.wrap === undefined ? undefined : bytes(v, 'wrap'),
      entered: v.entered_by !== undefined,
      enteredByName: v.entered_by_name === undefined ? undefined : text(v, 'entered_by_name'),
      case: v.case === undefined ? undefined : text(v, 'case'),
    };
  });
}

// POST /v1/referrals/status: where a request is.
export function referralStatus(answer: JsonObject): { state: ListedReferral['state']; receivedAt: number } {
  return { state: referralState(answer), receivedAt: optionalTime(answer, 'received_at') ?? notUnderstood() };
}

// The checks of every vector file, shared by node's test runner and the same
// check inside Chromium (the page bundle runs them too). `load` gives a
// vector file's parsed JSON.
import * as b64 from '../src/proto/base64url.js';
import { Bytes, equal, fromHex, hex } from '../src/proto/bytes.js';
import { Statement, StatementType, ciphertextSizeFor, consentTextHash, padme, parseStatement, signingTranscript,
  statementHash, toJson, verifySignature } from '../src/proto/codec.js';
import { checkpointTranscript, parseAuditExport, verifyAuditExport } from '../src/proto/audit.js';
import { encodeCode, invitationSecretHash, parseCode } from '../src/proto/invitation.js';
import { caseKeyFromSecret, fingerprint, identityFromSeed, safetyNumber } from '../src/proto/keys.js';
import { openKeystore } from '../src/proto/keystore.js';
import { checkProfile, parseProfile, profileTranscript } from '../src/proto/profile.js';
import { LetterOpener, letterAd, sealedFactsOf, paddedSize, parseDocument, serializeDocument, unpad, unwrapFor, factsOf,
  decryptLetter } from '../src/proto/letters.js';
import { Roster, openDelivered, openFromEnvelope } from '../src/proto/roster.js';
import { parseStrict } from '../src/proto/json.js';
import { listedReferralKeys, openReferral, parseReferralBody, parseReferralCode, referralAd, referralBody, referralCode,
  referralKeyOf, referralSecretHash } from '../src/proto/referral.js';
import { ready, sodium } from '../src/proto/sodium.js';
import { Transcript } from '../src/proto/transcript.js';
import { parseWebManifest, webManifestTranscript } from '../src/proto/web_manifest.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
export interface CheckResult {
  name: string;
  error?: string;
}

export async function runVectorChecks(load: (name: string) => Json | Promise<Json>, options = { keystore: true }):
    Promise<CheckResult[]> {
  await ready();
  const results: CheckResult[] = [];
  const check = async (name: string, f: () => void | Promise<void>) => {
    try {
      await f();
      results.push({ name });
    } catch (e) {
      results.push({ name, error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) });
    }
  };
  const expect = (cond: boolean, what: string) => {
    if (!cond) throw new Error(what);
  };
  const b = (s: string): Bytes => {
    const d = b64.decode(s);
    if (!d) throw new Error(`not base64url: ${s}`);
    return d;
  };

  const transcript = await load('transcript.json');
  await check('transcript framing', () => {
    for (const c of transcript.cases) {
      expect(typeof c.bytes === 'string', 'a case without bytes');
    }
    expect(hex(new Transcript('shuttle/v1/example').data()) === transcript.cases[0].bytes, transcript.cases[0].what);
  });

  const padmeFile = await load('padme.json');
  await check('padme and ciphertext sizes', () => {
    for (const c of padmeFile.cases) {
      expect(padme(c.length) === c.padded, `padme(${c.length})`);
      expect(ciphertextSizeFor(c.padded) === c.ciphertext_size_of_padded, `ciphertext size of ${c.padded}`);
    }
  });

  const keysFile = await load('keys.json');
  const people = new Map<string, { identity: ReturnType<typeof identityFromSeed>; caseKey: ReturnType<typeof caseKeyFromSecret> }>();
  await check('keys, fingerprints and safety numbers', () => {
    for (const k of keysFile.keys) {
      const identity = identityFromSeed(fromHex(k.identity_seed));
      const caseKey = caseKeyFromSecret(fromHex(k.case_secret));
      expect(b64.encode(identity.publicKey) === k.identity_key, `${k.label} identity key`);
      expect(b64.encode(caseKey.publicKey) === k.case_key, `${k.label} case key`);
      expect(b64.encode(fingerprint(identity.publicKey)) === k.fingerprint, `${k.label} fingerprint`);
      expect(safetyNumber(identity.publicKey) === k.safety_number, `${k.label} safety number`);
      people.set(k.label, { identity, caseKey });
    }
    const relay = identityFromSeed(fromHex(keysFile.relay_seed));
    expect(b64.encode(relay.publicKey) === keysFile.relay_key, 'relay key');
  });

  const codes = await load('invitation_code.json');
  await check('invitation codes', () => {
    for (const c of codes.cases) {
      const parsed = parseCode(c.code);
      expect(b64.encode(parsed.invitation) === c.invitation && b64.encode(parsed.case) === c.case, 'ids');
      expect(parsed.role === c.role && parsed.relay === c.relay, 'role and relay');
      expect(b64.encode(parsed.secret) === c.secret, 'secret');
      expect(b64.encode(invitationSecretHash(parsed.secret)) === c.secret_hash, 'secret hash');
      expect(b64.encode(parsed.inviterFingerprint) === c.inviter_fingerprint, 'fingerprint');
      expect((parsed.relayCertificateSha256 ? b64.encode(parsed.relayCertificateSha256) : undefined) ===
        c.relay_certificate_sha256, 'certificate pin');
      expect(encodeCode(parsed) === c.code, 'encodes back to the same code');
      // Wrapped in an e-mail: line breaks and spaces anywhere.
      const wrapped = ' ' + c.code.replace(/(.{40})/g, '$1\n') + ' ';
      expect(encodeCode(parseCode(wrapped)) === c.code, 'a wrapped code');
    }
  });

  const statements = await load('statements.json');
  const parsed: Statement[] = [];
  await check('statements parse, verify, write back and hash', () => {
    for (const e of statements.statements) {
      const s = parseStatement(e.type as StatementType, e.json);
      verifySignature(s);
      expect(hex(signingTranscript(s)) === e.transcript, `${e.type} transcript`);
      expect(b64.encode(statementHash(s)) === e.statement_hash, `${e.type} hash`);
      expect(toJson(s) === e.json, `${e.type} written back`);
      expect(equal(s.signer, people.get(e.signer)!.identity.publicKey), `${e.type} signer is ${e.signer}`);
      parsed.push(s);
    }
    expect(parsed.length === statements.statements.length, 'all statements');
  });
  await check('the consent text hash is the one the consent names', () => {
    const c = statements.consent_text;
    const h = consentTextHash(c.language, c.text);
    expect(b64.encode(h) === c.text_hash, 'consent text hash');
    expect(parsed.some((s) => s.type === 'consent' && equal(s.text_hash as Bytes, h)), 'named by the consent');
  });
  await check('every single-byte change of a statement is refused', () => {
    const s = parsed.find((x) => x.type === 'approval')!;
    const t = signingTranscript(s);
    for (let i = 0; i < t.length; i += 7) {
      const changed = { ...s, sig: s.sig.slice() };
      changed.sig[i % 64] ^= 1;
      let refused = false;
      try {
        verifySignature(changed);
      } catch {
        refused = true;
      }
      expect(refused, `a changed signature at ${i}`);
    }
  });

  const letters = await load('letters.json');
  await check('letters: documents, padding, additional data and decryption', () => {
    const envelopes = parsed.filter((s) => s.type === 'envelope');
    for (const l of letters.letters) {
      const e = envelopes.find((x) => b64.encode(x.id) === l.message)!;
      expect(!!e, `${l.label} has an envelope`);
      expect(hex(letterAd(factsOf(e))) === l.letter_ad, `${l.label} letter AD`);
      const ciphertext = b(l.ciphertext);
      // As the page opens a letter: the ciphertext arriving in pieces that do not fall on its chunks.
      const opener = new LetterOpener(sealedFactsOf(e), fromHex(l.letter_key));
      for (let at = 0; at < ciphertext.length; at += 7777) opener.push(ciphertext.subarray(at, at + 7777));
      const padded = opener.finish();
      expect(padded.length === l.padded_size && padded.length === paddedSize(fromHex(l.document).length), `${l.label} padded size`);
      const doc = unpad(padded);
      expect(hex(doc) === l.document, `${l.label} document`);
      expect(hex(serializeDocument(parseDocument(doc))) === l.document, `${l.label} document written back`);
      expect(hex(serializeDocument(decryptLetter(e, ciphertext, fromHex(l.letter_key)))) === l.document, `${l.label} decrypted`);
    }
  });
  await check('client checks: review, release, return and a reply', () => {
    const f1 = people.get('facilitator-1')!, f2 = people.get('facilitator-2')!;
    const h = people.get('harmed')!, r = people.get('responsible')!;
    const caseId = b(statements.case);
    const roster = new Roster(caseId, f1.identity.publicKey);
    const byType = (t: string) => parsed.filter((s) => s.type === t);
    roster.addCaseOpen(byType('case_open')[0]);
    const keys = byType('key_statement');
    for (const k of keys) if (roster.isFacilitator(k.signer)) roster.addFacilitatorKeys(k);
    for (let round = 0; round < 2; round++) {
      for (const a of byType('attestation')) {
        const k = keys.find((x) => equal(x.id, a.key_statement as Bytes))!;
        roster.addAttested(a, k);
      }
      for (const k of keys) if (roster.isFacilitator(k.signer)) roster.addFacilitatorKeys(k);
    }
    const [e1, e2, e3] = byType('envelope');
    const ct = (e: Statement) => b(letters.letters.find((l: Json) => l.message === b64.encode(e.id)).ciphertext);
    const review = openFromEnvelope(roster, e1, ct(e1), f2);
    expect(hex(serializeDocument(review)) === letters.letters[0].document, 'facilitator 2 reviews letter 1');
    const approvals = byType('approval');
    const releaseAt = approvals[0].release_at as number;
    let early = '';
    try {
      openDelivered(roster, e1, approvals, ct(e1), r, releaseAt - 1);
    } catch (err) {
      early = (err as { code?: string }).code ?? '';
    }
    expect(early === 'not_approved', 'not before its release time');
    const delivered = openDelivered(roster, e1, approvals, ct(e1), r, releaseAt);
    expect(delivered.notes[0]?.text === 'Read this when you have an hour to yourself.', 'the content note');
    expect(equal(delivered.sender.identity, h.identity.publicKey), 'from the harmed party');
    let returned = '';
    try {
      openDelivered(roster, e2, approvals, ct(e2), r, releaseAt);
    } catch (err) {
      returned = (err as { code?: string }).code ?? '';
    }
    expect(returned === 'not_approved', 'a returned letter does not open for the recipient');
    expect(e3.kind === 'reply' && equal(e3.answers as Bytes, e1.id), 'the reply names letter 1');
    const own = openFromEnvelope(roster, e3, ct(e3), r);
    expect(hex(serializeDocument(own)) === letters.letters[2].document, 'the writer reads its reply');
    const key = unwrapFor(e3.wraps as never, e3.id, f1.identity.publicKey, f1.caseKey.publicKey, f1.caseKey.secret);
    expect(key.length === 32, 'facilitator 1 holds a wrap for the reply');
  });

  const audit = await load('audit.json');
  await check('the audit export verifies, and an edit is caught', () => {
    const x = parseAuditExport(audit.export);
    verifyAuditExport(x, b(keysFile.relay_key));
    expect(hex(checkpointTranscript(x.checkpoint)) === audit.checkpoint_transcript, 'checkpoint transcript');
    const edited = { ...x, entries: x.entries.map((e, i) => (i === 2 ? { ...e, at: e.at + 1 } : e)) };
    let caught = false;
    try {
      verifyAuditExport(edited, b(keysFile.relay_key));
    } catch {
      caught = true;
    }
    expect(caught, 'an edited entry');
  });

  const web = await load('web_manifest.json');
  await check('the web manifest verifies, names each file by its SHA-256, and an edit breaks it', () => {
    const m = parseWebManifest(web.manifest);
    expect(b64.encode(m.key) === web.release_key, 'release key');
    expect(hex(webManifestTranscript(m)) === web.transcript, 'transcript');
    const sha256 = (text: string) => sodium().crypto_hash_sha256(new TextEncoder().encode(text));
    expect(equal(m.files.get('/')!, sha256(web.page)), 'the page');
    expect(equal(m.files.get('/assets/app-1a2b.js')!, sha256(web.script)), 'the script');
    let refused = '';
    try {
      parseWebManifest(web.manifest.replace('1.0.0', '1.0.1'));
    } catch (err) {
      refused = (err as { code?: string }).code ?? '';
    }
    expect(refused === 'bad_signature', 'an edited version');
  });

  const referral = await load('referral.json');
  await check('a referral: keys derived from identity seeds, its code, and it opens for each facilitator', () => {
    const seeds = new Map<string, Bytes>(keysFile.keys.map((k: Json) => [k.label, fromHex(k.identity_seed)]));
    // As the relay lists them: each statement's own text, read strictly.
    const listed = listedReferralKeys(parseStrict(`{"keys":[${referral.referral_keys.map((k: Json) =>
      `{"identity":"${b64.encode(people.get(k.signer)!.identity.publicKey)}","referral_key":${k.json}}`).join(',')}]}`,
    64 * 1024, 8));
    expect(listed.length === 2, 'two facilitators listed');
    const code = parseReferralCode(referral.receipt_code.slice(0, 30) + '\n  ' + referral.receipt_code.slice(30));
    expect(b64.encode(code.referral) === referral.referral, 'the code names the referral');
    expect(b64.encode(referralSecretHash(code.secret)) === referral.secret_hash, 'secret hash');
    expect(referralCode(code.referral, code.secret) === referral.receipt_code, 'the code written again');
    expect(hex(referralAd(code.referral)) === referral.associated_data, 'additional data');
    referral.referral_keys.forEach((k: Json, i: number) => {
      const key = referralKeyOf(seeds.get(k.signer)!);
      expect(equal(key.publicKey, listed[i].key), `${k.signer}: the key its seed gives`);
      expect(b64.encode(key.secretKey) === k.referral_secret_key, `${k.signer}: secret key`);
      const wrap = referral.wraps[i];
      expect(wrap.reader === b64.encode(key.publicKey), `${k.signer}: wrap reader`);
      const opened = openReferral(code.referral, b(referral.ciphertext), b(wrap.wrap), key.publicKey, key.secretKey);
      expect(referralBody(opened) === referral.body, `${k.signer}: the body`);
      expect(referralBody(parseReferralBody(referral.body)) === referral.body, 'the body parses and writes back');
    });
  });

  if (options.keystore) {
    const ks = await load('keystore.json');
    await check('the keystore opens with its passphrase, and not with another', () => {
      const keys = openKeystore(ks.file, ks.passphrase);
      expect(b64.encode(keys.identity.publicKey) === ks.identity_key, 'identity');
      expect(b64.encode(keys.caseKeys.get(ks.case)!.publicKey) === ks.case_key, 'case key');
      let refused = '';
      try {
        openKeystore(ks.file, 'wrong horse battery staple');
      } catch (err) {
        refused = (err as { code?: string }).code ?? '';
      }
      expect(refused === 'wrong_passphrase', 'a wrong passphrase');
    });
    await check('the keystore at the browser\'s limits opens, and one below the floor is refused unopened', () => {
      const keys = openKeystore(ks.phone_file, ks.passphrase);
      expect(b64.encode(keys.identity.publicKey) === ks.identity_key, 'identity');
      let refused = '';
      try {
        openKeystore(ks.too_weak_file, ks.passphrase);
      } catch (err) {
        refused = (err as { code?: string }).code ?? '';
      }
      expect(refused === 'keystore_corrupt', 'limits below the floor');
    });
    const kf = await load('keys_file.json');
    await check('the keys file verifies with the identity its keystore holds, and an edited one is refused', () => {
      const p = parseProfile(kf.file);
      expect(hex(profileTranscript(p)) === kf.transcript, 'transcript');
      const keys = openKeystore(p.keystore, ks.passphrase);
      checkProfile(p, keys.identity.publicKey);
      let refused = '';
      try {
        checkProfile(parseProfile(kf.edited), keys.identity.publicKey);
      } catch (err) {
        refused = (err as { code?: string }).code ?? '';
      }
      expect(refused === 'bad_signature', 'a swapped root of trust');
    });
  }
  return results;
}

// What the browser benchmark times, the same code in Chromium (the page's
// bundle evaluates it) and in node (the ceiling: the same WebAssembly outside
// a browser): one keystore unlock at the page's limits, and sealing and
// opening a letter with a 1 MiB attachment for its writer and a facilitator.
import * as b64 from '../../src/proto/base64url.js';
import { newCaseKey, newId, newIdentity } from '../../src/proto/keys.js';
import { Keys, openKeystore, sealKeystore } from '../../src/proto/keystore.js';
import { decryptLetter, sealLetter, unwrapFor } from '../../src/proto/letters.js';
import { ready } from '../../src/proto/sodium.js';
import { Wrap } from '../../src/proto/codec.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function unlockMs(runs: number): Promise<number> {
  await ready();
  const keys: Keys = { identity: newIdentity(), caseKeys: new Map([[b64.encode(newId()), newCaseKey()]]) };
  const file = sealKeystore(keys, 'correct horse battery staple');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    openKeystore(file, 'correct horse battery staple');
    times.push(performance.now() - started);
  }
  return median(times);
}

// V8 compiles the WebAssembly again, optimised, once it has run a while: in
// node the first four 1 MiB seals took 17 to 28 ms and the rest 5. The
// warm-up runs are not timed, in node or in the page, so the ratio compares
// the same code and not how soon each engine recompiled it.
const warmUpRuns = 4;

export async function letterMs(bytes: number, runs: number): Promise<{ seal: number; open: number }> {
  await ready();
  const writer = { identity: newIdentity(), caseKey: newCaseKey() };
  const facilitator = { identity: newIdentity(), caseKey: newCaseKey() };
  // From the platform in 64 KiB pieces (its limit per call): libsodium.js
  // draws four bytes per call into JavaScript, seconds for 1 MiB.
  const data = new Uint8Array(bytes);
  for (let at = 0; at < bytes; at += 65536) crypto.getRandomValues(data.subarray(at, at + 65536));
  const seal: number[] = [], open: number[] = [];
  for (let i = 0; i < warmUpRuns + runs; i++) {
    const timed = i >= warmUpRuns;
    const draft = { id: newId(), case: newId(), created_at: 1764400000, kind: 'letter' as const, to: 'responsible' as const };
    const doc = { contentType: 'text/plain; charset=utf-8', body: new TextEncoder().encode('A letter.'),
      attachments: [{ name: 'drawing.png', contentType: 'image/png', data }] };
    let started = performance.now();
    const { envelope, ciphertext } = sealLetter(writer, draft,
      [{ identity: facilitator.identity.publicKey, caseKey: facilitator.caseKey.publicKey }], doc);
    if (timed) seal.push(performance.now() - started);
    started = performance.now();
    const key = unwrapFor(envelope.wraps as Wrap[], draft.id, facilitator.identity.publicKey, facilitator.caseKey.publicKey,
      facilitator.caseKey.secret);
    const opened = decryptLetter(envelope, ciphertext, key);
    if (timed) open.push(performance.now() - started);
    if (opened.attachments[0].data.length !== bytes) throw new Error('the letter did not open whole');
  }
  return { seal: median(seal), open: median(open) };
}

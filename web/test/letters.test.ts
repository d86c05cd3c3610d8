// Sealing a letter chunk by chunk from its transcript (sealDocument) gives
// the padded plaintext SPEC 6.3 describes: the same bytes as padding the
// serialized document whole, for documents whose padded size ends inside a
// chunk, exactly at a chunk's end, and just past it (padme rounds sizes
// there to 2,048 bytes, so the shortest last chunk is 2,048).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chunkBytes, ciphertextSizeFor } from '../src/proto/codec.js';
import { newId } from '../src/proto/keys.js';
import { LetterDocument, LetterOpener, documentTranscript, pad, paddedSize, parseDocument, sealDocument,
  serializeDocument, unpad } from '../src/proto/letters.js';
import { blake2b256, ready, sodium } from '../src/proto/sodium.js';

function documentWith(sizes: number[]): LetterDocument {
  let seed = 7;
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => (seed = (seed * 75 + 74) % 65537) & 255);
  return {
    contentType: 'text/plain; charset=utf-8',
    body: new TextEncoder().encode('A letter.'),
    attachments: sizes.map((n, i) => ({ name: `part-${i}.bin`, contentType: 'application/octet-stream', data: bytes(n) })),
  };
}

// The attachment sizes, near one and three chunks, whose padded documents
// end where `wanted` says (the padded size's remainder in a chunk).
function sizesEnding(wanted: (remainder: number) => boolean): number[] {
  const found: number[] = [];
  for (const around of [chunkBytes, 3 * chunkBytes]) {
    for (let n = around - 400; n < around + 400 && found.length < 6; n++) {
      if (wanted(paddedSize(serializeDocument(documentWith([n])).length) % chunkBytes)) found.push(n);
    }
  }
  return found;
}

test('a document sealed from its transcript opens to the padded bytes of the whole', async () => {
  await ready();
  const atEnd = sizesEnding((r) => r === 0), justPast = sizesEnding((r) => r > 0 && r <= 2048);
  // Both boundaries are reached, so the test cannot pass by missing them.
  assert.ok(atEnd.length > 0 && justPast.length > 0, `at the end ${atEnd}, just past it ${justPast}`);
  const cases = [[], [0], [5, 0, 9], [100000, 3], ...atEnd.map((n) => [n]), ...justPast.map((n) => [n])];
  const s = sodium();
  for (const sizes of cases) {
    const doc = documentWith(sizes);
    const facts = { message: newId(), case: newId(), sender: newId(), kind: 'letter' as const, to: 'responsible' as const };
    const key = s.crypto_secretstream_xchacha20poly1305_keygen();
    const progress: number[] = [];
    const sealed = sealDocument(documentTranscript(doc), key, facts, (done) => progress.push(done));
    const whole = pad(serializeDocument(doc));
    assert.equal(sealed.ciphertext.length, ciphertextSizeFor(whole.length), `sizes ${sizes}`);
    assert.equal(progress.at(-1), whole.length);
    const opener = new LetterOpener({ facts, stream: sealed.stream, size: sealed.ciphertext.length,
      hash: blake2b256(sealed.ciphertext) }, key);
    opener.push(sealed.ciphertext);
    const padded = opener.finish();
    assert.deepEqual(padded, whole, `sizes ${sizes}`);
    assert.deepEqual(parseDocument(unpad(padded)), doc);
  }
});

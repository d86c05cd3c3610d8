// The protocol module against every file in proto/vectors (the same files the
// C++ implementation is checked by), under node's test runner.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { runVectorChecks } from './vector_checks.js';

declare const SHUTTLE_VECTORS_DIR: string;
const load = (name: string) => JSON.parse(readFileSync(SHUTTLE_VECTORS_DIR + name, 'utf8'));

test('every vector file holds for the TypeScript protocol module', async (t) => {
  const results = await runVectorChecks(load);
  for (const r of results) {
    await t.test(r.name, () => assert.equal(r.error, undefined, r.error));
  }
  assert.ok(results.length >= 10, `only ${results.length} checks ran`);
});

test('a vector changed by one character is caught', async () => {
  const changed = (name: string) => {
    const v = load(name);
    if (name === 'statements.json') {
      const s = v.statements[4];
      s.json = s.json.replace('"created_at":', '"created_at":1');
    }
    if (name === 'letters.json') v.letters[0].letter_ad = v.letters[0].letter_ad.replace(/.$/, (c: string) => (c === '0' ? '1' : '0'));
    return v;
  };
  const results = await runVectorChecks(changed, { keystore: false });
  const failed = results.filter((r) => r.error).map((r) => r.name);
  assert.ok(failed.includes('statements parse, verify, write back and hash'), failed.join(', '));
  assert.ok(failed.includes('letters: documents, padding, additional data and decryption'), failed.join(', '));
});

// The same person in two tabs of one browser, as people open a link twice:
// each tab unlocks on its own, what reaches her reaches both, her draft
// follows her to the other tab, and forgetting the device in one tab locks
// the other calmly instead of leaving it working on keys that are gone.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { facilitatorWithCase, joinInBrowser, relayAndBrowser, responsibleAtTheCli, watchedPage } from './harness.js';

const env = relayAndBrowser();
const passphrase = 'river stone lantern';

test('two tabs: both unlocked, both told of a letter, the draft in both; forgetting the device in one locks the other', async () => {
  const { f, caseId } = facilitatorWithCase(env.relay);
  const r = responsibleAtTheCli(env.relay, f, caseId, 'responsible-tabs');
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const first = await watchedPage(context);
  await joinInBrowser(first.page, env.relay.origin, f, caseId, passphrase);
  await first.page.getByRole('button', { name: 'Your letters' }).click();
  await first.page.getByText('There are no letters yet.').waitFor({ timeout: 20000 });

  // The second tab finds her keys on this device and asks for the passphrase.
  const second = await watchedPage(context);
  await second.page.goto(env.relay.origin);
  await second.page.getByLabel('Passphrase').fill(passphrase);
  await second.page.getByRole('button', { name: 'Unlock' }).click();
  await second.page.getByText('There are no letters yet.').waitFor({ timeout: 30000 });

  // A letter for her reaches both tabs.
  const letter = r.run(['write', caseId, '--text', 'I have thought about what you asked.']).message;
  f.run(['review', caseId, letter]);
  f.run(['approve', caseId, letter]);
  for (const tab of [first, second]) await tab.page.getByText('A letter is waiting for you.').waitFor({ timeout: 15000 });

  // What she starts in one tab is there when she writes in the other.
  await first.page.getByRole('button', { name: 'Write a letter' }).click();
  await first.page.getByLabel('Your letter').fill('I started this at the kitchen table.');
  await first.page.waitForTimeout(1000);  // the draft is kept 0.4 s after the last key
  await first.page.getByRole('button', { name: 'Cancel' }).click();
  await second.page.getByRole('button', { name: 'Write a letter' }).click();
  assert.equal(await second.page.getByLabel('Your letter').inputValue(), 'I started this at the kitchen table.');

  // She locks the second tab and forgets the device there: the first tab locks and says why.
  await second.page.getByRole('button', { name: 'Lock now' }).click();
  await second.page.getByRole('button', { name: 'Forget this device' }).click();
  await second.page.getByRole('dialog').getByRole('button', { name: 'Forget this device' }).click();
  await first.page.getByText('This device was forgotten in another tab').waitFor({ timeout: 10000 });
  assert.equal(await first.page.getByRole('button', { name: 'Write a letter' }).count(), 0, 'nothing to write with any more');
  await second.page.getByLabel('Your invitation code').waitFor({ timeout: 10000 });

  assert.deepEqual(first.problems, []);
  assert.deepEqual(second.problems, []);
  await context.close();
});

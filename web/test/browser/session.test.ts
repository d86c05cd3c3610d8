// A session the relay ended (idle longer than it keeps sessions) is not a
// person who left: the page asks for the passphrase again and goes on.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { facilitatorWithCase, joinInBrowser, relayAndBrowser, watchedPage } from './harness.js';

const env = relayAndBrowser(['--session-idle-seconds', '3']);
const passphrase = 'river stone lantern';

test('an ended session asks for the passphrase again, and never says she left', async () => {
  const { f, caseId } = facilitatorWithCase(env.relay);
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await joinInBrowser(page, env.relay.origin, f, caseId, passphrase);
  await page.getByRole('button', { name: 'Your letters' }).click();
  await page.getByText('There are no letters yet.').waitFor({ timeout: 20000 });
  await page.getByRole('button', { name: 'Write a letter' }).click();
  await page.waitForTimeout(5000);  // the relay forgets the session after 3 s without a request
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('heading', { name: 'Welcome back' }).waitFor({ timeout: 20000 });
  assert.equal(await page.getByText('You have left the process').count(), 0);
  await page.getByLabel('Passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByText('There are no letters yet.').waitFor({ timeout: 30000 });
  assert.equal(await page.getByRole('button', { name: 'Write a letter' }).count(), 1, 'she can still write');
  assert.deepEqual(problems.filter((p) => !/status of 401/.test(p)), []);
  await context.close();
});

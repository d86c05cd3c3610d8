// The service is restored from last night's backup: a letter she wrote
// after it never reached the relay. Her list says so in words, and offers
// to send it again; sent again, it goes to review like any letter.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { facilitatorWithCase, joinInBrowser, noViolations, relayAndBrowser, responsibleAtTheCli, watchedPage } from './harness.js';

const env = relayAndBrowser();
const passphrase = 'harbour lamp evening';

test('a letter lost in a restore is named in her list and sent again from her device', async () => {
  const { f, caseId } = facilitatorWithCase(env.relay);
  const r = responsibleAtTheCli(env.relay, f, caseId, 'responsible-restore');
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await joinInBrowser(page, env.relay.origin, f, caseId, passphrase);
  await page.getByRole('button', { name: 'Your letters' }).click();

  const backup = env.relay.backup();
  const words = 'I wrote this in the evening, after a long walk.';
  await page.getByRole('button', { name: 'Write a letter' }).click();
  await page.getByLabel('Your letter').fill(words);
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });

  // The operator restores last night's copy; she comes back to her letters.
  await env.relay.restore(backup);
  await page.reload();
  await page.getByLabel('Passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Unlock' }).click();
  const lost = page.locator('#letters-list li.lost');
  await lost.getByText('The service was restored from an earlier copy; this letter did not reach it.').waitFor({ timeout: 30000 });
  assert.match(await lost.innerText(), /I wrote this in the evening/);
  await noViolations(page, 'a letter lost in a restore', '1280');

  // Sent again, as it was.
  await lost.getByRole('link', { name: 'Send it again' }).click();
  assert.equal(await page.getByLabel('Your letter').inputValue(), words);
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#letters-list li.lost').count(), 0, 'the lost copy is done with');

  // It reaches review and, approved, its reader.
  const queued = f.run(['queue']) as { message: string }[];
  assert.equal(queued.length, 1);
  f.run(['review', caseId, queued[0].message]);
  f.run(['approve', caseId, queued[0].message]);
  assert.equal(r.run(['read', caseId, queued[0].message]).text, words);
  assert.deepEqual(problems.filter((p) => !/net::ERR_CONNECTION_REFUSED|Failed to load resource|WebSocket connection/.test(p)), []);
  await context.close();
});

// The relay goes away while a person writes, and comes back: the page says
// so calmly, keeps every word, tries again by itself, and catches up on what
// happened meanwhile, with no error anywhere.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { facilitatorWithCase, joinInBrowser, relayAndBrowser, responsibleAtTheCli, watchedPage } from './harness.js';

const env = relayAndBrowser();
const passphrase = 'river stone lantern';

test('losing the connection is a state: nothing typed is lost, and the page comes back by itself', async () => {
  const { f, caseId } = facilitatorWithCase(env.relay);
  const r = responsibleAtTheCli(env.relay, f, caseId, 'responsible-connection');
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await joinInBrowser(page, env.relay.origin, f, caseId, passphrase);
  await page.getByRole('button', { name: 'Your letters' }).click();
  await page.getByRole('button', { name: 'Write a letter' }).click();
  const words = 'I have been thinking about what to say for a long time.';
  await page.getByLabel('Your letter').fill(words);

  // The relay goes away; she presses Send.
  await env.relay.pause();
  await page.getByText('Shuttle cannot be reached just now.').first().waitFor({ timeout: 15000 });
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await page.getByText('Shuttle cannot be reached right now. Nothing was sent').waitFor({ timeout: 20000 });
  assert.equal(await page.getByLabel('Your letter').inputValue(), words, 'every word is still there');

  // The list, meanwhile, says so and keeps trying.
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByText('The page keeps trying by itself; the letters on this device are below.').waitFor({ timeout: 20000 });

  // The relay comes back: the page finds it by itself, and live events flow again.
  await env.relay.start();
  await page.getByText('There are no letters yet.').waitFor({ timeout: 30000 });
  await page.locator('#connection').waitFor({ state: 'detached', timeout: 60000 });
  const his = r.run(['write', caseId, '--text', 'While you were away.']).message as string;
  f.run(['review', caseId, his]);
  f.run(['approve', caseId, his]);
  await page.getByText('A letter is waiting for you.').waitFor({ timeout: 20000 });

  // Her letter is where she left it, and goes now.
  await page.getByRole('button', { name: 'Write a letter' }).click();
  assert.equal(await page.getByLabel('Your letter').inputValue(), words);
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });
  // Chromium logs refused connections itself; anything else is the page's.
  assert.deepEqual(problems.filter((p) => !/net::ERR_CONNECTION_REFUSED|Failed to load resource|WebSocket connection/.test(p)), []);
  await context.close();
});

// Moving around the page as people do: Back and Forward between views, a
// reload that comes back to the same view (after unlocking), and a language
// chosen in the page that this device remembers.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { axeViolations, facilitatorWithCase, joinInBrowser, relayAndBrowser, watchedPage } from './harness.js';

const env = relayAndBrowser();
const passphrase = 'river stone lantern';

test('Back, Forward and reload move between the views; the language chosen in the page is kept', async () => {
  const { f, caseId } = facilitatorWithCase(env.relay);
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await joinInBrowser(page, env.relay.origin, f, caseId, passphrase);
  await page.getByRole('button', { name: 'Your letters' }).click();
  await page.getByRole('heading', { name: 'Your letters' }).waitFor();

  await page.getByRole('button', { name: 'Write a letter' }).click();
  await page.getByRole('heading', { name: 'Write a letter' }).waitFor();
  assert.equal(new URL(page.url()).hash, '#write');
  await page.goBack();
  await page.getByRole('heading', { name: 'Your letters' }).waitFor();
  await page.goForward();
  await page.getByRole('heading', { name: 'Write a letter' }).waitFor();

  // After sending, Back does not return to the form that sent it.
  await page.getByLabel('Your letter').fill('A letter to come back to.');
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });
  assert.equal(new URL(page.url()).hash, '#letters');
  await page.getByRole('link', { name: /From you/ }).click();
  await page.getByText('A letter to come back to.').waitFor({ timeout: 20000 });
  const letterAddress = new URL(page.url()).hash;
  assert.match(letterAddress, /^#letter=[A-Za-z0-9_-]{22}$/, 'an address with an id and nothing else');
  await page.goBack();
  await page.getByRole('heading', { name: 'Your letters' }).waitFor();
  await page.goBack();
  await page.getByRole('heading', { name: 'Your letters' }).waitFor();
  assert.equal(await page.getByLabel('Your letter').count(), 0, 'not the sent form again');
  await page.goForward();
  await page.goForward();
  await page.getByText('A letter to come back to.').waitFor({ timeout: 20000 });

  // A reload locks the page; unlocked, it is back on the same letter.
  await page.reload();
  await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
  await page.getByLabel('Passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByText('A letter to come back to.').waitFor({ timeout: 30000 });
  assert.equal(new URL(page.url()).hash, letterAddress);

  // Norwegian, chosen in the page, at once and after a reload.
  await page.getByRole('button', { name: 'Norsk bokmål' }).click();
  await page.getByRole('heading', { name: 'Et brev' }).waitFor({ timeout: 20000 });
  assert.equal(await page.getAttribute('html', 'lang'), 'nb');
  assert.equal(await page.getByRole('button', { name: 'Norsk bokmål' }).getAttribute('aria-pressed'), 'true');
  assert.deepEqual(await axeViolations(page), []);
  await page.reload();
  await page.getByRole('heading', { name: 'Velkommen tilbake' }).waitFor();
  await page.getByLabel('Passordfrase').fill(passphrase);
  await page.getByRole('button', { name: 'Lås opp' }).click();
  await page.getByText('A letter to come back to.').waitFor({ timeout: 30000 });
  await page.getByRole('button', { name: 'Tilbake til brevene dine' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

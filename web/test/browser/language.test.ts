// A person whose browser speaks Norwegian meets the relay's refusals in
// Norwegian: the page says each code in the catalogue's words
// (proto/refusals.json), never the relay's own English sentence.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import refusals from '../../../proto/refusals.json';
import { facilitatorWithCase, relayAndBrowser, responsibleAtTheCli, watchedPage } from './harness.js';

const env = relayAndBrowser();

test('in Norwegian, a letter to someone who has left is refused in Norwegian words', async () => {
  const { f, caseId } = facilitatorWithCase(env.relay);
  const r = responsibleAtTheCli(env.relay, f, caseId, 'responsible-nb');
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'nb-NO' });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${env.relay.origin}/#join=${encodeURIComponent(f.run(['invite', caseId, '--role', 'harmed']).code)}`);
  await page.getByLabel('Passordfrase', { exact: true }).fill('elv stein lykt');
  await page.getByLabel('Den samme passordfrasen igjen').fill('elv stein lykt');
  await page.getByRole('button', { name: 'Fortsett' }).click();
  const number = await page.locator('#safety-number').getAttribute('data-number', { timeout: 60000 });
  f.run(['attest', caseId, '--safety-number', number!]);
  await page.getByRole('button', { name: 'Brevene dine' }).click();
  await page.getByText('Det er ingen brev ennå.').waitFor();

  // The responsible person leaves the process at the CLI while she writes.
  await page.getByRole('button', { name: 'Skriv et brev' }).click();
  await page.getByLabel('Brevet ditt').fill('Jeg vil at du skal vite hvordan den natten var for meg.');
  r.run(['withdraw', caseId, '--yes']);
  await page.getByRole('button', { name: 'Send til tilretteleggeren din' }).click();
  await page.getByText(refusals.codes.channel_closed.nb).waitFor({ timeout: 20000 }).catch(async (e) => {
    throw new Error(`${e}: the page says ${await page.locator('main').innerText()}`);
  });
  const said = await page.locator('main').innerText();
  assert.ok(!said.includes('This conversation has been closed'), `the relay's English reached the page: ${said}`);
  assert.ok(!said.includes('channel_closed'), `a code word reached the page: ${said}`);
  // Chromium logs the 409 itself ("Failed to load resource"); anything else is the page's.
  assert.deepEqual(problems.filter((p) => !p.startsWith('Failed to load resource: the server responded with a status of 409')), []);
  await context.close();
});

// Norwegian throughout, as a person whose browser speaks it meets Shuttle:
// the relay's refusals in the catalogue's Norwegian (proto/refusals.json),
// never the relay's own English; and when the other person leaves, the open
// page says so at once and keeps what she was typing.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import refusals from '../../../proto/refusals.json';
import { facilitatorWithCase, relayAndBrowser, responsibleAtTheCli, watchedPage } from './harness.js';

const env = relayAndBrowser();

test('in Norwegian: a letter taken back is said in Norwegian, and the other person leaving reaches the open page', async () => {
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

  // A letter for her, opened, then taken back by its writer: tapped, it says so in Norwegian.
  const letter = r.run(['write', caseId, '--text', 'Jeg vil be om unnskyldning.']).message as string;
  f.run(['review', caseId, letter]);
  f.run(['approve', caseId, letter]);
  await page.getByRole('link', { name: /Til deg, .*: venter på deg/ }).click({ timeout: 20000 });
  await page.getByRole('button', { name: 'Åpne nå' }).click();
  await page.getByText('Jeg vil be om unnskyldning.').waitFor({ timeout: 20000 });
  await page.getByRole('button', { name: 'Tilbake til brevene dine' }).click();
  r.run(['revoke', caseId, letter]);
  await page.getByRole('link', { name: /Til deg, .*: trukket tilbake/ }).click({ timeout: 20000 });
  await page.getByText(refusals.codes.revoked.nb).waitFor({ timeout: 20000 }).catch(async (e) => {
    throw new Error(`${e}: the page says ${await page.locator('main').innerText()}`);
  });
  let said = await page.locator('main').innerText();
  assert.ok(!/taken back|revoked/i.test(said), `English reached the page: ${said}`);

  // She is writing when he leaves the process at the CLI: the page says so
  // within seconds, keeps her words readable and copyable, and offers no sending.
  await page.getByRole('button', { name: 'Skriv et brev' }).click();
  await page.getByLabel('Brevet ditt').fill('Jeg vil at du skal vite hvordan den natten var for meg.');
  r.run(['withdraw', caseId, '--yes']);
  await page.getByText('Den andre har gått ut av prosessen').waitFor({ timeout: 5000 });
  assert.equal(await page.getByLabel('Brevet ditt').inputValue(), 'Jeg vil at du skal vite hvordan den natten var for meg.');
  assert.equal(await page.getByLabel('Brevet ditt').getAttribute('readonly'), '');
  assert.equal(await page.getByRole('button', { name: 'Send til tilretteleggeren din' }).count(), 0);
  said = await page.locator('main').innerText();
  assert.ok(!said.includes('This conversation has been closed'), `the relay's English reached the page: ${said}`);
  // And the list no longer offers to write.
  await page.getByRole('button', { name: 'Avbryt' }).click();
  await page.getByText('Den andre har gått ut av prosessen').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Skriv et brev' }).count(), 0);
  // Chromium logs the 410 itself ("Failed to load resource"); anything else is the page's.
  assert.deepEqual(problems.filter((p) => !p.startsWith('Failed to load resource: the server responded with a status of 410')), []);
  await context.close();
});

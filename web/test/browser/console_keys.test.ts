// A facilitator moves from the CLI to the console and back (SPEC 11.1):
// `shuttle export-keys`, then "Use these keys" in the browser, where the
// same case, label and letter open; a file someone edited is refused; and
// the console's "Save my keys" file goes back into the CLI.
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';

import { Person, relayAndBrowser, watchedPage } from './harness.js';

const env = relayAndBrowser();

test('keys move from the CLI to the console and back, and an edited file is refused', async () => {
  const relay = env.relay;
  const f = new Person(relay, 'keys-facilitator');
  f.run(['enrol', relay.inviteFacilitator(), '--name', 'Ingrid Berg']);
  const caseId = f.run(['case', 'open']).case as string;
  f.run(['case', 'label', caseId, '--label', 'Moss, autumn']);
  const h = new Person(relay, 'keys-harmed');
  h.run(['enrol', f.run(['invite', caseId, '--role', 'harmed']).code]);
  f.run(['attest', caseId, '--safety-number', h.run(['whoami']).safety_number]);
  const letter = h.run(['write', caseId, '--text', 'Written while you were at your desk.']).message as string;
  const file = `${relay.dir}/keys.json`;
  f.run(['export-keys', file]);

  // Edited: a case's root of trust swapped. Refused once the passphrase opens it.
  const edited = JSON.parse(readFileSync(file, 'utf8'));
  edited.cases[0].pinned = edited.cases[0].pinned.startsWith('A') ? `B${edited.cases[0].pinned.slice(1)}` : `A${edited.cases[0].pinned.slice(1)}`;
  writeFileSync(`${relay.dir}/edited.json`, JSON.stringify(edited));
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  let { page, problems } = await watchedPage(context);
  await page.goto(`${relay.origin}/#console`);
  await page.getByLabel('Your keys file').setInputFiles(`${relay.dir}/edited.json`);
  await page.getByLabel('Passphrase', { exact: true }).last().fill('a long test passphrase');
  await page.getByRole('button', { name: 'Use these keys' }).click();
  await page.getByText('That keys file was changed after it was saved. Nothing was taken from it.').waitFor({ timeout: 60000 });

  // The file as saved: the case, its label and the letter open in the browser.
  await page.getByLabel('Your keys file').setInputFiles(file);
  await page.getByRole('button', { name: 'Use these keys' }).click();
  await page.getByText('Your keys are in this browser, with 1 case.').waitFor({ timeout: 60000 });
  assert.match(await page.locator('#queue > li').first().innerText(), /^Moss, autumn: a letter/);
  await page.getByRole('link', { name: 'Read and decide' }).click();
  await page.getByText('Written while you were at your desk.').waitFor({ timeout: 30000 });
  await page.getByRole('button', { name: 'Back, without deciding' }).click();
  await page.getByText('You let the letter go; a colleague can read it now.').waitFor({ timeout: 20000 });
  assert.deepEqual(problems, []);
  await page.close();

  // And back: the console's file goes into a new CLI profile.
  ({ page, problems } = await watchedPage(context));
  await page.goto(`${relay.origin}/#cases`);
  await page.getByLabel('Passphrase').fill('a long test passphrase');
  await page.getByRole('button', { name: 'Unlock' }).click();
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }),
    page.getByRole('link', { name: 'Save my keys to a file' }).click()]);
  const fromBrowser = `${relay.dir}/from-browser.json`;
  await download.saveAs(fromBrowser);
  const der = new X509Certificate(readFileSync(`${relay.dir}/data/tls-certificate.pem`)).raw;
  const pin = createHash('sha256').update(der).digest('base64url');
  const back = new Person(relay, 'keys-back-at-the-cli');
  assert.equal(back.run(['import-keys', fromBrowser, '--relay-pin', pin]).cases, 1);
  const queue = back.run(['queue']) as { message: string; case_label?: string }[];
  assert.equal(queue[0].message, letter);
  assert.equal(queue[0].case_label, 'Moss, autumn');
  assert.deepEqual(problems, []);
  await context.close();
});

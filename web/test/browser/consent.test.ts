// The service's consent text in the browser (issue 23, item 3): she reads it
// before choosing a passphrase and joins only once she agrees; she reads what
// she agreed to again from her page; when the service changes its text, her
// page shows the new one and she agrees again. The facilitator sees which
// version each person agreed to.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { Person, noViolations, relayAndBrowser, watchedPage } from './harness.js';

const texts = mkdtempSync(join(tmpdir(), 'shuttle-consent-'));
writeFileSync(join(texts, 'en.txt'), 'Everything said in this case stays between the people who take part in it.\n\n'
  + 'You can stop at any time, without giving a reason.\n');
writeFileSync(join(texts, 'nb.txt'), 'Alt som blir sagt i saken, blir mellom dem som er med.\n');
const env = relayAndBrowser(['--consent-dir', texts]);

test('she reads the consent text and agrees before joining, reads it again later, and agrees to a new one', async () => {
  const f = new Person(env.relay, 'consent-facilitator');
  f.run(['enrol', env.relay.inviteFacilitator(), '--name', 'Ingrid Berg']);
  const caseId = f.run(['case', 'open']).case as string;
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${env.relay.origin}/#join=${encodeURIComponent(f.run(['invite', caseId, '--role', 'harmed']).code)}`);

  // The text comes first, whole; without agreeing she cannot join.
  await page.getByRole('heading', { name: 'Before you join: what taking part means' }).waitFor({ timeout: 30000 });
  await page.locator('#consent-text').getByText('You can stop at any time, without giving a reason.').waitFor();
  await noViolations(page, 'the consent text before joining', '1280');
  await page.getByLabel('Passphrase', { exact: true }).fill('lantern river stone');
  await page.getByLabel('The same passphrase again').fill('lantern river stone');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('Please read the text above and tick the box if you agree.').waitFor();
  // Pressing Continue again says it once, not twice.
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.getByText('Please read the text above and tick the box if you agree.').count(), 1);
  await page.getByLabel('I have read this and I agree').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  const number = await page.locator('#safety-number').getAttribute('data-number', { timeout: 60000 });
  f.run(['attest', caseId, '--safety-number', number!]);
  const shown = f.run(['case', 'show', caseId]);
  const her = shown.people.find((p: { role: string }) => p.role === 'harmed');
  assert.equal(her.consented, true);
  assert.equal(her.consent_current, true);
  assert.equal(her.consent_language, 'en');

  // Later she reads what she agreed to, from the foot of her page.
  await page.getByRole('button', { name: 'Your letters' }).click();
  await page.getByRole('link', { name: 'What you agreed to' }).click();
  await page.locator('#consent-text').getByText('Everything said in this case stays between the people').waitFor({ timeout: 20000 });
  await page.getByText('To withdraw your consent, leave the process').waitFor();
  assert.equal(await page.locator('#consent-new').count(), 0);
  await noViolations(page, 'what she agreed to', '1280');

  // The service changes its text; her page shows the new one, and she agrees again.
  writeFileSync(join(texts, 'en.txt'), 'Everything said in this case stays between the people who take part in it, '
    + 'unless someone is in danger.\n');
  await env.relay.pause();
  await env.relay.start();
  assert.equal(f.run(['case', 'show', caseId]).people.find((p: { role: string }) => p.role === 'harmed').consent_current, false);
  // The facilitator's console names the version she agreed to on the case's page.
  const file = `${env.relay.dir}/consent-keys.json`;
  f.run(['export-keys', file]);
  const consoleContext = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const facilitator = await watchedPage(consoleContext);
  await facilitator.page.goto(`${env.relay.origin}/#console`);
  await facilitator.page.getByLabel('Your keys file').setInputFiles(file);
  await facilitator.page.getByLabel('Passphrase', { exact: true }).last().fill('a long test passphrase');
  await facilitator.page.getByRole('button', { name: 'Use these keys' }).click();
  await facilitator.page.getByText('Your keys are in this browser, with 1 case.').waitFor({ timeout: 60000 });
  await facilitator.page.goto(`${env.relay.origin}/#case=${caseId}`);
  await facilitator.page.locator('#people [data-role="harmed"]')
    .getByText('agreed to an earlier consent text; asked to agree to the new one').waitFor({ timeout: 20000 });
  assert.deepEqual(facilitator.problems, []);
  await consoleContext.close();
  await page.reload();
  await page.getByLabel('Passphrase').fill('lantern river stone');
  await page.getByRole('button', { name: 'Unlock' }).click();
  // The reload came back to the page she was on.
  await page.locator('#consent-new').getByText('unless someone is in danger').waitFor({ timeout: 20000 });
  await page.getByLabel('I have read this and I agree').check();
  await page.getByRole('button', { name: 'Agree to the new text' }).click();
  await page.getByText('Thank you. You have agreed to the new text.').waitFor({ timeout: 20000 });
  assert.equal(f.run(['case', 'show', caseId]).people.find((p: { role: string }) => p.role === 'harmed').consent_current, true);
  assert.deepEqual(problems, []);
  await context.close();
});

// Helping a party write (issue 23, items 6 and 9): in the console a
// facilitator seals to the person harmed the names her letters are checked
// for and the core questions as prompts; on her page the questions stand
// beside the letter she writes, and a listed name in it is asked about before
// it goes to review. The other party has neither.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Person, joinInBrowser, noViolations, relayAndBrowser, responsibleAtTheCli, watchedPage } from './harness.js';

const env = relayAndBrowser();

test('the facilitator offers her prompts and names in the console; her page shows and checks them', async () => {
  const f = new Person(env.relay, 'aids-facilitator');
  f.run(['enrol', env.relay.inviteFacilitator(), '--name', 'Ingrid Berg']);
  const caseId = f.run(['case', 'open']).case as string;
  f.run(['case', 'label', caseId, '--label', 'Gjøvik, the garden']);
  const r = responsibleAtTheCli(env.relay, f, caseId, 'aids-responsible');
  const herContext = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const her = await watchedPage(herContext);
  await joinInBrowser(her.page, env.relay.origin, f, caseId, 'willow bridge evening');

  // The facilitator, in the console, on the case's page.
  const file = `${env.relay.dir}/aids-keys.json`;
  f.run(['export-keys', file]);
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${env.relay.origin}/#console`);
  await page.getByLabel('Your keys file').setInputFiles(file);
  await page.getByLabel('Passphrase', { exact: true }).last().fill('a long test passphrase');
  await page.getByRole('button', { name: 'Use these keys' }).click();
  await page.getByText('Your keys are in this browser, with 1 case.').waitFor({ timeout: 60000 });
  await page.getByRole('link', { name: 'Your cases' }).click();
  await page.getByRole('link', { name: 'Gjøvik, the garden' }).click();
  await page.getByRole('heading', { name: 'Helping a party write' }).waitFor({ timeout: 20000 });
  await page.getByLabel('Which party').selectOption('harmed');
  await page.getByLabel('Names and places to look for in their letters (one per line)').fill('Per Hansen\nEikeveien');
  await page.getByRole('button', { name: 'Use the core questions' }).click();
  await noViolations(page, 'console helping a party write', '1280');
  await page.getByRole('button', { name: 'Save for this party' }).click();
  await page.getByText('Saved for the harmed party.').waitFor({ timeout: 20000 });
  assert.match(JSON.stringify(r.run(['prompts', caseId])), /"prompts":null/, 'nothing for the other party');

  // Her page: the questions beside her letter, and the listed name asked about before it goes.
  await her.page.getByRole('button', { name: 'Your letters' }).click();
  await her.page.getByRole('button', { name: 'Write a letter' }).click();
  await her.page.locator('#prompts').getByText('What do you need now?').waitFor({ timeout: 20000 });
  await noViolations(her.page, 'writing with prompts', '1280');
  await her.page.getByLabel('Your letter').fill('I keep thinking of what Per Hansen said that night.');
  await her.page.getByRole('button', { name: 'Send' }).click();
  const dialog = her.page.getByRole('dialog');
  await dialog.getByText('Per Hansen').waitFor({ timeout: 20000 });
  assert.deepEqual(problems, []);
  assert.deepEqual(her.problems, []);
  await context.close();
  await herContext.close();
});

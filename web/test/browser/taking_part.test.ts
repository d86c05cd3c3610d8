// Each party sees everyone taking part in the case (issue 23, item 4): this
// person, the other person, every supporter on either side, the facilitators
// by name; someone who leaves is no longer listed; someone new is named as
// waiting until a facilitator's signed attestation confirms them, and then
// announced (item 4).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Person, facilitatorWithCase, joinInBrowser, relayAndBrowser, responsibleAtTheCli, watchedPage } from './harness.js';

const env = relayAndBrowser();

test('the people taking part are named on her page, supporters included, and one who leaves is gone from it', async () => {
  const { f, caseId } = facilitatorWithCase(env.relay);
  responsibleAtTheCli(env.relay, f, caseId, 'taking-part-responsible');
  const supporter = new Person(env.relay, 'taking-part-supporter');
  supporter.run(['enrol', f.run(['invite', caseId, '--role', 'responsible_support']).code]);
  f.run(['attest', caseId, '--safety-number', supporter.run(['whoami']).safety_number]);
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await joinInBrowser(page, env.relay.origin, f, caseId, 'river stone lantern');
  await page.getByRole('button', { name: 'Your letters' }).click();
  const line = page.locator('#taking-part');
  await line.getByText("Taking part in this case: you, the other person, the other person's supporter and facilitator Ingrid Berg.")
    .waitFor({ timeout: 20000 });

  // The supporter leaves: her open page says so without a reload.
  supporter.run(['withdraw', caseId, '--yes']);
  await line.getByText('Taking part in this case: you, the other person and facilitator Ingrid Berg.').waitFor({ timeout: 20000 });
  assert.deepEqual(problems, []);
  await context.close();
});

test('someone new is named as waiting until a facilitator confirms them, then announced on her page', async () => {
  const { f, caseId } = facilitatorWithCase(env.relay);
  responsibleAtTheCli(env.relay, f, caseId, 'newcomer-responsible');
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await joinInBrowser(page, env.relay.origin, f, caseId, 'meadow window tide');
  await page.getByRole('button', { name: 'Your letters' }).click();
  const line = page.locator('#taking-part');
  await line.getByText('Taking part in this case: you, the other person and facilitator Ingrid Berg.').waitFor({ timeout: 20000 });

  // The other person's supporter joins; no facilitator has confirmed them yet.
  const supporter = new Person(env.relay, 'newcomer-supporter');
  supporter.run(['enrol', f.run(['invite', caseId, '--role', 'responsible_support']).code]);
  await page.reload();
  await page.getByLabel('Passphrase').fill('meadow window tide');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await line.getByText("the other person's supporter (joined, waiting for a facilitator to confirm them)").waitFor({ timeout: 30000 });
  assert.equal(await page.locator('[data-newcomer]').count(), 0);

  // The facilitator confirms them: her open page announces it, once, and names them as taking part.
  f.run(['attest', caseId, '--safety-number', supporter.run(['whoami']).safety_number]);
  await page.getByText("New in your case: the other person's supporter, confirmed by facilitator Ingrid Berg.")
    .waitFor({ timeout: 20000 });
  await line.getByText("Taking part in this case: you, the other person, the other person's supporter and facilitator Ingrid Berg.")
    .waitFor();
  await page.getByRole('button', { name: 'Write a letter' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('#letters-list').waitFor();
  assert.equal(await page.locator('[data-newcomer]').count(), 0, 'announced once');
  assert.deepEqual(problems, []);
  await context.close();
});

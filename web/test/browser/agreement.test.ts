// The outcome agreement (issue 23, item 7) as its people meet it, in a
// two-facilitator case: a facilitator writes it as items in the console; the
// person harmed reads it on her page, asks for a change, reads the new
// version that replaces it, and signs after a dialog says what signing
// means; the other party and the colleague sign at the CLI; once everyone
// has, her page says the agreement holds, and a mark the facilitator sets in
// the console reaches her page and the other party's CLI.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Person, consoleFromCli, joinInBrowser, noViolations, relayAndBrowser, watchedPage } from './harness.js';

const env = relayAndBrowser();

test('an agreement is written in the console, changed, signed by everyone, and its items marked', async () => {
  const relay = env.relay;
  const f = new Person(relay, 'agreement-facilitator');
  f.run(['enrol', relay.inviteFacilitator(), '--name', 'Ingrid Berg']);
  const g = new Person(relay, 'agreement-colleague');
  g.run(['enrol', relay.inviteFacilitator(), '--name', 'Tomas Lie']);
  const caseId = f.run(['case', 'open', '--two-person']).case as string;
  f.run(['case', 'label', caseId, '--label', 'The garden fence']);
  g.run(['enrol', f.run(['invite', caseId, '--role', 'facilitator']).code]);
  f.run(['attest', caseId, '--safety-number', g.run(['whoami']).safety_number]);
  const r = new Person(relay, 'agreement-responsible');
  r.run(['enrol', f.run(['invite', caseId, '--role', 'responsible']).code]);
  for (const who of [f, g]) who.run(['attest', caseId, '--safety-number', r.run(['whoami']).safety_number]);

  // The person harmed joins in her browser; both facilitators confirm her.
  const hers = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page: her, problems: herProblems } = await watchedPage(hers);
  const number = await joinInBrowser(her, relay.origin, f, caseId, 'harbour lamp quiet');
  g.run(['attest', caseId, '--safety-number', number]);
  await her.getByRole('button', { name: 'Your letters' }).click();
  await her.locator('#letters-list').waitFor({ timeout: 20000 });

  // The facilitator writes it in the console, item by item.
  const { context: consoleContext, page, problems } = await consoleFromCli(env.chromium, relay, f);
  await page.getByRole('link', { name: 'Your cases' }).click();
  await page.getByRole('link', { name: 'The garden fence' }).click();
  await page.getByRole('heading', { name: 'The outcome agreement' }).waitFor({ timeout: 20000 });
  await page.locator('#agreement-what-1').fill('Pay for the repair of the garden fence');
  await page.locator('#agreement-who-1').fill('Jonas');
  await page.locator('#agreement-by-1').fill('by 31 January');
  await page.locator('#agreement-check-1').fill('Mia tells the facilitators when it is paid');
  await page.getByRole('button', { name: 'Add an item' }).click();
  await page.locator('#agreement-what-2').fill('Write to Mia about what has changed since');
  await page.locator('#agreement-who-2').fill('Jonas');
  await page.locator('#agreement-by-2').fill('within three months');
  await page.locator('#agreement-check-2').fill('the facilitators review the letter first');
  await noViolations(page, 'console writing the agreement', '1280');
  await page.getByRole('button', { name: 'Send the agreement to both parties' }).click();
  await page.getByText('The agreement is with both parties to read and sign.').waitFor({ timeout: 30000 });

  // Her page lists it by itself; she reads it whole.
  await her.locator('#agreement-link').getByText(/please read it/).click({ timeout: 20000 });
  await her.getByRole('heading', { name: 'The agreement' }).waitFor({ timeout: 20000 });
  await her.getByText('Pay for the repair of the garden fence').waitFor({ timeout: 30000 });
  await her.getByText('within three months').waitFor();
  assert.match(await her.locator('#agreement-waiting').innerText(),
    /Not signed yet by: you, the other person, facilitator Ingrid Berg and facilitator Tomas Lie/);
  await noViolations(her, 'the agreement to read and sign', '1280');

  // She asks for a change; the facilitator writes a new version, which replaces the first on her page.
  await her.getByRole('button', { name: 'Ask for changes' }).click();
  await her.getByLabel('What you want to tell them').fill('Could the letter come within four months? I am away in March.');
  await her.getByRole('button', { name: 'Send' }).click();
  await her.getByText('Sent to your facilitators. The other person never sees it.').waitFor({ timeout: 30000 });
  const reopen = async () => {  // the facilitator opens the case's page again
    await page.getByRole('link', { name: 'Your cases' }).click();
    await page.getByRole('link', { name: 'The garden fence' }).click();
    await page.getByRole('heading', { name: 'The outcome agreement' }).waitFor({ timeout: 20000 });
  };
  await reopen();
  await page.getByText('Could the letter come within four months?').waitFor({ timeout: 30000 });
  await page.getByText('Write a new version').click();
  await page.locator('#agreement-by-2').fill('within four months');
  await page.getByRole('button', { name: 'Send the new version to both parties' }).click();
  await page.getByText('The new version is with both parties; it replaces the earlier one.').waitFor({ timeout: 30000 });
  await her.locator('#agreement-link').click({ timeout: 20000 });
  await her.getByText('within four months').waitFor({ timeout: 30000 });
  assert.equal(await her.getByText('within three months').count(), 0);

  // She signs, after a dialog says what signing means.
  await her.getByRole('button', { name: 'Sign the agreement' }).click();
  const dialog = her.getByRole('dialog', { name: 'Sign the agreement' });
  await dialog.getByText('Signing says you agree to this text as it stands.').waitFor();
  await dialog.getByRole('button', { name: 'Sign' }).click();
  await her.getByText('You have signed. It holds once everyone has signed.').waitFor({ timeout: 30000 });
  assert.match(await her.locator('#agreement-signed').innerText(), /Signed by: you\./);

  // The other party and the colleague at the CLI; the facilitator in the console, last.
  assert.equal(r.run(['agreement', 'sign', caseId, '--yes']).bound, false);
  assert.equal(g.run(['agreement', 'sign', caseId, '--yes']).bound, false);
  await reopen();
  await page.getByRole('button', { name: 'Sign the agreement' }).click({ timeout: 30000 });
  await page.getByRole('dialog', { name: 'Sign the agreement' }).getByRole('button', { name: 'Sign' }).click();
  await page.getByText('You have signed the agreement.').waitFor({ timeout: 30000 });
  await page.locator('#agreement-state').getByText('Everyone has signed: the agreement holds from').waitFor({ timeout: 30000 });

  // Her page follows without a reload: it holds.
  await her.getByText('Everyone has signed this text: the agreement holds from').waitFor({ timeout: 30000 });
  assert.equal(await her.getByRole('button', { name: 'Sign the agreement' }).count(), 0);
  await noViolations(her, 'the agreement once everyone signed', '320');

  // The facilitator marks the first item done; her page and the other party's CLI show it.
  await page.locator('[data-mark="1-done"]').click();
  await page.getByText('Item 1 is marked done. Both parties see it.').waitFor({ timeout: 30000 });
  await her.getByText('Done, says facilitator Ingrid Berg.').waitFor({ timeout: 30000 });
  const shown = r.run(['agreement', 'show', caseId]);
  assert.equal(shown.bound, true);
  assert.deepEqual((shown.marks as { item: number; done: boolean }[]).map((m) => [m.item, m.done]), [[1, true]]);

  assert.deepEqual(herProblems, []);
  assert.deepEqual(problems, []);
  await hers.close();
  await consoleContext.close();
});

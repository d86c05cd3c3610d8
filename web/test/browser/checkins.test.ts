// Aftercare check-ins (issue 23, item 8) as their people meet them: a
// facilitator schedules a question for the person harmed in the console, a
// few seconds ahead, with a support service; closing the case asks first
// while it is open; at its time it reaches her page by itself; she reads the
// question and the support service and answers; the console shows it
// answered, and the case then closes without asking.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Person, consoleFromCli, joinInBrowser, noViolations, relayAndBrowser, responsibleAtTheCli, watchedPage } from './harness.js';

const env = relayAndBrowser();

test('a check-in reaches her at its time, she answers it, and the case closes after', async () => {
  const relay = env.relay;
  const f = new Person(relay, 'checkin-facilitator');
  f.run(['enrol', relay.inviteFacilitator(), '--name', 'Ingrid Berg']);
  const caseId = f.run(['case', 'open']).case as string;
  f.run(['case', 'label', caseId, '--label', 'After the fence']);
  responsibleAtTheCli(relay, f, caseId, 'checkin-responsible');
  const hers = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB', timezoneId: 'UTC' });
  const { page: her, problems: herProblems } = await watchedPage(hers);
  await joinInBrowser(her, relay.origin, f, caseId, 'harbour lamp quiet');
  await her.getByRole('button', { name: 'Your letters' }).click();
  await her.locator('#letters-list').waitFor({ timeout: 20000 });
  f.run(['stage', caseId, 'aftercare']);

  const { context: consoleContext, page, problems } = await consoleFromCli(env.chromium, relay, f, { timezoneId: 'UTC' });
  await page.getByRole('link', { name: 'Your cases' }).click();
  await page.getByRole('link', { name: 'After the fence' }).click();
  await page.getByRole('heading', { name: 'Check-ins' }).waitFor({ timeout: 20000 });

  // A question for her, due in a few seconds (the page's time zone is UTC), with a service she can turn to.
  const due = new Date(Date.now() + 8000).toISOString().slice(0, 19);
  await page.getByLabel('Who it is for').selectOption('harmed');
  await page.getByLabel('When it reaches them').fill(due);
  await page.getByLabel('Your question').fill('How are things since the agreement?');
  await page.getByLabel(/Support services they can turn to/).fill('Victim support: 116 006');
  await noViolations(page, 'console scheduling a check-in', '1280');
  await page.getByRole('button', { name: 'Schedule the check-in' }).click();
  await page.getByText(/The check-in is scheduled\. It reaches the harmed party/).waitFor({ timeout: 30000 });
  await page.locator('#checkins').getByText(/For the harmed party: reaches them/).waitFor();

  // Closing while it is open asks first; she says not now.
  await page.getByRole('button', { name: 'Close the case' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Close the case' }).click();
  const anyway = page.getByRole('dialog', { name: 'A check-in is still open' });
  await anyway.waitFor({ timeout: 20000 });
  await anyway.getByRole('button', { name: 'Cancel' }).click();

  // At its time it reaches her page by itself; she reads it and answers.
  await her.getByRole('link', { name: /A question from your facilitators, .*: waiting for your answer/ }).click({ timeout: 40000 });
  await her.locator('#checkin-question').getByText('How are things since the agreement?').waitFor({ timeout: 30000 });
  await her.locator('#checkin-support').getByText('Victim support: 116 006').waitFor();
  await noViolations(her, 'a check-in to answer', '320');
  await her.getByRole('button', { name: 'Answer' }).click();
  await her.getByRole('heading', { name: 'Answer your facilitators' }).waitFor({ timeout: 20000 });
  await her.getByLabel('What you want to tell them').fill('Better. The fence is mended and I sleep again.');
  await her.getByRole('button', { name: 'Send' }).click();
  await her.getByText('Your facilitators have your answer. The other person never sees it.').waitFor({ timeout: 30000 });
  await her.getByRole('link', { name: /A question from your facilitators, .*: you answered it/ }).waitFor({ timeout: 20000 });

  // The console shows it answered, with her words in the history; the case now closes without asking.
  await page.getByRole('link', { name: 'Your cases' }).click();
  await page.getByRole('link', { name: 'After the fence' }).click();
  await page.locator('#checkins').getByText('For the harmed party: answered').waitFor({ timeout: 30000 });
  await page.getByText('Better. The fence is mended and I sleep again.').waitFor({ timeout: 30000 });
  await page.getByRole('button', { name: 'Close the case' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Close the case' }).click();
  await page.getByText('The case is closed.').waitFor({ timeout: 30000 });
  assert.equal(await page.getByRole('dialog', { name: 'A check-in is still open' }).count(), 0);

  assert.deepEqual(herProblems, []);
  // Chromium logs the expected 409 (checkins_open) itself; anything else is the page's.
  assert.deepEqual(problems.filter((p) => !p.startsWith('Failed to load resource: the server responded with a status of 409')), []);
  await hers.close();
  await consoleContext.close();
});

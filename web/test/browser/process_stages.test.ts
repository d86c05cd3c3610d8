// The process around the letters as the person harmed meets it in the
// browser (issue 23, item 2), in a two-facilitator case: her page says where
// the case is and what comes next, and changes as the facilitators move it
// on; she pauses the case, a letter to her is reviewed and approved by both
// facilitators and waits, and when she goes on with the case it reaches her.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Person, joinInBrowser, noViolations, relayAndBrowser, responsibleAtTheCli, watchedPage } from './harness.js';

const env = relayAndBrowser();

test('she sees where the case is as the facilitators move it, pauses it, and a letter waits until she goes on', async () => {
  const f = new Person(env.relay, 'stages-facilitator');
  f.run(['enrol', env.relay.inviteFacilitator(), '--name', 'Ingrid Berg']);
  const g = new Person(env.relay, 'stages-colleague');
  g.run(['enrol', env.relay.inviteFacilitator(), '--name', 'Tomas Lie']);
  const caseId = f.run(['case', 'open', '--two-person']).case as string;
  g.run(['enrol', f.run(['invite', caseId, '--role', 'facilitator']).code]);
  f.run(['attest', caseId, '--safety-number', g.run(['whoami']).safety_number]);
  const r = responsibleAtTheCli(env.relay, f, caseId, 'stages-responsible');
  g.run(['attest', caseId, '--safety-number', r.run(['whoami']).safety_number]);

  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  const hers = await joinInBrowser(page, env.relay.origin, f, caseId, 'harbour lamp quiet');
  g.run(['attest', caseId, '--safety-number', hers]);
  await page.getByRole('button', { name: 'Your letters' }).click();
  const stage = page.locator('#stage');
  await stage.getByText('Where your case is: getting started.').waitFor({ timeout: 20000 });

  // The facilitators move the case on at the CLI; her open page follows without a reload.
  f.run(['stage', caseId, 'preparation']);
  await stage.getByText('Where your case is: preparing. The facilitators meet each person to prepare.').waitFor({ timeout: 20000 });
  g.run(['stage', caseId, 'exchange']);
  await stage.getByText('Where your case is: exchanging letters.').waitFor({ timeout: 20000 });
  await noViolations(page, 'the list with the stage', '1280');

  // She pauses the case, after reading what it does.
  await page.getByRole('button', { name: 'Pause the case' }).click();
  await page.getByRole('heading', { name: 'Pause the case' }).waitFor();
  await page.getByText('you do not need to give a reason').waitFor();
  await noViolations(page, 'pausing', '1280');
  await page.getByRole('button', { name: 'Pause the case' }).click();
  await page.getByText('The case is paused. You can go on with it at any time.').waitFor({ timeout: 20000 });
  await page.locator('#paused').getByText('You have paused the case.').waitFor();
  assert.match(JSON.stringify(f.run(['cases'])), /"paused":true/);

  // A letter to her is reviewed and approved by both facilitators, and waits.
  const letter = r.run(['write', caseId, '--text', 'I have thought about that evening every day since.']).message as string;
  g.run(['review', caseId, letter]);
  g.run(['approve', caseId, letter]);
  f.run(['review', caseId, letter]);
  const approved = f.run(['approve', caseId, letter]);
  assert.equal(approved.paused, true);
  await new Promise((done) => setTimeout(done, 2500));  // the relay's release timer runs every second
  assert.equal(await page.getByRole('link', { name: /To you/ }).count(), 0, 'nothing reaches her while paused');

  // She goes on with the case: the letter reaches her page by itself and opens.
  await page.getByRole('button', { name: 'Go on with the case' }).click();
  await page.getByRole('heading', { name: 'Go on with the case' }).waitFor();
  await page.getByRole('button', { name: 'Go on with the case' }).click();
  await page.getByText('The case goes on.').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#paused').count(), 0);
  await page.getByRole('link', { name: /To you, .*: waiting for you/ }).click({ timeout: 20000 });
  await page.getByRole('button', { name: 'Open now' }).click();
  await page.getByText('I have thought about that evening every day since.').waitFor({ timeout: 20000 });

  // The other person cannot pause the case; the relay says so in words.
  let refused = '';
  try {
    r.run(['pause', caseId]);
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    refused = `${stdout ?? ''}${stderr ?? ''}`;
  }
  assert.match(refused, /Only the person harmed can pause the case/);
  assert.deepEqual(problems, []);
  await context.close();
});

// A change that comes while her list is still loading is not lost: her
// first look at the case is slow to come back (a slow connection), the
// facilitator moves the case on meanwhile, and the list she ends with says
// where the case is now, not what the slow answer said.
test('a change that arrives while her list is loading is shown, not drawn over by the older answer', async () => {
  const f = new Person(env.relay, 'slow-facilitator');
  f.run(['enrol', env.relay.inviteFacilitator(), '--name', 'Ingrid Berg']);
  const caseId = f.run(['case', 'open']).case as string;
  responsibleAtTheCli(env.relay, f, caseId, 'slow-responsible');
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await joinInBrowser(page, env.relay.origin, f, caseId, 'harbour lamp quiet');
  await page.getByRole('button', { name: 'Your letters' }).click();
  const stage = page.locator('#stage');
  await stage.getByText('Where your case is: getting started.').waitFor({ timeout: 20000 });

  await page.getByRole('button', { name: 'Write a letter' }).click();
  await page.getByLabel('Your letter').waitFor();
  // Back to her letters: the next look at the case is answered now but reaches her page late.
  const detail = `${env.relay.origin}/v1/cases/${caseId}`;
  let held: (() => Promise<void>) | undefined;
  let seen: () => void = () => {};
  const holding = new Promise<void>((done) => { seen = done; });
  await page.route(detail, async (route) => {
    const answer = await route.fetch();
    held = () => route.fulfill({ response: answer });
    seen();
  }, { times: 1 });
  await page.goBack();
  await holding;

  // The facilitator moves the case on; her page hears it and looks again.
  const looked = page.waitForResponse((r) => r.url() === detail && r.status() === 200, { timeout: 20000 });
  f.run(['stage', caseId, 'preparation']);
  await looked;
  await held!();
  await page.locator('#letters-list').waitFor({ timeout: 20000 });
  await new Promise((done) => setTimeout(done, 1500));  // the slow look, had it been drawn, would be by now
  await stage.getByText('Where your case is: preparing.', { exact: false }).waitFor({ timeout: 5000 });
  assert.equal(await stage.getByText('getting started').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

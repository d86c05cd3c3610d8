// The stages of the process in the facilitators' console (issue 23, item
// 2), in a two-facilitator case: the case list and the queue say where each
// case is; a facilitator moves the case on from its page and everyone sees
// it; when the person harmed pauses the case, the page says so at once, an
// approval says the letter waits for her, and it is listed as waiting; a
// facilitator writes to her alone from the case's page.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Person, noViolations, relayAndBrowser, watchedPage } from './harness.js';

const env = relayAndBrowser();

test('the console shows each case\'s stage, moves it on, and shows a pause and what waits for it', async () => {
  const relay = env.relay;
  const f = new Person(relay, 'console-stages-facilitator');
  f.run(['enrol', relay.inviteFacilitator(), '--name', 'Ingrid Berg']);
  const g = new Person(relay, 'console-stages-colleague');
  g.run(['enrol', relay.inviteFacilitator(), '--name', 'Tomas Lie']);
  const caseId = f.run(['case', 'open', '--two-person']).case as string;
  f.run(['case', 'label', caseId, '--label', 'Lillehammer, the shop']);
  g.run(['enrol', f.run(['invite', caseId, '--role', 'facilitator']).code]);
  f.run(['attest', caseId, '--safety-number', g.run(['whoami']).safety_number]);
  const join = (role: string) => {
    const p = new Person(relay, `console-stages-${role}`);
    p.run(['enrol', f.run(['invite', caseId, '--role', role]).code]);
    for (const who of [f, g]) who.run(['attest', caseId, '--safety-number', p.run(['whoami']).safety_number]);
    return p;
  };
  const h = join('harmed');
  const r = join('responsible');
  const letter = r.run(['write', caseId, '--text', 'I want to say what I did and why it was wrong.']).message as string;

  const file = `${relay.dir}/console-stages-keys.json`;
  f.run(['export-keys', file]);
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${relay.origin}/#console`);
  await page.getByLabel('Your keys file').setInputFiles(file);
  await page.getByLabel('Passphrase', { exact: true }).last().fill('a long test passphrase');
  await page.getByRole('button', { name: 'Use these keys' }).click();
  await page.getByText('Your keys are in this browser, with 1 case.').waitFor({ timeout: 60000 });

  // The queue names each letter's case and where it is.
  await page.getByText('1 letter waits for you.').waitFor({ timeout: 20000 });
  assert.match(await page.locator(`#queue > li[data-message="${letter}"]`).innerText(), /Case: getting started/);
  await page.getByRole('link', { name: 'Your cases' }).click();
  await page.locator('#cases').getByText('Lillehammer, the shop').waitFor({ timeout: 20000 });
  assert.match(await page.locator('#cases').innerText(), /Lillehammer, the shop · getting started/);

  // On the case's page she moves it to preparation; the parties see it at the CLI.
  await page.getByRole('link', { name: 'Lillehammer, the shop' }).click();
  await page.locator('#stage-now').getByText('The case is at: getting started.').waitFor({ timeout: 20000 });
  await noViolations(page, 'console the case with its stage', '1280');
  await page.getByLabel('Move the case to').selectOption('preparation');
  await page.getByRole('button', { name: 'Move the case' }).click();
  await page.getByText('The case is now at: preparing. Everyone in it sees this.').waitFor({ timeout: 20000 });
  assert.equal(h.run(['case', 'show', caseId]).stage, 'preparation');
  g.run(['stage', caseId, 'exchange']);  // the colleague moves it on: her open page follows
  await page.locator('#stage-now').getByText('The case is at: exchanging letters.').waitFor({ timeout: 20000 });

  // The person harmed pauses the case: her page says so without a reload.
  h.run(['pause', caseId]);
  await page.locator('#case-paused').getByText('The person harmed has paused the case.').waitFor({ timeout: 20000 });

  // Both approve the letter; hers says it waits for the person harmed, and it is listed as waiting.
  g.run(['review', caseId, letter]);
  g.run(['approve', caseId, letter]);
  await page.getByRole('link', { name: 'Letters waiting' }).click();
  await page.getByRole('link', { name: 'Read and decide' }).click();
  await page.getByText('I want to say what I did and why it was wrong.').waitFor({ timeout: 30000 });
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByText('Approved. The person harmed has paused the case: it is released when they go on with it.')
    .waitFor({ timeout: 20000 });
  await page.getByRole('link', { name: 'Released later today (1)' }).click();
  assert.match(await page.locator(`#queue > li[data-message="${letter}"]`).innerText(),
    /Approved; released when the person harmed goes on with the case/);
  assert.equal(h.run(['letters', caseId]).length, 0, 'nothing reaches her while paused');

  // She goes on with it: the letter reaches her.
  h.run(['resume', caseId]);
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await new Promise((done) => setTimeout(done, 250));
    reached = h.run(['letters', caseId]).length === 1;
  }
  assert.ok(reached, 'released once she went on');

  // From the case's page she writes to the person harmed alone: no review, and the other party never sees it.
  type Listed = { message: string; kind: string };
  await page.getByRole('link', { name: 'Your cases' }).click();
  await page.getByRole('link', { name: 'Lillehammer, the shop' }).click();
  await page.getByLabel('A note', { exact: true }).fill('Thank you for going on. We are here on Thursday too.');
  await page.getByLabel('For', { exact: true }).selectOption('harmed');
  await page.getByRole('button', { name: 'Save the note' }).click();
  await page.getByText('Sent to the harmed party. The other party never sees it.').waitFor({ timeout: 20000 });
  await page.locator('#history').getByText(/From Ingrid Berg to the harmed party alone/).waitFor();
  const notes = (h.run(['letters', caseId]) as Listed[]).filter((m) => m.kind === 'note');
  assert.equal(notes.length, 1);
  assert.equal(h.run(['read', caseId, notes[0].message]).text, 'Thank you for going on. We are here on Thursday too.');
  assert.equal((r.run(['letters', caseId]) as Listed[]).filter((m) => m.kind === 'note').length, 0);
  assert.deepEqual(problems, []);
  await context.close();
});

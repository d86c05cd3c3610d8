// The facilitators' console, as two colleagues use it: one enrols in the
// browser from the operator's link and joins a two-person case from the
// other's invitation; the other works at the CLI. A letter waits for both:
// the CLI approves first, the browser sees "1 of 2", reads it and approves,
// and its reader opens it; a second letter is returned from the browser
// with a reason and a note its writer reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Person, noViolations, relayAndBrowser, watchedPage } from './harness.js';

const env = relayAndBrowser();
const passphrase = 'quiet harbour morning';

test('a two-person case reviewed by a facilitator in the browser and one at the CLI', async () => {
  const relay = env.relay;
  const f = new Person(relay, 'console-colleague');
  f.run(['enrol', relay.inviteFacilitator(), '--name', 'Ingrid Berg']);
  const caseId = f.run(['case', 'open', '--two-person']).case as string;

  // Notifications allowed, and recorded instead of shown: what a notice says is checked.
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB', permissions: ['notifications'] });
  await context.addInitScript(() => {
    const shown: string[] = [];
    (window as unknown as { shownNotices: string[] }).shownNotices = shown;
    class Recorded {
      static permission = 'granted';
      static requestPermission = async () => 'granted';
      constructor(title: string, options?: { body?: string }) { shown.push(`${title}: ${options?.body ?? ''}`); }
    }
    (window as unknown as { Notification: unknown }).Notification = Recorded;
  });
  let { page, problems } = await watchedPage(context);
  // The operator's link: her name and a passphrase; the keys are made in the page.
  await page.goto(`${relay.origin}/#join=${encodeURIComponent(relay.inviteFacilitator())}`);
  await page.getByLabel('Your name').fill('Tomas Lie');
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await page.getByLabel('The same passphrase again').fill(passphrase);
  await noViolations(page, 'console enrolment', '1280');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('Welcome, Tomas Lie.').waitFor({ timeout: 60000 });
  await page.getByText('Nothing waits for you now.').waitFor();

  // Her colleague invites her to the case; the link opens in a new tab of the same browser.
  const code = f.run(['invite', caseId, '--role', 'facilitator']).code as string;
  assert.deepEqual(problems, []);
  await page.close();
  ({ page, problems } = await watchedPage(context));
  await page.goto(`${relay.origin}/#join=${encodeURIComponent(code)}`);
  await page.getByLabel('Passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Join the case' }).click();
  const number = await page.locator('#safety-number').getAttribute('data-number', { timeout: 60000 });
  f.run(['attest', caseId, '--safety-number', number!]);
  // The case's label, sealed to both of them.
  f.run(['case', 'label', caseId, '--label', 'Skien 14']);

  // The parties, at the CLI.
  const h = new Person(relay, 'console-harmed');
  h.run(['enrol', f.run(['invite', caseId, '--role', 'harmed']).code]);
  f.run(['attest', caseId, '--safety-number', h.run(['whoami']).safety_number]);
  const r = new Person(relay, 'console-responsible');
  r.run(['enrol', f.run(['invite', caseId, '--role', 'responsible']).code]);
  f.run(['attest', caseId, '--safety-number', r.run(['whoami']).safety_number]);
  // She waits on the queue, and asks to be told of new letters.
  await page.getByRole('button', { name: 'To the letters waiting' }).click();
  await page.getByText('Nothing waits for you now.').waitFor({ timeout: 20000 });
  await page.getByRole('button', { name: 'Tell me when a letter arrives' }).click();
  await page.getByRole('button', { name: 'Stop telling me when a letter arrives' }).waitFor();

  // Letters arrive and the queue shows them without a reload; the notice says nothing of them.
  const first = h.run(['write', caseId, '--text', 'What I have carried since that night.']).message as string;
  await page.getByText('1 letter waits for you.').waitFor({ timeout: 20000 });
  const second = h.run(['write', caseId, '--text', 'My address is on the back.']).message as string;
  await page.getByText('2 letters wait for you.').waitFor({ timeout: 20000 });
  assert.deepEqual(await page.evaluate(() => (window as unknown as { shownNotices: string[] }).shownNotices),
    ['Shuttle for facilitators: A letter waits for review.', 'Shuttle for facilitators: A letter waits for review.']);
  f.run(['review', caseId, first]);
  f.run(['approve', caseId, first]);
  await page.getByText('Waiting for a second approval: 1.').waitFor({ timeout: 20000 });

  // The filters, with their counts; the queue oldest first, the case's label opened here and "1 of 2".
  await page.getByRole('link', { name: 'Waiting for a second approval (1)' }).click();
  // The filtered list replaces the whole one when its answer comes: wait for it, not for any list.
  await page.waitForFunction(() => document.querySelectorAll('#queue > li').length === 1);
  assert.equal(await page.getByRole('link', { name: 'Waiting for me (2)' }).count(), 1);
  await page.getByRole('link', { name: 'All (2)' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#queue > li').length === 2);
  const items = page.locator('#queue > li');
  assert.deepEqual(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-message'))), [first, second]);
  assert.match(await items.nth(0).innerText(), /Skien 14: a letter[\s\S]*1 of 2 approvals/);
  assert.match(await items.nth(1).innerText(), /0 of 2 approvals/);
  await noViolations(page, 'console queue', '1280');

  // Reading claims it; she approves with a note for the reader; it is released.
  await items.nth(0).getByRole('link', { name: 'Read and decide' }).click();
  await page.getByText('What I have carried since that night.').waitFor({ timeout: 30000 });
  assert.match(f.run(['queue']).find((q: { message: string }) => q.message === first).claimed_by_name ?? '', /Tomas Lie/);
  await noViolations(page, 'console review', '1280');
  // By keyboard alone: the note typed, then Tab past the release time to Approve, and Enter.
  await page.getByLabel('A note for its reader (optional)').focus();
  await page.keyboard.type('Take your time with it.');
  for (let i = 0; i < 12 && (await page.evaluate(() => document.activeElement?.textContent)) !== 'Approve'; i++) {
    await page.keyboard.press('Tab');
  }
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Approve');
  await page.keyboard.press('Enter');
  await page.getByText('Approved: the letter is released to its reader.').waitFor({ timeout: 20000 });
  const read = r.run(['read', caseId, first]);
  assert.equal(read.text, 'What I have carried since that night.');
  assert.equal(read.facilitator_note, 'Take your time with it.');

  // The second: returned with a reason and a note its writer reads.
  await page.locator('#queue > li').first().getByRole('link', { name: 'Read and decide' }).click();
  await page.getByText('My address is on the back.').waitFor({ timeout: 30000 });
  await page.getByLabel('It holds information that could identify someone.').check();
  await page.getByLabel('A note for its writer').fill('Please leave out your address.');
  await page.getByRole('button', { name: 'Return to its writer' }).click();
  await page.getByText('Returned: its writer sees your note.').waitFor({ timeout: 20000 });
  const returned = h.run(['read', caseId, second]);
  assert.match(JSON.stringify(returned), /Please leave out your address\./);
  await page.getByText('Nothing waits for you now.').waitFor();

  // A letter taken back while she reads it: the page says so at once.
  const third = h.run(['write', caseId, '--text', 'I want to say this differently.']).message as string;
  await page.getByText('1 letter waits for you.').waitFor({ timeout: 20000 });
  await page.locator('#queue > li').first().getByRole('link', { name: 'Read and decide' }).click();
  await page.getByText('I want to say this differently.').waitFor({ timeout: 30000 });
  h.run(['revoke', caseId, third]);
  await page.getByText('Meanwhile, its writer took this letter back.').waitFor({ timeout: 20000 });
  assert.deepEqual(problems, []);
  await context.close();
});

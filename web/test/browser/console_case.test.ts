// A whole case with no terminal: a facilitator enrols in the console, opens
// a case with a label, invites both parties by link, confirms their keys by
// comparing the safety numbers they read aloud (a misheard group is named,
// and nothing is confirmed), and reviews the letter one party writes in
// their browser; the other party opens it in theirs.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import qrcode from 'qrcode-generator';

import { noViolations, relayAndBrowser, watchedPage } from './harness.js';

const env = relayAndBrowser();

// A party opens the facilitator's link in their own browser, chooses a passphrase and reads their number.
async function partyJoins(context: BrowserContext, link: string, passphrase: string): Promise<{ page: Page; number: string; problems: string[] }> {
  const { page, problems } = await watchedPage(context);
  await page.goto(link);
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await page.getByLabel('The same passphrase again').fill(passphrase);
  await page.getByRole('button', { name: 'Continue' }).click();
  const number = await page.locator('#safety-number').getAttribute('data-number', { timeout: 60000 });
  return { page, number: number!, problems };
}

test('a facilitator runs a case in the browser, from opening it to a released letter', async () => {
  const relay = env.relay;
  // The facilitator on a phone: every page fits 320 px (noViolations checks that nothing scrolls sideways).
  const mine = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB', timezoneId: 'Europe/Oslo',
    viewport: { width: 320, height: 640 } });
  const { page, problems } = await watchedPage(mine);
  await page.goto(`${relay.origin}/#join=${encodeURIComponent(relay.inviteFacilitator())}`);
  await page.getByLabel('Your name').fill('Ingrid Berg');
  await page.getByLabel('Passphrase', { exact: true }).fill('facilitator passphrase');
  await page.getByLabel('The same passphrase again').fill('facilitator passphrase');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('Welcome, Ingrid Berg.').waitFor({ timeout: 60000 });

  // Opening the case.
  await page.getByRole('link', { name: 'Your cases' }).click();
  await page.getByText('You have no cases yet.').waitFor();
  await page.getByRole('link', { name: 'Open a case' }).click();
  await page.getByLabel("The case's label").fill('Bergen, June');
  // Quiet hours from the start, in her own time zone: an hour that starts two hours from now, so the
  // letter approved below is released at once. One time alone is asked about, and nothing is opened.
  const osloHour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', hour: '2-digit', hourCycle: 'h23' })
    .format(new Date()));
  const from = `${String((osloHour + 2) % 24).padStart(2, '0')}:00`;
  const until = `${String((osloHour + 3) % 24).padStart(2, '0')}:00`;
  await page.getByLabel('From').fill(from);
  await page.getByLabel('Passphrase').fill('facilitator passphrase');
  await page.getByRole('button', { name: 'Open a case' }).click();
  await page.getByText('Please give both times, or neither.').waitFor();
  await page.getByLabel("The case's label").fill('Bergen, June');
  await page.getByLabel('From').fill(from);
  await page.getByLabel('Until').fill(until);
  await page.getByLabel('Passphrase').fill('facilitator passphrase');
  await noViolations(page, 'console opening a case', '320');
  await page.getByRole('button', { name: 'Open a case' }).click();
  await page.getByText('The case is open. Invite its people below.').waitFor({ timeout: 60000 });
  await page.getByRole('heading', { name: 'Bergen, June' }).waitFor();
  await page.getByText(`No letter is released between ${from} and ${until} (Europe/Oslo).`).waitFor();
  assert.equal(await page.locator('#needs-colleague').count(), 0, 'a one-person case asks for no colleague');

  // Inviting both parties: a link each.
  const invite = async (role: string): Promise<string> => {
    await page.getByLabel('Who to invite').selectOption({ label: role });
    await page.getByRole('button', { name: 'Make an invitation link' }).click();
    const field = page.getByLabel(`Invitation link for the ${role}`, { exact: true });
    await field.waitFor({ timeout: 20000 });
    return field.inputValue();
  };
  const harmedLink = await invite('harmed party');
  // The same link as a QR code drawn in the page (what the library encodes for exactly this link),
  // and as a letter to print in either language.
  const qr = qrcode(0, 'M');
  qr.addData(harmedLink, 'Byte');
  qr.make();
  const drawn = await page.locator('#invitation svg.qr').first().getAttribute('data-modules');
  assert.equal(Number(drawn), qr.getModuleCount());
  const dark = (await page.locator('#invitation svg.qr path').first().getAttribute('d'))!.split('M').length - 1;
  let expectedDark = 0;
  for (let r = 0; r < qr.getModuleCount(); r++) for (let col = 0; col < qr.getModuleCount(); col++) expectedDark += qr.isDark(r, col) ? 1 : 0;
  assert.equal(dark, expectedDark);
  await page.locator('#invitation-letter').getByText('An invitation from Restorative Justice Service Test').waitFor();
  await page.getByLabel("The letter's language").selectOption('nb');
  await page.locator('#invitation-letter').getByText('En invitasjon fra Restorative Justice Service Test').waitFor();
  await noViolations(page, 'console a case with an invitation', '320');
  const responsibleLink = await invite('responsible party');

  const harmedContext = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const harmed = await partyJoins(harmedContext, harmedLink, 'harmed passphrase here');
  const responsibleContext = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const responsible = await partyJoins(responsibleContext, responsibleLink, 'responsible passphrase here');

  // Comparing numbers: one misheard group is named and nothing is confirmed; then the right one.
  await page.reload();
  await page.getByLabel('Passphrase').fill('facilitator passphrase');
  await page.getByRole('button', { name: 'Unlock' }).click();
  const harmedRow = page.locator('#people li[data-role=harmed]');
  await harmedRow.getByText('joined: compare safety numbers').waitFor({ timeout: 30000 });
  const groups = harmed.number.split(' ');
  const misheard = [...groups.slice(0, 3), groups[3] === '00000' ? '11111' : '00000', ...groups.slice(4)].join(' ');
  await harmedRow.getByLabel('The safety number they read to you').fill(misheard);
  await harmedRow.getByRole('button', { name: 'They match: confirm their keys' }).click();
  await harmedRow.getByText('The numbers differ in group 4.', { exact: false }).waitFor();
  await noViolations(page, 'console comparing safety numbers', '320');
  await harmedRow.getByLabel('The safety number they read to you').fill(harmed.number.replace(/ /g, '-'));
  await harmedRow.getByRole('button', { name: 'They match: confirm their keys' }).click();
  await page.getByText('You confirmed the keys of the harmed party.').waitFor({ timeout: 20000 });
  const responsibleRow = page.locator('#people li[data-role=responsible]');
  await responsibleRow.getByLabel('The safety number they read to you').fill(responsible.number);
  await responsibleRow.getByRole('button', { name: 'They match: confirm their keys' }).click();
  await page.getByText('You confirmed the keys of the responsible party.').waitFor({ timeout: 20000 });
  for (const role of ['harmed', 'responsible']) {
    await page.locator(`#people li[data-role=${role}]`).getByText('keys confirmed').waitFor();
  }

  // The harmed party writes in her browser; the facilitator reviews in the console.
  await harmed.page.getByRole('button', { name: 'Your letters' }).click();
  await harmed.page.getByRole('button', { name: 'Write a letter' }).click();
  await harmed.page.getByLabel('Your letter').fill('I would like you to hear how it was for me.');
  await harmed.page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await harmed.page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });
  await page.getByRole('link', { name: 'Letters waiting' }).click();
  await page.getByText('1 letter waits for you.').waitFor({ timeout: 20000 });
  assert.match(await page.locator('#queue > li').first().innerText(), /^Bergen, June: a letter/);
  await page.getByRole('link', { name: 'Read and decide' }).click();
  await page.getByText('I would like you to hear how it was for me.').waitFor({ timeout: 30000 });
  // A release time already past is refused in words; empty releases it at once.
  await page.getByLabel('Release it at (optional, your time)').fill('2020-01-01T09:00');
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByText('Please choose a release time in the future, or leave it empty.').waitFor();
  await page.getByLabel('Release it at (optional, your time)').fill('');
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByText('Approved: the letter is released to its reader.').waitFor({ timeout: 20000 });

  // The responsible party opens it in theirs.
  await responsible.page.getByRole('button', { name: 'Your letters' }).click();
  await responsible.page.getByText('A letter is waiting for you.').waitFor({ timeout: 20000 });
  await responsible.page.getByRole('link', { name: /To you, .*: waiting for you/ }).click();
  await responsible.page.getByRole('button', { name: 'Open now' }).click();
  await responsible.page.getByText('I would like you to hear how it was for me.').waitFor({ timeout: 30000 });

  // A note for the facilitators on the case's page; the history there shows the letter and the note.
  await page.getByRole('link', { name: 'Your cases' }).click();
  await page.getByRole('link', { name: 'Bergen, June' }).click();
  await page.getByLabel('A note', { exact: true }).fill('She asked that we call before ten.');
  await page.getByRole('button', { name: 'Save the note' }).click();
  await page.getByText("The note is saved for the case's facilitators.").waitFor({ timeout: 20000 });
  const history = page.locator('#history > li');
  await page.waitForFunction(() => document.querySelectorAll('#history > li').length === 2);
  assert.match(await history.nth(0).innerText(), /^From the harmed party to the responsible party, .*: fetched by its reader\n+I would like you to hear how it was for me\./);
  assert.match(await history.nth(1).innerText(), /^A note from Ingrid Berg, .*\n+She asked that we call before ten\./);

  // A second letter, returned with a reason and a note; written again, its review shows the returned
  // version and what went back with it.
  await harmed.page.getByRole('button', { name: 'Write a letter' }).click();
  await harmed.page.getByLabel('Your letter').fill('You know where I live on Storgata 5.');
  await harmed.page.getByRole('button', { name: 'Send to your facilitator' }).click();
  // Her page asks about the address first; she sends it as it is, and her facilitator returns it.
  await harmed.page.getByRole('dialog').locator('mark').getByText('Storgata 5').waitFor();
  await harmed.page.getByRole('button', { name: 'Send it as it is' }).click();
  await harmed.page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });
  await page.getByRole('link', { name: 'Letters waiting' }).click();
  await page.getByRole('link', { name: 'Read and decide' }).click();
  await page.getByText('You know where I live on Storgata 5.').waitFor({ timeout: 30000 });
  await page.getByLabel('It holds information that could identify someone.').check();
  await page.getByLabel('A note for its writer').fill('Please leave out the address.');
  await page.getByRole('button', { name: 'Return to its writer' }).click();
  await page.getByText('Returned: its writer sees your note.').waitFor({ timeout: 20000 });
  await harmed.page.getByRole('link', { name: /From you, .*: returned/ }).click();
  await harmed.page.getByRole('button', { name: 'Write it again' }).click();
  await harmed.page.getByLabel('Your letter').fill('You know where I live.');
  await harmed.page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await harmed.page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });
  await page.getByRole('link', { name: 'Read and decide' }).click();
  await page.getByText('You know where I live.', { exact: true }).waitFor({ timeout: 30000 });
  await page.waitForFunction(() => document.querySelectorAll('#history > li').length === 4);
  assert.match(await history.nth(2).innerText(), /^From the harmed party to the responsible party, .*: returned to its writer\n+You know where I live on Storgata 5\./);
  assert.match(await history.nth(3).innerText(),
    /^A note from Ingrid Berg, .*\n+Returned to its writer\. Reason: It holds information that could identify someone\. Note: Please leave out the address\./);
  await noViolations(page, 'console review with the case so far', '320');
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByText('Approved: the letter is released to its reader.').waitFor({ timeout: 20000 });

  // The record: in words, as a timeline; saved as the signed file, which verifies here, and an edited copy does not.
  await page.getByRole('link', { name: 'Your cases' }).click();
  await page.getByRole('link', { name: 'Bergen, June' }).click();
  await page.getByRole('link', { name: 'The record' }).click();
  await page.getByText(/^The record verifies: \d+ entries, signed by the service/).waitFor({ timeout: 20000 });
  const record = page.locator('#record');
  await record.getByText('Ingrid Berg: opened the case').waitFor();
  await record.getByText('The harmed party: sent a letter for review').first().waitFor();
  await record.getByText('Ingrid Berg: approved a letter').first().waitFor();
  assert.equal(await record.getByText('Ingrid Berg: wrote a note for the facilitators').count(), 2);
  assert.doesNotMatch(await record.innerText(), /hear how it was|Storgata|before ten|leave out/, 'the record holds no content');
  await noViolations(page, 'console the record', '320');
  const [download] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('link', { name: 'Save the record (a signed file)' }).click()]);
  const saved = readFileSync((await download.path())!, 'utf8');
  await page.getByLabel('A record file').setInputFiles({ name: 'record.json', mimeType: 'application/json', buffer: Buffer.from(saved) });
  await page.locator('#record-check').getByText(/^The record verifies/).waitFor();
  // Someone moves the third entry's time by a second.
  const edited = JSON.parse(saved);
  edited.entries[2].at += 1;
  writeFileSync(`${relay.dir}/edited.json`, JSON.stringify(edited));
  await page.getByLabel('A record file').setInputFiles(`${relay.dir}/edited.json`);
  await page.locator('#record-check').getByText('This record does not verify: entry 3 was changed, removed or moved.').waitFor();

  // Closing, confirmed in words that say what the parties will see; the parties' pages say it has ended.
  await page.getByRole('link', { name: 'Your cases' }).click();
  await page.getByRole('link', { name: 'Bergen, June' }).click();
  await page.getByRole('button', { name: 'Close the case' }).click();
  await page.getByRole('dialog').getByText('The parties can no longer write or receive letters', { exact: false }).waitFor();
  await noViolations(page, 'console closing a case', '320');
  await page.getByRole('dialog').getByRole('button', { name: 'Close the case' }).click();
  await page.getByText('The case is closed. The parties see that it has ended.').waitFor({ timeout: 20000 });
  assert.equal(await page.getByRole('button', { name: 'Make an invitation link' }).count(), 0);
  for (const p of [problems, harmed.problems, responsible.problems]) assert.deepEqual(p, []);
  await Promise.all([mine.close(), harmedContext.close(), responsibleContext.close()]);
});

// A facilitator enrolled in the console from the operator's link, at the page where she is welcomed.
async function facilitatorEnrols(context: BrowserContext, origin: string, code: string, name: string): Promise<Page> {
  const { page } = await watchedPage(context);
  await page.goto(`${origin}/#join=${encodeURIComponent(code)}`);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Passphrase', { exact: true }).fill('facilitator passphrase');
  await page.getByLabel('The same passphrase again').fill('facilitator passphrase');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText(`Welcome, ${name}.`).waitFor({ timeout: 60000 });
  return page;
}

test('a two-person case opened in the browser asks for the co-facilitator first; its quiet hours change and go', async () => {
  const relay = env.relay;
  const mine = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB', timezoneId: 'Europe/Oslo' });
  const page = await facilitatorEnrols(mine, relay.origin, relay.inviteFacilitator(), 'Kari Holm');
  await page.getByRole('link', { name: 'Your cases' }).click();
  await page.getByRole('link', { name: 'Open a case' }).click();
  await page.getByLabel("The case's label").fill('Tromsø, winter');
  await page.getByLabel('Two facilitators must approve each letter').check();
  await page.getByLabel('Passphrase').fill('facilitator passphrase');
  await page.getByRole('button', { name: 'Open a case' }).click();
  await page.getByText('The case is open. Invite your co-facilitator first, then its people.').waitFor({ timeout: 60000 });
  await page.getByText('Until a second facilitator joins, no letter in this case can be released').waitFor();
  await page.getByText('This case has no quiet hours.').waitFor();
  assert.equal(await page.getByLabel('Who to invite').inputValue(), 'facilitator', 'the co-facilitator comes first');
  await page.getByRole('button', { name: 'Make an invitation link' }).click();
  const field = page.getByLabel('Invitation link for the co-facilitator', { exact: true });
  await field.waitFor({ timeout: 20000 });
  const link = await field.inputValue();

  // The colleague, enrolled in her own browser, pastes the link into the address bar of the console
  // she has open, and joins the case from it; her keys are confirmed.
  const theirs = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const colleague = await facilitatorEnrols(theirs, relay.origin, relay.inviteFacilitator(), 'Per Dahl');
  await colleague.goto(link);
  await colleague.getByLabel('Passphrase').fill('facilitator passphrase');
  await colleague.getByRole('button', { name: 'Join the case' }).click();
  const number = await colleague.locator('#safety-number').getAttribute('data-number', { timeout: 60000 });
  await page.reload();
  await page.getByLabel('Passphrase').fill('facilitator passphrase');
  await page.getByRole('button', { name: 'Unlock' }).click();
  const row = page.locator('#people li[data-role=facilitator]').filter({ hasText: 'Per Dahl' });
  await row.getByLabel('The safety number they read to you').fill(number!);
  await row.getByRole('button', { name: 'They match: confirm their keys' }).click();
  await page.getByText('You confirmed the keys of the facilitator.').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#needs-colleague').count(), 0, 'two facilitators now');
  // The label was set before she joined: confirming her keys sealed it to her too.
  await colleague.getByRole('button', { name: 'To the letters waiting' }).click();
  await colleague.getByRole('link', { name: 'Your cases' }).click();
  await colleague.getByRole('link', { name: 'Tromsø, winter' }).waitFor({ timeout: 20000 });
  assert.equal(await page.getByLabel('Who to invite').inputValue(), 'harmed');

  // Quiet hours set on the case's page, then removed.
  await page.getByLabel('Until').fill('07:00');
  await page.getByRole('button', { name: 'Save the quiet hours' }).click();
  await page.getByText('Please give both times, or neither.').waitFor();
  await page.getByLabel('From').fill('22:00');
  await page.getByRole('button', { name: 'Save the quiet hours' }).click();
  await page.getByText('The quiet hours are saved.').waitFor({ timeout: 20000 });
  await page.getByText('No letter is released between 22:00 and 07:00 (Europe/Oslo).').waitFor();
  await noViolations(page, 'console a case with quiet hours', '1280');
  await page.getByRole('button', { name: 'Remove the quiet hours' }).click();
  await page.getByText('The case has no quiet hours now.').waitFor({ timeout: 20000 });
  await page.getByText('This case has no quiet hours.').waitFor();
  await mine.close();
  await theirs.close();
});

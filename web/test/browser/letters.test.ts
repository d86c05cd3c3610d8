// The parties' letters in a real browser, with the other people at the CLI:
// a harmed person writes from the page, the facilitator reviews and approves
// with the CLI, the responsible party reads it there and replies; the harmed
// person comes back days later, unlocks, reads the facilitator's note first,
// opens the reply, lets the writer know, and leaves the process, keeping
// what they received.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';

import { noViolations as checked, photoPng, relayAndBrowser, facilitatorWithCase, joinInBrowser, responsibleAtTheCli, watchBar,
  watchedPage } from './harness.js';

const env = relayAndBrowser();

const passphrase = 'river stone lantern';

// Each page checked with axe, and (SHUTTLE_SCREENSHOTS=DIR) photographed for docs/.
let width = 'desktop';
const noViolations = (page: Page, where: string) => checked(page, where, width);

for (const [name, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 320, height: 640 }]] as const) {
test(`a letter written in the browser reaches the CLI, and the reply comes back (${name}, ${viewport.width} px)`, async () => {
  width = name;
  const { f, caseId } = facilitatorWithCase(env.relay);
  const r = responsibleAtTheCli(env.relay, f, caseId, `responsible-${name}`);

  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB', viewport });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${env.relay.origin}/#join=${encodeURIComponent(f.run(['invite', caseId, '--role', 'harmed']).code)}`);
  await page.getByRole('heading', { name: 'Choose a passphrase' }).waitFor({ timeout: 20000 });
  await page.getByText('You are invited to take part through Restorative Justice Service Test.').waitFor();
  await noViolations(page, 'choosing a passphrase');
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await page.getByLabel('The same passphrase again').fill(passphrase);
  await page.getByRole('button', { name: 'Continue' }).click();
  const number = await page.locator('#safety-number').getAttribute('data-number', { timeout: 60000 });
  await noViolations(page, 'the safety number');
  f.run(['attest', caseId, '--safety-number', number!]);
  await page.getByRole('button', { name: 'Your letters' }).click();
  await page.getByText('There are no letters yet.').waitFor();
  // Who and where, on every page: the service with its key, the facilitator by name, and what comes next.
  const where = page.getByRole('region', { name: 'Your case' });
  await where.getByText(/^Restorative Justice Service Test · service key \d{5} \d{5}$/).waitFor();
  await where.getByText('Your facilitator: Ingrid Berg').waitFor();
  await where.getByText('Your letters go to your facilitator first.', { exact: false }).waitFor();
  await noViolations(page, 'the empty list');

  // Writing.
  await page.getByRole('button', { name: 'Write a letter' }).click();
  await noViolations(page, 'writing');
  await page.getByLabel('Your letter').fill('I want you to know how that night was for me.\nIt still is.');
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 }).catch(async (e) => {
    throw new Error(`${e}: the page says ${await page.locator('main').innerText()} ${problems.join('; ')}`);
  });
  await page.getByText(/From you, .*: with your facilitator/).waitFor();

  // The facilitator reviews and approves at the CLI; the responsible party reads it there.
  const queue = f.run(['queue']) as { message: string }[];
  assert.equal(queue.length, 1);
  const letter = queue[0].message;
  assert.equal(f.run(['review', caseId, letter]).text, 'I want you to know how that night was for me.\nIt still is.');
  f.run(['approve', caseId, letter]);
  assert.equal(r.run(['read', caseId, letter]).text, 'I want you to know how that night was for me.\nIt still is.');

  // The reply, approved with a note that prepares the reader.
  // With a long unbroken link, which must wrap on a phone like any word.
  const link = `https://example.org/${'averylongpath'.repeat(40)}?q=end`;
  const reply = r.run(['write', caseId, '--text', `Thank you for writing. I am sorry.\n${link}`, '--reply-to', letter]).message;
  f.run(['review', caseId, reply]);
  f.run(['approve', caseId, reply, '--note', 'Read this when you have a quiet hour.']);
  // The open page learns of it live, without content, and says so.
  await page.getByText('A letter is waiting for you.').waitFor({ timeout: 10000 });

  // Days later: the page is locked; the person unlocks and finds it waiting.
  await page.reload();
  await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
  await noViolations(page, 'unlocking');
  await page.getByLabel('Passphrase').fill('not the passphrase');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByText("That passphrase does not open this device's keys.").waitFor({ timeout: 30000 });
  await page.getByLabel('Passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByText('A letter is waiting for you.').waitFor({ timeout: 30000 });
  await noViolations(page, 'the list with a letter waiting');
  await page.getByRole('link', { name: /To you, .*: waiting for you/ }).click();
  // The note first, then the choice.
  await page.getByText('Read this when you have a quiet hour.').waitFor();
  assert.equal(await page.getByText('Thank you for writing.').count(), 0, 'the letter waits for "Open now"');
  await noViolations(page, 'the note before the letter');
  assert.equal(await page.getByRole('button', { name: 'Leave the process' }).count(), 1, 'leaving is on every page');
  await page.getByRole('button', { name: 'Open now' }).click();
  await page.getByText('Thank you for writing. I am sorry.').waitFor();
  await page.getByText(link).waitFor();
  assert.equal(await page.locator('article.letter').getAttribute('dir'), 'auto');
  await noViolations(page, 'reading a letter');
  // Not shared unless the reader says so.
  assert.equal(r.run(['letters', caseId]).find((m: { message: string }) => m.message === reply).state, 'released');
  await page.getByLabel('Let the writer know I opened it').check();
  await page.getByText('The writer will see that you opened it.').waitFor();
  assert.equal(r.run(['letters', caseId]).find((m: { message: string }) => m.message === reply).state, 'opened');

  // Leaving, from the letter itself, in one calm confirmed step; what was received stays here.
  await page.getByRole('button', { name: 'Leave the process' }).click();
  await page.getByText('Letters already passed on stay with the other person.').waitFor();
  await noViolations(page, 'leaving');
  await page.getByRole('button', { name: 'Leave the process' }).click();
  await page.getByText('You have left the process. Your facilitator has been told.').waitFor({ timeout: 20000 });
  const people = f.run(['case', 'show', caseId]).people as { role: string; state: string }[];
  assert.equal(people.find((p) => p.role === 'harmed')?.state, 'withdrawn');
  // What she keeps: each letter once, with its state and first words.
  await page.getByText('You have left the process. The letters you received').waitFor();
  const keptList = await page.locator('#letters-list').innerText();
  assert.equal(await page.getByRole('link', { name: /From you, .*: available to them \(“I want you to know how that night/ }).count(), 1, keptList);
  assert.equal(await page.getByRole('link', { name: /To you, .*: opened \(“Thank you for writing. I am sorry./ }).count(), 1, keptList);
  assert.equal(await page.locator('#letters-list li').count(), 2, 'each letter once');
  await page.getByRole('link', { name: /To you/ }).click();
  await page.getByText('Thank you for writing. I am sorry.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Leave the process' }).count(), 0, 'nothing left to leave');
  assert.deepEqual(problems, []);
  await context.close();
});
}

test('a returned letter shows the facilitator\'s reason beside it, and taking letters back says what the other person may know', async () => {
  width = 'desktop';
  const { f, caseId } = facilitatorWithCase(env.relay);
  const r = responsibleAtTheCli(env.relay, f, caseId, 'responsible-revoke');
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await joinInBrowser(page, env.relay.origin, f, caseId, passphrase);
  await page.getByRole('button', { name: 'Your letters' }).click();

  const write = async (text: string) => {
    await page.getByRole('button', { name: 'Write a letter' }).click();
    await page.getByLabel('Your letter').fill(text);
    await page.getByRole('button', { name: 'Send to your facilitator' }).click();
    await page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });
    const queue = f.run(['queue']) as { message: string }[];
    return queue[queue.length - 1].message;
  };
  // A draft survives the page being locked and opened again, and goes once sent.
  await page.getByRole('button', { name: 'Write a letter' }).click();
  await page.getByLabel('Your letter').fill('Half a thought');
  // Saved a moment after the typing stops, sealed: wait until it is there.
  let stored = '';
  for (let i = 0; i < 100 && !stored; i++) {
    await page.waitForTimeout(100);
    stored = await page.evaluate(() => new Promise<string>((resolve) => {
      const r = indexedDB.open('shuttle');
      r.onsuccess = () => {
        const g = r.result.transaction('profile').objectStore('profile').get('draft');
        g.onsuccess = () => resolve(typeof g.result === 'string' ? g.result : '');
      };
    }));
  }
  assert.ok(stored.length > 0 && !stored.includes('Half a thought'), 'the draft is kept, sealed');
  await page.reload();
  await page.getByLabel('Passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Unlock' }).click();
  // The reload comes back to the letter being written, with the draft in place.
  await page.getByRole('heading', { name: 'Write a letter' }).waitFor({ timeout: 30000 });
  await page.waitForFunction(() => (document.getElementById('letter') as HTMLTextAreaElement | null)?.value === 'Half a thought');
  await page.getByRole('button', { name: 'Cancel' }).click();

  const first = await write('We lived on Elm Street then.');
  f.run(['review', caseId, first]);
  f.run(['return', caseId, first, '--reason', 'identifying_information', '--note', 'Please leave out the street name.']);
  await page.reload();
  await page.getByLabel('Passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('link', { name: /From you, .*: returned with a note/ }).click();
  await page.getByText('It holds information that could identify someone.').waitFor();
  await page.getByText('Please leave out the street name.').waitFor();
  await page.getByText('We lived on Elm Street then.').waitFor();
  await noViolations(page, 'a returned letter');
  // Written again from where it was: the revision names the returned letter.
  await page.getByRole('button', { name: 'Write it again' }).click();
  const area = page.getByLabel('Your letter');
  assert.equal(await area.inputValue(), 'We lived on Elm Street then.');
  await area.fill('We lived near the river then.');
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });
  const revised = (f.run(['letters', caseId]) as { message: string; revises?: string }[]).find((m) => m.revises === first);
  assert.ok(revised, 'the revision names the returned letter');
  assert.equal(f.run(['review', caseId, revised!.message]).text, 'We lived near the river then.');
  f.run(['approve', caseId, revised!.message]);

  // Released and opened (the reader said so): taking it back says so.
  const second = await write('A letter they will open.');
  f.run(['review', caseId, second]);
  f.run(['approve', caseId, second]);
  r.run(['read', caseId, second, '--receipt']);
  await page.reload();
  await page.getByLabel('Passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('link', { name: /From you, .*: opened/ }).click();
  await page.getByRole('button', { name: 'Take this letter back' }).click();
  await page.getByText('If it was already passed on, the other person may have read it.').waitFor();
  // The list drawn after taking it back loads slowly, and an event (here the
  // facilitator moving the case on) draws the list again meanwhile: that
  // drawing still says what happened (CI once lost the words this way).
  const list = `${env.relay.origin}/v1/cases/${caseId}/messages`;
  let held: (() => Promise<void>) | undefined;
  let seen: () => void = () => {};
  const holding = new Promise<void>((done) => { seen = done; });
  await page.route(list, async (route) => {
    const answer = await route.fetch();
    held = () => route.fulfill({ response: answer });
    seen();
  }, { times: 1 });
  await page.getByRole('button', { name: 'Take it back' }).click();
  await holding;
  const looked = page.waitForResponse((r) => r.url() === list && r.status() === 200, { timeout: 20000 });
  f.run(['stage', caseId, 'exchange']);
  await looked;
  await page.locator('#letters-list').waitFor({ timeout: 20000 });
  await held!();
  await page.getByText('The letter is taken back. They had told you they opened it.').waitFor({ timeout: 20000 });
  assert.equal(r.run(['letters', caseId]).find((m: { message: string }) => m.message === second)?.state, 'revoked');

  // Never passed on: said plainly, without claiming who did or did not read it.
  await write('One I will think over again.');
  await page.getByRole('link', { name: /From you, .*: with your facilitator/ }).click();
  await page.getByRole('button', { name: 'Take this letter back' }).click();
  await page.getByRole('button', { name: 'Take it back' }).click();
  await page.getByText('The letter is taken back. It had not been passed on to them.').waitFor({ timeout: 20000 });
  assert.deepEqual(problems, []);
  await context.close();
});

// A 2x2 red PNG.
const png = photoPng();

test('attachments: sent with a progress bar, saved by the facilitator, shown once opened; too large is said before sending', async () => {
  width = 'desktop';
  const { f, caseId } = facilitatorWithCase(env.relay);
  const r = responsibleAtTheCli(env.relay, f, caseId, 'responsible-attach');
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await joinInBrowser(page, env.relay.origin, f, caseId, passphrase);
  await page.getByRole('button', { name: 'Your letters' }).click();

  // Too large: refused in words before anything is sealed or sent.
  await page.getByRole('button', { name: 'Write a letter' }).click();
  await page.getByLabel('Your letter').fill('With a very large file.');
  await page.getByLabel('Add photos or files (optional)').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream',
    buffer: Buffer.alloc(17 * 1024 * 1024) });
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await page.getByText(/comes to 17\.\d MiB once sealed; Shuttle takes letters up to 16\.0 MiB\. Nothing was sent\./).waitFor({ timeout: 30000 });
  assert.equal((f.run(['queue']) as unknown[]).length, 0);

  // A photo, sent with its progress shown.
  await page.getByLabel('Your letter').fill('The garden, as it is now.');
  await page.getByLabel('Add photos or files (optional)').setInputFiles({ name: 'garden.png', mimeType: 'image/png', buffer: png });
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });
  const letter = (f.run(['queue']) as { message: string }[])[0].message;
  const reviewed = f.run(['review', caseId, letter, '--save-attachments', `${env.relay.dir}/looked-at`]);
  assert.deepEqual(reviewed.attachments, [{ name: 'garden.png', content_type: 'image/png', size: png.length }]);
  f.run(['approve', caseId, letter]);

  // A photo from the CLI, shown in the page once the letter is opened.
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${env.relay.dir}/reply.png`, png);
  const reply = r.run(['write', caseId, '--text', 'Here is mine.', '--attach', `${env.relay.dir}/reply.png`]).message;
  f.run(['review', caseId, reply]);
  f.run(['approve', caseId, reply]);
  await page.getByText('A letter is waiting for you.').waitFor({ timeout: 10000 });
  await page.getByRole('link', { name: /To you, .*: waiting for you/ }).click();
  await page.getByRole('button', { name: 'Open now' }).click();
  const image = page.getByRole('img', { name: 'reply.png' });
  await image.waitFor();
  assert.ok(await image.evaluate((img) => (img as HTMLImageElement).naturalWidth === 2), 'the photo shows');
  assert.equal(await page.getByRole('link', { name: /Save reply\.png/ }).getAttribute('download'), 'reply.png');
  await noViolations(page, 'a letter with a photo');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a large letter shows how far its sending has come, and the bar only moves forward', async () => {
  const { f, caseId } = facilitatorWithCase(env.relay);
  responsibleAtTheCli(env.relay, f, caseId, 'responsible-progress');
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await joinInBrowser(page, env.relay.origin, f, caseId, passphrase);
  await page.getByRole('button', { name: 'Your letters' }).click();
  await page.getByRole('button', { name: 'Write a letter' }).click();
  await page.getByLabel('Your letter').fill('With the recording of the meeting.');
  await page.getByLabel('Add photos or files (optional)').setInputFiles({ name: 'recording.m4a', mimeType: 'audio/mp4',
    buffer: Buffer.alloc(6 * 1024 * 1024, 7) });
  // A home line, not loopback: about 8 Mbit/s up, so the sending takes a few seconds.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions',
    { offline: false, latency: 20, downloadThroughput: 4e6, uploadThroughput: 1e6 });
  // Every value the bar shows, as a person would see it change.
  const bar = await watchBar(page);
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 120000 });
  const seen = await bar();
  const between = seen.filter((v) => v > 0 && v < 100);
  assert.ok(between.length >= 3, `the bar moved through ${JSON.stringify(seen)}`);
  assert.deepEqual([...seen].sort((a, b) => a - b), seen, 'never backwards');
  assert.equal(Math.max(...seen), 100, 'and reached the end');
  assert.equal((f.run(['queue']) as unknown[]).length, 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('declining is asked calmly and set apart; the writer sees it declined with the note; a letter taken back says so', async () => {
  width = 'desktop';
  const { f, caseId } = facilitatorWithCase(env.relay);
  const r = responsibleAtTheCli(env.relay, f, caseId, 'responsible-decline');
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  page.on('dialog', (d) => {
    problems.push(`a browser dialog: ${d.message()}`);
    void d.dismiss();
  });
  await joinInBrowser(page, env.relay.origin, f, caseId, passphrase);
  await page.getByRole('button', { name: 'Your letters' }).click();

  // Her letter is declined by its reader; once the facilitator passes that on, she sees it, with the note.
  await page.getByRole('button', { name: 'Write a letter' }).click();
  await page.getByLabel('Your letter').fill('I wanted to tell you what that night did to me.');
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });
  const first = (f.run(['queue']) as { message: string }[])[0].message;
  f.run(['review', caseId, first]);
  f.run(['approve', caseId, first]);
  r.run(['decline', caseId, first]);
  f.run(['tell-declined', caseId, first, '--note', 'He is not able to read letters yet. We can talk about what next.']);
  await page.getByRole('link', { name: /From you, .*: declined/ }).waitFor({ timeout: 10000 });
  await page.getByRole('link', { name: /From you, .*: declined/ }).click();
  await page.getByRole('heading', { name: 'The reader declined this letter' }).waitFor({ timeout: 20000 });
  await page.getByText('He is not able to read letters yet.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Take this letter back' }).count(), 0, 'nothing to take back');
  await noViolations(page, 'a declined letter');
  await page.getByRole('button', { name: 'Back to your letters' }).click();

  // A letter for her: declining sits apart from "Open now" and is confirmed in a dialog.
  const second = r.run(['write', caseId, '--text', 'I am sorry for what I did.']).message as string;
  f.run(['review', caseId, second]);
  f.run(['approve', caseId, second]);
  await page.getByRole('link', { name: /To you, .*: waiting for you/ }).click();
  const decline = page.getByRole('button', { name: 'Decline this letter' });
  await decline.waitFor({ timeout: 20000 });
  assert.equal(await page.locator('.choices').getByRole('button', { name: 'Decline this letter' }).count(), 0,
    'not beside "Open now"');
  await decline.click();
  const dialog = page.getByRole('dialog', { name: 'Decline this letter?' });
  await dialog.waitFor();
  await noViolations(page, 'declining');
  await dialog.getByRole('button', { name: 'Keep it for now' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(r.run(['letters', caseId]).find((m: { message: string }) => m.message === second).state, 'released',
    'kept for now is kept');
  await decline.click();
  await dialog.getByRole('button', { name: 'Decline the letter' }).click();
  await page.getByText('You declined the letter.').waitFor({ timeout: 20000 });

  // A letter she opened, then taken back by its writer: tapped, it says so, and its copy here is gone.
  const third = r.run(['write', caseId, '--text', 'Please read this one.']).message as string;
  f.run(['review', caseId, third]);
  f.run(['approve', caseId, third]);
  await page.getByRole('link', { name: /To you, .*: waiting for you/ }).click();
  await page.getByRole('button', { name: 'Open now' }).click();
  await page.getByText('Please read this one.').waitFor({ timeout: 20000 });
  await page.getByRole('button', { name: 'Back to your letters' }).click();
  r.run(['revoke', caseId, third]);
  await page.getByRole('link', { name: /To you, .*: taken back/ }).click({ timeout: 20000 });
  await page.getByText('The writer has taken this letter back.').waitFor({ timeout: 20000 });
  const keptCopy = await page.evaluate((id) => new Promise<string>((resolve) => {
    const open = indexedDB.open('shuttle');
    open.onsuccess = () => {
      const get = open.result.transaction('profile').objectStore('profile').get(`letter/${id}`);
      get.onsuccess = () => resolve(String(get.result ?? ''));
    };
  }), third);
  assert.equal(keptCopy, '', 'the sealed copy of a letter taken back is deleted');
  assert.deepEqual(problems.filter((p) => !/^Failed to load resource: the server responded with a status of 410/.test(p)), []);
  await context.close();
});

test('a reply points at the letter it answers on both sides; a revision keeps the note beside it and survives a reload', async () => {
  width = 'desktop';
  const { f, caseId } = facilitatorWithCase(env.relay);
  const r = responsibleAtTheCli(env.relay, f, caseId, 'responsible-reply');
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await joinInBrowser(page, env.relay.origin, f, caseId, passphrase);
  await page.getByRole('button', { name: 'Your letters' }).click();

  // His letter; her reply to it from the letter itself.
  const his = r.run(['write', caseId, '--text', 'Could we talk about what happened that night?']).message as string;
  f.run(['review', caseId, his]);
  f.run(['approve', caseId, his]);
  await page.getByRole('link', { name: /To you, .*: waiting for you/ }).click({ timeout: 20000 });
  await page.getByRole('button', { name: 'Open now' }).click();
  await page.getByRole('button', { name: 'Reply to this letter' }).click();
  await page.getByRole('heading', { name: 'A reply' }).waitFor();
  assert.equal(new URL(page.url()).hash, `#reply=${his}`);
  await page.getByText('In reply to the letter that begins “Could we talk about what happened that night?”').waitFor();
  await noViolations(page, 'replying');
  await page.getByLabel('Your letter').fill('Yes, through our facilitator, when I am ready.');
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });
  await page.getByRole('link', { name: /From you, .*: with your facilitator, a reply/ }).waitFor();
  const reply = (f.run(['queue']) as { message: string }[])[0].message;
  f.run(['review', caseId, reply]);
  f.run(['approve', caseId, reply]);
  const seen = (r.run(['letters', caseId]) as { message: string; kind: string; answers?: string }[]).find((m) => m.message === reply);
  assert.equal(seen?.kind, 'reply');
  assert.equal(seen?.answers, his, 'the reply names the letter it answers');

  // Her letter returned with a note: written again with the note beside the editor, across a reload.
  await page.getByRole('button', { name: 'Write a letter' }).click();
  await page.getByLabel('Your letter').fill('We lived on Elm Street then.');
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });
  const first = (f.run(['queue']) as { message: string }[])[0].message;
  f.run(['review', caseId, first]);
  f.run(['return', caseId, first, '--reason', 'identifying_information', '--note', 'Please leave out the street name.']);
  await page.getByRole('link', { name: /From you, .*: returned with a note/ }).click({ timeout: 20000 });
  await page.getByRole('button', { name: 'Write it again' }).click();
  await page.getByRole('heading', { name: 'Write it again' }).waitFor({ timeout: 20000 });
  assert.equal(new URL(page.url()).hash, `#revise=${first}`);
  await page.getByText('Please leave out the street name.').waitFor();
  assert.equal(await page.getByLabel('Your letter').inputValue(), 'We lived on Elm Street then.');
  await page.getByLabel('Your letter').fill('We lived near the river then.');
  await page.waitForTimeout(1000);  // the draft is sealed 0.4 s after the last key
  await page.reload();
  await page.getByLabel('Passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByRole('heading', { name: 'Write it again' }).waitFor({ timeout: 30000 });
  await page.getByText('Please leave out the street name.').waitFor();
  assert.equal(await page.getByLabel('Your letter').inputValue(), 'We lived near the river then.');
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });
  const revised = (f.run(['letters', caseId]) as { message: string; revises?: string }[]).find((m) => m.revises === first);
  assert.ok(revised, 'the revision names the returned letter');
  assert.equal(f.run(['review', caseId, revised!.message]).text, 'We lived near the river then.');
  assert.deepEqual(problems, []);
  await context.close();
});

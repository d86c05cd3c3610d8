// The console as a facilitator meets it on a hard day. The relay goes away
// while they write the note that goes with an approval, and comes back: the
// console says so calmly at the top, keeps every word typed, refuses the
// approval in words while it is away, and approves once it is back. And a
// facilitator who works with the keyboard alone reviews a letter and writes
// a note for colleagues without touching a mouse.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';

import { Person, axeViolations, relayAndBrowser, watchedPage } from './harness.js';

const env = relayAndBrowser();

// A facilitator at the CLI with a case, both parties attested, and a letter waiting; `n` tells profiles apart.
function caseWithALetter(n: string, text: string): { f: Person; caseId: string; letter: string; r: Person } {
  const relay = env.relay;
  const f = new Person(relay, `${n}-facilitator`);
  f.run(['enrol', relay.inviteFacilitator(), '--name', 'Ingrid Berg']);
  const caseId = f.run(['case', 'open']).case as string;
  f.run(['case', 'label', caseId, '--label', 'Lillehammer, spring']);
  const h = new Person(relay, `${n}-harmed`);
  h.run(['enrol', f.run(['invite', caseId, '--role', 'harmed']).code]);
  f.run(['attest', caseId, '--safety-number', h.run(['whoami']).safety_number]);
  const r = new Person(relay, `${n}-responsible`);
  r.run(['enrol', f.run(['invite', caseId, '--role', 'responsible']).code]);
  f.run(['attest', caseId, '--safety-number', r.run(['whoami']).safety_number]);
  const letter = h.run(['write', caseId, '--text', text]).message as string;
  return { f, caseId, letter, r };
}

// Their keys brought into a fresh browser from the CLI (SPEC 11.1).
async function consoleWithKeys(f: Person, page: Page, name: string): Promise<void> {
  const file = `${env.relay.dir}/${name}-keys.json`;
  f.run(['export-keys', file]);
  await page.goto(`${env.relay.origin}/#console`);
  await page.getByLabel('Your keys file').setInputFiles(file);
  await page.getByLabel('Passphrase', { exact: true }).last().fill('a long test passphrase');
  await page.getByRole('button', { name: 'Use these keys' }).click();
}

test('the console loses the connection while a note is typed, and nothing typed is lost', async () => {
  const relay = env.relay;
  const { f, caseId, letter, r } = caseWithALetter('connection', 'What I have wanted to say.');
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await consoleWithKeys(f, page, 'connection');
  await page.getByRole('link', { name: 'Read and decide' }).click({ timeout: 60000 });
  await page.getByText('What I have wanted to say.').waitFor({ timeout: 30000 });
  const note = 'Take your time with this one; we can talk on Friday.';
  await page.getByLabel('A note for its reader (optional)').fill(note);

  // The relay goes away: said at the top; approving is refused in words; the note stays.
  await relay.pause();
  await page.getByText('Shuttle cannot be reached just now.').first().waitFor({ timeout: 20000 });
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.locator('p.problem[role=alert]').filter({ hasText: /reached/ }).waitFor({ timeout: 20000 });
  assert.equal(await page.getByLabel('A note for its reader (optional)').inputValue(), note, 'every word is still there');

  // Back: the line at the top goes by itself, and the same approval goes through with the note.
  await relay.start();
  await page.locator('#connection').waitFor({ state: 'detached', timeout: 60000 });
  assert.equal(await page.getByLabel('A note for its reader (optional)').inputValue(), note);
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByText('Approved: the letter is released to its reader.').waitFor({ timeout: 20000 });
  assert.equal(r.run(['read', caseId, letter]).facilitator_note, note);
  // Chromium logs refused connections itself; anything else is the page's.
  assert.deepEqual(problems.filter((p) => !/net::ERR_CONNECTION_REFUSED|Failed to load resource|WebSocket connection/.test(p)), []);
  await context.close();
});

test('a facilitator reviews a letter and writes a note with the keyboard alone', async () => {
  const { f, caseId, letter, r } = caseWithALetter('keyboard', 'Written for you to read slowly.');
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await consoleWithKeys(f, page, 'keyboard');
  await page.getByRole('link', { name: 'Read and decide' }).waitFor({ timeout: 60000 });
  // Tab until the element named `name` (its id, or its text) has the focus: it must be reachable.
  const tabTo = async (name: string) => {
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const here = await page.evaluate(() => {
        const e = document.activeElement as HTMLElement | null;
        return e?.id || e?.textContent?.trim() || '';
      });
      if (here === name) return;
    }
    assert.fail(`${name} cannot be reached with Tab`);
  };
  await tabTo('Read and decide');
  await page.keyboard.press('Enter');
  await page.getByText('Written for you to read slowly.').waitFor({ timeout: 30000 });
  await tabTo('reader-note');
  await page.keyboard.type('From both of us.');
  await tabTo('Approve');
  await page.keyboard.press('Enter');
  await page.getByText('Approved: the letter is released to its reader.').waitFor({ timeout: 20000 });
  assert.equal(r.run(['read', caseId, letter]).facilitator_note, 'From both of us.');

  await tabTo('Your cases');
  await page.keyboard.press('Enter');
  await page.locator('#cases').waitFor();
  await tabTo('Lillehammer, spring');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Lillehammer, spring' }).waitFor({ timeout: 20000 });
  await tabTo('internal-note');
  await page.keyboard.type('Approved with a note from both of us.');
  await tabTo('Save the note');
  await page.keyboard.press('Enter');
  await page.getByText("The note is saved for the case's facilitators.").waitFor({ timeout: 20000 });
  await page.locator('#history').getByText('Approved with a note from both of us.').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('the console in Norwegian, chosen in the page, from the one catalogue', async () => {
  const { f } = caseWithALetter('norwegian', 'Et brev.');
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await consoleWithKeys(f, page, 'norwegian');
  await page.getByRole('link', { name: 'Read and decide' }).waitFor({ timeout: 60000 });
  await page.getByRole('button', { name: 'Norsk bokmål' }).click();
  await page.getByRole('heading', { name: 'Brev som venter' }).waitFor({ timeout: 20000 });
  await page.locator('header').getByText('Shuttle for tilretteleggere').waitFor();
  await page.getByText('1 brev venter på deg.').waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'nb');
  assert.deepEqual(await axeViolations(page), []);
  await page.getByRole('link', { name: 'Sakene dine' }).click();
  await page.getByRole('link', { name: 'Lillehammer, spring' }).click();
  await page.getByRole('heading', { name: 'Saken så langt' }).waitFor({ timeout: 20000 });
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});

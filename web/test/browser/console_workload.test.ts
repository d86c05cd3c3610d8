// A facilitator with thirty cases, some shared with a colleague, opens the
// console (their keys brought from the CLI): the first page says in one look
// what waits for them, oldest first, and each filter counts what it shows.
// The cases are seeded at the CLI with letters in every state: waiting,
// claimed by the colleague, one of two approvals, returned and written
// again, approved for a release later, declined, withdrawn.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Person, noViolations, relayAndBrowser, watchedPage } from './harness.js';

const env = relayAndBrowser();

test('thirty cases in every state: the queue in order, with its filters and counts', async () => {
  const relay = env.relay;
  const f = new Person(relay, 'workload-facilitator');
  f.run(['enrol', relay.inviteFacilitator(), '--name', 'Ingrid Berg']);
  const g = new Person(relay, 'workload-colleague');
  g.run(['enrol', relay.inviteFacilitator(), '--name', 'Tomas Lie']);

  let people = 0;
  // A case with its label and an attested harmed party (and, when asked, a colleague and a responsible party).
  const openCase = (n: number, options: { twoPerson?: boolean; responsible?: boolean } = {}) => {
    const caseId = f.run(['case', 'open', ...(options.twoPerson ? ['--two-person'] : [])]).case as string;
    if (options.twoPerson) {
      g.run(['enrol', f.run(['invite', caseId, '--role', 'facilitator']).code]);
      f.run(['attest', caseId, '--safety-number', g.run(['whoami']).safety_number]);
    }
    f.run(['case', 'label', caseId, '--label', `Case ${String(n).padStart(2, '0')}`]);
    const join = (role: string) => {
      const p = new Person(relay, `workload-person-${++people}`);
      p.run(['enrol', f.run(['invite', caseId, '--role', role]).code]);
      f.run(['attest', caseId, '--safety-number', p.run(['whoami']).safety_number]);
      return p;
    };
    const h = join('harmed');
    const r = options.responsible ? join('responsible') : undefined;
    return { caseId, h, r };
  };
  const write = (p: Person, caseId: string, text: string, extra: string[] = []) =>
    p.run(['write', caseId, '--text', text, ...extra]).message as string;

  const waiting: string[] = [];  // waiting for Ingrid, in the order written
  // 22 cases with a letter waiting.
  for (let n = 1; n <= 22; n++) {
    const { caseId, h } = openCase(n);
    waiting.push(write(h, caseId, `Letter of case ${n}.`));
  }
  // Two-person: one approved by the colleague (waits for a second approval), one the colleague is reading.
  const a = openCase(23, { twoPerson: true, responsible: true });
  const second = write(a.h, a.caseId, 'For two approvals.');
  g.run(['review', a.caseId, second]);
  g.run(['approve', a.caseId, second]);
  waiting.push(second);
  const b = openCase(24, { twoPerson: true });
  const claimed = write(b.h, b.caseId, 'The colleague is reading this.');
  g.run(['claim', b.caseId, claimed]);
  // Returned, then written again: the new version waits.
  const c = openCase(25);
  const first = write(c.h, c.caseId, 'My first try.');
  f.run(['review', c.caseId, first]);
  f.run(['return', c.caseId, first, '--reason', 'identifying_information', '--note', 'Please write it without names.']);
  const revised = write(c.h, c.caseId, 'My second try.', ['--revises', first]);
  waiting.push(revised);
  // Approved for a release later: decided, so it no longer waits in the queue.
  const d = openCase(26, { responsible: true });
  const later = write(d.h, d.caseId, 'For the evening.');
  f.run(['review', d.caseId, later]);
  f.run(['approve', d.caseId, later, '--release-at', '+2h', '--yes']);
  // Declined by its reader, and a letter whose writer withdrew: neither waits.
  const e = openCase(27, { responsible: true });
  const declined = write(e.h, e.caseId, 'Not read.');
  f.run(['review', e.caseId, declined]);
  f.run(['approve', e.caseId, declined]);
  e.r!.run(['decline', e.caseId, declined]);
  const w = openCase(28);
  write(w.h, w.caseId, 'Taken back by leaving.');
  w.h.run(['withdraw', w.caseId, '--yes']);
  for (let n = 29; n <= 30; n++) openCase(n);  // cases with nothing in them yet

  const file = `${relay.dir}/workload-keys.json`;
  f.run(['export-keys', file]);
  // Her clock at about ten in the morning, whenever the test runs, so the letter released in two hours
  // is released later today (Etc/GMT-N is UTC+N).
  const ahead = ((10 - new Date().getUTCHours() + 36) % 24) - 12;
  const timezoneId = ahead === 0 ? 'UTC' : `Etc/GMT${ahead > 0 ? '-' : '+'}${Math.abs(ahead)}`;
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB', timezoneId });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${relay.origin}/#console`);
  await page.getByLabel('Your keys file').setInputFiles(file);
  await page.getByLabel('Passphrase', { exact: true }).last().fill('a long test passphrase');
  await page.getByRole('button', { name: 'Use these keys' }).click();
  await page.getByText('Your keys are in this browser, with 30 cases.').waitFor({ timeout: 60000 });

  // One look: how many wait for her, and how many for a second approval.
  await page.getByText(`${waiting.length} letters wait for you.`).waitFor();
  await page.getByText('Waiting for a second approval: 1.').waitFor();
  // Oldest first: every letter in review, the colleague's claim among them.
  const order = await page.locator('#queue > li').evaluateAll((els) => els.map((x) => x.getAttribute('data-message')));
  const expected = [...waiting.slice(0, 23), claimed, revised];
  assert.deepEqual(order, expected);
  assert.match(await page.locator(`#queue > li[data-message="${claimed}"]`).innerText(), /Tomas Lie is reading it/);
  assert.match(await page.locator(`#queue > li[data-message="${second}"]`).innerText(), /Case 23: a letter[\s\S]*1 of 2 approvals/);
  assert.match(await page.locator(`#queue > li[data-message="${revised}"]`).innerText(), /Case 25: a letter written again/);
  for (const gone of [later, declined]) assert.equal(await page.locator(`#queue > li[data-message="${gone}"]`).count(), 0);
  // What else asks for her: the declined letter its writer does not know of yet, and who left.
  assert.deepEqual(await page.locator('#attention > li p').allInnerTexts(), [
    'Case 27: a letter was declined by its reader. Its writer does not know yet.',
    'Case 28: the harmed party has left the process.',
  ]);
  await noViolations(page, 'console thirty cases and what else asks for her', '1280');

  // The filters and their counts.
  const count = async (name: string, n: number) => {
    await page.getByRole('link', { name: `${name} (${n})` }).click();
    await page.waitForFunction((k) => document.querySelectorAll('#queue > li').length === k, n);
  };
  await count('Waiting for me', waiting.length);
  await count('Waiting for a second approval', 1);
  await count('I am reading', 0);
  // Approved for a release in two hours: listed apart, with its time; one letter of case 26 is in it.
  await page.getByText(/^Approved and waiting for their release time: 1 \(the next on .*\)\.$/).waitFor();
  await count('Released later today', 1);
  assert.match(await page.locator(`#queue > li[data-message="${later}"]`).innerText(), /Case 26: a letter[\s\S]*Approved: to be released /);
  await count('All', expected.length);
  await page.getByRole('link', { name: 'Your cases' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#cases > li').length === 30);

  // She passes the decline on with a note; the writer, at the CLI, sees it declined with her words.
  await page.getByRole('link', { name: 'Letters waiting' }).click();
  await page.getByRole('link', { name: 'Pass it on' }).click();
  await page.getByText('A letter from the harmed party was declined by its reader, the responsible party.').waitFor({ timeout: 20000 });
  await page.getByLabel('A note for the writer (optional)').fill('They are not ready now. Can we talk on Thursday?');
  await noViolations(page, 'console passing a decline on', '1280');
  await page.getByRole('button', { name: 'Tell the writer' }).click();
  await page.getByText('The writer now sees that the letter was declined.').waitFor({ timeout: 20000 });
  await page.waitForFunction(() => document.querySelectorAll('#attention > li').length === 1);
  const told = e.h.run(['read', e.caseId, declined]);
  assert.equal(told.state, 'declined');
  assert.equal(told.declined_note, 'They are not ready now. Can we talk on Thursday?');
  assert.deepEqual(problems, []);
  await context.close();
});

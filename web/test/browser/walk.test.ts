// Issue 23, item 10: one case from a request sent with no account to its
// closing, as the person harmed lives it in her browser, in a two-facilitator
// case: she asks to be contacted on the service's page, joins from the link
// her facilitator sends (reading and agreeing to the consent text), sees who
// takes part, writes with the questions offered beside her letter, reads the
// other person's reply, signs the agreement and sees its item marked done,
// answers a check-in, and sees the case closed; her receipt code then says
// her request is closed. One facilitator reads the request and closes it in
// the console and runs the case at the CLI with the same keys; the other
// facilitator and the other person are at the CLI.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import type { Page } from 'playwright-core';

import { Person, consoleFromCli, noViolations, relayAndBrowser, watchedPage } from './harness.js';

const texts = mkdtempSync(join(tmpdir(), 'shuttle-walk-consent-'));
writeFileSync(join(texts, 'en.txt'), 'Everything said in this case stays between the people who take part in it.\n');
const env = relayAndBrowser(['--consent-dir', texts]);
const passphrase = 'evening tide lantern';

// Her receipt code, pasted on the service's page in another tab: where her request is.
async function later(her: Page, code: string, says: RegExp): Promise<void> {
  const tab = await her.context().newPage();
  await tab.goto(`${env.relay.origin}/#receipt`);
  await tab.getByLabel('Your receipt code').fill(code);
  await tab.getByRole('button', { name: 'Look' }).click();
  await tab.getByText(says).waitFor({ timeout: 20000 });
  await tab.close();
}

test('from a request sent with no account to the closed case, in her browser, with two facilitators', async () => {
  const f = new Person(env.relay, 'walk-facilitator');
  f.run(['enrol', env.relay.inviteFacilitator(), '--name', 'Ingrid Berg']);
  const g = new Person(env.relay, 'walk-colleague');
  g.run(['enrol', env.relay.inviteFacilitator(), '--name', 'Tomas Lie']);
  const herContext = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page: her, problems } = await watchedPage(herContext);

  // 1. She asks to be contacted, with no account, and keeps the receipt code.
  await her.goto(`${env.relay.origin}/#refer`);
  await her.getByLabel('What happened, in your own words').fill('Our shed was set on fire last spring.');
  await her.getByLabel('How and when can the service reach you?').fill('Call after five');
  await her.getByLabel('I was harmed').check();
  await her.getByRole('button', { name: 'Send to the service' }).click();
  await her.getByRole('heading', { name: 'Your request is with the service' }).waitFor({ timeout: 20000 });
  const code = (await her.locator('#receipt-code').innerText()).trim();

  // 2. Ingrid reads it in the console; at her CLI (which holds the same keys) she opens a two-person case from it; Tomas joins.
  const { context, page } = await consoleFromCli(env.chromium, env.relay, f);
  await page.getByRole('link', { name: 'Requests' }).first().click();
  await page.getByText('Our shed was set on fire last spring.').waitFor({ timeout: 20000 });
  await page.getByText('How to reach them: Call after five').waitFor();
  const [request] = f.run(['referrals']) as { referral: string }[];
  const caseId = f.run(['referral', 'open-case', request.referral, '--two-person']).case as string;
  g.run(['enrol', f.run(['invite', caseId, '--role', 'facilitator']).code]);
  f.run(['attest', caseId, '--safety-number', g.run(['whoami']).safety_number]);
  await later(her, code, /A facilitator has been in touch with you/);

  // 3. She joins from the link, reading and agreeing to the consent text; both facilitators check her keys.
  await her.goto(`${env.relay.origin}/#join=${encodeURIComponent(f.run(['invite', caseId, '--role', 'harmed']).code)}`);
  await her.getByRole('heading', { name: 'Before you join: what taking part means' }).waitFor({ timeout: 30000 });
  await her.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await her.getByLabel('The same passphrase again').fill(passphrase);
  await her.getByLabel('I have read this and I agree').check();
  await her.getByRole('button', { name: 'Continue' }).click();
  const number = await her.locator('#safety-number').getAttribute('data-number', { timeout: 60000 });
  for (const fac of [f, g]) fac.run(['attest', caseId, '--safety-number', number!]);
  const r = new Person(env.relay, 'walk-responsible');
  r.run(['enrol', f.run(['invite', caseId, '--role', 'responsible']).code, '--agree']);
  for (const fac of [f, g]) fac.run(['attest', caseId, '--safety-number', r.run(['whoami']).safety_number]);

  // 4. She sees who takes part, the facilitators by name.
  await her.getByRole('button', { name: 'Your letters' }).click();
  await her.locator('#taking-part')
    .getByText(/Taking part in this case: you, the other person, facilitator (Ingrid Berg|Tomas Lie) and facilitator (Ingrid Berg|Tomas Lie)\./)
    .waitFor({ timeout: 30000 });

  // 5. Prepared with the core questions; she writes beside them. Both facilitators approve; he reads it and replies.
  f.run(['prompts', caseId, '--for', 'harmed', '--standard']);
  f.run(['stage', caseId, 'exchange']);
  await her.getByRole('button', { name: 'Write a letter' }).click();
  await her.locator('#prompts').getByText('What do you need now?').waitFor({ timeout: 20000 });
  await her.getByLabel('Your letter').fill('What I need now is to know why.');
  await her.getByRole('button', { name: 'Send to your facilitator' }).click();
  await her.getByText('Your letter is with your facilitator.').waitFor({ timeout: 30000 });
  const approve = (message: string) => {
    for (const fac of [f, g]) {
      fac.run(['review', caseId, message]);
      fac.run(['approve', caseId, message]);
    }
  };
  const [hers] = f.run(['queue']) as { message: string }[];
  approve(hers.message);
  assert.equal(r.run(['read', caseId, hers.message]).text, 'What I need now is to know why.');
  const his = r.run(['write', caseId, '--text', 'I was angry and drunk. I am sorry.', '--reply-to', hers.message]).message as string;
  approve(his);
  await her.getByRole('link', { name: /To you, .*: waiting for you/ }).click({ timeout: 30000 });
  await her.getByRole('button', { name: 'Open now' }).click();
  await her.getByText('I was angry and drunk. I am sorry.').waitFor({ timeout: 30000 });
  await her.getByRole('button', { name: 'Back to your letters' }).click();

  // 6. The agreement: drafted, she signs in her page, the others at the CLI; item 1 marked done.
  f.run(['stage', caseId, 'agreement']);
  f.run(['agreement', 'draft', caseId, '--item', 'Help rebuild the shed | Jonas | by 1 June | Mia tells the facilitators']);
  await her.locator('#agreement-link').click({ timeout: 30000 });
  await her.getByText('Help rebuild the shed').waitFor({ timeout: 30000 });
  await her.getByRole('button', { name: 'Sign the agreement' }).click();
  await her.getByRole('dialog', { name: 'Sign the agreement' }).getByRole('button', { name: 'Sign' }).click();
  await her.getByText('You have signed. It holds once everyone has signed.').waitFor({ timeout: 30000 });
  for (const p of [r, f]) p.run(['agreement', 'sign', caseId, '--yes']);
  assert.equal(g.run(['agreement', 'sign', caseId, '--yes']).bound, true);
  await her.getByText('Everyone has signed this text: the agreement holds from').waitFor({ timeout: 30000 });
  f.run(['agreement', 'mark', caseId, '1', 'done']);
  await her.getByText('Done, says facilitator Ingrid Berg.').waitFor({ timeout: 30000 });
  await noViolations(her, 'the walk: the agreement marked done', '320');

  // 7. Aftercare: a check-in reaches her page at its time; she answers it.
  f.run(['stage', caseId, 'aftercare']);
  const due = new Date(Date.now() + 3000).toISOString().replace(/\.\d+Z$/, 'Z');
  f.run(['checkin', 'schedule', caseId, '--for', 'harmed', '--at', due, '--question', 'How are you now?']);
  await her.getByRole('button', { name: 'Your letters' }).click();
  await her.getByRole('link', { name: /A question from your facilitators, .*: waiting for your answer/ }).click({ timeout: 40000 });
  await her.getByRole('button', { name: 'Answer' }).click();
  await her.getByLabel('What you want to tell them').fill('Better. The shed stands again.');
  await her.getByRole('button', { name: 'Send' }).click();
  await her.getByText('Your facilitators have your answer. The other person never sees it.').waitFor({ timeout: 30000 });

  // 8. Ingrid closes the request in the console, then the case; her page says it is closed, and so does her code.
  await page.getByRole('link', { name: 'Requests' }).first().click();
  await page.getByRole('button', { name: 'Close this request' }).click();
  await page.getByRole('dialog', { name: 'Close this request?' }).getByRole('button', { name: 'Close this request' }).click();
  await page.getByText('The request is closed, and what it said is deleted from the relay.').waitFor({ timeout: 20000 });
  f.run(['case', 'close', caseId, '--yes']);
  await her.getByText('Your facilitator has closed this case. Nothing more can be sent.', { exact: false }).waitFor({ timeout: 30000 });
  await later(her, code, /is closed\. If you still want help/);
  const trail = JSON.stringify(f.run(['audit', caseId]));
  for (const event of ['consented', 'agreement_bound', 'item_marked', 'checkin_scheduled', 'closed']) {
    assert.ok(trail.includes(event), event);
  }
  assert.deepEqual(problems, []);
  await context.close();
  await herContext.close();
});

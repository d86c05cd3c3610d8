// The service's public page (issue 23, item 1): someone with no account asks
// to be contacted, keeps a receipt code, and later pastes it (wrapped, from
// an e-mail) to see where the request is; one facilitator reads it at the
// CLI, the other in the console, where a case is opened from it and it is
// closed. The relay never holds the words.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { Person, noViolations, relayAndBrowser, watchedPage } from './harness.js';

const env = relayAndBrowser();
const passphrase = 'quiet harbour morning';

test('a person asks to be contacted with no account; the facilitators read it; her code says where it is', async () => {
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  // Before any facilitator set up to read requests, the page says so and keeps what she wrote.
  await page.goto(`${env.relay.origin}/#refer`);
  await page.getByRole('heading', { name: 'Ask to be contacted' }).waitFor({ timeout: 20000 });
  await page.getByLabel('What happened, in your own words').fill('Someone broke into our flat in March.');
  await page.getByLabel('How and when can the service reach you?').fill('Call me on weekdays after five');
  await page.getByRole('button', { name: 'Send to the service' }).click();
  await page.getByText('This service cannot take requests here yet. Please contact it another way.').waitFor({ timeout: 20000 });
  assert.equal(await page.getByLabel('What happened, in your own words').inputValue(), 'Someone broke into our flat in March.');

  // Two facilitators: one at the CLI (it publishes its referral key when it
  // logs in), one who enrols in the console from the operator's link (the
  // console publishes its key when it first shows the queue).
  const f = new Person(env.relay, 'referral-facilitator');
  f.run(['enrol', env.relay.inviteFacilitator(), '--name', 'Ingrid Berg']);
  const gContext = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page: g, problems: gProblems } = await watchedPage(gContext);
  await g.goto(`${env.relay.origin}/#join=${encodeURIComponent(env.relay.inviteFacilitator())}`);
  await g.getByLabel('Your name').fill('Tomas Lie');
  await g.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await g.getByLabel('The same passphrase again').fill(passphrase);
  await g.getByRole('button', { name: 'Continue' }).click();
  await g.getByText('Nothing waits for you now.').waitFor({ timeout: 60000 });

  await page.getByLabel('What happened, in your own words').fill('Someone broke into our flat in March.\nI would like to talk about it.');
  await page.getByLabel('I was harmed').check();
  await noViolations(page, 'asking to be contacted', '1280');
  await page.getByRole('button', { name: 'Send to the service' }).click();
  await page.getByRole('heading', { name: 'Your request is with the service' }).waitFor({ timeout: 20000 });
  const code = (await page.locator('#receipt-code').innerText()).trim();
  assert.match(code, /^shuttle-referral-1\.[A-Za-z0-9_-]{64}$/);
  await noViolations(page, 'the receipt code', '1280');

  // The facilitator at the CLI reads it; the relay's files do not hold it.
  const [r] = f.run(['referrals']) as { what_happened: string; contact: string; about: string }[];
  assert.equal(r.what_happened, 'Someone broke into our flat in March.\nI would like to talk about it.');
  assert.equal(r.contact, 'Call me on weekdays after five');
  assert.equal(r.about, 'harmed');
  const dataDir = join(env.relay.dir, 'data');
  for (const file of readdirSync(dataDir)) {
    if (file.startsWith('relay.db')) assert.ok(!readFileSync(join(dataDir, file)).includes('broke into our flat'), file);
  }

  // The console's queue says a request waits; its page shows it, opened in the browser.
  // (A request comes with no event: the queue says it when it is next drawn.)
  await g.getByRole('link', { name: 'Your cases' }).click();
  await g.getByRole('link', { name: 'Letters waiting' }).click();
  await g.getByText('A request from someone with no account waits for contact.').waitFor({ timeout: 20000 });
  await g.getByRole('link', { name: 'See the requests' }).click();
  await g.getByRole('heading', { name: 'Requests' }).waitFor({ timeout: 20000 });
  await g.getByText('How to reach them: Call me on weekdays after five').waitFor();
  await g.getByText('They say they were harmed.').waitFor();
  await g.getByText('I would like to talk about it.').waitFor();
  await noViolations(g, 'console requests', '1280');
  // Days later, in a new browser, pasted from the e-mail she sent herself (wrapped).
  const later = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page: again, problems: laterProblems } = await watchedPage(later);
  await again.goto(`${env.relay.origin}/#receipt`);
  const look = async (typed: string) => {
    await again.getByLabel('Your receipt code').fill(typed);
    await again.getByRole('button', { name: 'Look' }).click();
  };
  await look(`${code.slice(0, 40)}\n${code.slice(40)}`);
  await again.getByText(/has been received\. A facilitator will contact you the way you asked\./).waitFor({ timeout: 20000 });
  await noViolations(again, 'where a request is', '320');

  // A case is opened from it in the console: her code says someone has been in touch.
  await g.getByRole('link', { name: 'Open a case for this request' }).click();
  await g.getByText('This case is for a request from someone with no account').waitFor({ timeout: 20000 });
  await g.getByLabel("The case's label").fill('Flat, March');
  await g.getByLabel('Passphrase').fill(passphrase);
  await g.getByRole('button', { name: 'Open a case' }).click();
  await g.getByText('The case is open. Invite its people below.').waitFor({ timeout: 60000 });
  await look(code);
  await again.getByText(/A facilitator has been in touch with you about your request of/).waitFor({ timeout: 20000 });
  const [opened] = f.run(['referrals']) as { case?: string }[];
  assert.ok(opened.case, 'the request names the case opened from it');
  // A code with a typo is not known here; a mangled one is not a code.
  await look(code.slice(0, -3) + (code.endsWith('AAA') ? 'BBB' : 'AAA'));
  await again.getByText('This receipt code is not known here. Please check it, or contact the service another way.').waitFor();
  await look('shuttle-invite-1.abc');
  await again.getByText('That is not a receipt code. Please paste it whole; line breaks do not matter.').waitFor();

  // Closed in the console, after a question: what she wrote leaves the relay; her code says so, in Norwegian too.
  await g.getByRole('link', { name: 'Requests' }).click();
  await g.getByRole('button', { name: 'Close this request' }).click();
  const dialog = g.getByRole('dialog', { name: 'Close this request?' });
  await dialog.getByRole('button', { name: 'Close this request' }).click();
  await g.getByText('The request is closed, and what it said is deleted from the relay.').waitFor({ timeout: 20000 });
  assert.deepEqual(f.run(['referrals']), []);
  await again.getByRole('button', { name: 'Norsk bokmål' }).click();
  await again.getByLabel('Kvitteringskoden din').fill(code);
  await again.getByRole('button', { name: 'Se' }).click();
  await again.getByText(/er lukket\. Hvis du fortsatt vil ha hjelp/).waitFor({ timeout: 20000 });
  assert.deepEqual(gProblems, []);
  assert.deepEqual(problems, []);
  assert.deepEqual(laterProblems.filter((p) => !/status of 404/.test(p)), []);
  await context.close();
  await later.close();
  await gContext.close();
});

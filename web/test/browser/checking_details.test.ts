// Before a letter goes into review, the writer's page looks for details that
// could let someone find or recognise a person (src/app/identifying.ts) and
// asks about them in their sentences: it never blocks sending, and nothing
// about the check reaches the relay.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { axeViolations, facilitatorWithCase, joinInBrowser, relayAndBrowser, watchedPage } from './harness.js';

const env = relayAndBrowser();

test('an address and a phone number are asked about in their sentences; changing or sending stays hers', async () => {
  const { f, caseId } = facilitatorWithCase(env.relay);
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await joinInBrowser(page, env.relay.origin, f, caseId, 'river stone lantern');
  await page.getByRole('button', { name: 'Your letters' }).click();
  await page.getByRole('button', { name: 'Write a letter' }).click();
  const words = 'I moved after that night. Call me on 07700 900123 if you like. I live at 14 Mill Lane now.';
  await page.getByLabel('Your letter').fill(words);

  // Nothing goes to the relay while she is asked.
  const asked: string[] = [];
  const listen = (r: { url(): string }) => {
    if (r.url().includes('/v1/')) asked.push(r.url());
  };
  page.on('request', listen);
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  const dialog = page.getByRole('dialog', { name: 'Before it goes to your facilitator' });
  await dialog.waitFor();
  assert.deepEqual(await dialog.locator('li').allInnerTexts(), [
    'Call me on 07700 900123 if you like. (a phone number)',
    'I live at 14 Mill Lane now. (an address)',
  ]);
  assert.deepEqual(await axeViolations(page), []);
  // The safe choice has the focus: Enter changes the letter, and the first detail is selected for her.
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'detached' });
  page.off('request', listen);
  assert.deepEqual(asked, [], 'the check asked the relay nothing');
  const selected = await page.getByLabel('Your letter').evaluate((a) => {
    const area = a as HTMLTextAreaElement;
    return area.value.slice(area.selectionStart, area.selectionEnd);
  });
  assert.equal(selected, '07700 900123');
  await page.getByLabel('Your letter').fill('I moved after that night. I live somewhere else now.');
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });

  // A second letter with the address, sent as it is: it is her letter.
  await page.getByRole('button', { name: 'Write a letter' }).click();
  await page.getByLabel('Your letter').fill('You know the house at 14 Mill Lane.');
  await page.getByRole('button', { name: 'Send to your facilitator' }).click();
  await page.getByRole('button', { name: 'Send it as it is' }).click();
  await page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });
  const queue = f.run(['queue']) as { message: string }[];
  assert.equal(queue.length, 2);
  assert.equal(f.run(['review', caseId, queue[1].message]).text, 'You know the house at 14 Mill Lane.');
  assert.deepEqual(problems, []);
  await context.close();
});

// A party and the facilitators write to each other (issue 23, item 5): she
// writes to her facilitators from her page, they answer her alone at the
// CLI, and her page shows it at once; no review, and the other person never
// sees any of it.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { facilitatorWithCase, joinInBrowser, noViolations, relayAndBrowser, responsibleAtTheCli, watchedPage } from './harness.js';

const env = relayAndBrowser();

test('she writes to her facilitators, one answers her alone, and the other person never sees it', async () => {
  const { f, caseId } = facilitatorWithCase(env.relay);
  const r = responsibleAtTheCli(env.relay, f, caseId, 'facilitators-responsible');
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await joinInBrowser(page, env.relay.origin, f, caseId, 'orchard gate morning');
  await page.getByRole('button', { name: 'Your letters' }).click();

  // She writes to her facilitators: told plainly who reads it.
  await page.getByRole('button', { name: 'Write to your facilitators' }).click();
  await page.getByRole('heading', { name: 'Write to your facilitators' }).waitFor();
  await page.getByText('they never see it').waitFor();
  await noViolations(page, 'writing to the facilitators', '1280');
  await page.getByLabel('What you want to tell them').fill('Can we meet before anything is sent to him? Mornings suit me.');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByText('Sent to your facilitators. The other person never sees it.').waitFor({ timeout: 30000 });
  await page.getByRole('link', { name: /^Your words to your facilitators, / }).waitFor();

  // The facilitator reads it; the other person has nothing of it.
  type Listed = { message: string; kind: string };
  const question = (f.run(['letters', caseId]) as Listed[]).find((m) => m.kind === 'note')!.message;
  assert.equal(f.run(['read', caseId, question]).text, 'Can we meet before anything is sent to him? Mornings suit me.');
  assert.equal((r.run(['letters', caseId]) as Listed[]).length, 0);

  // The facilitator answers her alone; her open page shows it by itself, and it opens at once.
  const answer = f.run(['note', caseId, '--to', 'harmed', '--text', 'Yes: Tuesday at ten, at our office.']).message as string;
  await page.getByText('Your facilitator has written to you.').waitFor({ timeout: 20000 });
  await page.getByRole('link', { name: /^From your facilitator, to you alone, .*: waiting for you/ }).click();
  await page.getByText('Yes: Tuesday at ten, at our office.').waitFor({ timeout: 20000 });
  await page.getByText('This is from your facilitator, to you alone').waitFor();
  await noViolations(page, 'a note from the facilitator', '1280');
  assert.equal((r.run(['letters', caseId]) as Listed[]).length, 0, 'the other person never sees it');
  assert.equal(f.run(['letters', caseId]).find((m: Listed) => m.message === answer).state, 'delivered');
  assert.deepEqual(problems, []);
  await context.close();
});

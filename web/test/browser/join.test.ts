// Joining in a real browser, as a harmed person does: the facilitator's link
// opens the page, the person chooses a passphrase and reads the safety
// number the facilitator's CLI shows for them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { axeViolations, relayAndBrowser, facilitatorWithCase, joinInBrowser, watchedPage } from './harness.js';

const env = relayAndBrowser();

test('a harmed person joins from the link, chooses a passphrase and reads their safety number', async () => {
  const { f, caseId } = facilitatorWithCase(env.relay);
  const code = f.run(['invite', caseId, '--role', 'harmed']).code as string;
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  // The code is in the fragment: the browser never sends it to the env.relay.
  const requested: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  await page.goto(`${env.relay.origin}/#join=${encodeURIComponent(code)}`);
  await page.getByRole('heading', { name: 'Choose a passphrase' }).waitFor({ timeout: 20000 });
  assert.equal(new URL(page.url()).hash, '', 'the code leaves the address bar');
  assert.ok(requested.every((u) => !u.includes(code.slice(20, 40))), 'the code went to no server');
  assert.deepEqual(await axeViolations(page), []);

  // Too short, then two that differ: said in words, nothing sent.
  await page.getByLabel('Passphrase', { exact: true }).fill('short');
  await page.getByLabel('The same passphrase again').fill('short');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('Please use at least 10 characters.').waitFor();
  await page.getByLabel('Passphrase', { exact: true }).fill('river stone lantern');
  await page.getByLabel('The same passphrase again').fill('river stone lanterns');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('The two passphrases are not the same.').waitFor();
  await page.getByLabel('Passphrase', { exact: true }).fill('river stone lantern');
  await page.getByLabel('The same passphrase again').fill('river stone lantern');
  await page.getByRole('button', { name: 'Continue' }).click();

  const number = page.locator('#safety-number');
  await number.waitFor({ timeout: 60000 });
  const shown = await number.getAttribute('data-number');
  assert.match(shown ?? '', /^(\d{5} ){11}\d{5}$/);
  assert.deepEqual(await axeViolations(page), []);
  // The facilitator sees the same number for the harmed party: they compare it in person.
  const people = f.run(['case', 'show', caseId]).people as { role: string; safety_number: string }[];
  assert.equal(people.find((p) => p.role === 'harmed')?.safety_number, shown);
  f.run(['attest', caseId, '--safety-number', shown!]);
  assert.deepEqual(problems, [], 'no console errors and no CSP violations');
  await context.close();
});

test('a code pasted with line breaks works, and a damaged one is said in words', async () => {
  const { f, caseId } = facilitatorWithCase(env.relay);
  const code = f.run(['invite', caseId, '--role', 'responsible']).code as string;
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'nb-NO' });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${env.relay.origin}/`);
  const field = page.getByLabel('Invitasjonskoden din');
  await field.fill(code.slice(0, 60) + 'x');
  await page.getByRole('button', { name: 'Fortsett' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /ikke fullstendig/);
  // As an e-mail wraps it: line breaks and a leading space.
  await page.getByLabel('Invitasjonskoden din').fill(' ' + code.replace(/(.{50})/g, '$1\n'));
  await page.getByRole('button', { name: 'Fortsett' }).click();
  await page.getByRole('heading', { name: 'Velg en passordfrase' }).waitFor({ timeout: 20000 });
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});

declare const SHUTTLE_VECTORS_DIR: string;

test('the protocol module passes every vector inside Chromium, keystore included', async () => {
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${env.relay.origin}/`);
  await page.evaluate(readFileSync(new URL('../browser-vectors.js', import.meta.url), 'utf8'));
  const files: Record<string, unknown> = {};
  for (const name of ['transcript.json', 'padme.json', 'keys.json', 'invitation_code.json', 'statements.json',
    'letters.json', 'audit.json', 'keystore.json', 'keys_file.json', 'web_manifest.json', 'referral.json']) {
    files[name] = JSON.parse(readFileSync(SHUTTLE_VECTORS_DIR + name, 'utf8'));
  }
  const results = await page.evaluate(async (vectors) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const run = (globalThis as any).shuttleVectorChecks;
    const started = performance.now();
    const r = await run((name: string) => vectors[name]);
    return { checks: r as { name: string; error?: string }[], ms: performance.now() - started };
  }, files);
  assert.ok(results.checks.length >= 10);
  for (const c of results.checks) assert.equal(c.error, undefined, `${c.name}: ${c.error}`);
  // The keystore check derives with Argon2id at SPEC 11's limits (256 MiB, 3 passes) in this browser.
  console.log(`vector checks in Chromium, keystore unlock included: ${results.ms.toFixed(0)} ms`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('joining and writing work with the keyboard alone', async () => {
  const { f, caseId } = facilitatorWithCase(env.relay);
  const code = f.run(['invite', caseId, '--role', 'harmed']).code as string;
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${env.relay.origin}/#join=${encodeURIComponent(code)}`);
  await page.getByRole('heading', { name: 'Choose a passphrase' }).waitFor({ timeout: 20000 });
  const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent || '');
  // Each step puts the focus on its heading; Tab goes on from there.
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'passphrase');
  await page.keyboard.type('river stone lantern');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'passphrase-again');
  await page.keyboard.type('river stone lantern');
  await page.keyboard.press('Enter');
  await page.locator('#safety-number').waitFor({ timeout: 60000 });
  const number = await page.locator('#safety-number').getAttribute('data-number');
  f.run(['attest', caseId, '--safety-number', number!]);
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'Your letters');
  await page.keyboard.press('Enter');
  await page.getByText('There are no letters yet.').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'Write a letter');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Write a letter' }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'letter');
  await page.keyboard.type('Written without a mouse.');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'files', 'the attachments come next, and can be passed by');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'Send to your facilitator');
  await page.keyboard.press('Enter');
  await page.getByText('Your letter is with your facilitator.').waitFor({ timeout: 20000 });
  const queue = f.run(['queue']) as { message: string }[];
  assert.equal(f.run(['review', caseId, queue[0].message]).text, 'Written without a mouse.');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a second link on a device that holds a conversation replaces nothing unless the person asks', async () => {
  const { f, caseId } = facilitatorWithCase(env.relay);
  const context = await env.chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB' });
  const { page, problems } = await watchedPage(context);
  await joinInBrowser(page, env.relay.origin, f, caseId, 'river stone lantern');
  const before = await page.evaluate(() => new Promise<string>((resolve) => {
    const r = indexedDB.open('shuttle');
    r.onsuccess = () => {
      const get = r.result.transaction('profile').objectStore('profile').get('keystore');
      get.onsuccess = () => resolve(get.result as string);
    };
  }));

  // The facilitator sends a fresh link (the person asked again, or a mix-up).
  const again = f.run(['invite', caseId, '--role', 'harmed']).code as string;
  await page.goto('about:blank');
  await page.goto(`${env.relay.origin}/#join=${encodeURIComponent(again)}`);
  await page.getByRole('heading', { name: 'This device already holds your keys' }).waitFor({ timeout: 20000 });
  assert.deepEqual(await axeViolations(page), []);
  await page.getByRole('button', { name: 'Go to my letters' }).click();
  await page.getByLabel('Passphrase').fill('river stone lantern');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.getByText('There are no letters yet.').waitFor({ timeout: 20000 });
  const after = await page.evaluate(() => new Promise<string>((resolve) => {
    const r = indexedDB.open('shuttle');
    r.onsuccess = () => {
      const get = r.result.transaction('profile').objectStore('profile').get('keystore');
      get.onsuccess = () => resolve(get.result as string);
    };
  }));
  assert.equal(after, before, 'the keys on this device are the same ones');

  // Asked for, and confirmed in an in-page dialog (never the browser's own):
  // focus goes into it on the safe choice, Escape cancels and focus comes
  // back; only the serious button forgets the device and uses the link.
  await page.goto('about:blank');
  await page.goto(`${env.relay.origin}/#join=${encodeURIComponent(again)}`);
  page.on('dialog', (d) => {
    problems.push(`a browser dialog: ${d.message()}`);
    void d.dismiss();
  });
  const forget = page.getByRole('button', { name: 'Forget this device and join' });
  await forget.click();
  const dialog = page.getByRole('dialog', { name: 'Forget this device?' });
  await dialog.waitFor();
  assert.deepEqual(await axeViolations(page), [], 'the dialog');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel', 'focus on the safe choice');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Forget this device and join',
    'focus back where it was');
  await page.getByRole('heading', { name: 'This device already holds your keys' }).waitFor();
  await forget.click();
  await dialog.getByRole('button', { name: 'Forget this device' }).click();
  await page.getByRole('heading', { name: 'Choose a passphrase' }).waitFor({ timeout: 20000 });
  assert.deepEqual(problems, []);
  await context.close();
});

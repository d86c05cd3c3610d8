// The facilitators' console in the browser benchmark (issue 22, item 9):
// a facilitator with `cases` cases and `items` letters waiting across them,
// seeded at the CLI, brings their keys into the console; then
//
//   console_unlock_to_queue_ms  from Unlock to the queue drawn with every
//                               item and its case's label opened in the page
//                               (Argon2id, login, the relay's answers, the
//                               labels); its ceiling is `shuttle queue`
//                               doing the same work natively (open the
//                               keystore, log in, fetch, open the labels);
//   console_queue_draw_ms       the queue drawn again once unlocked (the
//                               relay's answers and the labels only);
//   console_open_5mib_ms        from "Read and decide" to a letter with a
//                               5 MiB photo on the screen (the claim, the
//                               roster, the ciphertext streamed and opened
//                               in the worker); its ceiling is the work that
//                               cannot be left out, done natively: the same
//                               ciphertext fetched from the same relay over
//                               TLS by node with nothing in between
//                               (console_fetch_5mib_ms), then the same size
//                               opened in node on the same WebAssembly.
//
// Each is timed by the page's own clock where it can be (a MutationObserver
// set before the page's scripts run), so the driver's polling is not counted.
import { execFileSync } from 'node:child_process';
import { request } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Person, Relay, photoPng } from '../browser/harness.js';
import { letterMs } from './operations.js';

export interface ConsoleFigures {
  console_cases: number;
  console_items: number;
  console_unlock_to_queue_ms: number;
  console_queue_ceiling_ms: number;
  console_queue_ratio: number;
  console_queue_draw_ms: number;
  console_open_5mib_ms: number;
  console_fetch_5mib_ms: number;
  console_open_5mib_ceiling_ms: number;
  console_open_ratio: number;
}

const passphrase = 'a long test passphrase';  // the CLI's, so the keys file opens with it

// The time to fetch `url` whole with the page's own authorisation, by
// node: the relay's answer and TLS alone (loopback, to the relay the bench
// started, so its certificate is not checked here).
function fetchMs(url: string, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { headers: { authorization }, rejectUnauthorized: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
      res.on('end', () => (res.statusCode === 200 && bytes > 0 ? resolve(performance.now() - started)
        : reject(new Error(`the ciphertext answered ${res.statusCode} with ${bytes} bytes`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

// The time from `start()` until `#queue` holds `n` items, by the page's clock.
async function timedUntilItems(page: Page, n: number, start: () => Promise<void>): Promise<number> {
  await page.evaluate((k) => {
    const w = window as unknown as { queueAt?: number; queueFrom?: number };
    w.queueAt = undefined;
    w.queueFrom = performance.now();
    new MutationObserver((_, observer) => {
      if (document.querySelectorAll('#queue > li').length !== k) return;
      w.queueAt = performance.now();
      observer.disconnect();
    }).observe(document, { subtree: true, childList: true });
  }, n);
  await start();
  await page.waitForFunction(() => (window as unknown as { queueAt?: number }).queueAt !== undefined, undefined,
    { timeout: 300000 });
  return page.evaluate(() => {
    const w = window as unknown as { queueAt: number; queueFrom: number };
    return w.queueAt - w.queueFrom;
  });
}

export async function consoleFigures(chromium: Browser, relay: Relay, cases: number, perCase: number): Promise<ConsoleFigures> {
  // Seeded as the workload test does: each case labelled, with an attested
  // harmed party who writes `perCase` letters; one more case holds the photo.
  const f = new Person(relay, 'bench-console-facilitator');
  f.run(['enrol', relay.inviteFacilitator(), '--name', 'Ingrid Berg']);
  const open = (n: number) => {
    const caseId = f.run(['case', 'open']).case as string;
    f.run(['case', 'label', caseId, '--label', `Case ${n}`]);
    const h = new Person(relay, `bench-console-party-${n}`);
    h.run(['enrol', f.run(['invite', caseId, '--role', 'harmed']).code]);
    f.run(['attest', caseId, '--safety-number', h.run(['whoami']).safety_number]);
    return { caseId, h };
  };
  for (let n = 1; n <= cases; n++) {
    const { caseId, h } = open(n);
    for (let i = 0; i < perCase; i++) h.run(['write', caseId, '--text', `Letter ${i + 1} of case ${n}.`]);
  }
  const photoCase = open(cases + 1);
  const photoFile = join(relay.dir, 'garden.png');
  writeFileSync(photoFile, photoPng(5 * 1024 * 1024));
  const photoLetter = photoCase.h.run(['write', photoCase.caseId, '--text', 'The garden.', '--attach', photoFile]).message as string;
  const items = cases * perCase + 1;

  // The ceiling for the queue: the CLI's `queue`, keystore to labels, median of three.
  const cli = (): number => {
    const started = performance.now();
    execFileSync(process.env.SHUTTLE_CLI_BINARY!, ['queue', '--json', '--profile', join(relay.dir, 'bench-console-facilitator')],
      { env: { ...process.env, SHUTTLE_PASSPHRASE: passphrase }, stdio: ['ignore', 'ignore', 'inherit'] });
    return performance.now() - started;
  };
  const ceilings = [cli(), cli(), cli()].sort((a, b) => a - b);

  const file = join(relay.dir, 'bench-console-keys.json');
  f.run(['export-keys', file]);
  const context = await chromium.newContext();
  const page = await context.newPage();
  await page.goto(`${relay.origin}/#console`);
  await page.getByLabel('Your keys file').setInputFiles(file);
  await page.getByLabel('Passphrase', { exact: true }).last().fill(passphrase);
  await page.getByRole('button', { name: 'Use these keys' }).click();
  await page.getByText(`Your keys are in this browser, with ${cases + 1} cases.`).waitFor({ timeout: 120000 });

  // Locked, as a facilitator finds it in the morning; Unlock to a usable queue.
  await page.goto('about:blank');
  await page.goto(`${relay.origin}/#queue`);
  await page.getByRole('button', { name: 'Unlock' }).waitFor();
  await page.getByLabel('Passphrase').fill(passphrase);
  const unlockToQueue = await timedUntilItems(page, items, () => page.getByRole('button', { name: 'Unlock' }).click());
  const labels = await page.locator('#queue > li h2').allInnerTexts();
  if (labels.some((l) => !/^Case \d+: /.test(l))) throw new Error('the queue was drawn without its labels');
  // Drawn again, unlocked: to the cases and back.
  await page.getByRole('link', { name: 'Your cases' }).click();
  await page.locator('#cases').waitFor();
  const redraw = await timedUntilItems(page, items, () => page.getByRole('link', { name: 'Letters waiting' }).click());

  // Opening the 5 MiB letter for review, by the page's clock: from the click to the photo on the screen.
  await page.evaluate(() => {
    const w = window as unknown as { shownAt?: number };
    new MutationObserver((_, observer) => {
      const img = document.querySelector('img.attached') as HTMLImageElement | null;
      if (!img) return;
      w.shownAt = performance.now();
      observer.disconnect();
    }).observe(document, { subtree: true, childList: true });
  });
  const link = page.locator(`#queue > li[data-message="${photoLetter}"] a`);
  let fetched: { url: string; authorization: string } | undefined;
  page.on('request', (r) => {
    const authorization = r.headers().authorization;
    if (r.url().endsWith(`/messages/${photoLetter}/ciphertext`) && authorization) fetched = { url: r.url(), authorization };
  });
  const clickedAt = await link.evaluate((a) => {
    const at = performance.now();
    (a as HTMLAnchorElement).click();
    return at;
  });
  await page.locator('img.attached').waitFor({ timeout: 120000 });
  const shownAt = await page.evaluate(() => (window as unknown as { shownAt: number }).shownAt);
  if (!fetched) throw new Error('the page did not fetch the ciphertext');
  const fetches = [await fetchMs(fetched.url, fetched.authorization), await fetchMs(fetched.url, fetched.authorization),
    await fetchMs(fetched.url, fetched.authorization)].sort((a, b) => a - b);
  await page.getByRole('button', { name: 'Back, without deciding' }).click();
  await context.close();
  const node = await letterMs(5 * 1024 * 1024, 3);

  const ceiling = ceilings[1];
  const openMs = shownAt - clickedAt;
  const openCeiling = fetches[1] + node.open;
  return {
    console_cases: cases, console_items: items,
    console_unlock_to_queue_ms: Math.round(unlockToQueue), console_queue_ceiling_ms: Math.round(ceiling),
    console_queue_ratio: +(unlockToQueue / ceiling).toFixed(2), console_queue_draw_ms: Math.round(redraw),
    console_open_5mib_ms: Math.round(openMs), console_fetch_5mib_ms: Math.round(fetches[1]),
    console_open_5mib_ceiling_ms: +openCeiling.toFixed(1), console_open_ratio: +(openMs / openCeiling).toFixed(2),
  };
}

// The browser client's benchmark (scripts/bench runs it; docs/PERFORMANCE.md
// records it): the real relay serving the built client over TLS, Debian's
// Chromium, and the `shuttle` CLI for the facilitator.
//
// Measures the bytes a first visit transfers (compressed, as the relay sends
// them) and a second one (cached by hash), the time until a person following
// a joining link can type a passphrase, on this machine and throttled like a
// low-end phone (CPU 4x slower, 1.6 Mbit/s, 150 ms round trips), the whole
// join from the link to the safety number (the median of five), one keystore
// unlock, sealing and opening a letter with a 1 MiB attachment, and the
// longest task on the page's thread while a 5 MiB photo is sent and opened;
// then the facilitators' console (console_phase.ts): from Unlock to a usable
// queue of thirty cases and 300 letters, and opening a 5 MiB letter for review.
// The ceilings are the same operations in node, on the same WebAssembly, in
// this run: Chromium's ratio to them is the figure that is checked; a full
// run also holds the join (1.5 s) and the longest task (100 ms) to their
// targets.
//
//   node browser.bench.mjs [--short]   (SHUTTLE_RELAY_BINARY, SHUTTLE_CLI_BINARY, SHUTTLE_WEB_ROOT)
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { Person, Relay, browser, facilitatorWithCase, joinInBrowser, photoPng } from '../browser/harness.js';
import { consoleFigures } from './console_phase.js';
import { letterMs, unlockMs } from './operations.js';

const short = process.argv.includes('--short');
const runs = short ? 1 : 3;
// Sealing and opening 1 MiB take milliseconds: seven of each in every mode, so one pause of the machine's is not the median.
const letterRuns = 7;
const firstVisitBudget = 512 * 1024;  // compressed bytes: a phone on a slow line
const maxRatio = 4;                   // Chromium against node on the same WebAssembly
const joinTargetMs = 1500;            // from the link to the safety number, the median
const longTaskTargetMs = 100;         // the longest task on the page's thread around a 5 MiB photo
const consoleQueueMaxRatio = 4;       // Unlock to a drawn queue, against `shuttle queue` doing the same work
const consoleOpenMaxRatio = 5;        // a 5 MiB letter opened for review, against fetching it and opening it in node (about 3)
const consoleQueueTargetMs = 2000;    // thirty cases, 300 letters: from Unlock to a usable queue
const consoleOpenTargetMs = 1000;     // a 5 MiB letter, from "Read and decide" to its photo on the screen

interface Visit {
  bytes: number;
  requests: number;
  usableMs: number;
}

async function visit(page: Page, url: string, phoneLike: boolean): Promise<Visit> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  if (phoneLike) {
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await cdp.send('Network.emulateNetworkConditions',
      { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 0.75e6 / 8 });
  }
  let bytes = 0, requests = 0;
  cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => {
    bytes += e.encodedDataLength;
    requests++;
  });
  await page.goto('about:blank');  // a new visit, never a jump within the page
  const started = performance.now();
  await page.goto(url);
  await page.getByLabel('Passphrase', { exact: true }).waitFor({ state: 'visible', timeout: 120000 });
  const usableMs = performance.now() - started;
  await page.waitForLoadState('networkidle');
  await cdp.detach();
  return { bytes, requests, usableMs };
}

// Joining as a person does, from the link to the first page she can use
// after joining (the safety number to read aloud): the page loaded cold, the
// passphrase chosen (Argon2id seals the new keys), keys made, enrolled and
// logged in. One fresh browser context each, so nothing is cached. Timed by
// the page's own clock, from the start of its navigation to the moment the
// safety number is on the screen (a MutationObserver set before the page's
// scripts run), so the driver's polling is not counted.
async function joinMs(chromium: Browser, link: () => string): Promise<number> {
  const context = await chromium.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (!document.getElementById('safety-number')) return;
      (window as unknown as { joined: number }).joined = performance.now();
      observer.disconnect();
    }).observe(document, { subtree: true, childList: true });
  });
  await page.goto('about:blank');
  await page.goto(link());
  await page.getByLabel('Passphrase', { exact: true }).fill('river stone lantern');
  await page.getByLabel('The same passphrase again').fill('river stone lantern');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.locator('#safety-number').waitFor({ state: 'visible', timeout: 120000 });
  const ms = await page.evaluate(() => (window as unknown as { joined: number }).joined);
  await context.close();
  return ms;
}

// The longest task on the page's own thread while a person sends a letter
// with a 5 MiB photo and while the other person opens it (Chromium's Long
// Tasks API: any task over 50 ms). Sealing and opening run in the crypto
// worker; what is left on the page's thread must stay under 100 ms, or the
// page stops answering taps and keys.
async function longestTasks(chromium: Browser, relay: Relay, f: Person, caseId: string): Promise<{ send: number; open: number }> {
  const join = async (role: string) => {
    const page = await (await chromium.newContext()).newPage();
    await joinInBrowser(page, relay.origin, f, caseId, 'river stone lantern', role);
    await page.getByRole('button', { name: 'Your letters' }).click();
    return page;
  };
  const watch = (page: Page) => page.evaluate(() => {
    const w = window as unknown as { longest: number };
    w.longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longest = Math.max(w.longest, e.duration);
    }).observe({ type: 'longtask' });
  });
  const longest = (page: Page) => page.evaluate(() => (window as unknown as { longest: number }).longest);
  const her = await join('harmed');
  const him = await join('responsible');
  const photo = photoPng(5 * 1024 * 1024);
  await her.getByRole('button', { name: 'Write a letter' }).click();
  await her.getByLabel('Your letter').fill('The garden.');
  await her.getByLabel('Add photos or files (optional)').setInputFiles({ name: 'garden.png', mimeType: 'image/png', buffer: photo });
  await watch(her);
  await her.getByRole('button', { name: 'Send to your facilitator' }).click();
  await her.getByText('Your letter is with your facilitator.').waitFor({ timeout: 120000 });
  const send = await longest(her);
  const letter = (f.run(['queue']) as { message: string }[])[0].message;
  f.run(['review', caseId, letter]);
  f.run(['approve', caseId, letter]);
  await him.getByText('A letter is waiting for you.').waitFor({ timeout: 30000 });
  await watch(him);
  await him.getByRole('link', { name: /To you, .*: waiting for you/ }).click();
  await him.getByRole('button', { name: 'Open now' }).click();
  await him.getByRole('img').waitFor({ timeout: 120000 });
  const open = await longest(him);
  await her.context().close();
  await him.context().close();
  return { send, open };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const relay = new Relay();
  await relay.start();
  // The relay's self-signed certificate, trusted by its key as a real one
  // would be: Chromium caches nothing from a site whose certificate it
  // ignores, and the repeat visit is about the cache.
  const spki = execSync(`openssl x509 -in ${join(relay.dir, 'data', 'tls-certificate.pem')} -pubkey -noout | ` +
    'openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64', { encoding: 'utf8' }).trim();
  const chromium = await browser([`--ignore-certificate-errors-spki-list=${spki}`]);
  try {
    const { f, caseId } = facilitatorWithCase(relay);
    const link = () => `${relay.origin}/#join=${encodeURIComponent(f.run(['invite', caseId, '--role', 'harmed']).code)}`;

    const context = await chromium.newContext();
    const page = await context.newPage();
    const first = await visit(page, link(), false);
    const again = await visit(page, link(), false);  // the same browser, its cache warm
    const phoneContext = await chromium.newContext();
    const phone = await visit(await phoneContext.newPage(), link(), true);
    const joins: number[] = [];
    for (let i = 0; i < (short ? 1 : 5); i++) joins.push(await joinMs(chromium, link));
    const tasks = await longestTasks(chromium, relay, f, caseId);
    // The facilitators' console: thirty cases and 300 letters waiting in a full run.
    const consoleResult = await consoleFigures(chromium, relay, short ? 3 : 30, short ? 3 : 10);

    // The operations inside the page, then the same in node.
    await page.evaluate(readFileSync(new URL('../browser-bench.js', import.meta.url), 'utf8'));
    const inPage = await page.evaluate(async ([n, k]) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const b = (globalThis as any).shuttleBench;
      return { unlock: await b.unlockMs(n), letter: await b.letterMs(1024 * 1024, k) };
    }, [runs, letterRuns]);
    const phonePage = await phoneContext.newPage();
    await phonePage.goto(`${relay.origin}/`);
    const cdp = await phoneContext.newCDPSession(phonePage);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await phonePage.evaluate(readFileSync(new URL('../browser-bench.js', import.meta.url), 'utf8'));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const phoneUnlock = await phonePage.evaluate(async () => (globalThis as any).shuttleBench.unlockMs(1));
    const nodeUnlock = await unlockMs(runs);
    const nodeLetter = await letterMs(1024 * 1024, letterRuns);

    const result = {
      first_visit_bytes: first.bytes, first_visit_requests: first.requests, repeat_visit_bytes: again.bytes,
      usable_ms: Math.round(first.usableMs), usable_ms_repeat: Math.round(again.usableMs),
      usable_ms_phone_like: Math.round(phone.usableMs),
      join_ms_median: Math.round(median(joins)), join_runs: joins.length,
      longest_task_send_5mib_ms: Math.round(tasks.send), longest_task_open_5mib_ms: Math.round(tasks.open),
      unlock_ms: Math.round(inPage.unlock), unlock_ms_phone_like: Math.round(phoneUnlock),
      unlock_ceiling_ms: Math.round(nodeUnlock), unlock_ratio: +(inPage.unlock / nodeUnlock).toFixed(2),
      seal_1mib_ms: +inPage.letter.seal.toFixed(1), seal_1mib_ceiling_ms: +nodeLetter.seal.toFixed(1),
      seal_ratio: +(inPage.letter.seal / nodeLetter.seal).toFixed(2),
      open_1mib_ms: +inPage.letter.open.toFixed(1), open_1mib_ceiling_ms: +nodeLetter.open.toFixed(1),
      open_ratio: +(inPage.letter.open / nodeLetter.open).toFixed(2),
      ...consoleResult,
    };
    console.log(JSON.stringify(result));
    const problems: string[] = [];
    if (first.bytes > firstVisitBudget) problems.push(`a first visit transfers ${first.bytes} bytes, over ${firstVisitBudget}`);
    for (const k of ['unlock_ratio', 'seal_ratio', 'open_ratio'] as const) {
      if (result[k] > maxRatio) problems.push(`${k} is ${result[k]}, over ${maxRatio}`);
    }
    if (result.console_queue_ratio > consoleQueueMaxRatio) {
      problems.push(`console_queue_ratio is ${result.console_queue_ratio}, over ${consoleQueueMaxRatio}`);
    }
    if (result.console_open_ratio > consoleOpenMaxRatio) {
      problems.push(`console_open_ratio is ${result.console_open_ratio}, over ${consoleOpenMaxRatio}`);
    }
    // Absolute targets (issue 21), checked in a full run: a short one runs on a machine busy with the other tests.
    if (!short) {
      if (result.join_ms_median > joinTargetMs) problems.push(`join_ms_median is ${result.join_ms_median}, over ${joinTargetMs}`);
      for (const k of ['longest_task_send_5mib_ms', 'longest_task_open_5mib_ms'] as const) {
        if (result[k] > longTaskTargetMs) problems.push(`${k} is ${result[k]}, over ${longTaskTargetMs}`);
      }
      if (result.console_unlock_to_queue_ms > consoleQueueTargetMs) {
        problems.push(`console_unlock_to_queue_ms is ${result.console_unlock_to_queue_ms}, over ${consoleQueueTargetMs}`);
      }
      if (result.console_open_5mib_ms > consoleOpenTargetMs) {
        problems.push(`console_open_5mib_ms is ${result.console_open_5mib_ms}, over ${consoleOpenTargetMs}`);
      }
    }
    if (problems.length) {
      console.error(`browser bench: ${problems.join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    await chromium.close();
    relay.stop();
  }
}

await main();

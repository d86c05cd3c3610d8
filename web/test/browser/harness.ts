// What a browser test needs around the page: the real relay binary serving
// the built client over TLS on an ephemeral loopback port, the `shuttle` CLI
// for the other people, and Debian's Chromium driven by playwright-core
// (no browser download). Paths come from the test command (CTest):
// SHUTTLE_RELAY_BINARY, SHUTTLE_CLI_BINARY, SHUTTLE_WEB_ROOT.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';

declare const SHUTTLE_WEB_DIR: string;

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (the test command sets it)`);
  return v;
};

export class Relay {
  readonly dir = mkdtempSync(join(tmpdir(), 'shuttle-browser-'));
  constructor(readonly extraArgs: string[] = []) {}
  private process?: ChildProcess;
  port = 0;

  async start(): Promise<void> {
    const portFile = join(this.dir, 'port');
    rmSync(portFile, { force: true });
    const listen = `127.0.0.1:${this.port}`;  // 0 the first time; the same port when it comes back
    this.port = 0;
    this.process = spawn(env('SHUTTLE_RELAY_BINARY'), [
      'serve', '--listen', listen, '--data-dir', join(this.dir, 'data'), '--port-file', portFile,
      '--web-root', env('SHUTTLE_WEB_ROOT'), '--threads', '2', '--log-level', 'warn',
      '--service-name', 'Restorative Justice Service Test', ...this.extraArgs,
      '--address-burst', '100000', '--address-per-minute', '100000', '--account-write-burst', '100000',
    ], { stdio: ['ignore', 'ignore', 'inherit'] });
    for (let i = 0; i < 300 && !this.port; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (existsSync(portFile)) this.port = Number(readFileSync(portFile, 'utf8').trim()) || 0;
    }
    if (!this.port) throw new Error('the relay did not start');
  }
  get origin(): string {
    return `https://127.0.0.1:${this.port}`;
  }
  inviteFacilitator(): string {
    return execFileSync(env('SHUTTLE_RELAY_BINARY'), ['admin', 'invite-facilitator', '--data-dir', join(this.dir, 'data'),
      '--relay', `127.0.0.1:${this.port}`], { encoding: 'utf8' }).trim();
  }
  // The relay goes away (a restart, a network that drops) and keeps its data.
  async pause(): Promise<void> {
    const p = this.process;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }
  // The operator's backup of the running relay (deploy/README.md, section 4): its directory.
  backup(): string {
    const to = join(this.dir, `backup-${++this.copies}`);
    execFileSync(env('SHUTTLE_RELAY_BINARY'), ['backup', '--data-dir', join(this.dir, 'data'), '--to', to],
      { stdio: ['ignore', 'ignore', 'inherit'] });
    return to;
  }
  // The operator restores a backup as deploy/README.md says: the relay
  // stopped, its data moved aside, the backup put in place, the relay started
  // again where it listened.
  async restore(from: string): Promise<void> {
    await this.pause();
    const data = join(this.dir, 'data');
    renameSync(data, `${data}.before-restore-${++this.copies}`);
    execFileSync(env('SHUTTLE_RELAY_BINARY'), ['restore', '--data-dir', data, '--from', from],
      { stdio: ['ignore', 'ignore', 'inherit'] });
    await this.start();
  }
  private copies = 0;
  stop(): void {
    this.process?.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// One person at the `shuttle` CLI: a profile directory.
export class Person {
  constructor(readonly relay: Relay, readonly name: string) {}
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  run(args: string[]): any {
    const out = execFileSync(env('SHUTTLE_CLI_BINARY'), [...args, '--json', '--profile', join(this.relay.dir, this.name)], {
      encoding: 'utf8', env: { ...process.env, SHUTTLE_PASSPHRASE: 'a long test passphrase' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out);
  }
}

// A facilitator with a case, as the CLI tests have it.
let facilitators = 0;
export function facilitatorWithCase(relay: Relay): { f: Person; caseId: string } {
  // One profile per person and per test: the CLI keeps one account per profile.
  const f = new Person(relay, `facilitator-${++facilitators}`);
  f.run(['enrol', relay.inviteFacilitator(), '--name', 'Ingrid Berg']);
  const caseId = f.run(['case', 'open']).case as string;
  return { f, caseId };
}

// One relay and one Chromium for a test file: started before its tests, ended after them.
export function relayAndBrowser(relayArgs: string[] = []): { relay: Relay; chromium: Browser } {
  const env = {} as { relay: Relay; chromium: Browser };
  before(async () => {
    env.relay = new Relay(relayArgs);
    await env.relay.start();
    env.chromium = await browser();
  });
  after(async () => {
    await env.chromium?.close();
    env.relay?.stop();
  });
  return env;
}

export async function browser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

// Every answer the relay gives the page, one JSON line each in the directory
// the test command names (SHUTTLE_API_ANSWERS_DIR), as the integration tests
// record theirs: tests/api/check_openapi.py holds them all to proto/openapi.yaml.
function recordAnswers(page: Page): void {
  const dir = process.env.SHUTTLE_API_ANSWERS_DIR;
  if (!dir) return;
  const file = join(dir, `answers-browser-${process.pid}.jsonl`);
  page.on('response', async (r) => {
    const url = new URL(r.url());
    if (!url.protocol.startsWith('http') || r.status() === 101) return;
    const line: Record<string, unknown> = { method: r.request().method(), target: url.pathname + url.search, status: r.status() };
    const type = r.headers()['content-type'] ?? '';
    try {
      const body = await r.body();
      if (type && !type.startsWith('application/json')) {
        line.content_type = type;
        line.size = body.length;
      } else {
        line.body = body.toString('utf8');
      }
    } catch {
      return;  // the page went away before the body came: nothing to check
    }
    appendFileSync(file, JSON.stringify(line) + '\n');
  });
}

// A page whose console errors (a CSP violation, an exception) fail the test.
export async function watchedPage(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  recordAnswers(page);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return { page, problems };
}

// A facilitator's console in a browser of its own, opened with the keys
// their CLI profile exports (as a facilitator moving from the CLI does).
export async function consoleFromCli(chromium: Browser, relay: Relay, f: Person, options: { timezoneId?: string } = {}):
    Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const file = `${relay.dir}/${f.name}-keys.json`;
  f.run(['export-keys', file]);
  const context = await chromium.newContext({ ignoreHTTPSErrors: true, locale: 'en-GB', ...options });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${relay.origin}/#console`);
  await page.getByLabel('Your keys file').setInputFiles(file);
  await page.getByLabel('Passphrase', { exact: true }).last().fill('a long test passphrase');
  await page.getByRole('button', { name: 'Use these keys' }).click();
  await page.getByText(/Your keys are in this browser, with \d+ cases?\./).waitFor({ timeout: 60000 });
  return { context, page, problems };
}

// axe-core inside the page (run through the debugging protocol, so the
// page's own CSP stays as it is): the WCAG 2.x A and AA rules.
export async function axeViolations(page: Page): Promise<string[]> {
  const source = readFileSync(`${SHUTTLE_WEB_DIR}node_modules/axe-core/axe.min.js`, 'utf8');
  await page.evaluate(source);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const axe = (window as any).axe;
    const r = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] });
    return r.violations.map((v: { id: string; nodes: { target: string[] }[] }) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return result as string[];
}

// Each page checked with axe and for sideways scrolling, and (with
// SHUTTLE_SCREENSHOTS=DIR) photographed for docs/ as WIDTH-WHERE.png.
export async function noViolations(page: Page, where: string, width: string): Promise<void> {
  const found = await axeViolations(page);
  if (found.length) throw new Error(`${where}: ${found.join('; ')}`);
  const dir = process.env.SHUTTLE_SCREENSHOTS;
  if (dir) await page.screenshot({ path: `${dir}/${width}-${where.replace(/[^a-z]+/g, '-')}.png`, fullPage: true });
  // Nothing scrolls sideways: the page fits the screen it is on.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 0) throw new Error(`${where}: ${overflow} px wider than the screen`);
}

// A 2x2 red PNG, then `padding` bytes after its end: a photo's size when
// asked for, still a picture Chromium draws.
export function photoPng(padding = 0): Buffer {
  return Buffer.concat([Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DAwMDAwMAAAB0AAf7d5dsAAAAASUVORK5CYII=',
    'base64'), Buffer.alloc(padding, 1)]);
}

// Records every value the page's progress bar takes from now on, as a
// person would see it change; the function returned reads them.
export async function watchBar(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { seen: number[] }).seen = seen;
    new MutationObserver(() => {
      const bar = document.querySelector('progress');
      if (bar && seen[seen.length - 1] !== bar.value) seen.push(bar.value);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
  });
  return () => page.evaluate(() => (window as unknown as { seen: number[] }).seen);
}

// A person joins in the page from the facilitator's link, chooses the
// passphrase, and is attested by the facilitator with the number the page
// shows; the page is left on the safety number.
export async function joinInBrowser(page: Page, origin: string, f: Person, caseId: string, passphrase: string,
                                    role = 'harmed'): Promise<string> {
  await page.goto(`${origin}/#join=${encodeURIComponent(f.run(['invite', caseId, '--role', role]).code)}`);
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await page.getByLabel('The same passphrase again').fill(passphrase);
  await page.getByRole('button', { name: 'Continue' }).click();
  const number = await page.locator('#safety-number').getAttribute('data-number', { timeout: 60000 });
  f.run(['attest', caseId, '--safety-number', number!]);
  return number!;
}

// The responsible party at the CLI, enrolled and attested.
export function responsibleAtTheCli(relay: Relay, f: Person, caseId: string, name: string): Person {
  const r = new Person(relay, name);
  r.run(['enrol', f.run(['invite', caseId, '--role', 'responsible']).code]);
  f.run(['attest', caseId, '--safety-number', r.run(['whoami']).safety_number]);
  return r;
}

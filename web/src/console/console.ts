// The facilitators' console: the second composition root, over the same
// parts as the parties' client (app.ts): the strings, the crypto worker, the
// relay connection, a vault and a session. Its vault is its own
// ("shuttle-console"), so a facilitator's keys never share a store with a
// party's. A page opened with a facilitator's invitation, or on a browser
// where a facilitator enrolled, is the console (main.ts asks `wanted`).
import { ready } from '../proto/sodium.js';
import type { LiveEvent } from '../app/answers.js';
import { CryptoWorker } from '../app/crypto.js';
import { EventStream } from '../app/events.js';
import { h } from '../app/dom.js';
import { Strings } from '../app/i18n.js';
import { languageSwitch, startingLanguage } from '../app/language.js';
import { Relay } from '../app/relay.js';
import { Router } from '../app/router.js';
import { Session } from '../app/session.js';
import * as unlockView from '../app/unlock.js';
import { Vault } from '../app/vault.js';
import * as casesView from './cases.js';
import * as enrolView from './enrol.js';
import { Console, ConsoleRoute, ConsoleViews, Facilitator, consoleHashOf, consoleRouteOf, facilitatorHolder } from './parts.js';
import * as queueView from './queue.js';
import * as referralsView from './referrals.js';
import * as recordView from './record.js';
import * as reviewView from './review.js';

export { wanted } from './parts.js';

export function createConsole(script: string): Console {
  const strings = new Strings();
  const crypto = new CryptoWorker(script);
  const relay = new Relay();
  const vault = new Vault('shuttle-console');
  const router = new Router<ConsoleRoute>((route, notice) => render(c, route, notice), consoleRouteOf, consoleHashOf,
    { view: 'queue' });
  const views: ConsoleViews = {
    go: (route, options) => router.go(route, options),
    current: () => router.current(),
    resume: () => router.renderCurrent(),
    askToUnlock: (problem) => unlockView.askToUnlock(c, problem),
  };
  const session = new Session<Facilitator>(relay, vault, crypto, (reason) => {
    events.stop();
    if (reason === 'forgotten') return location.reload();
    views.askToUnlock(reason === 'idle' ? strings.t('locked_idle') : undefined);
  }, facilitatorHolder);
  vault.onDeleted(() => session.lock('forgotten'));
  // What colleagues and parties do reaches the console at once; after a break it looks again.
  const events = new EventStream(relay, () => session.isUnlocked, (reachable) => showConnection(c, reachable),
    () => caughtUp(c));
  const c: Console = { strings, crypto, relay, vault, session, events, views, screen: { redraw: () => {} },
    queue: { drawing: 0 }, referralKey: {} };
  router.listen();
  return c;
}

async function render(c: Console, route: ConsoleRoute, notice?: string): Promise<void> {
  if (!c.session.isUnlocked) return c.views.askToUnlock();
  c.screen.redraw = () => void c.views.resume();
  c.events.listen((e) => onEvent(c, e));
  c.queue.notice = route.view === 'queue' ? notice : undefined;
  switch (route.view) {
    case 'queue': return queueView.show(c, notice, route.filter);
    case 'review': return reviewView.show(c, route.case, route.message);
    case 'declined': return reviewView.passOn(c, route.case, route.message);
    case 'cases': return casesView.list(c, notice);
    case 'open': return casesView.openForm(c, undefined, route.referral);
    case 'referrals': return referralsView.show(c, notice);
    case 'case': return casesView.showCase(c, route.case, notice);
    case 'record': return recordView.show(c, route.case);
  }
}

// An event, on whatever view is open: the queue looks again; a letter being
// read says at once what a colleague (or its writer) did with it; a new
// letter is announced, without content, to a facilitator who asked for it.
function onEvent(c: Console, e: LiveEvent): void {
  if (e.event === 'queued') queueView.announce(c);
  const route = c.views.current();
  if (route.view === 'queue') {
    void queueView.refresh(c, route.filter);
  } else if (route.view === 'case' && e.case === route.case &&
             ['enrolled', 'withdrawn', 'stage', 'paused', 'resumed', 'attested', 'agreement', 'released'].includes(e.event) &&
             !typing()) {
    void casesView.showCase(c, route.case);
  } else if (route.view === 'review' && e.message === route.message) {
    reviewView.meanwhile(c, e.event);
  }
}

// Back after a break: the view looks again, unless something is being
// typed in it (nothing typed is lost); a letter being read says instead what
// happened to it meanwhile, and stays as it is, its claim and notes with it.
function caughtUp(c: Console): void {
  const route = c.views.current();
  if (route.view === 'review') return void reviewView.recheck(c, route.case, route.message);
  if (!typing()) void c.views.resume();
}

// Whether something is being typed in the page (a redraw would lose it): a
// field changed from what the page put in it.
function typing(): boolean {
  return [...document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('#main textarea, #main input')]
    .some((e) => !e.readOnly && !['checkbox', 'radio', 'file'].includes(e.type) && e.value !== e.defaultValue);
}

// Out of reach: said calmly at the top of the page until the stream is back.
function showConnection(c: Console, reachable: boolean): void {
  document.getElementById('connection')?.remove();
  if (reachable) return;
  document.querySelector('header')?.append(
    h('p', { id: 'connection', role: 'status', class: 'notice' }, c.strings.t('connection_lost')));
}

// The language as the parties' page keeps it, then the step the page is at.
export async function startConsole(c: Console): Promise<void> {
  startingLanguage(c.strings);
  const title = h('p', { class: 'lead' }, c.strings.t('console_title'));
  document.body.prepend(h('header', {}, title, languageSwitch(c, () => { title.textContent = c.strings.t('console_title'); })));
  const sodium = ready();
  for (const kind of ['pointerdown', 'keydown']) {
    document.addEventListener(kind, () => c.session.touch(), { passive: true });
  }
  window.addEventListener('pagehide', () => c.session.lock());
  const fragment = location.hash;
  if (fragment.startsWith('#join=')) {
    history.replaceState(null, '', location.pathname);
    await sodium;
    return enrolView.fromLink(c, decodeURIComponent(fragment.slice('#join='.length)));
  }
  await sodium;
  if (await c.session.hasProfile()) return c.views.askToUnlock();
  enrolView.noProfile(c);
}

// The composition root: the one place where the page's parts are made and
// joined. The relay connection, the vault, the session, the event stream,
// the kept letters and the strings are created once here and handed to the
// views as one App; no module keeps state of its own, and no view imports
// another (they reach each other through app.views). The facilitators'
// console is meant to be a second root over the same parts.
import { ready } from '../proto/sodium.js';
import * as agreementView from './agreement.js';
import { Backoff } from './backoff.js';
import { CryptoWorker } from './crypto.js';
import { h } from './dom.js';
import { EventStream } from './events.js';
import { Strings } from './i18n.js';
import { languageSwitch, startingLanguage } from './language.js';
import * as joinView from './join.js';
import { KeptLetters } from './kept.js';
import * as lettersView from './letters.js';
import * as processView from './process.js';
import { Relay } from './relay.js';
import { Go, Route, Router, hashOf, routeOf } from './router.js';
import { Session, partyHolder } from './session.js';
import * as unlockView from './unlock.js';
import { Vault } from './vault.js';

// The views' entry points, for views to move between without importing each other.
export interface Views {
  // To a view of the unlocked page, by its address (router.ts).
  go(route: Route, options?: Go): void;
  // The view the address names now: a view that finished loading after the
  // person moved on draws nothing.
  current(): Route;
  // The view the address names, once unlocked (after unlocking, or a reload).
  resume(): Promise<void>;
  askToUnlock(problem?: string): void;
  askForCode(problem?: string): void;
}

// What is on the screen now, drawn again in another language.
export interface Screen {
  redraw: () => void;
}

// Where the person's case stands, as the page last found: open; left by
// this person; left by the other party (the conversation has ended); or
// closed by the facilitators. Only "open" lets a person write.
export type Standing = 'open' | 'left' | 'other_left' | 'closed';
export interface CaseStatus {
  gone: boolean;         // this person can no longer reach the case's letters on the relay
  standing: Standing;
  facilitators: string[];  // the case's facilitators' names, as the relay gives them
  people: string[];        // everyone taking part, in words, this person first ("you", "the other person", ...)
  attested: boolean;       // a facilitator has checked this person's keys (safety numbers compared)
  stage?: string;          // where the case is in the process (SPEC 5.14), as a facilitator's statement shows it
  paused: boolean;         // the person harmed paused the case (SPEC 5.15)
  agreed: boolean;         // this device keeps the consent text she agreed to (SPEC 5.16)
  newcomers: string[];     // people confirmed in the case since this device last looked, in words, to announce once
  // Looks at the case are numbered as they are asked: an answer older than
  // one already taken is dropped (an event can look again while an earlier
  // look is still on its way), and only the newest drawing of the list draws.
  looks: { asked: number; taken: number };
  drawing: number;
  // What the list was opened to say ("the letter is taken back"): kept while
  // the list is drawn again for events (one that came while it loaded
  // included), so the words are neither lost nor wiped a moment later;
  // opening the list anew replaces them.
  notice?: string;
}

export interface App {
  readonly strings: Strings;
  readonly crypto: CryptoWorker;
  readonly relay: Relay;
  readonly vault: Vault;
  readonly session: Session;
  readonly events: EventStream;
  readonly kept: KeptLetters;
  readonly views: Views;
  readonly caseStatus: CaseStatus;
  readonly screen: Screen;
  // How long the letters list waits before it looks again at a relay out of reach: 2 s, doubling to a minute.
  readonly connection: Backoff;
}

// `script`: the page's own script, which the crypto worker runs too.
export function createApp(script: string): App {
  const strings = new Strings();
  const crypto = new CryptoWorker(script);
  const relay = new Relay();
  const vault = new Vault('shuttle');
  const router = new Router<Route>((route, notice) => render(app, route, notice), routeOf, hashOf, { view: 'letters' });
  const views: Views = {
    go: (route, options) => router.go(route, options),
    resume: () => router.renderCurrent(),
    current: () => router.current(),
    askToUnlock: (problem) => unlockView.askToUnlock(app, problem),
    askForCode: (problem) => joinView.askForCode(app, problem),
  };
  const session = new Session(relay, vault, crypto, (reason) => {
    events.stop();
    if (reason === 'forgotten') return views.askForCode(strings.t('forgotten_elsewhere'));
    views.askToUnlock(reason === 'idle' ? strings.t('locked_idle') : undefined);
  }, partyHolder);
  // "Forget this device" in another tab: the keys are gone from here too.
  vault.onDeleted(() => session.lock('forgotten'));
  const events = new EventStream(relay, () => session.isUnlocked && !app.caseStatus.gone,
    (reachable) => showConnection(app, reachable),
    () => void lettersView.onCaseEvent(app, { event: 'caught_up', case: session.unlocked.caseEntry.case }));
  const kept = new KeptLetters(vault, crypto, () => session.unlocked.keys.identity.seed);
  const app: App = { strings, crypto, relay, vault, session, events, kept, views, caseStatus: { gone: false, standing: 'open', facilitators: [], people: [], attested: true, paused: false, agreed: false, newcomers: [],
    looks: { asked: 0, taken: 0 }, drawing: 0 },
    screen: { redraw: () => {} }, connection: new Backoff(2000, 60000) };
  router.listen();
  return app;
}

// The unlocked page's views by address; a locked page asks to unlock first
// and then shows the view the address names.
async function render(app: App, route: Route, notice?: string): Promise<void> {
  if (!app.session.isUnlocked) return app.views.askToUnlock();
  app.screen.redraw = () => void app.views.resume();
  // One stream while unlocked, whatever the view: what others do reaches the page at once.
  app.events.listen((e) => void lettersView.onCaseEvent(app, e));
  switch (route.view) {
    case 'letters': return lettersView.home(app, notice);
    case 'letter': return lettersView.openById(app, route.id);
    case 'write': return lettersView.writeLetter(app);
    case 'reply': return lettersView.replyTo(app, route.id);
    case 'revise': return lettersView.revise(app, route.id);
    case 'resend': return lettersView.resend(app, route.id);
    case 'leave': return lettersView.confirmWithdraw(app);
    case 'pause': return processView.confirmPause(app);
    case 'ask': return lettersView.writeLetter(app, { toFacilitators: true });
    case 'consent': return processView.consentView(app);
    case 'agreement': return agreementView.agreementView(app, notice);
    case 'answer': return lettersView.answerCheckin(app, route.id);
  }
}

// Out of reach: said calmly at the top of every page until the stream is
// back (it tries again by itself), without taking the page away.
function showConnection(app: App, reachable: boolean): void {
  document.getElementById('connection')?.remove();
  if (reachable) return;
  document.querySelector('header')?.append(
    h('p', { id: 'connection', role: 'status', class: 'notice' }, app.strings.t('connection_lost')));
}

// Language, then the step the page is at; libsodium loads meanwhile. A
// joining link carries its code in the fragment ("#join=..."), which the
// browser never sends; the page reads it and removes it from the address,
// and asks for a passphrase while the invitation is checked.
export async function start(app: App): Promise<void> {
  startingLanguage(app.strings);
  document.body.prepend(h('header', {}, languageSwitch(app)));
  const sodium = ready();
  for (const kind of ['pointerdown', 'keydown']) {
    document.addEventListener(kind, () => app.session.touch(), { passive: true });
  }
  window.addEventListener('pagehide', () => app.session.lock());
  const fragment = location.hash;
  const profile = app.session.hasProfile();
  if (fragment.startsWith('#join=')) {
    history.replaceState(null, '', location.pathname);
    const code = decodeURIComponent(fragment.slice('#join='.length));
    // A device keeps one conversation: a second link never replaces it unasked.
    const here = () => unlockView.alreadyHere(app, () => void joinView.join(app, code));
    joinView.joinFromLink(app, code, Promise.all([sodium, profile]).then(([, has]) => has), here);
    return;
  }
  await sodium;
  if (await profile) {
    app.views.askToUnlock();
    return;
  }
  app.views.askForCode();
}

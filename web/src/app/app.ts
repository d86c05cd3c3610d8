// The composition root: the one place where the page's parts are made and
// joined. The relay connection, the vault, the session, the event stream,
// the kept letters and the strings are created once here and handed to the
// views as one App; no module keeps state of its own, and no view imports
// another (they reach each other through app.views). The facilitators'
// console is meant to be a second root over the same parts.
import { ready } from '../proto/sodium.js';
import { EventStream } from './events.js';
import { Strings, chooseLanguage } from './i18n.js';
import * as joinView from './join.js';
import { KeptLetters } from './kept.js';
import * as lettersView from './letters.js';
import { Relay } from './relay.js';
import { Session } from './session.js';
import * as unlockView from './unlock.js';
import { Vault } from './vault.js';

// The views' entry points, for views to move between without importing each other.
export interface Views {
  home(notice?: string): Promise<void>;
  askToUnlock(problem?: string): void;
  askForCode(problem?: string): void;
}

// Where the person's case stands, as the page last found: whether they can
// still take part (not left, the case not closed).
export interface CaseStatus {
  gone: boolean;
}

export interface App {
  readonly strings: Strings;
  readonly relay: Relay;
  readonly vault: Vault;
  readonly session: Session;
  readonly events: EventStream;
  readonly kept: KeptLetters;
  readonly views: Views;
  readonly caseStatus: CaseStatus;
}

export function createApp(): App {
  const strings = new Strings();
  const relay = new Relay();
  const vault = new Vault('shuttle');
  const views: Views = {
    home: (notice) => lettersView.home(app, notice),
    askToUnlock: (problem) => unlockView.askToUnlock(app, problem),
    askForCode: (problem) => joinView.askForCode(app, problem),
  };
  const session = new Session(relay, vault, (reason) => {
    events.stop();
    views.askToUnlock(reason === 'idle' ? strings.t('locked_idle') : undefined);
  });
  const events = new EventStream(relay, () => session.isUnlocked);
  const kept = new KeptLetters(vault, () => session.unlocked.keys.identity.seed);
  const app: App = { strings, relay, vault, session, events, kept, views, caseStatus: { gone: false } };
  return app;
}

// Language, libsodium, then the step the page is at. A joining link carries
// its code in the fragment ("#join=..."), which the browser never sends; the
// page reads it and removes it from the address.
export async function start(app: App): Promise<void> {
  app.strings.set(chooseLanguage(navigator.languages));
  await ready();
  for (const kind of ['pointerdown', 'keydown']) {
    document.addEventListener(kind, () => app.session.touch(), { passive: true });
  }
  window.addEventListener('pagehide', () => app.session.lock());
  const fragment = location.hash;
  if (fragment.startsWith('#join=')) {
    history.replaceState(null, '', location.pathname);
    const code = decodeURIComponent(fragment.slice('#join='.length));
    // A device keeps one conversation: a second link never replaces it unasked.
    if (await app.session.hasProfile()) unlockView.alreadyHere(app, () => void joinView.join(app, code));
    else await joinView.join(app, code);
    return;
  }
  if (await app.session.hasProfile()) {
    app.views.askToUnlock();
    return;
  }
  app.views.askForCode();
}

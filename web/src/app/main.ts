// The browser client's entry: language, libsodium, then the step the page
// is at. A joining link carries its code in the fragment ("#join=..."), which
// the browser never sends; the page reads it and removes it from the address.
import { ready } from '../proto/sodium.js';
import { chooseLanguage, setLanguage } from './i18n.js';
import { askForCode, join } from './join.js';
import { hasProfile, lock, touch } from './session.js';
import { alreadyHere, askToUnlock } from './unlock.js';

async function start(): Promise<void> {
  setLanguage(chooseLanguage(navigator.languages));
  await ready();
  for (const kind of ['pointerdown', 'keydown']) document.addEventListener(kind, touch, { passive: true });
  window.addEventListener('pagehide', () => lock());
  const fragment = location.hash;
  if (fragment.startsWith('#join=')) {
    history.replaceState(null, '', location.pathname);
    const code = decodeURIComponent(fragment.slice('#join='.length));
    // A device keeps one conversation: a second link never replaces it unasked.
    if (await hasProfile()) alreadyHere(() => void join(code));
    else await join(code);
    return;
  }
  if (await hasProfile()) {
    askToUnlock();
    return;
  }
  askForCode();
}

void start();

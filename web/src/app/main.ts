// The browser client's entry, in the page and in its crypto worker (the
// same script): in the page, one of two composition roots makes the page's
// parts once and starts at the step the page is at: the facilitators'
// console (console/console.ts) for a facilitator's invitation or a browser
// a facilitator enrolled in, else the parties' client (app.ts); in the
// worker (no document), it serves the crypto requests (worker.ts).
import { createConsole, startConsole, wanted } from '../console/console.js';
import { createApp, start } from './app.js';
import { startReferral, wantsReferral } from '../refer/refer.js';
import { serveCrypto } from './worker.js';

if (typeof document === 'undefined') {
  serveCrypto(self as unknown as Parameters<typeof serveCrypto>[0]);
} else {
  // A link pasted into the address bar of a page already open changes only
  // its fragment: the page starts again from the link, as in a new tab (the
  // keys this page holds in memory are let go; the passphrase opens them).
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#join=')) location.reload();
  });
  if (wantsReferral(location.hash)) startReferral();
  else if (wanted(location.hash)) void startConsole(createConsole(import.meta.url));
  else void start(createApp(import.meta.url));
}

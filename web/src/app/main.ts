// The browser client's entry, in the page and in its crypto worker (the
// same script): in the page, the composition root makes the page's parts
// once (app.ts) and starts at the step the page is at; in the worker
// (no document), it serves the crypto requests (worker.ts).
import { createApp, start } from './app.js';
import { serveCrypto } from './worker.js';

if (typeof document === 'undefined') {
  serveCrypto(self as unknown as Parameters<typeof serveCrypto>[0]);
} else {
  void start(createApp(import.meta.url));
}

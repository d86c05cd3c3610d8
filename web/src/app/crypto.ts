// The page's side of its crypto worker (worker.ts): one worker, started by
// the composition root as the page loads, so that libsodium is ready in it
// by the time a person has typed a passphrase. Each request is a promise;
// the long ones report progress as they go.
//
// The worker runs the page's own script (the content-hashed asset the page
// loaded with SRI, listed in the signed manifest). Trusted Types guards the
// Worker constructor: the page's one policy, "shuttle-worker", makes a
// script URL of that one address and refuses any other (SECURITY.md).
import type { Bytes } from '../proto/bytes.js';
import type { Keys } from '../proto/keystore.js';
import { ErrorCode, ProtocolError } from '../proto/errors.js';
import type { LetterFacts, SealedFacts } from '../proto/letters.js';
import type { Answers, KeptLetter, Opened, Reply, Request, SealedLetter, ToAttach } from './worker.js';

type Progress = (done: number, total: number) => void;

interface TrustedTypePolicyFactory {
  createPolicy(name: string, rules: { createScriptURL: (url: string) => string }): { createScriptURL(url: string): unknown };
}

// The worker could not be started or stopped: the page says so in words.
export class CryptoUnavailable extends Error {}

export class CryptoWorker {
  private readonly worker: Worker;
  private next = 1;
  private warmed = false;
  private warming?: ReturnType<typeof setTimeout>;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; progress?: Progress }>();

  constructor(scriptUrl: string) {
    const factory = (globalThis as { trustedTypes?: TrustedTypePolicyFactory }).trustedTypes;
    const policy = factory?.createPolicy('shuttle-worker', {
      createScriptURL: (url) => {
        if (url !== scriptUrl) throw new TypeError('only the page\'s own script runs as its worker');
        return url;
      },
    });
    this.worker = new Worker((policy ? policy.createScriptURL(scriptUrl) : scriptUrl) as string,
      { type: 'module', name: 'shuttle-crypto' });
    this.worker.addEventListener('message', (ev: MessageEvent<Reply>) => this.receive(ev.data));
    this.worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      for (const w of this.waiting.values()) w.reject(new CryptoUnavailable('the crypto worker stopped'));
      this.waiting.clear();
    });
  }

  private receive(r: Reply): void {
    const w = this.waiting.get(r.id);
    if (!w) return;
    if ('progress' in r) return w.progress?.(r.progress[0], r.progress[1]);
    this.waiting.delete(r.id);
    if ('value' in r) return w.resolve(r.value);
    w.reject(r.failure.code ? new ProtocolError(r.failure.code as ErrorCode, r.failure.detail) : new Error(r.failure.detail));
  }

  private send(request: Request, transfer: Transferable[] = []): number {
    const id = this.next++;
    this.worker.postMessage({ id, request }, transfer);
    return id;
  }

  // Sends a request and waits for its answer; `id` names it for what follows (a letter's bytes).
  private register<K extends keyof Answers>(request: Request & { op: K }, progress?: Progress):
      { id: number; answer: Promise<Answers[K]> } {
    const id = this.send(request);
    const answer = new Promise<Answers[K]>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, progress });
    });
    return { id, answer };
  }

  private ask<K extends keyof Answers>(request: Request & { op: K }, progress?: Progress): Promise<Answers[K]> {
    return this.register<K>(request, progress).answer;
  }

  // Called as a passphrase form is shown: half a second later, while the
  // person types, the worker touches the memory Argon2id will use (once per
  // worker). Not at once: the page is still starting, and on a phone the
  // two would share its few cores. A passphrase sent before then needs no
  // warm-up; one sent while it runs waits for it, then runs faster.
  warmUp(): void {
    if (this.warmed) return;
    this.warmed = true;
    this.warming = setTimeout(() => {
      this.warming = undefined;
      this.ask({ op: 'warm-up' }).catch(() => {});
    }, 500);
  }

  // A derivation asked for: a warm-up not yet started is not needed.
  private derive(): void {
    this.warmed = true;
    clearTimeout(this.warming);
    this.warming = undefined;
  }

  sealKeystore(keys: Keys, passphrase: string): Promise<string> {
    this.derive();
    return this.ask({ op: 'seal-keystore', keys, passphrase });
  }
  openKeystore(text: string, passphrase: string): Promise<Keys> {
    this.derive();
    return this.ask({ op: 'open-keystore', text, passphrase });
  }

  // Seals a letter and its files under a fresh letter key; `progress` counts
  // the bytes sealed. Over `limit` once sealed: its size, nothing sealed.
  sealLetter(facts: LetterFacts, text: string, files: ToAttach[], limit: number, progress: Progress):
      Promise<SealedLetter | { tooLarge: number }> {
    return this.ask({ op: 'seal-letter', facts, text, files, limit }, progress);
  }

  // Opens a letter as its ciphertext arrives from `body`; `progress` counts
  // the bytes received and opened. Nothing comes back before the whole
  // letter is checked.
  async openLetter(sealed: SealedFacts, key: Bytes, body: ReadableStream<Uint8Array>, progress: Progress): Promise<Opened> {
    const { id: job, answer: result } = this.register({ op: 'open-letter', sealed, key }, progress);
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.send({ op: 'letter-bytes', job, data: value }, [value.buffer]);  // the bytes move, not copied
      }
    } catch (e) {
      // The connection dropped mid-letter: the opener is told to end, and
      // fails as a letter that stops short would; the reading error wins.
      this.send({ op: 'letter-end', job });
      await result.catch(() => {});
      throw e;
    }
    this.send({ op: 'letter-end', job });
    return result;
  }

  sealKept(key: Bytes, letter: KeptLetter): Promise<Blob> {
    return this.ask({ op: 'seal-kept', key, letter });
  }
  openKept(key: Bytes, message: string, sealed: string | Blob): Promise<KeptLetter> {
    return this.ask({ op: 'open-kept', key, message, sealed });
  }
}

// The relay, from the page: the same origin, JSON in both directions, every
// answer parsed strictly. Refusals keep the relay's code for the page to
// turn into words (failure.ts); nothing here shows a person a code word.
// One Relay per page, made by the composition root (app.ts), holds the
// session's token.
import { JsonObject, JsonValue, isObject, parseStrict, serialize } from '../proto/json.js';

// The relay's sentence is not kept: the page says each code in its own
// language (failure.ts, from proto/refusals.json).
export class RelayRefusal extends Error {
  constructor(readonly status: number, readonly code: string) {
    super(`${status} ${code}`);
  }
}
export class RelayUnreachable extends Error {}

function refusalOf(status: number, v: JsonValue): RelayRefusal {
  return new RelayRefusal(status, isObject(v) && typeof v.error === 'string' ? v.error : 'not_understood');
}

export class Relay {
  private token = '';

  setToken(token: string): void {
    this.token = token;
  }

  get(path: string): Promise<JsonObject> {
    return this.call('GET', path);
  }
  // `body` as a JSON object, or JSON text made by the protocol module (statements keep their exact text).
  post(path: string, body: JsonObject | string): Promise<JsonObject> {
    return this.call('POST', path, body);
  }

  private headers(json: boolean): Record<string, string> {
    return { ...(json ? { 'Content-Type': 'application/json' } : {}),
      ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}) };
  }

  private async call(method: 'GET' | 'POST', path: string, body?: JsonObject | string): Promise<JsonObject> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers: this.headers(body !== undefined),
        body: body === undefined ? undefined : typeof body === 'string' ? body : serialize(body),
        cache: 'no-store',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch {
      throw new RelayUnreachable();
    }
    let v: JsonValue;
    try {
      v = parseStrict(new TextDecoder('utf-8', { fatal: true }).decode(await response.arrayBuffer()), 64 * 1024 * 1024, 8);
    } catch {
      throw new RelayRefusal(response.status, 'not_understood');
    }
    if (!isObject(v)) throw new RelayRefusal(response.status, 'not_understood');
    if (!response.ok) throw refusalOf(response.status, v);
    return v;
  }

  // A POST whose upload reports its progress (fetch cannot): a letter with its attachments.
  postWithProgress(path: string, body: string | Blob, progress: (done: number, total: number) => void): Promise<JsonObject> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', path);
      for (const [name, value] of Object.entries(this.headers(true))) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (e) => progress(e.loaded, e.total);
      xhr.onerror = () => reject(new RelayUnreachable());
      xhr.onload = () => {
        let v: JsonValue;
        try {
          v = parseStrict(String(xhr.responseText), 1024 * 1024, 8);
        } catch {
          return reject(new RelayRefusal(xhr.status, 'not_understood'));
        }
        if (!isObject(v)) return reject(new RelayRefusal(xhr.status, 'not_understood'));
        if (xhr.status !== 200) return reject(refusalOf(xhr.status, v));
        resolve(v);
      };
      xhr.send(body);
    });
  }

  // A binary answer (a letter's ciphertext), with the session, as it arrives.
  async getStream(path: string): Promise<ReadableStream<Uint8Array>> {
    let response: Response;
    try {
      response = await fetch(path, { headers: this.headers(false), cache: 'no-store', credentials: 'omit',
        referrerPolicy: 'no-referrer' });
    } catch {
      throw new RelayUnreachable();
    }
    if (!response.ok) {
      // A refusal is JSON like any other (a letter taken back: 410 revoked).
      let v: JsonValue = null;
      try {
        v = parseStrict(await response.text(), 64 * 1024, 8);
      } catch {
        // not JSON: not understood
      }
      throw refusalOf(response.status, v);
    }
    if (!response.body) throw new RelayRefusal(response.status, 'not_understood');
    return response.body;
  }
}

// The relay, from the page: the same origin, JSON in both directions, every
// answer parsed strictly. Refusals keep the relay's code for the page to
// turn into words; nothing here shows a person a code word.
import { JsonObject, JsonValue, isObject, parseStrict, serialize } from '../proto/json.js';

// The relay's sentence is not kept: the page says each code in its own
// language (failure.ts, from proto/refusals.json).
export class RelayRefusal extends Error {
  constructor(readonly status: number, readonly code: string) {
    super(`${status} ${code}`);
  }
}

function refusalOf(status: number, v: JsonValue): RelayRefusal {
  return new RelayRefusal(status, isObject(v) && typeof v.error === 'string' ? v.error : 'not_understood');
}
export class RelayUnreachable extends Error {}

let token = '';
export function setToken(t: string): void {
  token = t;
}

async function call(method: 'GET' | 'POST', path: string, body?: JsonObject | string): Promise<JsonObject> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : serialize(body),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    throw new RelayUnreachable();
  }
  const text = new TextDecoder('utf-8', { fatal: true }).decode(await response.arrayBuffer());
  let v: JsonValue;
  try {
    v = parseStrict(text, 64 * 1024 * 1024, 8);
  } catch {
    throw new RelayRefusal(response.status, 'not_understood');
  }
  if (!isObject(v)) throw new RelayRefusal(response.status, 'not_understood');
  if (!response.ok) throw refusalOf(response.status, v);
  return v;
}

export const get = (path: string) => call('GET', path);

// A POST whose upload reports its progress (fetch cannot): a letter with its attachments.
export function postWithProgress(path: string, body: string, progress: (done: number, total: number) => void):
    Promise<JsonObject> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Content-Type', 'application/json');
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
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

// A binary answer (a letter's ciphertext), with the session.
export async function getBytes(path: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {}, cache: 'no-store',
      credentials: 'omit', referrerPolicy: 'no-referrer' });
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
  return new Uint8Array(await response.arrayBuffer());
}
// `body` as a JSON object, or JSON text made by the protocol module (statements keep their exact text).
export const post = (path: string, body: JsonObject | string) => call('POST', path, body);

// The relay, from the page: the same origin, JSON in both directions, every
// answer parsed strictly. Refusals keep the relay's code for the page to
// turn into words; nothing here shows a person a code word.
import { JsonObject, JsonValue, isObject, parseStrict, serialize } from '../proto/json.js';

export class RelayRefusal extends Error {
  constructor(readonly status: number, readonly code: string, readonly relayMessage: string) {
    super(`${status} ${code}`);
  }
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
    throw new RelayRefusal(response.status, 'not_understood', '');
  }
  if (!isObject(v)) throw new RelayRefusal(response.status, 'not_understood', '');
  if (!response.ok) {
    throw new RelayRefusal(response.status, typeof v.error === 'string' ? v.error : 'refused',
      typeof v.message === 'string' ? v.message : '');
  }
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
        return reject(new RelayRefusal(xhr.status, 'not_understood', ''));
      }
      if (!isObject(v)) return reject(new RelayRefusal(xhr.status, 'not_understood', ''));
      if (xhr.status !== 200) {
        return reject(new RelayRefusal(xhr.status, typeof v.error === 'string' ? v.error : 'refused',
          typeof v.message === 'string' ? v.message : ''));
      }
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
  if (!response.ok) throw new RelayRefusal(response.status, 'refused', '');
  return new Uint8Array(await response.arrayBuffer());
}
// `body` as a JSON object, or JSON text made by the protocol module (statements keep their exact text).
export const post = (path: string, body: JsonObject | string) => call('POST', path, body);

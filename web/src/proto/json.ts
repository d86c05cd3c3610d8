// Strict JSON (proto/SPEC.md section 1): RFC 8259 only, no key twice in one
// object, nesting and size bounded. Numbers keep their text, so an integer
// can be checked as written (no sign, fraction or exponent; below 2^53).
import { utf8 } from './bytes.js';
import { fail } from './errors.js';

export class JsonNumber {
  constructor(readonly text: string) {}
}
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

// Parses `text`, refusing anything over `maxChars` or nested deeper than `maxDepth` containers.
export function parseStrict(text: string, maxChars: number, maxDepth: number): JsonValue {
  if (text.length > maxChars) fail('too_large', 'json');
  let at = 0;
  const bad = (what = 'not JSON'): never => fail('malformed_json', what);
  const ws = () => {
    while (at < text.length) {
      const c = text.charCodeAt(at);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) at++;
      else break;
    }
  };
  const value = (depth: number): JsonValue => {
    ws();
    const c = text[at];
    if (c === '{') return object(depth + 1);
    if (c === '[') return array(depth + 1);
    if (c === '"') return string();
    if (c === 't' && text.startsWith('true', at)) return (at += 4), true;
    if (c === 'f' && text.startsWith('false', at)) return (at += 5), false;
    if (c === 'n' && text.startsWith('null', at)) return (at += 4), null;
    return number();
  };
  const number = (): JsonNumber => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(at, at + 400));
    if (!m || m[0].length === 0) bad();
    at += m![0].length;
    return new JsonNumber(m![0]);
  };
  const string = (): string => {
    at++;  // the opening quote
    let out = '';
    for (;;) {
      if (at >= text.length) bad('an unterminated string');
      const c = text.charCodeAt(at);
      if (c === 0x22) {
        at++;
        return out;
      }
      if (c < 0x20) bad('a control character in a string');
      if (c === 0x5c) {
        const e = text[at + 1];
        at += 2;
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) {
          out += simple[e];
        } else if (e === 'u') {
          const h = text.slice(at, at + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(h)) bad('a bad escape');
          out += String.fromCharCode(parseInt(h, 16));
          at += 4;
        } else {
          bad('a bad escape');
        }
        continue;
      }
      out += text[at++];
    }
  };
  const array = (depth: number): JsonValue[] => {
    if (depth > maxDepth) bad('nested too deep');
    at++;
    const out: JsonValue[] = [];
    ws();
    if (text[at] === ']') return (at++, out);
    for (;;) {
      out.push(value(depth));
      ws();
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (text[at] === ']') return (at++, out);
      bad();
    }
  };
  const object = (depth: number): JsonObject => {
    if (depth > maxDepth) bad('nested too deep');
    at++;
    const out: JsonObject = Object.create(null);
    ws();
    if (text[at] === '}') return (at++, out);
    for (;;) {
      ws();
      if (text[at] !== '"') bad();
      const key = string();
      if (Object.prototype.hasOwnProperty.call(out, key)) fail('duplicate_field', key);
      ws();
      if (text[at] !== ':') bad();
      at++;
      out[key] = value(depth);
      ws();
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (text[at] === '}') return (at++, out);
      bad();
    }
  };
  const v = value(0);
  ws();
  if (at !== text.length) bad('text after the value');
  // Lone surrogates are not Unicode text (the UTF-8 a relay sends cannot hold them).
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text)) bad('not Unicode text');
  return v;
}

// The JSON text of a value built by this module (keys in insertion order).
export function serialize(v: JsonValue): string {
  if (v instanceof JsonNumber) return v.text;
  if (Array.isArray(v)) return '[' + v.map(serialize).join(',') + ']';
  if (isObject(v)) return '{' + Object.keys(v).map((k) => JSON.stringify(k) + ':' + serialize(v[k])).join(',') + '}';
  return JSON.stringify(v);
}

export const num = (n: number): JsonNumber => new JsonNumber(String(n));

// Text a person wrote (an agreement's item, a check-in's question, a
// referral): a JSON string of 1 to `maxBytes` bytes of UTF-8 with no control
// character but the line feed (proto/json_fields.cpp, read_person_text).
// eslint-disable-next-line no-control-regex
const controls = /[\u0000-\u0009\u000b-\u001f\u007f]/;
export function personText(v: unknown, maxBytes: number, path: string): string {
  if (v === undefined) fail('missing_field', path);
  if (typeof v !== 'string') fail('wrong_type', path);
  const size = utf8(v).length;
  if (size < 1 || size > maxBytes || controls.test(v)) fail('bad_value', path);
  return v;
}

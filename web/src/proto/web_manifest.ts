// The browser client's signed asset manifest (proto/SPEC.md 16.6), as a
// verifier reads it: strict, paths checked, signature by the key it names.
// Whether that key is the trusted release key is the caller's check.
import * as b64 from './base64url.js';
import { Bytes } from './bytes.js';
import { fail } from './errors.js';
import { JsonNumber, isObject, parseStrict } from './json.js';
import { sodium } from './sodium.js';
import { Transcript } from './transcript.js';

export interface WebManifest {
  version: string;
  csp: string;
  files: Map<string, Bytes>;  // path → SHA-256, in byte order of the path
  key: Bytes;
  sig: Bytes;
}

const pathRule = /^(\/|\/assets\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127})$/;
const printable = (s: unknown, max: number): s is string => typeof s === 'string' && s.length > 0 &&
  s.length <= max && /^[\x20-\x7e]*$/.test(s);

export function webManifestTranscript(m: WebManifest): Bytes {
  const t = new Transcript('shuttle/v1/web-manifest').add(m.version).add(m.csp).addU64(m.files.size);
  for (const [path, digest] of m.files) t.add(path).add(digest);
  return t.data();
}

export function parseWebManifest(text: string): WebManifest {
  const v = parseStrict(text.replace(/\n$/, ''), 256 * 1024, 3);
  if (!isObject(v)) return fail('not_an_object', 'web manifest');
  if (!(v.v instanceof JsonNumber) || v.v.text !== '1') fail('unsupported_version', 'v');
  if (v.type !== 'web_manifest') fail('wrong_statement', 'type');
  const allowed = new Set(['v', 'type', 'version', 'csp', 'files', 'key', 'signature']);
  for (const k of Object.keys(v)) if (!allowed.has(k)) fail('unknown_field', k);
  if (!printable(v.version, 64)) fail('bad_value', 'version');
  if (!printable(v.csp, 1024)) fail('bad_value', 'csp');
  const bytesOf = (x: unknown, n: number, where: string): Bytes => {
    const d = typeof x === 'string' ? b64.decode(x) : null;
    if (!d || d.length !== n) fail('bad_encoding', where);
    return d!;
  };
  if (!isObject(v.files)) return fail('wrong_type', 'files');
  const paths = Object.keys(v.files).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (paths.length === 0 || paths.length > 512 || !paths.includes('/')) fail('bad_value', 'files');
  const files = new Map<string, Bytes>();
  for (const p of paths) {
    if (!pathRule.test(p)) fail('bad_value', `files.${p}`);
    files.set(p, bytesOf(v.files[p], 32, `files.${p}`));
  }
  const m: WebManifest = {
    version: v.version as string, csp: v.csp as string, files,
    key: bytesOf(v.key, 32, 'key'), sig: bytesOf(v.signature, 64, 'signature'),
  };
  if (!sodium().crypto_sign_verify_detached(m.sig, webManifestTranscript(m), m.key)) fail('bad_signature', 'web manifest');
  return m;
}

// Byte helpers shared by the protocol module (proto/SPEC.md section 1).

export type Bytes = Uint8Array;

export const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Bytes {
  return encoder.encode(text);
}

// UTF-8 to text; throws on invalid UTF-8.
export function fromUtf8(data: Bytes): string {
  return strictDecoder.decode(data);
}

export function concat(...parts: Bytes[]): Bytes {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equal(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export function compare(a: Bytes, b: Bytes): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export function hex(data: Bytes): string {
  let s = '';
  for (const b of data) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(text: string): Bytes {
  if (text.length % 2 !== 0 || /[^0-9a-f]/.test(text)) throw new Error('not hex');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// An unsigned integer below 2^53 as 8 bytes, big-endian.
export function u64(value: number): Bytes {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error('not a u64 below 2^53');
  const out = new Uint8Array(8);
  let v = BigInt(value);
  for (let i = 7; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function readU64(data: Bytes): number {
  if (data.length !== 8) throw new Error('not 8 bytes');
  let v = 0n;
  for (const b of data) v = (v << 8n) | BigInt(b);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('integer too large');
  return Number(v);
}

export const zeros = (n: number): Bytes => new Uint8Array(n);

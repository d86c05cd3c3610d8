// Transcripts (proto/SPEC.md section 3): the domain string and then each
// field, every one framed as a 4-byte big-endian length and its bytes.
import { Bytes, concat, readU64, u64, utf8 } from './bytes.js';

export class Transcript {
  private parts: Bytes[] = [];

  constructor(domain: string) {
    this.add(domain);
  }

  add(field: Bytes | string): this {
    const bytes = typeof field === 'string' ? utf8(field) : field;
    const n = bytes.length;
    this.parts.push(new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]), bytes);
    return this;
  }
  addU64(value: number): this {
    return this.add(u64(value));
  }
  addBool(value: boolean): this {
    return this.add(new Uint8Array([value ? 1 : 0]));
  }
  // An absent optional field is an empty frame.
  addAbsent(): this {
    return this.add(new Uint8Array(0));
  }
  data(): Bytes {
    return concat(...this.parts);
  }
  // The framed pieces in order, for a reader that takes them without
  // copying them into one buffer first (a letter's, sealed chunk by chunk).
  frames(): readonly Bytes[] {
    return this.parts;
  }
  get length(): number {
    let n = 0;
    for (const p of this.parts) n += p.length;
    return n;
  }
}

// Reads frames back strictly: a frame longer than what is left is an error.
export class FrameReader {
  private at = 0;
  constructor(private readonly data: Bytes) {}

  next(): Bytes | null {
    if (this.data.length - this.at < 4) return null;
    const d = this.data;
    const n = ((d[this.at] << 24) >>> 0) + (d[this.at + 1] << 16) + (d[this.at + 2] << 8) + d[this.at + 3];
    if (n > d.length - this.at - 4) return null;
    const out = d.subarray(this.at + 4, this.at + 4 + n);
    this.at += 4 + n;
    return out;
  }
  nextExact(n: number): Bytes | null {
    const f = this.next();
    return f && f.length === n ? f : null;
  }
  nextU64(): number | null {
    const f = this.nextExact(8);
    if (!f) return null;
    try {
      return readU64(f);
    } catch {
      return null;
    }
  }
  atEnd(): boolean {
    return this.at === this.data.length;
  }
}

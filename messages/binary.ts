import { DecodeError } from './errors.js';

const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8', { fatal: true });
/** Strings up to this many UTF-16 units take the ASCII fast path when they are ASCII. */
const SHORT_STRING = 64;

/**
 * Short ASCII strings seen lately, by their bytes: object keys and names repeat in
 * every message, and handing back the same string skips building it and lets V8
 * find it as a property key at once. Direct-mapped on a hash of the bytes; a
 * memo, so decoding stays a pure function of the bytes.
 */
const CACHE_SLOTS = 1024, CACHE_MAX = 32;
const cacheBytes = new Uint8Array(CACHE_SLOTS * CACHE_MAX);
const cacheLen = new Int16Array(CACHE_SLOTS).fill(-1);
const cacheStr: string[] = new Array<string>(CACHE_SLOTS).fill('');

/** `n` bytes at `start`, if all ASCII (which needs no UTF-8 validation), as a string; null otherwise. */
function asciiAt(buf: Uint8Array, start: number, n: number): string | null {
  let h = n;
  for (let i = 0; i < n; i++) { const c = buf[start + i]!; if (c >= 0x80) return null; h = Math.imul(h ^ c, 16777619); }
  if (n > CACHE_MAX) return String.fromCharCode.apply(null, buf.subarray(start, start + n) as unknown as number[]);
  const slot = (h >>> 7) & (CACHE_SLOTS - 1), at = slot * CACHE_MAX;
  if (cacheLen[slot] === n) {
    let i = 0;
    while (i < n && cacheBytes[at + i] === buf[start + i]) i++;
    if (i === n) return cacheStr[slot]!;
  }
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(buf[start + i]!);
  cacheBytes.set(buf.subarray(start, start + n), at);
  cacheLen[slot] = n;
  cacheStr[slot] = s;
  return s;
}

/** A growable little-endian byte writer. */
export class BinaryWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void { this.ensure(1); this.buf[this.pos++] = v; }
  u32(v: number): void { this.ensure(4); this.view.setUint32(this.pos, v, true); this.pos += 4; }
  i32(v: number): void { this.ensure(4); this.view.setInt32(this.pos, v, true); this.pos += 4; }
  f64(v: number): void { this.ensure(8); this.view.setFloat64(this.pos, v, true); this.pos += 8; }
  i64(v: bigint): void { this.ensure(8); this.view.setBigInt64(this.pos, v, true); this.pos += 8; }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.pos); this.pos += b.length; }
  string(s: string): void {
    const n = s.length;
    // Most strings are short ASCII (object keys, names): written in place, which
    // costs far less than a TextEncoder call and gives the same bytes.
    if (n <= SHORT_STRING) {
      this.ensure(4 + n);
      const buf = this.buf, start = this.pos + 4;
      let i = 0;
      for (; i < n; i++) { const c = s.charCodeAt(i); if (c >= 0x80) break; buf[start + i] = c; }
      if (i === n) { this.view.setUint32(this.pos, n, true); this.pos = start + n; return; }
    }
    const b = utf8.encode(s);
    this.u32(b.length);
    this.bytes(b);
  }
  /** Leaves room for a u32 written later with patchU32; returns where. */
  reserveU32(): number { this.ensure(4); this.pos += 4; return this.pos - 4; }
  patchU32(at: number, v: number): void { this.view.setUint32(at, v, true); }
  /** Forgets what was written, keeping the buffer (a writer reused for many values). */
  reset(): void { this.pos = 0; }
  /** Bytes the buffer holds. */
  get capacity(): number { return this.buf.length; }
  /** The written bytes (a view; copy if you keep writing). */
  finish(): Uint8Array { return this.buf.subarray(0, this.pos); }
}

/** A bounds-checked little-endian reader: running past the end is a DecodeError. */
export class BinaryReader {
  private readonly view: DataView;
  pos = 0;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  get remaining(): number { return this.buf.length - this.pos; }
  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw new DecodeError(`truncated: need ${n} bytes at ${this.pos}, have ${this.remaining}`);
  }
  u8(): number { this.need(1); return this.buf[this.pos++]!; }
  u32(): number { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  i32(): number { this.need(4); const v = this.view.getInt32(this.pos, true); this.pos += 4; return v; }
  f64(): number { this.need(8); const v = this.view.getFloat64(this.pos, true); this.pos += 8; return v; }
  i64(): bigint { this.need(8); const v = this.view.getBigInt64(this.pos, true); this.pos += 8; return v; }
  bytes(n: number): Uint8Array { this.need(n); const b = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return b; }
  string(): string {
    const n = this.u32();
    this.need(n);
    const start = this.pos;
    this.pos += n;
    if (n <= SHORT_STRING) { const s = asciiAt(this.buf, start, n); if (s !== null) return s; }
    try { return utf8d.decode(this.buf.subarray(start, start + n)); } catch (e) { if (e instanceof DecodeError) throw e; throw new DecodeError('invalid utf-8 string', e); }
  }
}

import { BinaryReader, BinaryWriter } from './binary.js';
import { DecodeError } from './errors.js';

/**
 * The one binary codec of nuthatch: a tagged encoding of plain values with
 * Float32Array and bigint as first-class types, so vectors travel as raw float32
 * and TSOs as 64-bit integers. Every message family (WAL messages, bus requests)
 * encodes its typed value through this codec and validates after decoding.
 */
export type Value =
  | null | boolean | number | bigint | string
  | Float32Array | Uint8Array
  | Value[] | { [key: string]: Value | undefined };

const Tag = {
  Null: 0, False: 1, True: 2, Float: 3, Int: 4, BigInt: 5, String: 6,
  Array: 7, Object: 8, F32: 9, Bytes: 10,
} as const;

const MAX_DEPTH = 64;

function write(w: BinaryWriter, v: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new DecodeError('value nested too deeply');
  if (v === null || v === undefined) return w.u8(Tag.Null);
  switch (typeof v) {
    case 'boolean': return w.u8(v ? Tag.True : Tag.False);
    case 'number':
      if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff && !Object.is(v, -0)) { w.u8(Tag.Int); w.i32(v); }
      else { w.u8(Tag.Float); w.f64(v); }
      return;
    case 'bigint': w.u8(Tag.BigInt); w.i64(BigInt.asIntN(64, v)); return;
    case 'string': w.u8(Tag.String); w.string(v); return;
  }
  if (v instanceof Float32Array) {
    w.u8(Tag.F32); w.u32(v.length);
    w.bytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    return;
  }
  if (v instanceof Uint8Array) { w.u8(Tag.Bytes); w.u32(v.length); w.bytes(v); return; }
  if (Array.isArray(v)) {
    w.u8(Tag.Array); w.u32(v.length);
    for (const x of v) write(w, x, depth + 1);
    return;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    w.u8(Tag.Object); w.u32(entries.length);
    for (const [k, x] of entries) { w.string(k); write(w, x, depth + 1); }
    return;
  }
  throw new DecodeError(`cannot encode a ${typeof v}`);
}

function read(r: BinaryReader, depth: number): Value {
  if (depth > MAX_DEPTH) throw new DecodeError('value nested too deeply');
  const tag = r.u8();
  switch (tag) {
    case Tag.Null: return null;
    case Tag.False: return false;
    case Tag.True: return true;
    case Tag.Float: return r.f64();
    case Tag.Int: return r.i32();
    case Tag.BigInt: return r.i64();
    case Tag.String: return r.string();
    case Tag.F32: {
      const n = r.u32();
      if (n * 4 > r.remaining) throw new DecodeError(`truncated float32 array of ${n}`);
      const bytes = r.bytes(n * 4);
      const out = new Float32Array(n);
      new Uint8Array(out.buffer).set(bytes);
      return out;
    }
    case Tag.Bytes: { const n = r.u32(); return r.bytes(n).slice(); }
    case Tag.Array: {
      const n = r.u32();
      if (n > r.remaining) throw new DecodeError(`array of ${n} items exceeds the input`);
      const out: Value[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = read(r, depth + 1);
      return out;
    }
    case Tag.Object: {
      const n = r.u32();
      if (n > r.remaining) throw new DecodeError(`object of ${n} keys exceeds the input`);
      const out: Record<string, Value> = Object.create(null);
      for (let i = 0; i < n; i++) {
        const k = r.string();
        if (k === '__proto__') throw new DecodeError('forbidden key __proto__');
        out[k] = read(r, depth + 1);
      }
      return out;
    }
    default: throw new DecodeError(`unknown value tag ${tag} at ${r.pos - 1}`);
  }
}

/** Encodes a value into bytes. */
export function encodeValue(v: unknown, w: BinaryWriter = new BinaryWriter()): Uint8Array {
  write(w, v, 0);
  return w.finish();
}

/** Writes a value into an existing writer (for framed formats). */
export function writeValue(w: BinaryWriter, v: unknown): void { write(w, v, 0); }

/** Reads one value from a reader. */
export function readValue(r: BinaryReader): Value { return read(r, 0); }

/** Decodes bytes that hold exactly one value; anything else is a DecodeError. */
export function decodeValue(bytes: Uint8Array): Value {
  const r = new BinaryReader(bytes);
  const v = read(r, 0);
  if (r.remaining !== 0) throw new DecodeError(`${r.remaining} trailing bytes after value`);
  return v;
}

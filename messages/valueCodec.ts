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

/**
 * The constructor of decoded objects. Its prototype is an empty object with a null
 * prototype, so, as with `Object.create(null)`, nothing is inherited: a missing key
 * reads as undefined and no key reaches Object.prototype. Unlike `Object.create(null)`,
 * which V8 always makes a slow dictionary object, instances get fast hidden classes:
 * reading, spreading and re-encoding a decoded request or hit costs several times less.
 */
function WireObject(): void {}
WireObject.prototype = Object.create(null) as object;
const Decoded = WireObject as unknown as new () => Record<string, Value>;

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
  if (typeof v === 'object') return writeObject(w, v as Record<string, unknown>, depth, undefined, undefined);
  throw new DecodeError(`cannot encode a ${typeof v}`);
}

/**
 * An object as `{ ...o, [extraKey]: extraValue }` would be written, without building
 * that copy: own enumerable keys in Object.keys order (undefined values left out),
 * walked without allocating; the count is written once known. `extraKey` must not
 * be an array index (those would come first in the copy).
 */
function writeObject(w: BinaryWriter, o: Record<string, unknown>, depth: number, extraKey: string | undefined, extraValue: unknown): void {
  w.u8(Tag.Object);
  const at = w.reserveU32();
  let n = 0, extraDone = extraKey === undefined;
  for (const k in o) {
    if (!Object.hasOwn(o, k)) continue;
    let x = o[k];
    if (k === extraKey) { x = extraValue; extraDone = true; }
    if (x === undefined) continue;
    n++; w.string(k); write(w, x, depth + 1);
  }
  if (!extraDone && extraValue !== undefined) { n++; w.string(extraKey!); write(w, extraValue, depth + 1); }
  w.patchU32(at, n);
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
      const out = new Decoded();
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

/**
 * One writer reused by every encoding without a writer of its own: a value is
 * written into it and copied out once at its exact size, instead of growing a
 * fresh buffer by doubling (a 1 MB insert message grown from 1 KB took twenty
 * times as long: every fresh buffer's pages fault in). Encoding is synchronous,
 * so nothing else writes meanwhile.
 */
let shared: BinaryWriter | null = new BinaryWriter(4096);
/** A scratch buffer grown past this by a large value is not kept (insert batches of a few MB are). */
const SCRATCH_KEEP_BYTES = 8 << 20;

/** Runs `fill` on the scratch writer and returns a copy of what it wrote. */
export function encodeWith(fill: (w: BinaryWriter) => void): Uint8Array {
  const own = shared ?? new BinaryWriter(4096);
  shared = null; // taken: a nested call (none today) would get a writer of its own
  try {
    own.reset();
    fill(own);
    return own.finish().slice();
  } finally {
    shared = own.capacity <= SCRATCH_KEEP_BYTES ? own : new BinaryWriter(4096);
  }
}

/** Encodes a value into bytes (a fresh array of its own unless a writer is given). */
export function encodeValue(v: unknown, w?: BinaryWriter): Uint8Array {
  if (w) { write(w, v, 0); return w.finish(); }
  return encodeWith((own) => write(own, v, 0));
}

/**
 * Encodes `{ ...o, [key]: value }` without making that copy (a bus request is its
 * body plus the operation name). `key` must not be an array index.
 */
export function encodeObjectWith(o: object, key: string, value: unknown): Uint8Array {
  return encodeWith((own) => writeObject(own, o as Record<string, unknown>, 0, key, value));
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

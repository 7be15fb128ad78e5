import { fromBFloat16Bits, fromFloat16Bits, isFiniteHalf, toBFloat16Bits, toFloat16Bits } from './halfFloat.js';

/**
 * Dense vectors stored narrower than float32 (pure): Float16Vector and
 * BFloat16Vector (2 bytes an element), BinaryVector (one bit an element,
 * dim a multiple of 8) and Int8Vector (one byte). A row's value travels and
 * is stored as one Uint8Array of those bytes, little-endian, as Milvus
 * stores them. Searches read the bytes in place (actors/shared/vector/vectorBlock.ts);
 * index builds and query vectors read them widened to float32 (widenRow):
 * halves and int8 exactly, bits as 0 and 1, so that squared L2 over them is
 * the Hamming distance.
 */
export const PACKED_VECTOR_TYPES = ['Float16Vector', 'BFloat16Vector', 'BinaryVector', 'Int8Vector'] as const;
export type PackedVectorType = (typeof PACKED_VECTOR_TYPES)[number];

export function isPackedVectorType(t: unknown): t is PackedVectorType {
  return (PACKED_VECTOR_TYPES as readonly unknown[]).includes(t);
}

/** Bytes one row of the type holds. */
export function packedRowBytes(type: PackedVectorType, dim: number): number {
  switch (type) {
    case 'Float16Vector': case 'BFloat16Vector': return dim * 2;
    case 'BinaryVector': return dim / 8;
    case 'Int8Vector': return dim;
  }
}

/**
 * A user's value of a packed field as the bytes a row stores, or an error
 * text naming `what`. Halves take numbers (rounded to the type) or their
 * bytes (a Uint8Array or, as Milvus's REST API takes them, a base64
 * string); binary takes its dim/8 bytes (a Uint8Array, a list of byte
 * values, or base64); int8 takes integers in -128..127.
 */
export function packRow(type: PackedVectorType, dim: number, v: unknown, what: string): Uint8Array | string {
  const size = packedRowBytes(type, dim);
  if (typeof v === 'string' && type !== 'Int8Vector') {
    const bytes = fromBase64(v);
    if (!bytes) return `${what} is a string but not base64 bytes`;
    v = bytes;
  }
  if (v instanceof Uint8Array && type !== 'Int8Vector') {
    if (v.length !== size) return `${what} holds ${v.length} bytes; a ${type} of dim ${dim} is ${size} bytes`;
    const copy = v.slice();
    return storedProblem(type, dim, copy, what) ?? copy;
  }
  if (!isNumberList(v)) return `${what} is missing or not a list of numbers`;
  const out = new Uint8Array(size);
  if (type === 'BinaryVector') {
    if (v.length !== size) return `${what} holds ${v.length} bytes; a BinaryVector of dim ${dim} is ${size} bytes (dim / 8)`;
    for (let i = 0; i < size; i++) {
      const x = v[i];
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 255) return `${what} holds ${String(x)} at ${i}: a binary vector is bytes (integers in 0..255)`;
      out[i] = x;
    }
    return out;
  }
  if (v.length !== dim) return `${what} has dimension ${v.length}, the field's is ${dim}`;
  if (type === 'Int8Vector') {
    for (let i = 0; i < dim; i++) {
      const x = v[i];
      if (typeof x !== 'number' || !Number.isInteger(x) || x < -128 || x > 127) return `${what} holds ${String(x)} at ${i}: an Int8Vector holds integers in -128..127`;
      out[i] = x & 0xff;
    }
    return out;
  }
  const bfloat = type === 'BFloat16Vector', view = new DataView(out.buffer);
  for (let i = 0; i < dim; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) return `${what} holds a non-finite or non-numeric value at ${i}`;
    const bits = bfloat ? toBFloat16Bits(x) : toFloat16Bits(x);
    if (!isFiniteHalf(bits, bfloat)) return `${what} holds ${x} at ${i}, out of the ${bfloat ? 'bfloat16' : 'float16'} range`;
    view.setUint16(i * 2, bits, true);
  }
  return out;
}

/** Checks a stored row of a packed field: an error text or null. */
export function storedProblem(type: PackedVectorType, dim: number, v: unknown, what: string): string | null {
  const size = packedRowBytes(type, dim);
  if (!(v instanceof Uint8Array) || v.length !== size) return `${what} must be ${size} bytes of ${type}`;
  if (type === 'Float16Vector' || type === 'BFloat16Vector') {
    const bfloat = type === 'BFloat16Vector';
    for (let i = 0; i < dim; i++) if (!isFiniteHalf(v[i * 2]! | (v[i * 2 + 1]! << 8), bfloat)) return `${what} holds a NaN or Infinity at ${i}`;
  }
  return null;
}

/** Writes a stored row widened to float32 into `out` from `at` (dim floats; bits as 0 and 1, the high bit of a byte first). */
export function widenRow(type: PackedVectorType, dim: number, v: Uint8Array, out: Float32Array, at: number): void {
  switch (type) {
    case 'Float16Vector': for (let i = 0; i < dim; i++) out[at + i] = fromFloat16Bits(v[i * 2]! | (v[i * 2 + 1]! << 8)); return;
    case 'BFloat16Vector': for (let i = 0; i < dim; i++) out[at + i] = fromBFloat16Bits(v[i * 2]! | (v[i * 2 + 1]! << 8)); return;
    case 'Int8Vector': for (let i = 0; i < dim; i++) out[at + i] = (v[i]! << 24) >> 24; return;
    case 'BinaryVector': for (let i = 0; i < dim; i++) out[at + i] = (v[i >> 3]! >> (7 - (i & 7))) & 1; return;
  }
}

/** A stored row as users read it: numbers (halves and int8) or the byte values (binary). */
export function unpackRow(type: PackedVectorType, dim: number, v: Uint8Array): number[] {
  if (type === 'BinaryVector') return Array.from(v);
  const out = new Float32Array(dim);
  widenRow(type, dim, v, out, 0);
  return Array.from(out);
}

function isNumberList(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array));
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 (with padding) to bytes; null when it is not. */
export function fromBase64(s: string): Uint8Array | null {
  if (!BASE64.test(s)) return null;
  const text = atob(s);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

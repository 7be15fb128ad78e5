/**
 * Sparse float vectors (Milvus's SparseFloatVector): a map from uint32 index
 * to a non-zero finite float. A row's value travels and is stored as one
 * Uint8Array of (u32 index, f32 value) pairs, little-endian, sorted by index
 * with no repeats: one codec value per row (messages/valueCodec.ts), readable
 * without a schema. Pure.
 */

/** Non-zeros a sparse vector may hold (Milvus caps a row's length similarly). */
export const MAX_SPARSE_NONZEROS = 4096;
const MAX_INDEX = 0xffffffff;

/** A sparse vector as two parallel arrays, indices ascending. */
export interface SparseVector { indices: Uint32Array; values: Float32Array }

/** Reads a user's sparse value: `{ "12": 0.5 }` or `{ indices, values }`; returns it or an error text naming `what`. */
export function parseSparse(v: unknown, what: string): SparseVector | string {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return `${what} must be a sparse vector: {"index": value, ...} or {indices, values}`;
  if (v instanceof Uint8Array) return decodeChecked(v, what);
  const o = v as Record<string, unknown>;
  const pairs: Array<[number, number]> = [];
  if ('indices' in o || 'values' in o) {
    const is = o.indices as ArrayLike<unknown> | undefined, vs = o.values as ArrayLike<unknown> | undefined;
    if (!isList(is) || !isList(vs) || is.length !== vs.length) return `${what}: indices and values must be lists of one length`;
    for (let i = 0; i < is.length; i++) pairs.push([Number(is[i]), vs[i] as number]);
  } else {
    for (const k of Object.keys(o)) pairs.push([/^\d+$/.test(k) ? Number(k) : NaN, o[k] as number]);
  }
  if (pairs.length > MAX_SPARSE_NONZEROS) return `${what} holds ${pairs.length} non-zeros, more than ${MAX_SPARSE_NONZEROS}`;
  for (const [i, x] of pairs) {
    if (!Number.isInteger(i) || i < 0 || i > MAX_INDEX) return `${what} has index ${String(i)}: indices are uint32`;
    if (typeof x !== 'number' || !Number.isFinite(x) || !Number.isFinite(Math.fround(x))) return `${what} holds a non-finite or non-numeric value at index ${i}`;
  }
  pairs.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < pairs.length; i++) if (pairs[i]![0] === pairs[i - 1]![0]) return `${what} gives index ${pairs[i]![0]} twice`;
  // Explicit zeros are dropped, as Milvus drops them: they change no score.
  const kept = pairs.filter(([, x]) => x !== 0);
  return { indices: Uint32Array.from(kept, (p) => p[0]), values: Float32Array.from(kept, (p) => p[1]) };
}

function isList(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || x instanceof Float32Array || x instanceof Uint32Array;
}

/** A sparse vector as the bytes a row stores. */
export function encodeSparse(s: SparseVector): Uint8Array {
  const out = new Uint8Array(s.indices.length * 8);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < s.indices.length; i++) { dv.setUint32(i * 8, s.indices[i]!, true); dv.setFloat32(i * 8 + 4, s.values[i]!, true); }
  return out;
}

/** The stored bytes of a row as a sparse vector (no checks: the row passed `sparseProblem` on insert). */
export function decodeSparse(b: Uint8Array): SparseVector {
  const n = b.length >> 3, dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const indices = new Uint32Array(n), values = new Float32Array(n);
  for (let i = 0; i < n; i++) { indices[i] = dv.getUint32(i * 8, true); values[i] = dv.getFloat32(i * 8 + 4, true); }
  return { indices, values };
}

function decodeChecked(b: Uint8Array, what: string): SparseVector | string {
  if (b.length % 8 !== 0) return `${what} is not whole (index, value) pairs`;
  const s = decodeSparse(b);
  if (s.indices.length > MAX_SPARSE_NONZEROS) return `${what} holds ${s.indices.length} non-zeros, more than ${MAX_SPARSE_NONZEROS}`;
  for (let i = 0; i < s.indices.length; i++) {
    if (!Number.isFinite(s.values[i]!)) return `${what} holds a non-finite value at index ${s.indices[i]}`;
    if (i > 0 && s.indices[i]! <= s.indices[i - 1]!) return `${what} has indices out of order`;
  }
  return s;
}

/** Checks a stored row value of a sparse field: an error text or null. */
export function sparseProblem(v: unknown, what: string): string | null {
  if (!(v instanceof Uint8Array)) return `${what} must be a sparse vector`;
  const s = decodeChecked(v, what);
  return typeof s === 'string' ? s : null;
}

/** A sparse vector as users read it: `{ "index": value }`. */
export function sparseToObject(b: Uint8Array): Record<string, number> {
  const s = decodeSparse(b), out: Record<string, number> = {};
  for (let i = 0; i < s.indices.length; i++) out[String(s.indices[i])] = s.values[i]!;
  return out;
}

/** The dot product of two sparse vectors (over their shared indices). */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  let i = 0, j = 0, sum = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const x = a.indices[i]!, y = b.indices[j]!;
    if (x === y) { sum += a.values[i++]! * b.values[j++]!; } else if (x < y) i++; else j++;
  }
  return sum;
}

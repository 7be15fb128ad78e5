import { mulberry32 } from '../seededRandom.js';

/**
 * RaBitQ (Gao and Long, SIGMOD 2024), one bit per dimension, as IVF_RABITQ
 * uses it: a row o in the list of centroid c keeps the signs of its rotated
 * residual P(o - c), and three floats. With u the unit residual and x the
 * code as a unit vector ((2b - 1) / sqrt(D)), <u, v> is estimated without
 * bias as <x, P v> / <x, P u> for any v, so
 *
 *   L2:  |o - q|^2 = |r|^2 + |q - c|^2 - 2 |r| <u, q - c>
 *   IP:  <o, q>    = <c, q> + |r| <u, q>
 *
 * and since <x, P(q - c)> = <x, Pq> - <x, Pc>, one table of the rotated
 * query serves every list: a row's estimate is a sum of D/8 table reads
 * (one per code byte) and a few multiplications.
 *
 * The rotation P is a randomized Hadamard transform (three rounds of random
 * signs then a normalized Walsh-Hadamard transform, over the dimension padded
 * to a power of two): orthogonal, O(D log D), rebuilt from its seed.
 */
export interface Rotation {
  /** The padded dimension: a power of two, at least 8 (codes are whole bytes). */
  D: number;
  /** Three rounds of D signs (+1 or -1). */
  signs: Float32Array;
}

export function rotation(dim: number, seed: number): Rotation {
  let D = 8;
  while (D < dim) D *= 2;
  const rand = mulberry32(seed >>> 0);
  const signs = new Float32Array(3 * D);
  for (let i = 0; i < signs.length; i++) signs[i] = rand() < 0.5 ? -1 : 1;
  return { D, signs };
}

/** P v for `dim` floats of `v` from `from` (zero-padded to D), into `out` (D floats). */
export function rotate(P: Rotation, v: Float32Array, from: number, dim: number, out: Float32Array): Float32Array {
  const D = P.D;
  out.fill(0);
  for (let j = 0; j < dim; j++) out[j] = v[from + j]!;
  const norm = 1 / Math.sqrt(D);
  for (let round = 0; round < 3; round++) {
    for (let j = 0, s = round * D; j < D; j++) out[j]! *= P.signs[s + j]!;
    hadamard(out, D);
    for (let j = 0; j < D; j++) out[j]! *= norm;
  }
  return out;
}

/** The unnormalized Walsh-Hadamard transform in place. */
function hadamard(a: Float32Array, n: number): void {
  for (let h = 1; h < n; h *= 2) {
    for (let i = 0; i < n; i += 2 * h) {
      for (let j = i; j < i + h; j++) {
        const x = a[j]!, y = a[j + h]!;
        a[j] = x + y;
        a[j + h] = x - y;
      }
    }
  }
}

/** What a row keeps besides its code: the terms of its estimates. */
export interface RowTerms {
  /** |r| / <x, Pu>: scales <x, P v> to |r| <u, v>. */
  scale: number;
  /** |r|^2. */
  r2: number;
  /** <x, Pc>, so <x, P(q - c)> = <x, Pq> - xc. */
  xc: number;
}

/**
 * Encodes one row: the sign bits of its rotated residual `pr` (D floats,
 * P(o - c)) into `codes` at byte `at`, and its terms, given the rotated
 * centroid `pc`. A row equal to its centroid has scale 0 (its estimate is exact).
 */
export function encodeRow(pr: Float32Array, pc: Float32Array, codes: Uint8Array, at: number): RowTerms {
  const D = pr.length;
  let r2 = 0, abs = 0, xc = 0;
  for (let j = 0; j < D; j++) {
    const x = pr[j]!;
    r2 += x * x;
    abs += Math.abs(x);
    if (x > 0) codes[at + (j >> 3)]! |= 1 << (j & 7);
    xc += x > 0 ? pc[j]! : -pc[j]!;
  }
  const r = Math.sqrt(r2), sqrtD = Math.sqrt(D);
  // <x, Pu> = sum |Pr_j| / (sqrt(D) |r|); scale = |r| / <x, Pu>.
  const scale = abs > 0 ? (r2 * sqrtD) / abs : 0;
  return { scale, r2, xc: xc / sqrtD };
}

/**
 * The rotated query as a table: for code byte j and byte value b, the sum of
 * the query's entries whose bits b sets. <x, v> = (2 S - sum v) / sqrt(D),
 * S the sum of the row's D/8 table reads. With `bits` in 1..8, the rotated
 * query is first rounded to that many bits (Milvus's rbq_query_bits: a
 * coarser query, as the quantized query of RaBitQ's paper).
 */
export interface QueryTable { table: Float32Array; sum: number; invSqrtD: number }

export function queryTable(pq: Float32Array, bits = 0): QueryTable {
  const D = pq.length, v = bits > 0 ? quantizeQuery(pq, bits) : pq;
  const table = new Float32Array((D >> 3) * 256);
  let sum = 0;
  for (let j = 0; j < D; j += 8) {
    const base = (j >> 3) << 8;
    for (let b = 1; b < 256; b++) {
      const low = b & -b;
      table[base + b] = table[base + (b ^ low)]! + v[j + 31 - Math.clz32(low)]!;
    }
    for (let t = 0; t < 8; t++) sum += v[j + t]!;
  }
  return { table, sum, invSqrtD: 1 / Math.sqrt(D) };
}

/** <x, Pq> for the code of D/8 bytes at `at`. */
export function codeDot(t: QueryTable, codes: Uint8Array, at: number, bytes: number): number {
  const table = t.table;
  let s0 = 0, s1 = 0;
  let j = 0;
  for (; j + 1 < bytes; j += 2) {
    s0 += table[(j << 8) | codes[at + j]!]!;
    s1 += table[((j + 1) << 8) | codes[at + j + 1]!]!;
  }
  if (j < bytes) s0 += table[(j << 8) | codes[at + j]!]!;
  return (2 * (s0 + s1) - t.sum) * t.invSqrtD;
}

/** The query rounded to 2^bits levels between its least and greatest entry. */
function quantizeQuery(pq: Float32Array, bits: number): Float32Array {
  let lo = Infinity, hi = -Infinity;
  for (const x of pq) { if (x < lo) lo = x; if (x > hi) hi = x; }
  const levels = (1 << bits) - 1, step = (hi - lo) / levels, out = new Float32Array(pq.length);
  for (let j = 0; j < pq.length; j++) out[j] = step > 0 ? lo + Math.round((pq[j]! - lo) / step) * step : pq[j]!;
  return out;
}

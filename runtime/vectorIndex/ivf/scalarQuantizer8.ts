/**
 * Per-dimension 8-bit scalar quantization, as Faiss's QT_8bit (non-uniform,
 * min/max range): each dimension keeps its minimum and its range over the
 * data; a value is stored as floor(255 * (x - min) / range), clamped, and
 * read back as min + (code + 0.5) / 255 * range. A quarter of float32's bytes.
 */
export interface ScalarQuantizer8 {
  /** Per dimension: the least value seen. */
  vmin: Float32Array;
  /** Per dimension: max - min (0 when every value is equal). */
  vdiff: Float32Array;
}

/** The per-dimension ranges of count rows. */
export function trainScalarQuantizer8(vectors: Float32Array, dim: number, count: number): ScalarQuantizer8 {
  const vmin = new Float32Array(dim).fill(Infinity), vmax = new Float32Array(dim).fill(-Infinity);
  for (let r = 0, off = 0; r < count; r++, off += dim) {
    for (let j = 0; j < dim; j++) {
      const x = vectors[off + j]!;
      if (x < vmin[j]!) vmin[j] = x;
      if (x > vmax[j]!) vmax[j] = x;
    }
  }
  const vdiff = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    if (count === 0) { vmin[j] = 0; continue; }
    vdiff[j] = vmax[j]! - vmin[j]!;
  }
  return { vmin, vdiff };
}

/** Writes the codes of one vector (`dim` floats from `from`) at `to` in `codes`. */
export function encode8(sq: ScalarQuantizer8, vector: Float32Array, from: number, codes: Uint8Array, to: number): void {
  const { vmin, vdiff } = sq;
  for (let j = 0; j < vmin.length; j++) {
    const range = vdiff[j]!;
    const x = range > 0 ? (vector[from + j]! - vmin[j]!) / range : 0;
    codes[to + j] = x <= 0 ? 0 : x >= 1 ? 255 : Math.floor(255 * x);
  }
}

/** The value a code stands for in dimension j. */
export function decode8(sq: ScalarQuantizer8, j: number, code: number): number {
  return sq.vmin[j]! + ((code + 0.5) / 255) * sq.vdiff[j]!;
}

/**
 * A query's distances to decoded vectors as a lookup table: the distance to
 * the codes c_0..c_{dim-1} is `base + sum_j table[j * 256 + c_j]`. Building it
 * costs 256 x dim terms per query; scanning then costs one byte and one table
 * read per dimension, with no decode (faster in V8 than decoding arithmetic).
 * L2: term (q_j - decode_j(c))^2, base 0. IP: term q_j (decode_j(c) - min_j),
 * base sum q_j min_j.
 */
export interface CodeTable { base: number; table: Float32Array }

export function codeTable(sq: ScalarQuantizer8, query: Float32Array, metric: 'L2' | 'IP'): CodeTable {
  const dim = query.length, table = new Float32Array(dim * 256);
  let base = 0;
  for (let j = 0; j < dim; j++) {
    const q = query[j]!, step = sq.vdiff[j]! / 255, lowest = sq.vmin[j]! + 0.5 * step;
    if (metric === 'IP') base += q * sq.vmin[j]!;
    for (let c = 0, at = j << 8; c < 256; c++) {
      if (metric === 'L2') { const d = q - (lowest + c * step); table[at + c] = d * d; } else table[at + c] = q * (0.5 + c) * step;
    }
  }
  return { base, table };
}

/** The distance a table gives the codes of one vector (`dim` bytes from `offset`). */
export function tableDistance(t: CodeTable, codes: Uint8Array, offset: number, dim: number): number {
  const table = t.table;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let j = 0;
  for (; j + 3 < dim; j += 4) {
    s0 += table[(j << 8) | codes[offset + j]!]!;
    s1 += table[((j + 1) << 8) | codes[offset + j + 1]!]!;
    s2 += table[((j + 2) << 8) | codes[offset + j + 2]!]!;
    s3 += table[((j + 3) << 8) | codes[offset + j + 3]!]!;
  }
  for (; j < dim; j++) s0 += table[(j << 8) | codes[offset + j]!]!;
  return t.base + s0 + s1 + s2 + s3;
}

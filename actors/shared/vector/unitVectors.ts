/**
 * Vectors scaled to unit length, so that COSINE can be computed as an inner
 * product (what an index stores and probes for COSINE). A zero vector stays
 * zero: it has no direction, and its similarity is 0 with everything, as
 * distance.ts's cosine says.
 */
export function unitRows(vectors: Float32Array, dim: number, count: number): Float32Array {
  const out = new Float32Array(count * dim);
  for (let r = 0, off = 0; r < count; r++, off += dim) {
    let sq = 0;
    for (let j = 0; j < dim; j++) sq += vectors[off + j]! * vectors[off + j]!;
    const scale = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let j = 0; j < dim; j++) out[off + j] = vectors[off + j]! * scale;
  }
  return out;
}

/** One vector scaled to unit length (a copy). */
export function unitVector(v: Float32Array): Float32Array {
  return unitRows(v, v.length, 1);
}

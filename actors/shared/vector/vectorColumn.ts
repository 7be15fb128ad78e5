/**
 * A collection's vectors field by field (pure). The first vector field is
 * stored as one float32 block (`vectors`); any other is a column of `fields`
 * holding one Float32Array per row (null where a row has none). A search or
 * an index build over another field reads it as a block: flattened once per
 * column and kept while the column lives.
 */
const blocks = new WeakMap<readonly unknown[], Float32Array>();

/** A column of per-row vectors as one block of `count` × `dim` floats (a missing row reads as zeros). */
export function columnBlock(column: readonly unknown[], count: number, dim: number): Float32Array {
  const cached = blocks.get(column);
  if (cached && cached.length === count * dim) return cached;
  const out = new Float32Array(count * dim);
  for (let r = 0; r < count; r++) {
    const v = column[r];
    if (v instanceof Float32Array && v.length === dim) out.set(v, r * dim);
  }
  blocks.set(column, out);
  return out;
}

/**
 * Packs every column of per-row vectors (all Float32Array of one length) into
 * one block, each row's value becoming a view of it, and remembers the block
 * for columnBlock: decoded rows arrive as separate arrays, each with its own
 * buffer, and a search would then copy them all into a block again. Packed,
 * a column costs its floats once. Columns are changed in place.
 */
export function packVectorColumns(fields: Record<string, unknown[]>, count: number): void {
  for (const column of Object.values(fields)) {
    const first = column[0];
    if (!(first instanceof Float32Array) || column.length !== count || blocks.has(column)) continue;
    const dim = first.length;
    if (!column.every((v) => v instanceof Float32Array && v.length === dim)) continue;
    const block = new Float32Array(count * dim);
    for (let r = 0; r < count; r++) {
      block.set(column[r] as Float32Array, r * dim);
      column[r] = block.subarray(r * dim, (r + 1) * dim);
    }
    blocks.set(column, block);
  }
}

/** A vector field other than the first, as a read names it. */
export interface AnnsColumn { field: string; dim: number }

/** The block a search over `anns` reads: the holder's own `vectors` when it names none (the first vector field). */
export function annsVectors(holder: { count: number; vectors: Float32Array; fields: Record<string, unknown[]> }, anns: AnnsColumn | undefined, dim: number): { vectors: Float32Array; dim: number } {
  if (!anns) return { vectors: holder.vectors, dim };
  return { vectors: columnBlock(holder.fields[anns.field] ?? [], holder.count, anns.dim), dim: anns.dim };
}

/**
 * The block of vector field `field` of a stored segment (undefined: the first
 * vector field, its own block), with its dimension. Where no schema is at
 * hand (the index node), `dim` may be left out: it is read off the column.
 */
export function fieldVectors(seg: { count: number; dim: number; vectors: Float32Array; fields: Record<string, unknown[]> }, field: string | undefined, dim?: number): { vectors: Float32Array; dim: number } {
  if (field === undefined) return { vectors: seg.vectors, dim: seg.dim };
  const column = seg.fields[field] ?? [];
  const d = dim ?? (column.find((v) => v instanceof Float32Array) as Float32Array | undefined)?.length ?? 0;
  return { vectors: columnBlock(column, seg.count, d), dim: d };
}

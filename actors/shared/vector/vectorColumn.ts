import { widenRow, type PackedVectorType } from '../../../messages/packedVectors.js';

/**
 * A collection's vectors field by field (pure). The first vector field is
 * stored as one float32 block (`vectors`); any other FloatVector is a column
 * of `fields` holding one Float32Array per row (null where a row has none),
 * and a packed one (Float16Vector, BFloat16Vector, BinaryVector, Int8Vector)
 * a column of one Uint8Array per row (messages/packedVectors.ts). A search or
 * an index build over another field reads it as a float32 block: flattened
 * (packed rows widened) once per column and kept while the column lives.
 */
const blocks = new WeakMap<readonly unknown[], Float32Array>();
/** The packed type a cached block was widened from: a block read as another type is made again. */
const widenedFrom = new WeakMap<Float32Array, PackedVectorType>();

/**
 * A column of per-row vectors as one block of `count` × `dim` floats (a
 * missing row reads as zeros); `packed` names the type of a packed column,
 * whose rows are widened (bits to 0 and 1).
 */
export function columnBlock(column: readonly unknown[], count: number, dim: number, packed?: PackedVectorType): Float32Array {
  const cached = blocks.get(column);
  if (cached && cached.length === count * dim && widenedFrom.get(cached) === packed) return cached;
  const out = new Float32Array(count * dim);
  for (let r = 0; r < count; r++) {
    const v = column[r];
    if (packed) { if (v instanceof Uint8Array) widenRow(packed, dim, v, out, r * dim); }
    else if (v instanceof Float32Array && v.length === dim) out.set(v, r * dim);
  }
  blocks.set(column, out);
  if (packed) widenedFrom.set(out, packed);
  return out;
}

/**
 * Packs every column of per-row vectors (all Float32Array of one length, or
 * all Uint8Array of one length) into one block, each row's value becoming a
 * view of it, and remembers a float block for columnBlock: decoded rows
 * arrive as separate arrays, each with its own buffer, and a search would
 * then copy them all into a block again. Packed, a column costs its floats
 * (or bytes) once. Columns are changed in place.
 */
export function packVectorColumns(fields: Record<string, unknown[]>, count: number): void {
  for (const column of Object.values(fields)) {
    const first = column[0];
    if (first instanceof Uint8Array) { packByteColumn(column, count); continue; }
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

const byteColumns = new WeakSet<readonly unknown[]>();

/**
 * A column of Uint8Array rows of one length (a packed vector field's,
 * messages/packedVectors.ts) as views of one buffer: decoded rows each hold a
 * buffer of their own, which costs more than their bytes. Other byte columns
 * (sparse rows of several lengths) are left as they are.
 */
function packByteColumn(column: unknown[], count: number): void {
  if (column.length !== count || byteColumns.has(column)) return;
  const len = (column[0] as Uint8Array).length;
  if (len === 0 || !column.every((v) => v instanceof Uint8Array && v.length === len)) return;
  const block = new Uint8Array(count * len);
  for (let r = 0; r < count; r++) {
    block.set(column[r] as Uint8Array, r * len);
    column[r] = block.subarray(r * len, (r + 1) * len);
  }
  byteColumns.add(column);
}

/** A vector field other than the first, as a read names it; `packed` when it is not a FloatVector. */
export interface AnnsColumn { field: string; dim: number; packed?: PackedVectorType }

/** The block a search over `anns` reads: the holder's own `vectors` when it names none (the first vector field). */
export function annsVectors(holder: { count: number; vectors: Float32Array; fields: Record<string, unknown[]> }, anns: AnnsColumn | undefined, dim: number): { vectors: Float32Array; dim: number } {
  if (!anns) return { vectors: holder.vectors, dim };
  return { vectors: columnBlock(holder.fields[anns.field] ?? [], holder.count, anns.dim, anns.packed), dim: anns.dim };
}

/**
 * The block of vector field `field` of a stored segment (undefined: the first
 * vector field, its own block), with its dimension. Where no schema is at
 * hand (the index node), `dim` may be left out: it is read off the column.
 */
export function fieldVectors(seg: { count: number; dim: number; vectors: Float32Array; fields: Record<string, unknown[]> }, field: string | undefined, dim?: number, packed?: PackedVectorType): { vectors: Float32Array; dim: number } {
  if (field === undefined) return { vectors: seg.vectors, dim: seg.dim };
  const column = seg.fields[field] ?? [];
  const d = dim ?? (column.find((v) => v instanceof Float32Array) as Float32Array | undefined)?.length ?? 0;
  return { vectors: columnBlock(column, seg.count, d, packed), dim: d };
}

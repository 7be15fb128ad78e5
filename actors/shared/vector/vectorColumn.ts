import { packedRowBytes, widenRow, type PackedVectorType } from '../../../messages/packedVectors.js';
import { floatBlock, type VectorBlock } from './vectorBlock.js';
import { compactBytes, compactRows, expandRows, rowMapOf, type CompactColumn } from './compactColumn.js';

/**
 * A collection's vectors field by field (pure). The first vector field is
 * stored as one float32 block (`vectors`); any other FloatVector is a column
 * of `fields` holding one Float32Array per row (null where a row has none),
 * and a packed one (Float16Vector, BFloat16Vector, BinaryVector, Int8Vector)
 * a column of one Uint8Array per row (messages/packedVectors.ts). A search
 * over another FloatVector reads it as a float32 block, flattened once per
 * column and kept while the column lives; a search over a packed field reads
 * its bytes as one block (packedBlock), never widened: a binary field widened
 * would cost 32 times its bytes. Only an index build widens a packed column
 * (widenColumn), and keeps nothing after. A column holding null rows (a
 * nullable field's) is compact instead (compactColumn.ts): its block holds
 * the non-null rows only, found through a row map.
 */
const blocks = new WeakMap<readonly unknown[], Float32Array>();

/** Compact columns (a nullable field's with null rows): rows are views of their storage. */
const compacts = new WeakMap<readonly unknown[], CompactColumn<Float32Array | Uint8Array>>();

/**
 * The compact form of a column of `count` rows holding null rows (made once,
 * its rows becoming views of it); undefined when no row is null, or some row
 * is not a `Ctor` of `width` (such a column is read row-addressed as before).
 * An absent column (rows older than an added field) is all null.
 */
function compactOf<T extends Float32Array | Uint8Array>(column: unknown[] | undefined, count: number, width: number, Ctor: { new (n: number): T }): CompactColumn<T> | undefined {
  if (column === undefined) return { storage: new Ctor(0), width, map: rowMapOf(count, () => false) };
  const cached = compacts.get(column);
  if (cached && cached.map.slots.length === count && cached.width === width && cached.storage instanceof Ctor) return cached as CompactColumn<T>;
  // A column already packed row-addressed (a required field's) is not scanned again on every search.
  if (blocks.has(column) || byteBlocks.has(column)) return undefined;
  if (column.length >= count && !column.some((v, r) => r < count && (v === null || v === undefined))) return undefined;
  const made = compactRows(column, count, width, Ctor);
  if (made) compacts.set(column, made);
  return made;
}

/** Bytes a vector column packed into one block holds (a compact one's map included); undefined for a column not so packed. */
export function heldColumnBytes(column: readonly unknown[]): number | undefined {
  const c = compacts.get(column);
  if (c) return compactBytes(c);
  return (blocks.get(column) ?? byteBlocks.get(column))?.byteLength;
}

/**
 * A column of per-row vectors as one block of `count` × `dim` floats (a
 * missing row reads as zeros); `packed` names the type of a packed column,
 * whose rows are widened (widenColumn), not cached.
 */
export function columnBlock(column: readonly unknown[], count: number, dim: number, packed?: PackedVectorType): Float32Array {
  if (packed) return widenColumn(column, count, dim, packed);
  // A compact column is widened afresh (an index build's transient copy), never kept.
  const compact = compacts.get(column);
  if (compact && compact.storage instanceof Float32Array && compact.map.slots.length === count && compact.width === dim) return expandRows(compact as CompactColumn<Float32Array>, Float32Array);
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
 * A packed column widened to `count` × `dim` floats (bits to 0 and 1, a
 * missing row to zeros), made afresh each call: what an index build over a
 * packed field (HNSW, IVF's k-means) takes, and drops once built.
 */
export function widenColumn(column: readonly unknown[], count: number, dim: number, type: PackedVectorType): Float32Array {
  const out = new Float32Array(count * dim), size = packedRowBytes(type, dim);
  for (let r = 0; r < count; r++) {
    const v = column[r];
    if (v instanceof Uint8Array && v.length === size) widenRow(type, dim, v, out, r * dim);
  }
  return out;
}

/**
 * Packs every column of per-row vectors (all Float32Array of one length, or
 * all Uint8Array of one length) into one block, each row's value becoming a
 * view of it, and remembers the block for columnBlock (or packedBlock): decoded rows
 * arrive as separate arrays, each with its own buffer, and a search would
 * then copy them all into a block again. Packed, a column costs its floats
 * (or bytes) once. Columns are changed in place.
 */
export function packVectorColumns(fields: Record<string, unknown[]>, count: number): void {
  for (const column of Object.values(fields)) {
    // A nullable vector field's column holds null rows (Milvus 2.6's nullable vectors): the first vector decides its kind.
    const first = column.find((v) => v !== null && v !== undefined);
    if (first instanceof Uint8Array) { packByteColumn(column, count); continue; }
    if (!(first instanceof Float32Array) || column.length !== count || blocks.has(column) || compacts.has(column)) continue;
    const dim = first.length;
    if (!column.every((v) => v === null || (v instanceof Float32Array && v.length === dim))) continue;
    // Null rows: only the vectors are held (compactColumn.ts); a required field's block is row-addressed as ever.
    if (column.includes(null)) { compactOf(column, count, dim, Float32Array); continue; }
    const block = new Float32Array(count * dim);
    for (let r = 0; r < count; r++) {
      const v = column[r] as Float32Array | null;
      if (v === null) continue;
      block.set(v, r * dim);
      column[r] = block.subarray(r * dim, (r + 1) * dim);
    }
    blocks.set(column, block);
  }
}

/** Packed columns' blocks of bytes: rows are views of them. */
const byteBlocks = new WeakMap<readonly unknown[], Uint8Array>();

/**
 * A column of Uint8Array rows of one length (a packed vector field's,
 * messages/packedVectors.ts) as views of one buffer: decoded rows each hold a
 * buffer of their own, which costs more than their bytes. Other byte columns
 * (sparse rows of several lengths) are left as they are.
 */
function packByteColumn(column: unknown[], count: number): void {
  if (column.length !== count || byteBlocks.has(column) || compacts.has(column)) return;
  const len = (column.find((v) => v instanceof Uint8Array) as Uint8Array).length;
  if (len === 0 || !column.every((v) => v === null || (v instanceof Uint8Array && v.length === len))) return;
  if (column.includes(null)) { compactOf(column, count, len, Uint8Array); return; }
  const block = new Uint8Array(count * len);
  for (let r = 0; r < count; r++) {
    if (column[r] === null) continue;
    block.set(column[r] as Uint8Array, r * len);
    column[r] = block.subarray(r * len, (r + 1) * len);
  }
  byteBlocks.set(column, block);
}

/**
 * A packed column (rows of `rowBytes` bytes) as one block of `count` rows,
 * a missing row as zero bytes (as widened it read as zeros). A column
 * packVectorColumns packed is its own block; any other is packed here once,
 * its rows becoming views of the block, so the bytes are held once.
 */
export function packedBlock(column: unknown[], count: number, rowBytes: number): Uint8Array {
  const compact = compacts.get(column);
  if (compact && compact.storage instanceof Uint8Array && compact.map.slots.length === count && compact.width === rowBytes) return expandRows(compact as CompactColumn<Uint8Array>, Uint8Array);
  const cached = byteBlocks.get(column);
  if (cached && cached.length === count * rowBytes) return cached;
  const block = new Uint8Array(count * rowBytes);
  for (let r = 0; r < count; r++) {
    const v = column[r];
    if (!(v instanceof Uint8Array) || v.length !== rowBytes) continue;
    block.set(v, r * rowBytes);
    column[r] = block.subarray(r * rowBytes, (r + 1) * rowBytes);
  }
  byteBlocks.set(column, block);
  return block;
}

/** Presence bitmaps of columns that hold null rows (null: every row has a vector). */
const presence = new WeakMap<readonly unknown[], Uint8Array | null>();

/**
 * Which rows of a vector column hold a vector (pure, memoised per column):
 * one byte a row, 1 where a vector is, 0 where a nullable field's row holds
 * null or the column is absent (rows older than an added field). Undefined
 * when every row has one, so the search loops of fields that cannot be null
 * stay as they were. A compact column (compactColumn.ts) holds nothing for
 * a null row and its map answers instead (withPresentRows, presentRows); in
 * a row-addressed block (columnBlock, packedBlock) a null row reads as zeros,
 * so searches must skip it.
 */
export function columnPresence(column: readonly unknown[] | undefined, count: number): Uint8Array | undefined {
  if (column === undefined) return new Uint8Array(count);
  const cached = presence.get(column);
  if (cached !== undefined && (cached === null || cached.length === count)) return cached ?? undefined;
  let bits: Uint8Array | null = null;
  for (let r = 0; r < count; r++) {
    const v = column[r];
    if (v !== null && v !== undefined) continue;
    bits ??= new Uint8Array(count).fill(1);
    bits[r] = 0;
  }
  presence.set(column, bits);
  return bits ?? undefined;
}

/**
 * The row filter a search over `anns` adds (pure): only rows holding a vector
 * pass, combined with `accept` (undefined: every row passes). Undefined when
 * the field is the block's or no row is null. Milvus's rule: a null vector is
 * never indexed nor returned by a search.
 */
export function withPresentRows(holder: { count: number; fields: Record<string, unknown[]> }, anns: AnnsColumn | undefined, accept: ((row: number) => boolean) | undefined): ((row: number) => boolean) | undefined {
  const compact = anns ? compacts.get(holder.fields[anns.field] ?? []) : undefined;
  if (compact && compact.map.slots.length === holder.count) {
    // A compact column's map says it: no byte-a-row presence is made beside it.
    const slots = compact.map.slots;
    return accept === undefined ? (row) => slots[row]! >= 0 : (row) => slots[row]! >= 0 && accept(row);
  }
  const bits = anns ? columnPresence(holder.fields[anns.field], holder.count) : undefined;
  if (bits === undefined) return accept;
  return accept === undefined ? (row) => bits[row] === 1 : (row) => bits[row] === 1 && accept(row);
}

/** The rows of a column that hold a vector, ascending; undefined when all do: what an index is built over. */
export function presentRows(column: readonly unknown[] | undefined, count: number): Int32Array | undefined {
  const compact = column && compacts.get(column);
  if (compact && compact.map.slots.length === count) return compact.map.rows.slice();
  const bits = columnPresence(column, count);
  if (bits === undefined) return undefined;
  const rows: number[] = [];
  for (let r = 0; r < count; r++) if (bits[r] === 1) rows.push(r);
  return Int32Array.from(rows);
}

/** A vector field other than the first, as a read names it; `packed` when it is not a FloatVector. */
export interface AnnsColumn { field: string; dim: number; packed?: PackedVectorType }

/** The block a search over `anns` reads: the holder's own `vectors` when it names none (the first vector field). */
export function annsVectors(holder: { count: number; vectors: Float32Array; fields: Record<string, unknown[]> }, anns: AnnsColumn | undefined, dim: number): VectorBlock {
  if (!anns) return floatBlock(holder.vectors, dim);
  // A column holding null rows is read compact: its map takes a search to the rows having a vector, and past the rest.
  const compact = anns.packed
    ? compactOf(holder.fields[anns.field], holder.count, packedRowBytes(anns.packed, anns.dim), Uint8Array)
    : compactOf(holder.fields[anns.field], holder.count, anns.dim, Float32Array);
  if (compact) {
    const { storage, map } = compact;
    return anns.packed ? { type: anns.packed, dim: anns.dim, bytes: storage as Uint8Array, map } : { type: 'FloatVector', dim: anns.dim, vectors: storage as Float32Array, map };
  }
  const column = holder.fields[anns.field] ?? [];
  if (anns.packed) return { type: anns.packed, dim: anns.dim, bytes: packedBlock(column, holder.count, packedRowBytes(anns.packed, anns.dim)) };
  return floatBlock(columnBlock(column, holder.count, anns.dim), anns.dim);
}

/**
 * The float32 block of vector field `field` of a stored segment (undefined:
 * the first vector field, its own block), with its dimension: what an index
 * build reads (a packed field widened afresh). Where no schema is at hand
 * (the index node), `dim` may be left out: it is read off the column.
 */
export function fieldVectors(seg: { count: number; dim: number; vectors: Float32Array; fields: Record<string, unknown[]> }, field: string | undefined, dim?: number, packed?: PackedVectorType): { vectors: Float32Array; dim: number } {
  if (field === undefined) return { vectors: seg.vectors, dim: seg.dim };
  const column = seg.fields[field] ?? [];
  const d = dim ?? (column.find((v) => v instanceof Float32Array) as Float32Array | undefined)?.length ?? 0;
  return { vectors: columnBlock(column, seg.count, d, packed), dim: d };
}

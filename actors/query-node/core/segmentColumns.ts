import type { SealedSegment } from '../../shared/segment/segmentFile.js';
import { heldColumnBytes } from '../../shared/vector/vectorColumn.js';
import { shreddedOf } from '../../../messages/filter/shreddedJson.js';
import { shreddedBytes } from '../../shared/segment/jsonShredding.js';

/**
 * A sealed segment as a partial load holds it (messages/loadFields.ts): only the
 * loaded columns stay in memory. The primary key and insert TSOs always stay (every
 * read merges by them); the first FloatVector field lives in the segment's float
 * block, emptied when that field is not loaded. `columns` undefined: the segment whole.
 */
export function keepColumns(seg: SealedSegment, columns: readonly string[] | undefined, blockField: string | undefined): SealedSegment {
  if (columns === undefined) return seg;
  const keep = new Set(columns);
  const fields = Object.fromEntries(Object.entries(seg.fields).filter(([name]) => keep.has(name)));
  const dropBlock = blockField !== undefined && !keep.has(blockField);
  return { ...seg, fields, ...(dropBlock ? { vectors: new Float32Array(0), dim: 0 } : {}) };
}

/**
 * Bytes a segment's columns hold in memory, estimated: typed arrays by their length,
 * numbers as 8, strings as 2 a character, other values by their JSON text, a
 * vector column by its block (shared/vector/vectorColumn.ts), a shredded JSON
 * column its rows and its shredded form (shared/segment/jsonShredding.ts). It
 * measures what a partial load saves, not the process's exact heap.
 */
export function segmentBytes(seg: SealedSegment): number {
  let n = seg.vectors.byteLength + seg.count * 16; // float block, pks and TSOs
  for (const col of Object.values(seg.fields)) {
    n += columnBytes(col as ArrayLike<unknown>);
    const shredded = shreddedOf(col);
    if (shredded) n += shreddedBytes(shredded);
  }
  return n;
}

function columnBytes(col: ArrayLike<unknown>): number {
  if (ArrayBuffer.isView(col)) return col.byteLength;
  // A vector column packed into one block costs the block (a nullable field's compact one, its vectors and row map).
  const held = Array.isArray(col) ? heldColumnBytes(col) : undefined;
  if (held !== undefined) return held;
  let n = 0;
  for (let i = 0; i < col.length; i++) n += valueBytes(col[i]);
  return n;
}

function valueBytes(v: unknown): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (typeof v === 'number' || typeof v === 'bigint') return 8;
  if (typeof v === 'string') return 2 * v.length;
  if (ArrayBuffer.isView(v)) return v.byteLength;
  return 2 * (JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))?.length ?? 0);
}

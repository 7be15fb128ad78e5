import type { PrimaryKey } from '../../../messages/schema.js';

/** Columnar rows as growing chunks and sealed segments both hold them. */
export interface ColumnarRows { pks: PrimaryKey[]; vectors: Float32Array; fields: Record<string, unknown[]> }

/**
 * The requested output fields of one row: the primary key, the vector (a copy)
 * or a scalar: null when absent, or the field's default when it has one
 * (messages/schema.ts fieldDefaults).
 */
export function outputFieldsOf(rows: ColumnarRows, dim: number, row: number, outputFields: readonly string[], pkName: string, vectorName: string, defaults?: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of outputFields) {
    if (f === pkName) out[f] = rows.pks[row];
    else if (f === vectorName) out[f] = rows.vectors.slice(row * dim, (row + 1) * dim);
    else out[f] = rows.fields[f]?.[row] ?? defaults?.get(f) ?? null;
  }
  return out;
}

import type { CollectionSchema } from '../../../messages/schema.js';
import { isPackedVectorType, packedRowBytes } from '../../../messages/packedVectors.js';

/** How big a segment grows before it is sealed; merges aim at the same size. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

/** Rows that fit the byte budget for a vector of `dim` floats plus ~64 bytes of scalars. */
export function rowsForBytes(bytes: number, dim: number): number {
  return Math.max(1000, Math.floor(bytes / (dim * 4 + 64)));
}

/**
 * The `dim` rowsForBytes takes for a schema: its dense vectors' bytes a row
 * (every FloatVector, and the packed types at their stored size) in floats,
 * so a collection with several or narrow vector fields is sized by them all.
 */
export function sizingDim(schema: CollectionSchema): number {
  let bytes = 0;
  for (const f of schema.fields) {
    if (f.dataType === 'FloatVector') bytes += f.dim! * 4;
    else if (isPackedVectorType(f.dataType)) bytes += packedRowBytes(f.dataType, f.dim!);
  }
  return Math.max(1, Math.ceil(bytes / 4));
}

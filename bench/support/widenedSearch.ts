import { searchBruteForce, type RowHit } from '../../actors/shared/vector/bruteForce.js';
import type { DistanceRange } from '../../actors/shared/vector/distanceRange.js';
import { packedRowBytes, widenRow, type PackedVectorType } from '../../messages/packedVectors.js';
import type { MetricType } from '../../messages/schema.js';

/**
 * The search of a packed field as nuthatch did it before packed blocks
 * (actors/shared/vector/vectorBlock.ts), kept as the reference the packed
 * kernels are held to and measured against: every row widened into one
 * float32 block (bits to 0 and 1, halves and int8 to their values), then the
 * float kernels of distance.ts (HAMMING as squared L2 over the bits).
 */
export function widenedBlock(column: readonly unknown[], count: number, dim: number, type: PackedVectorType): Float32Array {
  const out = new Float32Array(count * dim), size = packedRowBytes(type, dim);
  for (let r = 0; r < count; r++) {
    const v = column[r];
    if (v instanceof Uint8Array && v.length === size) widenRow(type, dim, v, out, r * dim);
  }
  return out;
}

/** One packed query widened as the client widens it (runtime/client/searchOptions.ts). */
export function widenedQuery(type: PackedVectorType, dim: number, row: Uint8Array): Float32Array {
  const out = new Float32Array(dim);
  widenRow(type, dim, row, out, 0);
  return out;
}

export interface WidenedSearch {
  block: Float32Array; dim: number; count: number; metric: MetricType; queries: Float32Array[]; k: number;
  accept?: (row: number) => boolean; range?: DistanceRange;
}

/** Brute force over a widened block: the reference result, row for row and bit for bit. */
export function widenedSearch(s: WidenedSearch): RowHit[][] {
  return searchBruteForce({ vectors: s.block, dim: s.dim, count: s.count, metric: s.metric, queries: s.queries, k: s.k, ...(s.accept ? { accept: s.accept } : {}), ...(s.range ? { range: s.range } : {}) });
}

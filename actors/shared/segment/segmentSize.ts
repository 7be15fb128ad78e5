/** How big a segment grows before it is sealed; merges aim at the same size. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

/** Rows that fit the byte budget for a vector of `dim` floats plus ~64 bytes of scalars. */
export function rowsForBytes(bytes: number, dim: number): number {
  return Math.max(1000, Math.floor(bytes / (dim * 4 + 64)));
}

/**
 * Summaries of latency samples for the benchmarks: nearest-rank percentiles over
 * one sort, and the median of repeated measurements.
 */

/** p-th percentiles (0..100) of `samples`, one sort for all of them; NaN when empty. */
export function percentiles(samples: ArrayLike<number>, ps: readonly number[]): number[] {
  const s = Float64Array.from(samples).sort();
  return ps.map((p) => (s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!));
}

/** The median of a few repeated figures. */
export function median(xs: readonly number[]): number {
  return percentiles(xs, [50])[0]!;
}

/**
 * The values behind one label set of a metric family. Each update is a field
 * write: call sites resolve their children once (MetricFamily.labels) and keep them.
 */

/** A count that only goes up (reset only by a restart of the process). */
export class Counter {
  value = 0;
  /** Adds `n` (default 1); a negative `n` is a programming error. */
  inc(n = 1): void {
    if (!(n >= 0)) throw new RangeError(`a counter only goes up, got ${n}`);
    this.value += n;
  }
}

/** A value that goes up and down, or is set (at scrape time for sampled ones). */
export class Gauge {
  value = 0;
  set(v: number): void { this.value = v; }
  inc(n = 1): void { this.value += n; }
  dec(n = 1): void { this.value -= n; }
}

/**
 * Observations counted into buckets by upper bound. `counts[i]` holds the
 * observations in (bounds[i-1], bounds[i]] and the last slot those above every
 * bound; the exposition makes them cumulative.
 */
export class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) { this.counts = new Array<number>(bounds.length + 1).fill(0); }

  observe(v: number): void {
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

/** Latency buckets in seconds, 1 ms to 60 s: covers a cached read and a big flush alike. */
export const DURATION_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Buckets in seconds for background tasks (flushes, compactions, index builds), 10 ms to 30 min. */
export const TASK_BUCKETS: readonly number[] = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800];

/** Throws unless `bounds` are finite and strictly increasing (+Inf is implicit). */
export function checkBuckets(bounds: readonly number[]): void {
  if (bounds.length === 0) throw new RangeError('a histogram needs at least one bucket bound');
  bounds.forEach((b, i) => {
    if (!Number.isFinite(b)) throw new RangeError(`bucket bound ${b} is not finite (+Inf is implicit)`);
    if (i > 0 && b <= bounds[i - 1]!) throw new RangeError(`bucket bounds must increase: ${bounds.join(', ')}`);
  });
}

import type { MetricFamily } from './family.js';
import type { Counter, Histogram } from './instruments.js';

/** The children one kind of operation updates: its outcomes and its duration. */
export interface Operation { ok: Counter; error: Counter; seconds: Histogram }

/**
 * Resolves an operation's children once: `count` takes `values` plus a last
 * `result` label (ok or error), `seconds` takes `values` alone.
 */
export function operation(count: MetricFamily<Counter>, seconds: MetricFamily<Histogram>, ...values: string[]): Operation {
  return { ok: count.labels(...values, 'ok'), error: count.labels(...values, 'error'), seconds: seconds.labels(...values) };
}

/** Seconds since `startMs` (a performance.now() reading). */
export const secondsSince = (startMs: number): number => (performance.now() - startMs) / 1000;

/** Runs `fn`, counting it as ok or error and observing how long it took either way. */
export async function measure<T>(op: Operation, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const r = await fn();
    op.ok.inc();
    return r;
  } catch (e) {
    op.error.inc();
    throw e;
  } finally {
    op.seconds.observe(secondsSince(started));
  }
}

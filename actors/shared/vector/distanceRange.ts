import { ValidationError } from '../../../messages/errors.js';
import type { MetricType } from '../../../messages/schema.js';
import { higherIsBetter } from './distance.js';

/**
 * A range search's bounds, as Milvus defines them: `radius` is the outer
 * bound, `rangeFilter` (optional) the inner one, which leaves out the closest.
 * For L2 a hit needs rangeFilter <= d < radius; for IP and COSINE, where
 * larger is closer, radius < d <= rangeFilter.
 */
export interface DistanceRange { radius: number; rangeFilter?: number }

/** Refuses bounds that admit nothing or are not numbers, naming the rule of the metric. */
export function checkDistanceRange(metric: MetricType, r: DistanceRange): void {
  if (!Number.isFinite(r.radius)) throw new ValidationError(`radius must be a finite number, got ${r.radius}`, { field: 'radius' });
  if (r.rangeFilter === undefined) return;
  if (!Number.isFinite(r.rangeFilter)) throw new ValidationError(`range_filter must be a finite number, got ${r.rangeFilter}`, { field: 'range_filter' });
  if (higherIsBetter(metric) ? r.rangeFilter <= r.radius : r.rangeFilter >= r.radius) {
    const rule = higherIsBetter(metric) ? 'radius < range_filter' : 'range_filter < radius';
    throw new ValidationError(`with metric ${metric} a range search needs ${rule}, got radius ${r.radius} and range_filter ${r.rangeFilter}`, { field: 'range_filter' });
  }
}

/** Whether a distance is inside the range (both bounds). */
export function withinRange(metric: MetricType, r: DistanceRange): (d: number) => boolean {
  const { radius } = r;
  if (higherIsBetter(metric)) {
    const top = r.rangeFilter ?? Infinity;
    return (d) => d > radius && d <= top;
  }
  const bottom = r.rangeFilter ?? -Infinity;
  return (d) => d < radius && d >= bottom;
}

/**
 * Whether a distance passes the inner bound alone, or undefined when there is
 * none. An ANN search takes this one as a row filter, so it keeps walking past
 * the closest rows it leaves out; the outer bound is applied to what it
 * returns, as a filter on it would send the walk across the whole graph.
 * `slack` (relative) lets through rows just inside the bound: the filter sees
 * distances computed here, while the bounds are judged, after, on the
 * distances the index reports (float32), which a client may pass back as a
 * bound; a row on the bound must not fall between the two.
 */
export function outsideInner(metric: MetricType, r: DistanceRange, slack = 0): ((d: number) => boolean) | undefined {
  const inner = r.rangeFilter;
  if (inner === undefined) return undefined;
  const give = slack * Math.max(1, Math.abs(inner));
  return higherIsBetter(metric) ? (d) => d <= inner + give : (d) => d >= inner - give;
}

import type { MetricType } from '../../../messages/schema.js';
import type { DistanceRange } from './distanceRange.js';
import type { GroupBySpec } from './groupBy.js';

/**
 * What a search keeps, the same at every level (segment, shard, client): the
 * best `k` hits, or with `group` the best `k` groups; with `range`, only hits
 * inside it.
 */
export interface SearchShape {
  k: number;
  metric: MetricType;
  range?: DistanceRange;
  group?: GroupBySpec;
  /** MHJACCARD: bytes of one MinHash value in an exact search (minhashDistance.ts; default 4). */
  mhElementBytes?: number;
}

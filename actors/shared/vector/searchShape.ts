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
  /**
   * Milvus's search hint `iterative_filter` (iterativeFilter.ts): the filter is
   * asked only of the rows a walk nearest-first meets, not of every row before
   * the search. Taken by plain and boosted searches of dense fields with a
   * filter; a range or grouping search filters as usual (as in Milvus).
   */
  iterativeFilter?: boolean;
}

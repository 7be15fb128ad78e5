import { ValidationError } from './errors.js';

/**
 * DISKANN's params that are not integers in a range (those are checked with
 * the other index types' in the coordinator's catalog): the build's
 * `pq_code_budget_gb_ratio`, PQ code bytes per row relative to its raw
 * float32 bytes, the load-time `search_cache_budget_gb_ratio` (the node
 * cache, relative to the same bytes) and `beamwidth_ratio` (records read
 * per search step, relative to CPUs), given when the index is created, and
 * the search's `search_list`, as Milvus takes them.
 */
export const DEFAULT_PQ_CODE_BUDGET_GB_RATIO = 0.125;
/** Milvus's search_list bound: [topk, int32_max]. */
export const MAX_SEARCH_LIST = 2147483647;

/** pq_code_budget_gb_ratio normalised: a number in (0, 0.25], 0.125 when absent. */
export function pqCodeBudgetRatio(raw: unknown): number {
  if (raw === undefined) return DEFAULT_PQ_CODE_BUDGET_GB_RATIO;
  const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof v !== 'number' || !(v > 0 && v <= 0.25)) {
    throw new ValidationError(`index param pq_code_budget_gb_ratio of DISKANN must be a number in (0, 0.25], got ${JSON.stringify(raw)}`, { field: 'pq_code_budget_gb_ratio' });
  }
  return v;
}

/** Milvus's default search_cache_budget_gb_ratio (common.DiskIndex.SearchCacheBudgetGBRatio). */
export const DEFAULT_SEARCH_CACHE_BUDGET_GB_RATIO = 0.1;
/** Milvus's default beamwidth_ratio (common.DiskIndex.BeamWidthRatio). */
export const DEFAULT_BEAMWIDTH_RATIO = 4;

/** search_cache_budget_gb_ratio normalised: a number in [0, 0.3) (Milvus's range), 0.1 when absent. */
export function searchCacheBudgetRatio(raw: unknown): number {
  const v = raw === undefined ? DEFAULT_SEARCH_CACHE_BUDGET_GB_RATIO : numberOf(raw);
  if (typeof v !== 'number' || !(v >= 0 && v < 0.3)) {
    throw new ValidationError(`index param search_cache_budget_gb_ratio of DISKANN must be a number in [0, 0.3), got ${JSON.stringify(raw)}`, { field: 'search_cache_budget_gb_ratio' });
  }
  return v;
}

/**
 * beamwidth_ratio normalised: a number in [1, 128], 4 when absent. Milvus
 * bounds it by [1, max(128 / CPUs, 16)] of the query node; the coordinator
 * does not know those CPUs, so it takes the widest bound, and the query
 * node caps the beam width (ratio x its CPUs) at 16 as Milvus does.
 */
export function beamwidthRatio(raw: unknown): number {
  const v = raw === undefined ? DEFAULT_BEAMWIDTH_RATIO : numberOf(raw);
  if (typeof v !== 'number' || !(v >= 1 && v <= 128)) {
    throw new ValidationError(`index param beamwidth_ratio of DISKANN must be a number in [1, 128], got ${JSON.stringify(raw)}`, { field: 'beamwidth_ratio' });
  }
  return v;
}

function numberOf(raw: unknown): unknown {
  return typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
}

/** A search's search_list, checked against its topk (limit + offset). */
export function checkSearchList(v: unknown, topk: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_SEARCH_LIST) {
    throw new ValidationError(`searchParams.params.search_list must be an integer in [topk, ${MAX_SEARCH_LIST}], got ${String(v)}`, { field: 'search_list' });
  }
  if (v < topk) throw new ValidationError(`searchParams.params.search_list (${v}) must be at least topk (limit + offset, ${topk})`, { field: 'search_list' });
  return v;
}

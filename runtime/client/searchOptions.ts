import { ValidationError } from '../../messages/errors.js';
import type { MetricType } from '../../messages/schema.js';
import { checkDistanceRange, type DistanceRange } from '../../actors/shared/vector/distanceRange.js';
import type { SearchRequest } from './api.js';

/** What a search request asks beyond its vectors, limit and filter, checked. */
export interface SearchOptions {
  ef?: number;
  range?: DistanceRange;
  ignoreGrowing: boolean;
  /** Decimals distances are rounded to; undefined keeps them. */
  roundDecimal?: number;
}

/**
 * Reads `searchParams` (params.ef, params.radius, params.range_filter,
 * ignoreGrowing) and `roundDecimal` as Milvus does, refusing values it would
 * refuse. Other params are index parameters of other index types: ignored, as
 * Milvus ignores them.
 */
export function searchOptions(req: SearchRequest, metric: MetricType): SearchOptions {
  const params = req.searchParams?.params ?? {};
  const out: SearchOptions = { ignoreGrowing: false };
  const { ef, radius, range_filter: rangeFilter } = params;
  if (ef !== undefined) {
    if (!Number.isInteger(ef) || ef < 1 || ef > 32768) throw new ValidationError('searchParams.params.ef must be an integer in 1..32768', { field: 'ef' });
    out.ef = ef;
  }
  if (rangeFilter !== undefined && radius === undefined) throw new ValidationError('searchParams.params.range_filter needs a radius: it is the inner bound of a range search', { field: 'range_filter' });
  if (radius !== undefined) {
    out.range = rangeFilter === undefined ? { radius } : { radius, rangeFilter };
    checkDistanceRange(metric, out.range);
  }
  const ignore = req.searchParams?.ignoreGrowing;
  if (ignore !== undefined && typeof ignore !== 'boolean') throw new ValidationError('searchParams.ignoreGrowing must be true or false', { field: 'ignore_growing' });
  out.ignoreGrowing = ignore === true;
  const round = req.roundDecimal;
  if (round !== undefined && round !== -1) {
    if (!Number.isInteger(round) || round < 0 || round > 6) throw new ValidationError(`roundDecimal must be an integer in -1..6 (-1 keeps distances as they are), got ${round}`, { field: 'round_decimal' });
    out.roundDecimal = round;
  }
  return out;
}

/** A distance rounded half up to `decimals` places, as Milvus rounds them. */
export function roundDistance(d: number, decimals: number): number {
  const m = 10 ** decimals;
  return Math.floor(d * m + 0.5) / m;
}

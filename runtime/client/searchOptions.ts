import { ValidationError } from '../../messages/errors.js';
import { LIMITS, type CollectionSchema, type FieldSchema, type MetricType } from '../../messages/schema.js';
import { isPackedVectorType, packRow, widenRow } from '../../messages/packedVectors.js';
import { checkDistanceRange, type DistanceRange } from '../../actors/shared/vector/distanceRange.js';
import type { GroupBySpec } from '../../actors/shared/vector/groupBy.js';
import type { SearchRequest } from './api.js';
import { minhashFunctionOf } from '../../messages/schemaFunctions.js';
import { minhashParamsOf } from '../../messages/minhash/minhashParams.js';
import { minhashBytes } from '../../messages/minhash/minhashSignature.js';
import { fieldAnalyzer } from '../../messages/analyzer.js';
import { checkSearchList } from '../../messages/diskannParams.js';

/** Field types a search can group by, as in Milvus. */
const GROUPABLE = new Set(['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'VarChar']);

/** What a search request asks beyond its vectors, limit and filter, checked. */
export interface SearchOptions {
  ef?: number;
  nprobe?: number;
  /** IVF_RABITQ: bits the query is rounded to (0..8) and the refine magnification (>= 1). */
  rbqQueryBits?: number;
  refineK?: number;
  /** SCANN: candidates re-ranked with the raw vectors (at least the search's topk). */
  reorderK?: number;
  /** MINHASH_LSH: re-score the bucket candidates by exact MHJACCARD (mh_search_with_jaccard). */
  mhSearchWithJaccard?: boolean;
  /** DISKANN: the search's candidate list (search_list, topk..int32_max; default 16, or topk when larger). */
  searchList?: number;
  /** MHJACCARD: the MinHash value width in bits an exact search reads (mh_element_bit_width). */
  mhElementBitWidth?: number;
  range?: DistanceRange;
  ignoreGrowing: boolean;
  /** Decimals distances are rounded to; undefined keeps them. */
  roundDecimal?: number;
  group?: GroupBySpec;
  /** searchParams.hints "iterative_filter": the filter asked of the rows a nearest-first walk meets (actors/shared/vector/iterativeFilter.ts). */
  iterativeFilter?: boolean;
}

/** Milvus's search hints: iterative filtering, or the standard filtering it names "disable". */
export const SEARCH_HINTS = ['iterative_filter', 'disable'] as const;

/**
 * Whether a search's hints ask for iterative filtering; any other value than
 * Milvus's two is refused, as Milvus refuses it ("hints: x not supported").
 */
export function iterativeHint(hints: unknown): boolean {
  if (hints === undefined) return false;
  if (typeof hints !== 'string' || !(SEARCH_HINTS as readonly string[]).includes(hints)) {
    throw new ValidationError(`searchParams.hints ${JSON.stringify(hints)} is not supported: give "iterative_filter" (the filter asked only of the rows the search meets) or "disable"`, { field: 'hints' });
  }
  return hints === 'iterative_filter';
}

/** SCANN's reorder_k at most (Milvus sets no bound; one keeps a search's candidate heap in memory). */
const MAX_REORDER_K = 1 << 20;

/**
 * Reads `searchParams` (params.ef, params.nprobe, params.radius,
 * params.range_filter, params.rbq_query_bits, params.refine_k,
 * params.reorder_k, ignoreGrowing) and `roundDecimal` as Milvus does,
 * refusing values it would refuse. Each index reads its own knobs (HNSW ef;
 * IVF nprobe; IVF_RABITQ also rbq_query_bits and refine_k; SCANN reorder_k; DISKANN search_list, given `indexType`) and ignores the others'; other params are ignored, as Milvus
 * ignores them.
 */
export function searchOptions(req: SearchRequest, metric: MetricType, schema: CollectionSchema, indexType?: string): SearchOptions {
  const params = req.searchParams?.params ?? {};
  const out: SearchOptions = { ignoreGrowing: false };
  // Numeric knobs are checked as numbers below (a boolean fails every check); the mh_ switches may be booleans.
  const { ef, nprobe, radius, range_filter: rangeFilter, rbq_query_bits: rbqQueryBits, refine_k: refineK, reorder_k: reorderK } = params as Record<string, number>;
  if ((radius !== undefined && typeof radius !== 'number') || (rangeFilter !== undefined && typeof rangeFilter !== 'number')) throw new ValidationError('searchParams.params.radius and range_filter must be numbers', { field: 'radius' });
  if (ef !== undefined) {
    if (!Number.isInteger(ef) || ef < 1 || ef > 32768) throw new ValidationError('searchParams.params.ef must be an integer in 1..32768', { field: 'ef' });
    out.ef = ef;
  }
  if (nprobe !== undefined) {
    if (!Number.isInteger(nprobe) || nprobe < 1 || nprobe > 65536) throw new ValidationError('searchParams.params.nprobe must be an integer in 1..65536', { field: 'nprobe' });
    out.nprobe = nprobe;
  }
  if (rbqQueryBits !== undefined) {
    if (!Number.isInteger(rbqQueryBits) || rbqQueryBits < 0 || rbqQueryBits > 8) throw new ValidationError('searchParams.params.rbq_query_bits must be an integer in 0..8 (0: the query is not quantized)', { field: 'rbq_query_bits' });
    out.rbqQueryBits = rbqQueryBits;
  }
  // DISKANN's own: checked against topk only when the field has a DISKANN index, else ignored as Milvus ignores another type's params.
  if (params.search_list !== undefined && indexType === 'DISKANN') out.searchList = checkSearchList(params.search_list, req.limit + (req.offset ?? 0));
  if (refineK !== undefined) {
    if (typeof refineK !== 'number' || !(refineK >= 1) || refineK > 1024) throw new ValidationError('searchParams.params.refine_k must be a number in 1..1024 (candidates re-scored per result asked)', { field: 'refine_k' });
    out.refineK = refineK;
  }
  if (reorderK !== undefined) {
    const topk = req.limit + (req.offset ?? 0);
    if (!Number.isInteger(reorderK) || reorderK < 1 || reorderK > MAX_REORDER_K) throw new ValidationError(`searchParams.params.reorder_k must be an integer in 1..${MAX_REORDER_K}`, { field: 'reorder_k' });
    // Milvus's rule: the candidates re-ranked are at least the results asked (limit + offset).
    if (reorderK < topk) throw new ValidationError(`searchParams.params.reorder_k (${reorderK}) must be at least the search's topk (limit + offset = ${topk})`, { field: 'reorder_k' });
    out.reorderK = reorderK;
  }
  const withJaccard = flagParam(params, 'mh_search_with_jaccard');
  if (withJaccard !== undefined) out.mhSearchWithJaccard = withJaccard;
  // Accepted as Milvus takes it; queries of a batch are already searched one bucket lookup each.
  flagParam(params, 'mh_lsh_batch_search');
  const width = params.mh_element_bit_width;
  if (width !== undefined) {
    const bits = typeof width === 'string' ? Number(width) : width;
    if (typeof bits !== 'number' || ![8, 16, 32, 64].includes(bits)) throw new ValidationError(`searchParams.params.mh_element_bit_width must be 8, 16, 32 or 64, got ${String(width)}`, { field: 'mh_element_bit_width' });
    out.mhElementBitWidth = bits;
  }
  if ((out.mhSearchWithJaccard !== undefined || out.mhElementBitWidth !== undefined) && metric !== 'MHJACCARD') {
    throw new ValidationError(`mh_search_with_jaccard and mh_element_bit_width are MHJACCARD search params; this field is searched with ${metric}`, { field: 'metricType' });
  }
  if (rangeFilter !== undefined && radius === undefined) throw new ValidationError('searchParams.params.range_filter needs a radius: it is the inner bound of a range search', { field: 'range_filter' });
  if (radius !== undefined) {
    out.range = rangeFilter === undefined ? { radius } : { radius, rangeFilter };
    checkDistanceRange(metric, out.range);
  }
  const ignore = req.searchParams?.ignoreGrowing;
  if (ignore !== undefined && typeof ignore !== 'boolean') throw new ValidationError('searchParams.ignoreGrowing must be true or false', { field: 'ignore_growing' });
  out.ignoreGrowing = ignore === true;
  const round = checkRoundDecimal(req.roundDecimal);
  if (round !== undefined) out.roundDecimal = round;
  const group = groupSpec(req, schema);
  if (group) out.group = group;
  // Checked always; a range search filters as usual whatever it says (Milvus ignores the hint there), a grouping search too.
  if (iterativeHint(req.searchParams?.hints) && !out.range && !group) out.iterativeFilter = true;
  return out;
}

/** A true/false search param (booleans, or "true"/"false" as SDKs send them), or undefined when absent. */
function flagParam(params: Record<string, unknown>, key: string): boolean | undefined {
  const v = params[key];
  if (v === undefined) return undefined;
  if (v === true || v === 'true' || v === 'True') return true;
  if (v === false || v === 'false' || v === 'False') return false;
  throw new ValidationError(`searchParams.params.${key} must be true or false, got ${String(v)}`, { field: key });
}

/** The grouping a search asks for, checked against the schema, or undefined. */
export function groupSpec(req: Pick<SearchRequest, 'groupingField' | 'groupSize' | 'strictGroupSize' | 'limit' | 'offset'>, schema: CollectionSchema): GroupBySpec | undefined {
  const { groupingField: field, groupSize, strictGroupSize } = req;
  if (field === undefined) {
    if (groupSize !== undefined || strictGroupSize !== undefined) throw new ValidationError('groupSize and strictGroupSize need a groupingField', { field: 'groupingField' });
    return undefined;
  }
  const f = schema.fields.find((x) => x.name === field);
  if (!f) throw new ValidationError(`groupingField '${field}' is not a field of the collection`, { field: 'groupingField' });
  if (f.isPrimary) throw new ValidationError(`groupingField '${field}' is the primary key: every group would hold one row; search without grouping`, { field: 'groupingField' });
  if (!GROUPABLE.has(f.dataType)) throw new ValidationError(`groupingField '${field}' is ${f.dataType}: a search groups by Bool, Int8, Int16, Int32, Int64 or VarChar fields`, { field: 'groupingField' });
  const size = groupSize ?? 1;
  if (!Number.isInteger(size) || size < 1) throw new ValidationError(`groupSize must be a positive integer, got ${String(groupSize)}`, { field: 'groupSize' });
  const groups = req.limit + (req.offset ?? 0);
  if (groups * size > LIMITS.maxTopK) throw new ValidationError(`(limit + offset) x groupSize must be at most ${LIMITS.maxTopK}, got ${groups} x ${size}`, { field: 'groupSize' });
  if (strictGroupSize !== undefined && typeof strictGroupSize !== 'boolean') throw new ValidationError('strictGroupSize must be true or false', { field: 'strictGroupSize' });
  return { field, size, strict: strictGroupSize === true };
}

/** `roundDecimal` checked: the places distances are rounded to, or undefined to keep them (absent or -1). */
export function checkRoundDecimal(round: unknown): number | undefined {
  if (round === undefined || round === -1) return undefined;
  if (typeof round !== 'number' || !Number.isInteger(round) || round < 0 || round > 6) throw new ValidationError(`roundDecimal must be an integer in -1..6 (-1 keeps distances as they are), got ${JSON.stringify(round)}`, { field: 'round_decimal' });
  return round;
}

/** What a search does to each distance it shows: rounded to `decimals` places, or kept. */
export function rounder(decimals: number | undefined): (d: number) => number {
  return decimals === undefined ? (d) => d : (d) => roundDistance(d, decimals);
}

/** A search page checked (limit at least 1, offset at least 0, together at most maxTopK); the hits each shard returns. */
export function checkPage(limit: unknown, offset: unknown = 0): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit + (Number(offset) || 0) > LIMITS.maxTopK) throw new ValidationError(`limit must be an integer in 1..${LIMITS.maxTopK} (with offset)`);
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw new ValidationError('offset must be a non-negative integer');
  return limit + offset;
}

/** A distance rounded half up to `decimals` places, as Milvus rounds them. */
export function roundDistance(d: number, decimals: number): number {
  const m = 10 ** decimals;
  return Math.floor(d * m + 0.5) / m;
}

/** Query vectors packed one after another, each checked for its dimension and finite values. */
export function queryVectors(data: ReadonlyArray<ArrayLike<unknown>>, dim: number): Float32Array {
  const queries = new Float32Array(data.length * dim);
  data.forEach((v, i) => {
    if (!(Array.isArray(v) || v instanceof Float32Array) || v.length !== dim) throw new ValidationError(`query vector ${i} must have dimension ${dim}`);
    for (let j = 0; j < dim; j++) {
      const x = v[j];
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new ValidationError(`query vector ${i} holds a non-finite or non-numeric value at ${j}`);
      queries[i * dim + j] = x;
    }
  });
  return queries;
}

/**
 * The query vectors of a dense field as the shards take them: float32, a
 * packed field's (messages/packedVectors.ts) checked and rounded as its rows
 * are, then widened as its rows are for a search (bits to 0 and 1).
 */
export function denseQueries(field: FieldSchema, data: ReadonlyArray<unknown>, schema?: CollectionSchema): Float32Array {
  const type = field.dataType, dim = field.dim!;
  if (!isPackedVectorType(type)) return queryVectors(data as ReadonlyArray<ArrayLike<unknown>>, dim);
  const out = new Float32Array(data.length * dim);
  // A MINHASH function's output is searched with texts too: each becomes its signature as rows' texts do.
  const fn = schema && minhashFunctionOf(schema, field.name);
  const minhash = fn && { params: minhashParamsOf(fn.params, dim, fn.name), analyzer: fieldAnalyzer(schema.fields.find((f) => f.name === fn.inputFieldNames[0])) };
  data.forEach((v, i) => {
    if (typeof v === 'string' && minhash) { widenRow(type, dim, minhashBytes(v, minhash.params, minhash.analyzer), out, i * dim); return; }
    const packed = packRow(type, dim, v, `query vector ${i} of ${type} field '${field.name}'`);
    if (typeof packed === 'string') throw new ValidationError(packed, { field: 'data' });
    widenRow(type, dim, packed, out, i * dim);
  });
  return out;
}

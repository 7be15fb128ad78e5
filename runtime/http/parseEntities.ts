import type { DecayRanker } from '../client/decayRanker.js';
import type { FunctionScore } from '../client/functionScore.js';
import type { FunctionScoreParams } from '../../messages/boostRanker.js';
import type { SparseInput } from '../client/sparseQueries.js';
import { LIMITS, ValidationError, type MetricType, type PrimaryKey } from '../../messages/index.js';
import type { HybridSearchRequest, QueryRequest, ReadOptions, SearchRequest } from '../client/api.js';
import type { Reranker } from '../client/hybridRank.js';
import {
  DB_NAME, readCollectionName, readConsistency, readExprParams, readFilter, readIds, readName, readOutputFields,
  readPaging, readPartitionNames, checkFieldRef,
} from './common.js';
import { describe, isPlainObject, JsonReader } from './JsonReader.js';
import { vectorFrom } from './vectors.js';
import { aggregateCall } from '../../messages/queryAggregation.js';

/**
 * Parsers of /v2/vectordb/entities/*: JSON to typed api arguments, without the
 * collection's schema. What needs the schema (field types, dimension, output
 * field names) is checked afterwards by schemaChecks.ts.
 */

/** Search limit when a request gives none (our choice; Milvus clients usually send one). */
export const DEFAULT_SEARCH_LIMIT = 100;

const READ_KEYS = ['outputFields', 'partitionNames', 'consistencyLevel', 'exprParams', 'timezone'] as const;
const UNSUPPORTED_READ = ['functionScore', 'ids', 'params', 'searchAggregation', 'functionChains'] as const;

export interface WriteCall { collectionName: string; rows: Record<string, unknown>[]; partitionName?: string; partialUpdate?: boolean }

/** insert and upsert: `{collectionName, data: [row, ...], partitionName?}`; upsert also takes `partialUpdate` (merge mode). */
export function parseWrite(body: unknown, op: 'insert' | 'upsert' = 'insert'): WriteCall {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'data', 'partitionName', ...(op === 'upsert' ? ['partialUpdate'] : [])]);
  const collectionName = readCollectionName(r);
  const data = r.required('data');
  if (!Array.isArray(data)) throw r.wrong('data', 'a list of rows (objects)', data);
  if (data.length === 0) throw new ValidationError(`field 'data' must hold at least one row`, { field: 'data' });
  if (data.length > LIMITS.maxBatchRows) throw new ValidationError(`field 'data' holds at most ${LIMITS.maxBatchRows} rows per request, got ${data.length}: split the batch`, { field: 'data' });
  data.forEach((row, i) => { if (!isPlainObject(row)) throw new ValidationError(`'data[${i}]' must be a row object, got ${describe(row)}`, { field: `data[${i}]` }); });
  const call: WriteCall = { collectionName, rows: data as Record<string, unknown>[] };
  if (r.has('partitionName')) call.partitionName = readName(r, 'partitionName', 'partition');
  if (r.optBool('partialUpdate') === true) call.partialUpdate = true;
  return call;
}

/** delete: `{collectionName, filter, exprParams?, partitionName?}`; the filter is required, as in Milvus. */
export function parseDelete(body: unknown): { collectionName: string; filter: string; filterParams?: Record<string, unknown>; partitionName?: string } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'filter', 'partitionName', 'exprParams']);
  const collectionName = readCollectionName(r);
  const filter = readFilter(r, true)!;
  return { collectionName, filter, ...readExprParams(r), ...(r.has('partitionName') ? { partitionName: readName(r, 'partitionName', 'partition') } : {}) };
}

/** get: `{collectionName, id: key | [keys], outputFields?, partitionNames?, consistencyLevel?}`. */
export function parseGet(body: unknown): { collectionName: string; ids: PrimaryKey[]; opts: ReadOptions } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'id', 'partitionName', ...READ_KEYS]);
  const collectionName = readCollectionName(r);
  return { collectionName, ids: readIds(r), opts: readOptions(r, true) };
}

/** The longest `cursor` taken (base64url of the key, and of an ordered walk's values: see queryCursor.ts). */
export const MAX_CURSOR_CHARS = 1 << 20;

/** Rows per page of a paged query (one with a `cursor`) that gives no limit. */
export const DEFAULT_QUERY_PAGE = 100;

/**
 * query: `{collectionName, filter?, limit?, offset?, ...}`; a query without a
 * filter needs a limit (or asks only for count(*)). With `cursor` (`""` to
 * start, then each answer's `nextCursor`) it is a page of a walk in key order
 * (with `orderByFields`, in that order; every page names the same order):
 * `limit` rows (default 100), no offset.
 */
export function parseQuery(body: unknown): { collectionName: string; request: QueryRequest; cursor?: string } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'filter', 'limit', 'offset', 'cursor', 'orderByFields', 'groupByFields', ...READ_KEYS], UNSUPPORTED_READ);
  const collectionName = readCollectionName(r);
  const request: QueryRequest = readOptions(r, false);
  const filter = readFilter(r, false);
  const { limit, offset } = readPaging(r, undefined);
  // An ordered walk's cursor holds its last row's ordered values: up to 8 VarChar values of up to 64 Ki characters.
  const cursor = r.has('cursor') ? r.str('cursor', { allowEmpty: true, maxLength: MAX_CURSOR_CHARS }) : undefined;
  const groupBy = r.optStrList('groupByFields')?.map((f, i) => checkFieldRef(f, `groupByFields[${i}]`));
  const aggregate = (request.outputFields ?? []).find((f) => aggregateCall(f) !== null) ?? (groupBy?.length ? 'groupByFields' : undefined);
  if (cursor !== undefined && offset !== undefined) throw new ValidationError(`a query with a 'cursor' pages by it: 'offset' is not taken`, { field: 'offset' });
  if (cursor !== undefined && aggregate !== undefined) throw new ValidationError(`a query with a 'cursor' returns rows: ${aggregate} is not taken`, { field: aggregate === 'groupByFields' ? aggregate : 'outputFields' });
  if (cursor === undefined && filter === undefined && limit === undefined && aggregate === undefined) throw new ValidationError(`a query needs a 'filter' or a 'limit'`, { field: 'filter' });
  if (groupBy?.length) request.groupByFields = groupBy;
  const order = readOrderByFields(r);
  if (order) request.orderByFields = order;
  if (filter !== undefined) request.filter = filter;
  if (limit !== undefined) request.limit = limit;
  if (offset !== undefined) request.offset = offset;
  return cursor === undefined ? { collectionName, request } : { collectionName, request, cursor };
}

/**
 * search: `{collectionName, data: [[floats]...] | ids: [keys], annsField?, limit?, offset?,
 * filter?, outputFields?, searchParams?: {metricType?, params?: {ef, nprobe,
 * radius, range_filter, ...}, ignore_growing?, round_decimal?, hints?}, partitionNames?,
 * consistencyLevel?, groupingField?, groupSize?, strictGroupSize?, aggregation?}`. Vectors
 * become Float32Arrays here. `ids` instead of `data` is a primary-key search
 * (Milvus 2.6.9's, which its REST API lacks): checked against the schema
 * later (checkSearchIds), the rows read by the client.
 */
export function parseSearch(body: unknown): { collectionName: string; request: SearchRequest & { data?: QueryData[] } } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'data', 'ids', 'annsField', 'filter', 'limit', 'offset', 'searchParams', 'groupingField', 'groupSize', 'strictGroupSize', 'functionScore', 'highlighter', 'orderByFields', 'aggregation', ...READ_KEYS], UNSUPPORTED_READ.filter((k) => k !== 'functionScore' && k !== 'ids'));
  const collectionName = readCollectionName(r);
  if (r.has('ids') && r.has('data')) throw new ValidationError(`a search takes 'data' (query vectors) or 'ids' (primary keys), not both`, { field: 'ids' });
  const queries = r.has('ids') ? { ids: readIds(r, 'ids') } : { data: readQueryVectors(r) };
  const { limit, offset } = readPaging(r, DEFAULT_SEARCH_LIMIT);
  const request: SearchRequest & { data?: QueryData[] } = { ...readOptions(r, false), ...queries, limit: limit! };
  const filter = readFilter(r, false);
  if (filter !== undefined) request.filter = filter;
  if (offset !== undefined) request.offset = offset;
  if (r.has('annsField')) request.annsField = checkFieldRef(r.str('annsField'), 'annsField');
  if (r.has('groupingField')) request.groupingField = checkFieldRef(r.str('groupingField'), 'groupingField');
  const groupSize = r.optInt('groupSize', 1, LIMITS.maxTopK);
  if (groupSize !== undefined) request.groupSize = groupSize;
  const strict = r.optBool('strictGroupSize');
  if (strict !== undefined) request.strictGroupSize = strict;
  const sp = r.optObj('searchParams', ['metricType', 'params', ...BESIDE_PARAMS, 'ignore_growing', 'round_decimal', 'analyzer_name', 'hints']);
  if (sp) {
    request.searchParams = readSearchParams(sp);
    const round = sp.optInt('round_decimal', -1, 6);
    if (round !== undefined) request.roundDecimal = round;
  }
  const fs = r.optObj('functionScore', ['functions', 'params']);
  if (fs) request.ranker = readSearchFunctionScore(fs);
  // Checked against the schema by the client (runtime/client/highlighter.ts).
  if (r.has('highlighter')) request.highlighter = r.raw('highlighter') as SearchRequest['highlighter'];
  const order = readOrderByFields(r);
  if (order) request.orderByFields = order;
  // A search aggregation (Milvus 3.0's, in its SDKs' snake_case shape), checked against the schema by the client (messages/searchAggregation.ts).
  if (r.has('aggregation')) request.aggregation = r.raw('aggregation') as SearchRequest['aggregation'];
  return { collectionName, request };
}

/**
 * `orderByFields: [{fieldName, order?: "asc" | "desc"}]`: Milvus's REST API
 * documents no name for order_by_fields; this follows its camelCase and
 * `fieldName` spelling. Field names and types are checked by the client.
 */
function readOrderByFields(r: JsonReader): Array<{ field: string; order?: 'asc' | 'desc' }> | undefined {
  if (!r.has('orderByFields')) return undefined;
  const v = r.raw('orderByFields');
  if (!Array.isArray(v) || v.length === 0) throw r.wrong('orderByFields', 'a non-empty list of {fieldName, order}', v);
  return v.map((x: unknown, i) => {
    const o = JsonReader.object(x, `orderByFields[${i}].`, ['fieldName', 'order']);
    const order = o.optStr('order');
    if (order !== undefined && !/^(asc|desc)$/i.test(order)) throw new ValidationError(`'orderByFields[${i}].order' must be "asc" or "desc", got ${JSON.stringify(order)}`, { field: `orderByFields[${i}].order` });
    return { field: o.str('fieldName'), ...(order !== undefined ? { order: order.toLowerCase() as 'asc' | 'desc' } : {}) };
  });
}

function readOptions(r: JsonReader, alsoSinglePartition: boolean): ReadOptions {
  const opts: ReadOptions = {};
  const outputFields = readOutputFields(r);
  const partitionNames = readPartitionNames(r, alsoSinglePartition);
  const consistencyLevel = readConsistency(r);
  if (outputFields) opts.outputFields = outputFields;
  if (partitionNames) opts.partitionNames = partitionNames;
  if (consistencyLevel) opts.consistencyLevel = consistencyLevel;
  // The zone of Timestamptz output and of ISO literals without an offset; the client checks the name.
  const timezone = r.optStr('timezone');
  if (timezone) opts.timezone = timezone;
  return { ...opts, ...readExprParams(r) };
}

/** A query as REST gives it: a dense vector, or (for sparse fields, checked by the client) a sparse vector object or a text. */
export type QueryData = Float32Array | string | SparseInput | number[][];

function readQueryVectors(r: JsonReader): QueryData[] {
  const data = r.required('data');
  if (!Array.isArray(data)) throw r.wrong('data', 'a list of query vectors', data);
  if (data.length === 0) throw new ValidationError(`field 'data' must hold at least one query vector`, { field: 'data' });
  if (data.length > LIMITS.maxTopK) throw new ValidationError(`field 'data' holds at most ${LIMITS.maxTopK} query vectors, got ${data.length}`, { field: 'data' });
  // Texts and sparse vectors are for sparse fields: checked against the schema later (checkSearch, the client).
  if (data.every((v) => typeof v === 'string' || isPlainObject(v))) return data as QueryData[];
  // Embedding lists (lists of vectors) are for a Struct's vector sub-field: the client checks them (runtime/client/embListSearch.ts).
  if (data.every((v) => Array.isArray(v) && v.length > 0 && v.every(Array.isArray))) return data as QueryData[];
  const vectors = data.map((v, i) => vectorFrom(v, `data[${i}]`));
  const dim = vectors[0]!.length;
  vectors.forEach((v, i) => {
    if (v.length !== dim) throw new ValidationError(`'data[${i}]' has ${v.length} numbers but 'data[0]' has ${dim}: query vectors must share one dimension`, { field: `data[${i}]` });
  });
  return vectors;
}

/** Search params that may also sit beside `params`, as older REST clients send them. */
const BESIDE_PARAMS = ['ef', 'nprobe', 'radius', 'range_filter', 'rbq_query_bits', 'refine_k', 'reorder_k', 'search_list'] as const;

function readSearchParams(sp: JsonReader): NonNullable<SearchRequest['searchParams']> {
  const out: NonNullable<SearchRequest['searchParams']> = {};
  if (sp.has('metricType') && sp.raw('metricType') !== '') {
    const m = String(sp.raw('metricType')).toUpperCase();
    const known = ['L2', 'IP', 'COSINE', 'HAMMING', 'JACCARD', 'MHJACCARD', 'MAX_SIM', 'MAX_SIM_COSINE', 'MAX_SIM_IP', 'MAX_SIM_L2'];
    if (!known.includes(m)) throw sp.wrong('metricType', `one of ${known.join(', ')}`, sp.raw('metricType'));
    out.metricType = m as MetricType;
  }
  if (sp.has('params')) {
    const params: Record<string, number | boolean> = {};
    for (const [k, v] of Object.entries(sp.map('params'))) {
      // MINHASH_LSH's switches are booleans (mh_search_with_jaccard, mh_lsh_batch_search).
      if (typeof v === 'boolean' && k.startsWith('mh_')) { params[k] = v; continue; }
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError(`field '${sp.at('params')}.${k}' must be a finite number, got ${describe(v)}`, { field: `${sp.at('params')}.${k}` });
      params[k] = v;
    }
    out.params = params;
  }
  if (sp.has('analyzer_name')) {
    const name = sp.raw('analyzer_name');
    if (typeof name !== 'string') throw sp.wrong('analyzer_name', 'the name of one of the field\'s analyzers', name);
    out.analyzerName = name;
  }
  for (const key of BESIDE_PARAMS) {
    if (!sp.has(key)) continue;
    const v = sp.raw(key);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw sp.wrong(key, 'a finite number', v);
    if (out.params?.[key] !== undefined && out.params[key] !== v) throw new ValidationError(`field '${sp.at(key)}' differs from '${sp.at('params')}.${key}': give it once`, { field: sp.at(key) });
    out.params = { ...out.params, [key]: v };
  }
  const ignore = sp.optBool('ignore_growing');
  if (ignore !== undefined) out.ignoreGrowing = ignore;
  // Milvus's `searchParams.hints` ("iterative_filter" or "disable"): its value is checked by the client (runtime/client/searchOptions.ts).
  const hints = sp.optStr('hints');
  if (hints !== undefined) out.hints = hints;
  return out;
}

/**
 * hybrid_search: `{collectionName, search: [{data, annsField, filter?,
 * exprParams?, limit?, params?: {ef, nprobe, radius, range_filter},
 * metricType?, ignoreGrowing?, searchParams?, functionScore? (boost functions)}, ...], rerank?: {strategy: "rrf",
 * params: {k}} | {strategy: "weighted", params: {weights, norm_score?}},
 * limit?, offset?, outputFields?, partitionNames?, consistencyLevel?,
 * groupingField?, groupSize?, strictGroupSize?}` (Milvus REST v2). Each entry
 * of `search` is read as a search of its own (grouping is the hybrid search's).
 */
export function parseHybridSearch(body: unknown): { collectionName: string; request: Omit<HybridSearchRequest, 'searches'> & { searches: Array<SearchRequest & { data: QueryData[] }> } } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'search', 'rerank', 'functionScore', 'limit', 'offset', 'round_decimal', 'groupingField', 'groupSize', 'strictGroupSize', 'orderByFields', 'aggregation', ...READ_KEYS]);
  const collectionName = readCollectionName(r);
  const list = r.required('search');
  if (!Array.isArray(list) || list.length === 0) throw r.wrong('search', 'a non-empty list of searches', list);
  const searches = list.map((s, i) => parseHybridPart(s, `search[${i}]`, collectionName));
  const { limit, offset } = readPaging(r, DEFAULT_SEARCH_LIMIT);
  const request: Omit<HybridSearchRequest, 'searches'> & { searches: typeof searches } = { ...readOptions(r, false), searches, limit: limit! };
  if (offset !== undefined) request.offset = offset;
  const round = r.optInt('round_decimal', -1, 6);
  if (round !== undefined) request.roundDecimal = round;
  if (r.has('rerank')) request.rerank = readRerank(r.obj('rerank', ['strategy', 'params']));
  const fs = r.optObj('functionScore', ['functions', 'params']);
  if (fs) request.ranker = readFunctionScore(fs);
  if (r.has('groupingField')) request.groupingField = checkFieldRef(r.str('groupingField'), 'groupingField');
  const groupSize = r.optInt('groupSize', 1, LIMITS.maxTopK);
  if (groupSize !== undefined) request.groupSize = groupSize;
  const strict = r.optBool('strictGroupSize');
  if (strict !== undefined) request.strictGroupSize = strict;
  // As a search takes them: the fused page reordered, or the fused hits aggregated (checked by the client).
  const order = readOrderByFields(r);
  if (order) request.orderByFields = order;
  if (r.has('aggregation')) request.aggregation = r.raw('aggregation') as HybridSearchRequest['aggregation'];
  return { collectionName, request };
}

/** One search of a hybrid search; Milvus's `params`, `metricType` and `ignoreGrowing` beside `data` go where a search keeps them. */
function parseHybridPart(v: unknown, path: string, collectionName: string): SearchRequest & { data: QueryData[] } {
  // As in Milvus: a primary-key search is a plain search, never part of a hybrid one.
  JsonReader.object(v, path, ['data', 'annsField', 'filter', 'exprParams', 'limit', 'offset', 'params', 'metricType', 'ignoreGrowing', 'searchParams', 'groupingField', 'functionScore', 'ids'], ['groupingField']);
  if (isPlainObject(v) && v.ids !== undefined && v.ids !== null) throw new ValidationError(`'${path}.ids': a hybrid search's searches take data (query vectors), not ids: a primary-key search is entities/search with ids`, { field: `${path}.ids` });
  const { params, metricType, ignoreGrowing, searchParams, ...rest } = v as Record<string, unknown>;
  const sp = { ...(isPlainObject(searchParams) ? searchParams : {}) } as Record<string, unknown>;
  if (params !== undefined) sp.params = params;
  if (metricType !== undefined) sp.metricType = metricType;
  if (ignoreGrowing !== undefined) sp.ignore_growing = ignoreGrowing;
  try {
    return parseSearch({ ...rest, collectionName, ...(Object.keys(sp).length > 0 ? { searchParams: sp } : {}) }).request as SearchRequest & { data: QueryData[] };
  } catch (e) {
    // Name the entry the message is about (the reader's paths start at the search's top).
    if (e instanceof ValidationError) throw new ValidationError(`${path}: ${e.message}`, { ...e.info, ...(typeof e.info.field === 'string' ? { field: `${path}.${e.info.field}` } : {}) });
    throw e;
  }
}

/** `rerank`: Milvus's `{strategy, params}` as the client's reranker (checked against the searches by the client). */
function readRerank(r: JsonReader): Reranker {
  const strategy = r.str('strategy').toLowerCase();
  const params = r.has('params') ? r.map('params') : {};
  if (strategy === 'rrf') return params.k === undefined ? { strategy: 'rrf' } : { strategy: 'rrf', k: params.k as number };
  if (strategy === 'weighted') {
    const norm = params.norm_score ?? params.normScore;
    return { strategy: 'weighted', weights: params.weights as number[], ...(norm === undefined ? {} : { normScore: norm as boolean }) };
  }
  throw new ValidationError(`field 'rerank.strategy' must be rrf or weighted, got ${JSON.stringify(strategy)}`, { field: 'rerank.strategy' });
}

/**
 * A search's `functionScore` (Milvus 2.6): `{functions: [{name?, type: "Rerank",
 * inputFieldNames?, params: {reranker: "boost", weight, filter?, random_score?}
 * | {reranker: "decay", ...}}, ...], params?: {boost_mode?, function_mode?}}`,
 * as the client's FunctionScore; the client checks the functions and modes
 * against the schema (runtime/client/functionScore.ts).
 */
function readSearchFunctionScore(fs: JsonReader): FunctionScore {
  const fns = fs.raw('functions');
  if (!Array.isArray(fns) || fns.length === 0) throw new ValidationError('functionScore.functions must be a non-empty list of rerank functions', { field: fs.at('functions') });
  const functions = fns.map((v, i) => {
    const f = JsonReader.object(v, fs.at(`functions[${i}]`), ['name', 'description', 'type', 'inputFieldNames', 'params']);
    return { ...(f.has('name') ? { name: f.str('name') } : {}), type: 'Rerank', inputFieldNames: f.optStrList('inputFieldNames') ?? [], params: f.map('params') };
  }) as FunctionScore['functions'];
  if (!fs.has('params')) return { functions };
  fs.obj('params', ['boost_mode', 'function_mode']);
  return { functions, params: fs.map('params') as FunctionScoreParams };
}

/**
 * A hybrid search's `functionScore` (Milvus 2.6): one decay function, `{name, type: "Rerank",
 * inputFieldNames, params {reranker: "decay", function, origin, scale, offset?, decay?}}`;
 * its `params` may only say what nuthatch does (boost_mode Multiply). The
 * client checks the function against the schema.
 */
function readFunctionScore(fs: JsonReader): DecayRanker {
  const fns = fs.raw('functions');
  if (!Array.isArray(fns) || fns.length !== 1) throw new ValidationError('functionScore.functions must hold one decay function', { field: fs.at('functions') });
  const params = fs.has('params') ? fs.map('params') : {};
  for (const [k, v] of Object.entries(params)) {
    if (k === 'boost_mode' && String(v).toLowerCase() === 'multiply') continue;
    if (k === 'function_mode' && String(v).toLowerCase() === 'sum') continue;
    throw new ValidationError(`functionScore.params ${k}=${String(v)} is not supported (boost_mode Multiply is what a decay ranker does)`, { field: fs.at('params') });
  }
  const f = JsonReader.object(fns[0], fs.at('functions[0]'), ['name', 'description', 'type', 'inputFieldNames', 'params']);
  return { ...(f.has('name') ? { name: f.str('name') } : {}), type: 'Rerank', inputFieldNames: f.strList('inputFieldNames') as [string], params: f.map('params') as DecayRanker['params'] };
}

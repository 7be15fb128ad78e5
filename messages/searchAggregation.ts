import { ValidationError } from './errors.js';
import { LIMITS, type CollectionSchema, type FieldSchema } from './schema.js';

/**
 * Milvus 3.0's search aggregation, in its Node SDK's shape: the candidates a
 * search retains are put in buckets by one or more scalar fields (a composite
 * key), each bucket with a count, metrics, representative hits and nested
 * buckets. This module holds the request as users write it, the checked plan
 * the shards receive, and the partial buckets they send back.
 */

export type AggregationDirection = 'asc' | 'desc';
export type AggregationMetricOp = 'avg' | 'sum' | 'count' | 'min' | 'max';

export interface SearchAggregationMetric { op: AggregationMetricOp; field_name: string }
/** `null_first` (Milvus's C++ SDK names it): empty values before the others instead of last. */
export interface SearchAggregationOrder { key: string; direction: AggregationDirection; null_first?: boolean }
export interface SearchAggregationSort { field_name: string; direction: AggregationDirection; null_first?: boolean }
export interface SearchAggregationTopHits { size: number; sort?: SearchAggregationSort[] }

/** One level of a search aggregation, as the Node SDK (3.0) writes it. */
export interface SearchAggregation {
  fields: string[];
  size: number;
  /**
   * Milvus's candidate bucket budget at this level (>= size): only the first
   * `search_size` buckets met in ranking order (by their best hit, as a
   * grouping search meets groups) are ordered and cut to `size`; the rows of
   * the others count nowhere at this level. Absent: every bucket is a candidate.
   */
  search_size?: number;
  metrics?: Record<string, SearchAggregationMetric>;
  order?: SearchAggregationOrder[];
  top_hits?: SearchAggregationTopHits;
  sub_aggregation?: SearchAggregation;
}

/** A bucket key component: a Bool, an Int or a VarChar value, or null (a nullable field left empty). */
export type AggKeyValue = number | string | boolean | null;

/** One level checked: metrics in a list (the alias kept), everything defaulted. */
export interface AggLevel {
  fields: string[];
  size: number;
  metrics: Array<{ alias: string; op: AggregationMetricOp; field: string }>;
  /** Empty: buckets by their best hit, as a grouping search ranks its groups. */
  order: SearchAggregationOrder[];
  topHits?: { size: number; sort: SearchAggregationSort[] };
  /** `search_size`: buckets considered before ordering (by best hit); absent: all. */
  searchSize?: number;
  sub?: AggLevel;
}

/**
 * What a shard aggregates: the rows of the keys `pks` (the search's
 * candidates, best first; `scores` their distances), with the plan.
 */
export interface AggregateRequest { level: AggLevel; pks: Array<number | string>; scores: number[] }

/** A metric's partial state: non-null values seen, their sum, min and max (avg = sum / n; min and max of text too, for a query's aggregates). */
export interface MetricAcc { n: number; sum: number; min: number | string | null; max: number | string | null }

/** A hit kept for a bucket's top hits: `rank` is its place among the candidates (0 = best). */
export interface AggHitRow { pk: number | string; rank: number; score: number; fields: Record<string, unknown> }

/** A bucket as computed over part of the candidates; partials of one key merge exactly. */
export interface PartialBucket {
  key: AggKeyValue[];
  count: number;
  /** Best (lowest) rank among its rows: the default bucket order. */
  best: number;
  metrics: MetricAcc[];
  hits: AggHitRow[];
  sub: PartialBucket[];
}

/** Field types a bucket key may hold, as Milvus's grouping takes them. */
const KEY_TYPES = new Set(['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'VarChar']);
/** Field types sum, avg, min and max take. */
const NUMERIC = new Set(['Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double']);
/** Field types a top-hits sort takes. */
const SORTABLE = new Set([...KEY_TYPES, 'Float', 'Double']);
const OPS = new Set(['avg', 'sum', 'count', 'min', 'max']);
const DIRECTIONS = new Set(['asc', 'desc']);
/** Levels of nesting, the root included (Milvus: up to four). */
export const MAX_AGG_LEVELS = 4;
const LEVEL_KEYS = new Set(['fields', 'size', 'search_size', 'metrics', 'order', 'top_hits', 'sub_aggregation']);

/** The aggregation checked against the collection's schema; bad input gets a ValidationError naming its path. */
export function checkAggregation(spec: unknown, schema: CollectionSchema): AggLevel {
  return checkLevel(spec, schema, 'aggregation', 1);
}

function bad(path: string, message: string): never { throw new ValidationError(`${path}: ${message}`, { field: path }); }

function isObject(v: unknown): v is Record<string, unknown> { return typeof v === 'object' && v !== null && !Array.isArray(v); }

function positiveInt(v: unknown, path: string, max: number = LIMITS.maxTopK): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) bad(path, `must be an integer in 1..${max}, got ${JSON.stringify(v)}`);
  return v;
}

function fieldOf(schema: CollectionSchema, name: unknown, path: string): FieldSchema {
  if (typeof name !== 'string' || name === '') bad(path, 'must name a field');
  const f = schema.fields.find((x) => x.name === name);
  if (!f) bad(path, `'${name}' is not a field of the collection`);
  return f;
}

function checkLevel(spec: unknown, schema: CollectionSchema, path: string, depth: number): AggLevel {
  if (depth > MAX_AGG_LEVELS) bad(path, `a search aggregation nests at most ${MAX_AGG_LEVELS} levels`);
  if (!isObject(spec)) bad(path, 'must be an object of fields, size, metrics, order, top_hits and sub_aggregation');
  for (const k of Object.keys(spec)) if (!LEVEL_KEYS.has(k)) bad(`${path}.${k}`, 'is not a search aggregation parameter');
  const { fields, size, search_size: searchSize, metrics, order, top_hits: topHits, sub_aggregation: sub } = spec;
  if (!Array.isArray(fields) || fields.length === 0) bad(`${path}.fields`, 'must be a non-empty list of field names');
  fields.forEach((name, i) => {
    const f = fieldOf(schema, name, `${path}.fields[${i}]`);
    if (!KEY_TYPES.has(f.dataType)) bad(`${path}.fields[${i}]`, `'${f.name}' is ${f.dataType}: buckets are keyed by Bool, Int8, Int16, Int32, Int64 or VarChar fields`);
  });
  if (new Set(fields).size !== fields.length) bad(`${path}.fields`, 'names a field twice');
  const n = positiveInt(size, `${path}.size`);
  if (searchSize !== undefined && positiveInt(searchSize, `${path}.search_size`) < n) bad(`${path}.search_size`, `must be at least size (${n})`);
  const level: AggLevel = { fields: fields as string[], size: n, metrics: checkMetrics(metrics, schema, `${path}.metrics`), order: [], ...(searchSize === undefined ? {} : { searchSize: searchSize as number }) };
  level.order = checkOrder(order, level, `${path}.order`);
  if (topHits !== undefined) level.topHits = checkTopHits(topHits, schema, `${path}.top_hits`);
  if (sub !== undefined) level.sub = checkLevel(sub, schema, `${path}.sub_aggregation`, depth + 1);
  return level;
}

function checkMetrics(metrics: unknown, schema: CollectionSchema, path: string): AggLevel['metrics'] {
  if (metrics === undefined) return [];
  if (!isObject(metrics)) bad(path, 'must map aliases to {op, field_name}');
  return Object.entries(metrics).map(([alias, m]) => {
    const at = `${path}.${alias}`;
    if (alias === '' || alias === '_count' || alias === '_key' || alias === '_score') bad(at, `'${alias}' cannot be a metric alias`);
    if (!isObject(m)) bad(at, 'must be {op, field_name}');
    for (const k of Object.keys(m)) if (k !== 'op' && k !== 'field_name') bad(`${at}.${k}`, 'is not a metric parameter');
    const { op, field_name: field } = m;
    if (typeof op !== 'string' || !OPS.has(op)) bad(`${at}.op`, `must be one of avg, sum, count, min, max, got ${JSON.stringify(op)}`);
    if (field === '*') {
      if (op !== 'count') bad(`${at}.field_name`, `'*' is for count only; ${op} needs a numeric field or _score`);
    } else if (field !== '_score') {
      const f = fieldOf(schema, field, `${at}.field_name`);
      if (op === 'count' ? !SORTABLE.has(f.dataType) : !NUMERIC.has(f.dataType)) bad(`${at}.field_name`, `${op} cannot read '${f.name}', a ${f.dataType} field${op === 'count' ? '' : ': it needs an Int, Float or Double field'}`);
    }
    return { alias, op: op as AggregationMetricOp, field: field as string };
  });
}

function checkOrder(order: unknown, level: AggLevel, path: string): SearchAggregationOrder[] {
  if (order === undefined) return [];
  if (!Array.isArray(order)) bad(path, 'must be a list of {key, direction}');
  const aliases = new Set(level.metrics.map((m) => m.alias));
  return order.map((o, i) => {
    if (!isObject(o)) bad(`${path}[${i}]`, 'must be {key, direction}');
    for (const k of Object.keys(o)) if (k !== 'key' && k !== 'direction' && k !== 'null_first') bad(`${path}[${i}].${k}`, 'is not an order parameter');
    const { key, direction } = o;
    if (typeof key !== 'string' || !(key === '_count' || key === '_key' || aliases.has(key))) bad(`${path}[${i}].key`, `must be a metric alias of this level, _count or _key, got ${JSON.stringify(key)}`);
    if (typeof direction !== 'string' || !DIRECTIONS.has(direction)) bad(`${path}[${i}].direction`, `must be asc or desc, got ${JSON.stringify(direction)}`);
    return { key, direction: direction as AggregationDirection, ...nullFirst(o.null_first, `${path}[${i}].null_first`) };
  });
}

function nullFirst(v: unknown, path: string): { null_first?: true } {
  if (v !== undefined && typeof v !== 'boolean') bad(path, `must be true or false, got ${JSON.stringify(v)}`);
  return v === true ? { null_first: true } : {};
}

function checkTopHits(topHits: unknown, schema: CollectionSchema, path: string): NonNullable<AggLevel['topHits']> {
  if (!isObject(topHits)) bad(path, 'must be {size, sort?}');
  for (const k of Object.keys(topHits)) if (k !== 'size' && k !== 'sort') bad(`${path}.${k}`, 'is not a top_hits parameter');
  const size = positiveInt(topHits.size, `${path}.size`, 1024);
  const sort = topHits.sort ?? [];
  if (!Array.isArray(sort)) bad(`${path}.sort`, 'must be a list of {field_name, direction}');
  return {
    size,
    sort: sort.map((s, i) => {
      if (!isObject(s)) bad(`${path}.sort[${i}]`, 'must be {field_name, direction}');
      for (const k of Object.keys(s)) if (k !== 'field_name' && k !== 'direction' && k !== 'null_first') bad(`${path}.sort[${i}].${k}`, 'is not a sort parameter');
      if (s.field_name !== '_score') {
        const f = fieldOf(schema, s.field_name, `${path}.sort[${i}].field_name`);
        if (!SORTABLE.has(f.dataType)) bad(`${path}.sort[${i}].field_name`, `'${f.name}' is ${f.dataType}: hits sort by scalar Bool, Int, Float, Double or VarChar fields, or _score`);
      }
      if (typeof s.direction !== 'string' || !DIRECTIONS.has(s.direction)) bad(`${path}.sort[${i}].direction`, `must be asc or desc, got ${JSON.stringify(s.direction)}`);
      return { field_name: s.field_name as string, direction: s.direction as AggregationDirection, ...nullFirst(s.null_first, `${path}.sort[${i}].null_first`) };
    }),
  };
}

/** Every field a level and its sub-levels read from a row (keys, metric fields, sort fields). */
export function aggregationFields(level: AggLevel): string[] {
  const out = new Set<string>();
  for (let l: AggLevel | undefined = level; l; l = l.sub) {
    for (const f of l.fields) out.add(f);
    for (const m of l.metrics) if (m.field !== '*' && m.field !== '_score') out.add(m.field);
    for (const s of l.topHits?.sort ?? []) if (s.field_name !== '_score') out.add(s.field_name);
  }
  return [...out];
}

import { ValidationError } from './errors.js';
import { LIMITS, type CollectionSchema, type FieldSchema } from './schema.js';
import { MAX_ORDER_KEYS, type OrderKey } from './orderBy.js';
import type { AggKeyValue, AggLevel, AggregationMetricOp } from './searchAggregation.js';

/**
 * Milvus 3.0's query aggregation: `outputFields` naming aggregates
 * (`count(*)`, `count(f)`, `sum(f)`, `avg(f)`, `min(f)`, `max(f)`), with
 * `groupByFields` one row per distinct combination of their values (nulls
 * a group of their own), without them one row over every matching row. As in
 * SQL, count, sum, avg, min and max skip empty (null) values; an output field
 * that is not an aggregate must be one of the group-by fields. Groups come in
 * key order, or ordered by output columns (`orderByFields`: top groups by count). The shards
 * compute it as a search aggregation's buckets (actors/shared/aggregation/),
 * so only the buckets travel, never the rows.
 */

/** One column of an aggregating query's answer: a group-by field's value, or an aggregate of a field (`*`: of rows). */
export interface AggOutput { name: string; field: string; op?: AggregationMetricOp }

/** An aggregating query checked: the buckets the shards compute (one level, no order), the answer's columns and their order. */
export interface QueryAggregation { level: AggLevel; outputs: AggOutput[]; order: Array<{ output: number; desc: boolean }> }

/** Types a group-by field may have (Milvus's: not Float or Double, JSON, Array or vectors). */
const GROUP_TYPES = new Set(['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'VarChar', 'Timestamptz']);
const NUMERIC = new Set(['Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double']);
/** What each aggregate reads: count any scalar, sum and avg numbers, min and max numbers, text and instants. */
const READS: Record<AggregationMetricOp, ReadonlySet<string>> = {
  count: new Set([...GROUP_TYPES, 'Float', 'Double']),
  sum: NUMERIC, avg: NUMERIC,
  min: new Set([...NUMERIC, 'VarChar', 'Timestamptz']), max: new Set([...NUMERIC, 'VarChar', 'Timestamptz']),
};
const CALL = /^(count|sum|avg|min|max)\((.*)\)$/i;
/**
 * Groups an aggregating query may make (at any node, and in all): past it the
 * query is refused rather than a node's memory or the bus's payload limit
 * meeting it. Ask for fewer distinct values (a filter, fewer group-by fields).
 */
export const MAX_QUERY_GROUPS = 100_000;

/** Refuses a query whose groups number past MAX_QUERY_GROUPS (InvalidArgument). */
export function checkGroupCount(groups: number): void {
  if (groups > MAX_QUERY_GROUPS) throw new ValidationError(`an aggregating query makes at most ${MAX_QUERY_GROUPS} groups, and this one makes more: narrow its filter or group by fields with fewer distinct values`, { field: 'groupByFields' });
}

/** Group-by fields a query may name at most (Milvus: a composite key of a few fields). */
export const MAX_GROUP_BY_FIELDS = 8;

/** `count( x )`, `SUM(x)`: the aggregate an output field names, or null for a plain field. */
export function aggregateCall(name: string): { op: AggregationMetricOp; field: string } | null {
  const m = CALL.exec(name.replace(/\s/g, ''));
  return m ? { op: m[1]!.toLowerCase() as AggregationMetricOp, field: m[2]! } : null;
}

function bad(message: string, field: string): never { throw new ValidationError(message, { field }); }

function fieldOf(schema: CollectionSchema, name: string, at: string): FieldSchema {
  const f = schema.fields.find((x) => x.name === name);
  if (!f) bad(`${at}: '${name}' is not a field of the collection${schema.enableDynamicField ? ' (keys of the dynamic field are neither grouped nor aggregated)' : ''}`, at);
  return f;
}

/**
 * The aggregation a query asks for (checked against the schema), or null for
 * a query of rows: one naming no aggregate and no group-by field. Bad input
 * gets a ValidationError naming the output or group-by field at fault.
 */
export function queryAggregation(schema: CollectionSchema, outputFields: readonly string[] = [], groupByFields: readonly string[] = [], orderBy: readonly OrderKey[] = []): QueryAggregation | null {
  if (!Array.isArray(groupByFields)) bad('groupByFields must be a list of field names', 'groupByFields');
  const calls = outputFields.map(aggregateCall);
  if (groupByFields.length === 0 && calls.every((c) => c === null)) return null;
  if (groupByFields.length > MAX_GROUP_BY_FIELDS) bad(`groupByFields names ${groupByFields.length} fields; a query groups by at most ${MAX_GROUP_BY_FIELDS}`, 'groupByFields');
  groupByFields.forEach((name, i) => {
    const at = `groupByFields[${i}]`;
    if (typeof name !== 'string' || name === '') bad(`${at} must name a field`, at);
    const f = fieldOf(schema, name, at);
    if (!GROUP_TYPES.has(f.dataType)) bad(`${at}: '${name}' is ${f.dataType}; a query groups by Bool, Int, VarChar or Timestamptz fields`, at);
  });
  if (new Set(groupByFields).size !== groupByFields.length) bad('groupByFields names a field twice', 'groupByFields');
  const outputs: AggOutput[] = [];
  const seen = new Set<string>();
  const add = (o: AggOutput) => { if (!seen.has(o.name)) { seen.add(o.name); outputs.push(o); } };
  outputFields.forEach((name, i) => {
    const at = `outputFields[${i}]`, call = calls[i];
    if (!call) {
      if (!groupByFields.includes(name)) bad(`${at}: '${name}' is neither an aggregate (count, sum, avg, min, max) nor one of groupByFields: an aggregating query returns one row per group`, at);
      return add({ name, field: name });
    }
    if (call.field === '*') {
      if (call.op !== 'count') bad(`${at}: '*' is for count only; ${call.op} needs a field`, at);
    } else {
      const f = fieldOf(schema, call.field, at);
      if (!READS[call.op].has(f.dataType)) bad(`${at}: ${call.op} cannot read '${f.name}', a ${f.dataType} field`, at);
    }
    add({ name: `${call.op}(${call.field})`, field: call.field, op: call.op });
  });
  // Grouping with nothing asked for shows the groups: their distinct values.
  if (outputs.length === 0) for (const name of groupByFields) add({ name, field: name });
  const metrics = outputs.filter((o) => o.op !== undefined).map((o) => ({ alias: o.name, op: o.op!, field: o.field }));
  return { level: { fields: [...groupByFields], size: LIMITS.maxTopK, metrics, order: [] }, outputs, order: orderOf(orderBy, outputs) };
}

/** `orderByFields` of an aggregating query: each names one of its columns (an aggregate as written, or a group-by field). */
function orderOf(keys: readonly OrderKey[], outputs: readonly AggOutput[]): QueryAggregation['order'] {
  if (keys.length > MAX_ORDER_KEYS) bad(`orderByFields holds at most ${MAX_ORDER_KEYS} keys, got ${keys.length}`, 'orderByFields');
  return keys.map((k, i) => {
    const call = aggregateCall(k.field);
    const name = call ? `${call.op}(${call.field})` : k.field;
    const output = outputs.findIndex((o) => o.name === name);
    if (output < 0) bad(`orderByFields[${i}]: an aggregating query orders its groups by its output columns (${outputs.map((o) => o.name).join(', ')}), not by '${k.field}'`, 'orderByFields');
    return { output, desc: k.desc };
  });
}

/** Whether the aggregation is `count(*)` alone over every row: the shards count, no bucket is made. */
export function isCountOnly(a: QueryAggregation): boolean {
  return a.level.fields.length === 0 && a.outputs.every((o) => o.op === 'count' && o.field === '*');
}

/**
 * An aggregating query's partial buckets as columns, the form they cross the
 * bus in: a few arrays of plain values rather than an object (and one per
 * metric) per bucket, about a third of the bytes and far fewer objects to
 * decode when a query makes thousands of groups. `keys` holds `arity` values
 * a bucket; `n`, `sum`, `min` and `max` hold one value a metric a bucket.
 */
export interface PackedBuckets { arity: number; metrics: number; keys: AggKeyValue[]; counts: number[]; n: number[]; sum: number[]; min: Array<number | string | null>; max: Array<number | string | null> }

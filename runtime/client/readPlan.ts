import { droppedAsDynamic } from '../../messages/droppedField.js';
import { ValidationError } from '../../messages/errors.js';
import { refuseUnloaded } from '../../messages/loadFields.js';
import { checkFilter, parseFilter, withSampleSeed } from '../../messages/filter/index.js';
import type { CollectionRecord, HitRow } from '../../messages/rpc/records.js';
import { primaryField, vectorField } from '../../messages/schema.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { type ReadOptions, type RowObject } from './api.js';
import { structArrayOutput, structOutputPath } from '../../messages/structArray.js';
import { toRowObject } from './rows.js';
import { readPartitions } from './keyRouting.js';
import { timezoneOf } from './recordChecks.js';
import { aggregateCall } from '../../messages/queryAggregation.js';

/** A read's plan (its filter parsed and checked, the fields it reads and shows, its partitions) and the shaping of the rows it returns. */

/** `partitionIds` given: read those (a partition's row count), else as the request says (readPartitions). */
export function readPlan(r: CollectionRecord, o: ReadOptions, partitionIds?: number[]) {
  const pk = primaryField(r.schema), vf = vectorField(r.schema);
  const tz = timezoneOf(r, o.timezone);
  const parsed = o.filter !== undefined && o.filter !== null && String(o.filter).trim() !== '' ? parseFilter(String(o.filter), o.filterParams, tz) : null;
  // A RANDOM_SAMPLE gets a fresh seed per read plan: one sample for every shard and segment of a request (messages/filter/sample.ts).
  const filter = parsed && droppedAsDynamic(withSampleSeed(parsed, crypto.getRandomValues(new Uint32Array(1))[0]!), r.schema);
  const checkedFilter = filter ? checkFilter(filter, r.schema) : null, checked = checkedFilter?.expr ?? null;
  // A partial load's columns (messages/loadFields.ts): '*' shows those, and a read naming another is refused.
  const columns = r.loaded ? r.loadFields : undefined;
  const names = new Set(r.schema.fields.map((f) => f.name));
  let fields: string[] = [];
  let dynamic: string[] = [];
  // Output field `chunks[text]` (Milvus's): the Struct list read, each element shown with the named sub-fields only.
  const subPaths = new Map<string, string[]>();
  for (const f of o.outputFields ?? []) {
    // Aggregates are a query's (queryAggregation.ts), which reads their fields: elsewhere one is a mistake, not a key.
    if (aggregateCall(f)) throw new ValidationError(`output field '${f}' is an aggregate: only a query aggregates (a search aggregates its hits with 'aggregation')`, { field: 'outputFields' });
    const path = structOutputPath(r.schema, f);
    if (f === '*') fields.push(...(columns ?? [...names, ...(r.schema.enableDynamicField ? ['$meta'] : [])]));
    else if (names.has(f)) fields.push(f);
    // The dynamic field by its name: all of its keys (Milvus's output_fields=["$meta"]).
    else if (f === '$meta' && r.schema.enableDynamicField) fields.push('$meta');
    else if (path) { fields.push(path.field); subPaths.set(path.field, [...(subPaths.get(path.field) ?? []), path.sub]); }
    else if (r.schema.enableDynamicField) dynamic.push(f);
    else throw new ValidationError(`output field '${f}' does not exist in '${r.name}'`);
  }
  if (dynamic.length) fields.push('$meta');
  fields = [...new Set(fields)];
  refuseUnloaded(columns, [...(checkedFilter?.fields ?? []), ...fields], r.name);
  // A Struct field asked for whole (or by '*') shows every sub-field.
  const whole = new Set(o.outputFields ?? []);
  for (const name of [...subPaths.keys()]) if (whole.has(name) || whole.has('*')) subPaths.delete(name);
  return { pk, vf, filter, checked, fields, dynamic, tz, subPaths, partitionIds: partitionIds ?? readPartitions(r, checked, o.partitionNames) };
}

/** What readPlan makes of a request. */
export type ReadPlan = ReturnType<typeof readPlan>;

/** A row as the user sees it: its key and the fields asked for (dynamic keys lifted out of $meta, Struct sub-fields picked). */
export function shapeRow(row: HitRow, pkName: string, dynamic: string[], fields: string[], schema: CollectionSchema, tz: string, subPaths?: ReadonlyMap<string, string[]>): RowObject {
  // No output fields asked for (the usual search): the row is its primary key alone.
  if (dynamic.length === 0 && hasNoKeys(row.fields)) return { [pkName]: row.pk };
  const f = { ...row.fields };
  if (dynamic.length && !fields.includes('*')) {
    const meta = (f.$meta ?? {}) as Record<string, unknown>;
    delete f.$meta;
    for (const d of dynamic) if (d in meta) f[d] = meta[d];
  }
  for (const [name, subs] of subPaths ?? []) f[name] = structArrayOutput(f[name], subs);
  return toRowObject({ [pkName]: row.pk, ...f }, schema, tz);
}

function hasNoKeys(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return false;
  return true;
}

import { NuthatchError, ValidationError } from './errors.js';
import { isVectorType, partitionKeyField, primaryField, type CollectionSchema } from './schema.js';

/**
 * Partial load (Milvus 2.5's `load_fields` and `skip_load_dynamic_field`): a
 * collection loaded with only some fields holds only their columns in query-node
 * memory, and a read naming another one is refused. What a load keeps is a list of
 * column names, in schema order, with `$meta` for the dynamic fields; absent: every column.
 */

/** The dynamic fields' hidden JSON column. */
const META = '$meta';

/** What a load asks for. */
export interface LoadFieldsRequest {
  /** Fields to load; absent or empty: every field of the schema. */
  loadFields?: readonly string[];
  /** Leave the dynamic fields (`$meta`) out of memory. */
  skipLoadDynamicField?: boolean;
}

/**
 * The columns a load keeps, or undefined when it keeps every one. As in Milvus, the
 * primary key and the partition key cannot be left out, and at least one vector field
 * must stay; a name that is no field of the schema is refused.
 */
export function loadedColumns(schema: CollectionSchema, req: LoadFieldsRequest): string[] | undefined {
  const asked = req.loadFields ?? [];
  if (!Array.isArray(asked) || asked.some((n) => typeof n !== 'string')) throw new ValidationError('loadFields must be a list of field names', { field: 'loadFields' });
  if (req.skipLoadDynamicField !== undefined && typeof req.skipLoadDynamicField !== 'boolean') throw new ValidationError('skipLoadDynamicField must be a boolean', { field: 'skipLoadDynamicField' });
  const skipMeta = req.skipLoadDynamicField === true && schema.enableDynamicField === true;
  if (asked.length === 0 && !skipMeta) return undefined;
  const names = new Set(schema.fields.map((f) => f.name));
  for (const n of asked) {
    if (n === META) throw new ValidationError(`loadFields names the dynamic field '${META}': set skipLoadDynamicField instead`, { field: n });
    if (!names.has(n)) throw new ValidationError(`load field '${n}' does not exist in the collection's schema`, { field: n });
  }
  const wanted = asked.length === 0 ? names : new Set(asked);
  const pk = primaryField(schema), key = partitionKeyField(schema);
  if (!wanted.has(pk.name)) throw new ValidationError(`primary key field '${pk.name}' cannot skip loading: name it in loadFields`, { field: pk.name });
  if (key && !wanted.has(key.name)) throw new ValidationError(`partition key field '${key.name}' cannot skip loading: name it in loadFields`, { field: key.name });
  if (!schema.fields.some((f) => isVectorType(f.dataType) && wanted.has(f.name))) throw new ValidationError('loadFields must name at least one vector field: a collection cannot skip loading all of them', { field: 'loadFields' });
  const cols = schema.fields.filter((f) => wanted.has(f.name)).map((f) => f.name);
  return schema.enableDynamicField && !skipMeta ? [...cols, META] : cols;
}

/** Whether two loads keep the same columns (undefined: every column). */
export function sameColumns(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((n) => b.includes(n));
}

/** The first of `names` (column names a read takes) the load left out, if any. */
export function unloadedColumn(columns: readonly string[] | undefined, names: Iterable<string>): string | undefined {
  if (columns === undefined) return undefined;
  for (const n of names) if (!columns.includes(n)) return n;
  return undefined;
}

/**
 * Refuses a read that names a column the load left out: in its filter, its output
 * fields, the vector field it searches or groups by. `$meta` is named as Milvus users
 * know it: the dynamic field.
 */
export function refuseUnloaded(columns: readonly string[] | undefined, names: Iterable<string>, collection: string): void {
  const missing = unloadedColumn(columns, names);
  if (missing === undefined) return;
  const what = missing === META ? `the dynamic field (${META}), skipped by skipLoadDynamicField` : `field '${missing}'`;
  throw new NuthatchError('FieldNotLoaded', `${what} of collection ${collection} is not loaded: release the collection and load it with the field to read it`, { field: missing });
}

/** The load options a record's columns came from, as describeCollection shows them (undefined: a full load). */
export function loadFieldsOf(schema: CollectionSchema, columns: readonly string[] | undefined): { loadFields: string[]; skipLoadDynamicField: boolean } | undefined {
  if (columns === undefined) return undefined;
  return { loadFields: columns.filter((n) => n !== META), skipLoadDynamicField: schema.enableDynamicField === true && !columns.includes(META) };
}

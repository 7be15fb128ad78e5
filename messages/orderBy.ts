/**
 * Milvus 3.0's `order_by_fields` of a query (and a search): rows ordered by one
 * or more scalar fields, each ascending or descending.
 *
 * The one order every level uses (segments, the delegator's merge, the
 * client's merge of shards), so a page with offset/limit is the same slice of
 * one total order whatever the layout:
 *   - numbers numerically, VarChar by UTF-16 code unit (as primary keys),
 *     Bool false before true, Timestamptz by instant;
 *   - a null (a nullable field without a value) sorts last, ascending and
 *     descending alike (a field with a default reads as its default, as output);
 *   - ties, after every key, go by primary key ascending, so no two rows tie.
 * Pure: no I/O.
 */
import { ValidationError } from './errors.js';
import type { CollectionSchema, DataType, PrimaryKey } from './schema.js';

/** One key of an order, as it goes over the wire: a scalar field of the schema and its direction. */
export interface OrderKey { field: string; desc: boolean }

/** An order as a user gives it (the node SDK's OrderByFields): a field name (ascending), or a list of `{field, order}`. */
export type OrderByFields = string | Array<{ field: string; order?: 'asc' | 'desc' | 'ASC' | 'DESC' }>;

/** Field types an order may name. */
export const ORDERABLE_TYPES: ReadonlySet<DataType> = new Set<DataType>(['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double', 'VarChar', 'Timestamptz']);

/** Keys an order may hold. */
export const MAX_ORDER_KEYS = 8;

const where = { field: 'orderByFields' };

/** A user's order checked against the schema (ValidationError naming the field at fault), or [] when none is given. */
export function readOrderBy(input: unknown, schema: CollectionSchema): OrderKey[] {
  return checkOrderKeys(parseOrderBy(input), schema);
}

/** A user's order read as keys, checked for shape only (an aggregating query's names its columns), or [] when none is given. */
export function parseOrderBy(input: unknown): OrderKey[] {
  if (input === undefined || input === null) return [];
  const list = typeof input === 'string' ? [{ field: input }] : input;
  if (!Array.isArray(list)) throw new ValidationError(`orderByFields must be a field name or a list of {field, order}, got ${typeof input}`, where);
  return list.map((x: unknown, i): OrderKey => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new ValidationError(`orderByFields[${i}] must be {field, order}`, where);
    const { field, order, ...rest } = x as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length) throw new ValidationError(`orderByFields[${i}] has an unknown key '${extra[0]}' (field, order)`, where);
    if (order !== undefined && !(typeof order === 'string' && /^(asc|desc)$/i.test(order))) throw new ValidationError(`orderByFields[${i}].order must be 'asc' or 'desc', got ${JSON.stringify(order)}`, where);
    return { field: field as string, desc: typeof order === 'string' && order.toLowerCase() === 'desc' };
  });
}

/** An order off the wire (or from readOrderBy) checked against the schema. */
export function checkOrderKeys(raw: unknown, schema: CollectionSchema): OrderKey[] {
  if (!Array.isArray(raw)) throw new ValidationError('malformed order: not a list of keys', where);
  if (raw.length > MAX_ORDER_KEYS) throw new ValidationError(`orderByFields holds at most ${MAX_ORDER_KEYS} fields, got ${raw.length}`, where);
  const seen = new Set<string>();
  return raw.map((k: unknown) => {
    const { field, desc } = (k ?? {}) as { field?: unknown; desc?: unknown };
    if (typeof field !== 'string' || field === '') throw new ValidationError('orderByFields names a field by a non-empty string', where);
    if (typeof desc !== 'boolean') throw new ValidationError(`malformed order: key '${field}' without a direction`, where);
    const f = schema.fields.find((x) => x.name === field);
    if (!f) throw new ValidationError(`cannot order by '${field}': no such field (a dynamic field cannot be ordered by)`, { field: 'orderByFields', name: field });
    if (!ORDERABLE_TYPES.has(f.dataType)) throw new ValidationError(`cannot order by ${f.dataType} field '${field}': only scalar fields (numbers, VarChar, Bool, Timestamptz) order rows`, { field: 'orderByFields', name: field, dataType: f.dataType });
    if (seen.has(field)) throw new ValidationError(`orderByFields names '${field}' twice`, { field: 'orderByFields', name: field });
    seen.add(field);
    return { field, desc };
  });
}

/**
 * Where an ordered walk stands (an ordered query iterator's cursor): the last
 * row's values of the order's keys, in key order, and its primary key. Rows
 * strictly after it in the order are the walk's next ones; as the order is
 * total (ties by primary key), none is skipped and none comes twice.
 */
export interface OrderCursor { values: unknown[]; pk: PrimaryKey }

/** The JS type a value of each orderable field type has on the wire (Timestamptz: epoch milliseconds). */
function wireType(t: DataType): 'number' | 'string' | 'boolean' {
  return t === 'VarChar' ? 'string' : t === 'Bool' ? 'boolean' : 'number';
}

/** An ordered cursor (off the wire, or resumed from a REST client) checked against the order's keys and the schema. */
export function checkOrderCursor(raw: unknown, keys: readonly OrderKey[], schema: CollectionSchema): OrderCursor {
  const cursorAt = { field: 'cursor' };
  const { values, pk } = (raw ?? {}) as { values?: unknown; pk?: unknown };
  if (!Array.isArray(values) || values.length !== keys.length) throw new ValidationError(`an ordered cursor holds one value per order key (${keys.length})`, cursorAt);
  const pkField = schema.fields.find((f) => f.isPrimary);
  if (typeof pk !== (pkField?.dataType === 'VarChar' ? 'string' : 'number') || (typeof pk === 'number' && !Number.isSafeInteger(pk))) throw new ValidationError('an ordered cursor needs the primary key of its last row', cursorAt);
  keys.forEach((k, i) => {
    const v = values[i], f = schema.fields.find((x) => x.name === k.field)!;
    if (v !== null && typeof v !== wireType(f.dataType)) throw new ValidationError(`an ordered cursor's value of '${k.field}' must be null or a ${wireType(f.dataType)}`, cursorAt);
    if (typeof v === 'number' && !Number.isFinite(v)) throw new ValidationError(`an ordered cursor's value of '${k.field}' must be finite`, cursorAt);
  });
  return { values, pk: pk as PrimaryKey };
}

/** Two non-null values of one orderable field: numbers (Timestamptz too) numerically, strings by code unit, false < true. */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a), y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A row as an order sees it: its key's values, in the order's key order, and its primary key. */
export interface Ordered { pk: PrimaryKey; values: readonly unknown[] }

/** The order of `keys` over rows: each key in its direction (nulls last either way), then the primary key ascending. */
export function orderComparator(keys: readonly OrderKey[]): (a: Ordered, b: Ordered) => number {
  return (a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const x = a.values[i], y = b.values[i];
      const xNull = x === null || x === undefined, yNull = y === null || y === undefined;
      if (xNull || yNull) { if (xNull !== yNull) return xNull ? 1 : -1; continue; }
      const c = compareValues(x, y);
      if (c !== 0) return keys[i]!.desc ? -c : c;
    }
    const p = a.pk, q = b.pk;
    return p < q ? -1 : p > q ? 1 : 0; // one key type per collection: numbers, or strings by code unit
  };
}

/** A row of an answer (a HitRow) as an order sees it: its values of the keys read from its output fields. */
export function orderedHit<T extends { pk: PrimaryKey; fields: Record<string, unknown> }>(keys: readonly OrderKey[]): (h: T) => T & Ordered {
  return (h) => ({ ...h, values: keys.map((k) => h.fields[k.field] ?? null) });
}

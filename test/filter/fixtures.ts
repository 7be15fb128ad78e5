/**
 * A small collection and table shared by the filter specifications: typed
 * scalar fields (some nullable), a JSON field, Array fields and dynamic fields in `$meta`.
 */
import * as assert from 'uvu/assert';
import type { CollectionSchema } from '../../messages/schema.js';
import { checkFilter, parseFilter, type Columns } from '../../messages/filter/index.js';
import { ValidationError } from '../../messages/errors.js';

export const schema: CollectionSchema = {
  enableDynamicField: true,
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'vec', dataType: 'FloatVector', dim: 2 },
    { name: 'age', dataType: 'Int32', nullable: true },
    { name: 'k', dataType: 'Int64' },
    { name: 'score', dataType: 'Double', nullable: true },
    { name: 'name', dataType: 'VarChar', maxLength: 32, nullable: true },
    { name: 'ok', dataType: 'Bool', nullable: true },
    { name: 'j', dataType: 'JSON', nullable: true },
    { name: 'tags', dataType: 'Array', elementType: 'VarChar', maxCapacity: 4, maxLength: 8, nullable: true },
    { name: 'nums', dataType: 'Array', elementType: 'Int32', maxCapacity: 5 },
  ],
};

/** The same schema without dynamic fields. */
export const strictSchema: CollectionSchema = { ...schema, enableDynamicField: false };

export type Row = Record<string, unknown>;

/** Rows 0..5; row 1 is the "everything null" row. */
export const table: Row[] = [
  { id: 10, age: 30, k: 1, score: 1.5, name: 'alice', ok: true, j: { a: 1, tags: ['x', 'y'] }, tags: ['red', 'blue'], nums: [1, 2, 3], $meta: { color: 'red', n: 3 } },
  { id: 11, age: null, k: 2, score: null, name: null, ok: null, j: null, tags: null, nums: [], $meta: {} },
  { id: 12, age: 7, k: 3, score: -2, name: 'bob', ok: false, j: { a: '1', b: { c: true } }, tags: ['red'], nums: [5], $meta: { color: 'blue' } },
  { id: 13, age: 18, k: 4, score: 0, name: 'al%ce', ok: true, j: { a: 2.5 }, tags: [], nums: [2, 2], $meta: { color: 5, n: null } },
  { id: 14, age: 65, k: 5, score: 99.25, name: '', ok: false, j: [1, 2], tags: ['green', 'red', 'blue'], nums: [-1, 7, 3, 4], $meta: { n: -1 } },
  { id: 15, age: 21, k: 6, score: 10, name: 'Ålice', ok: true, j: { a: null }, tags: ['blue'], nums: [3], $meta: { color: 'red', n: 3.5 } },
];

/** The columns of every field of the fixture schema (and `$meta`). */
export const COLUMN_NAMES = ['id', 'age', 'k', 'score', 'name', 'ok', 'j', 'tags', 'nums', '$meta'];

/** Turns row objects into the columnar form a segment holds. */
export function toColumns(rows: Row[], names: string[]): Columns {
  const cols: Record<string, unknown[]> = {};
  for (const n of names) cols[n] = rows.map((r) => r[n]);
  return cols;
}

export const columns = toColumns(table, COLUMN_NAMES);

import { mulberry32 as rng } from '../../bench/support/dataset.js';
/** The one seeded PRNG of tests and benchmarks (mulberry32). */
export { rng };

export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Removes `pos` (and undefined `integer` marks) so trees compare by structure. */
export function strip(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(strip);
  if (x === null || typeof x !== 'object') return x;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) if (k !== 'pos' && v !== undefined) out[k] = strip(v);
  return out;
}

/** Asserts that checking `text` against `s` is refused with InvalidArgument; returns the message. */
export function refused(text: string, s: CollectionSchema = schema): string {
  try { checkFilter(parseFilter(text), s); } catch (e) {
    assert.instance(e, ValidationError, text);
    assert.is((e as ValidationError).code, 'InvalidArgument');
    return (e as ValidationError).message;
  }
  assert.unreachable(`expected ${JSON.stringify(text)} to be refused`);
  return '';
}

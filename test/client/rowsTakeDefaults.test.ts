/**
 * Turning rows into the columns of an Insert fills in default values: a field
 * a row omits or leaves null holds its default in the batch that goes to the
 * WAL, so every reader sees the same concrete value. Pure; no server.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import { rowsProblem, type CollectionSchema } from '../../messages/schema.js';
import { toColumns } from '../../runtime/client/rows.js';

const schema: CollectionSchema = {
  enableDynamicField: true,
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'v', dataType: 'FloatVector', dim: 2 },
    { name: 'age', dataType: 'Int16', defaultValue: 18 },
    { name: 'status', dataType: 'VarChar', maxLength: 8, nullable: true, defaultValue: 'active' },
    { name: 'ok', dataType: 'Bool', defaultValue: true },
    { name: 'note', dataType: 'VarChar', maxLength: 8, nullable: true },
    { name: 'n', dataType: 'Int32' },
  ],
};
const v = [0.5, -0.5];

test('omitted and null values take the default, given ones (also falsy) stay, a nullable field without one stays null', () => {
  const rows = toColumns(schema, [
    { id: 1, v, n: 1 },
    { id: 2, v, n: 2, age: null, status: null, ok: null, note: null },
    { id: 3, v, n: 3, age: 0, status: '', ok: false, note: 'x' },
    { id: 4, v, n: 4, age: 30, status: 'premium', color: 'red' },
  ], null);
  assert.equal(rows.fields, {
    age: [18, 18, 0, 30],
    status: ['active', 'active', '', 'premium'],
    ok: [true, true, false, true],
    note: [null, null, 'x', null],
    n: [1, 2, 3, 4],
    // Dynamic keys are not schema fields: no default reaches them.
    $meta: [{}, {}, {}, { color: 'red' }],
  });
  assert.is(rowsProblem(schema, rows), null, 'the batch meets the Insert payload invariant');
});

test('a non-nullable field without a default is still required', () => {
  for (const n of [undefined, null]) {
    assert.throws(() => toColumns(schema, [{ id: 1, v, n: 1 }, { id: 2, v, n }], null),
      (e: unknown) => e instanceof ValidationError && e.message === (n === null ? "row 1: field 'n' is null, but it is not nullable" : "row 1: field 'n' is missing"));
  }
});

test('autoId rows take defaults too', () => {
  const auto: CollectionSchema = { fields: [{ ...schema.fields[0]!, autoId: true }, ...schema.fields.slice(1)] };
  const rows = toColumns(auto, [{ v, n: 7 }], [100]);
  assert.equal([rows.pks, rows.fields.age, rows.fields.status, rows.fields.ok], [[100], [18], ['active'], [true]]);
});

test.run();

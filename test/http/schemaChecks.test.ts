/**
 * Specifies how the gateway checks requests against a collection's schema
 * before calling the api: rows, keys, query vectors, output fields. A mismatch
 * is a SchemaMismatch naming the row and the field. Pure functions; no server.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError, type CollectionSchema } from '../../messages/index.js';
import { parseSearch } from '../../runtime/http/parseEntities.js';
import { checkIds, checkOutputFields, checkRows, checkSearch } from '../../runtime/http/schemaChecks.js';

const books: CollectionSchema = {
  fields: [
    { name: 'book_id', dataType: 'Int64', isPrimary: true },
    { name: 'title', dataType: 'VarChar', maxLength: 8 },
    { name: 'year', dataType: 'Int32' },
    { name: 'big', dataType: 'Int64', nullable: true },
    { name: 'score', dataType: 'Float', nullable: true },
    { name: 'meta', dataType: 'JSON', nullable: true },
    { name: 'v', dataType: 'FloatVector', dim: 3 },
  ],
};
const lists: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 },
    { name: 'tags', dataType: 'Array', elementType: 'VarChar', maxCapacity: 2, maxLength: 3, nullable: true },
    { name: 'bigs', dataType: 'Array', elementType: 'Int64', maxCapacity: 3 },
    { name: 'ws', dataType: 'Array', elementType: 'Float', maxCapacity: 3 },
  ],
};
const dynamic: CollectionSchema = {
  enableDynamicField: true,
  fields: [{ name: 'id', dataType: 'VarChar', isPrimary: true, maxLength: 4 }, { name: 'vector', dataType: 'FloatVector', dim: 2 }],
};
const auto: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true, autoId: true }, { name: 'vector', dataType: 'FloatVector', dim: 2 }] };

function mismatch(fn: () => unknown, pattern: RegExp): void {
  try { fn(); } catch (e) {
    assert.instance(e, NuthatchError);
    assert.is((e as NuthatchError).code, 'SchemaMismatch', (e as Error).message);
    assert.match((e as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a SchemaMismatch matching ${pattern}`);
}

const good = { book_id: 1, title: 'abc', year: 1999, v: [1, 2, 3] };

test('good rows come back as fresh objects; Int64 strings become numbers; nulls of nullable fields drop', () => {
  const rows = checkRows(books, [{ ...good, big: '123', score: null, meta: { a: [1, { b: 2 }] } }, { ...good, book_id: '2' }], 'insert');
  assert.equal(rows, [
    { book_id: 1, v: [1, 2, 3], title: 'abc', year: 1999, big: 123, meta: { a: [1, { b: 2 }] } },
    { book_id: 2, v: [1, 2, 3], title: 'abc', year: 1999 },
  ]);
});

test('Array fields: Int64 elements may be decimal strings; every element checked, naming row, field and index', () => {
  const row = { id: 1, v: [1, 2], tags: ['a', 'bcd'], bigs: [1, '-9007199254740991', 2 ** 40], ws: [0.5, -0] };
  assert.equal(checkRows(lists, [row, { ...row, id: 2, tags: null, bigs: [] }], 'insert'), [
    { id: 1, v: [1, 2], tags: ['a', 'bcd'], bigs: [1, -9007199254740991, 2 ** 40], ws: [0.5, -0] },
    { id: 2, v: [1, 2], bigs: [], ws: [0.5, -0] },
  ]);
  const bad = (patch: object, pattern: RegExp) => mismatch(() => checkRows(lists, [row, { ...row, id: 2, ...patch }], 'insert'), pattern);
  bad({ tags: ['a', 'b', 'c'] }, /'data\[1\]': Array field 'tags' holds 3 elements, more than its max_capacity 2/);
  bad({ tags: ['abcd'] }, /'data\[1\]': the length \(4 UTF-8 bytes\) of element \[0\] of Array field 'tags' exceeds max length \(3\)/);
  bad({ tags: 'a' }, /'data\[1\]': Array field 'tags' must be a list, got "a"/);
  bad({ tags: [null] }, /element \[0\] of Array field 'tags' is null/);
  bad({ bigs: undefined }, /'data\[1\]': field 'bigs' is missing/);
  bad({ bigs: [1, 2 ** 60] }, /'data\[1\].bigs\[1\]' is .*beyond the safe integer range/);
  bad({ bigs: [1.5] }, /element \[0\] of Array field 'bigs' must be an Int64 integer, got 1\.5$/);
  bad({ bigs: ['12x'] }, /element \[0\] of Array field 'bigs' must be an Int64 integer/);
  bad({ ws: [1e39] }, /'data\[1\].ws\[0\]' = 1e\+39 is out of the float32 range/);
  bad({ ws: [true] }, /element \[0\] of Array field 'ws' must be a finite number, got true$/);
});

test('rows: wrong dimension, junk vectors, wrong types and ranges are refused naming row and field', () => {
  const bad = (patch: object, pattern: RegExp) => mismatch(() => checkRows(books, [good, { ...good, book_id: 2, ...patch }], 'insert'), pattern);
  bad({ v: [1, 2] }, /'data\[1\].v' has 2 numbers, but the vector field has dimension 3/);
  bad({ year: '1999' }, /'data\[1\]': field 'year' must be an Int32 integer, got the string "1999"/);
  bad({ year: 2 ** 31 }, /Int32/);
  bad({ year: 1.5 }, /Int32/);
  bad({ title: 5 }, /field 'title' must be a string/);
  bad({ title: 'abcdefghi' }, /exceeds max length \(8\)/);
  bad({ score: 'x' }, /'score' must be a finite number/);
  bad({ score: 1e39 }, /float32 range/);
  bad({ big: 2 ** 60 }, /'data\[1\].big' is .*beyond the safe integer range/);
  bad({ year: undefined }, /field 'year' is missing/);
  bad({ extra: 1 }, /'data\[1\]' has unknown field 'extra'/);
  bad({ v: undefined }, /missing the vector field 'v'/);
  bad({ book_id: undefined }, /'data\[1\].book_id' is missing/);
  bad({ book_id: 1 }, /primary key 1 appears twice/);
  bad({ book_id: 2 ** 63 }, /Int64 keys must be within/);
  bad({ book_id: 'x' }, /must be an Int64 primary key/);
  bad({ meta: deep(40) }, /nested deeper than 32/);
});

test('rows in a dynamic collection keep extra keys; $meta is reserved; VarChar keys are strings', () => {
  assert.equal(checkRows(dynamic, [{ id: 'a', vector: [1, 2], color: 'red' }], 'insert'), [{ color: 'red', id: 'a', vector: [1, 2] }]);
  mismatch(() => checkRows(dynamic, [{ id: 'a', vector: [1, 2], $meta: {} }], 'insert'), /names '\$meta', the dynamic field's own column/);
  mismatch(() => checkRows(dynamic, [{ id: 'a', vector: [1, 2], x: deep(40) }], 'insert'), /nested deeper/);
  mismatch(() => checkRows(dynamic, [{ id: 5, vector: [1, 2] }], 'insert'), /must be a VarChar primary key \(a string\), got 5/);
  mismatch(() => checkRows(dynamic, [{ id: 'abcde', vector: [1, 2] }], 'insert'), /exceeds max length \(4\)/);
});

test('autoID: inserts leave the key out; upserts must give it', () => {
  assert.equal(checkRows(auto, [{ vector: [1, 2] }], 'insert'), [{ vector: [1, 2] }]);
  mismatch(() => checkRows(auto, [{ id: 1, vector: [1, 2] }], 'insert'), /generated \(autoID\)/);
  assert.equal(checkRows(auto, [{ id: 1, vector: [1, 2] }], 'upsert'), [{ id: 1, vector: [1, 2] }]);
  mismatch(() => checkRows(auto, [{ vector: [1, 2] }], 'upsert'), /'data\[0\].id' is missing/);
});

test('ids follow the primary key type', () => {
  assert.equal(checkIds(books, [1, '22']), [1, 22]);
  mismatch(() => checkIds(books, ['a']), /'id' must be an Int64 primary key/);
  assert.equal(checkIds(dynamic, ['a']), ['a']);
  mismatch(() => checkIds(dynamic, ['a', 1]), /'id\[1\]' must be a VarChar primary key/);
});

test('output fields: schema names, "*" for all, any key with the dynamic field', () => {
  assert.equal(checkOutputFields(books, ['title', 'year', 'title']), ['title', 'year']);
  assert.equal(checkOutputFields(books, ['*']), ['*'], 'left for the client, which knows the load and the dynamic field');
  assert.is(checkOutputFields(books, undefined), undefined);
  mismatch(() => checkOutputFields(books, ['title', 'nope']), /'outputFields\[1\]' names 'nope', which is not a field/);
  assert.equal(checkOutputFields(dynamic, ['color']), ['color']);
});

test('search: annsField must be a vector field; vectors must have its dimension', () => {
  const req = (extra: object) => parseSearch({ collectionName: 'c', data: [[1, 2, 3]], ...extra }).request;
  checkSearch(books, req({ annsField: 'v' }));
  checkSearch(books, req({}));
  mismatch(() => checkSearch(books, req({ annsField: 'title' })), /'annsField' names 'title', which is not a vector field of the collection \(v\)/);
  mismatch(() => checkSearch(dynamic, req({})), /'data\[0\]' has 3 numbers, but the vector field has dimension 2/);
});

function deep(n: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
}

test('rows that omit a field with a default, or give null, hold the default; without one a non-nullable field is still required', () => {
  const withDefaults: CollectionSchema = {
    fields: [
      { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 },
      { name: 'age', dataType: 'Int64', defaultValue: 18 },
      { name: 'status', dataType: 'VarChar', maxLength: 8, nullable: true, defaultValue: 'active' },
      { name: 'n', dataType: 'Int32' },
    ],
  };
  const rows = checkRows(withDefaults, [{ id: 1, v: [1, 2], n: 1 }, { id: 2, v: [1, 2], n: 2, age: null, status: null }, { id: 3, v: [1, 2], n: 3, age: '0', status: '' }], 'upsert');
  assert.equal(rows, [
    { id: 1, v: [1, 2], age: 18, status: 'active', n: 1 },
    { id: 2, v: [1, 2], age: 18, status: 'active', n: 2 },
    { id: 3, v: [1, 2], age: 0, status: '', n: 3 },
  ]);
  mismatch(() => checkRows(withDefaults, [{ id: 1, v: [1, 2] }], 'insert'), /'data\[0\]': field 'n' is missing/);
});

test.run();

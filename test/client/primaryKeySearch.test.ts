import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { checkKeys, checkKeySearch, keyedFilter, queriesOf, querySourceOf, refuseKeys } from '../../runtime/client/primaryKeySearch.js';

/**
 * The pure side of a primary-key search: which requests are refused before
 * any read, and how the rows a keyed read returns become the queries.
 */

const thrown = (fn: () => unknown): NuthatchError => {
  try { fn(); } catch (e) { assert.instance(e, NuthatchError); return e as NuthatchError; }
  return assert.unreachable('not refused') as never;
};

const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'text', dataType: 'VarChar', maxLength: 100, enableAnalyzer: true },
    { name: 'vec', dataType: 'FloatVector', dim: 2 },
    { name: 'bm', dataType: 'SparseFloatVector' },
  ],
  functions: [{ name: 'bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['bm'] }],
} as CollectionSchema;

test('data or ids, exactly one', () => {
  assert.is(querySourceOf({ data: [[1, 2]] }), 'data');
  assert.is(querySourceOf({ ids: [1] }), 'ids');
  const both = thrown(() => querySourceOf({ data: [[1, 2]], ids: [1] }));
  assert.is(both.code, 'InvalidArgument');
  assert.match(both.message, /not both/);
  assert.match(thrown(() => querySourceOf({})).message, /needs data \(query vectors\) or ids/);
});

test('keys: of the primary key type, named when wrong; none twice; at most 1024', () => {
  assert.equal(checkKeys([3, 1, 2], { name: 'id', dataType: 'Int64' }), [3, 1, 2]);
  assert.equal(checkKeys(['a', 'b'], { name: 'sku', dataType: 'VarChar' }), ['a', 'b']);
  const wrong = thrown(() => checkKeys([1, '2'], { name: 'id', dataType: 'Int64' }));
  assert.instance(wrong, ValidationError);
  assert.match(wrong.message, /ids\[1\] is "2": primary key 'id' is Int64, so ids must be integers/);
  assert.equal(wrong.info, { field: 'ids[1]', id: '2' });
  assert.match(thrown(() => checkKeys(['a', 7], { name: 'sku', dataType: 'VarChar' })).message, /ids\[1\] is 7: .* must be strings/);
  assert.match(thrown(() => checkKeys([1.5], { name: 'id', dataType: 'Int64' })).message, /ids\[0\] is 1.5/);
  assert.match(thrown(() => checkKeys([4, 5, 4], { name: 'id', dataType: 'Int64' })).message, /ids\[2\] repeats primary key 4/);
  assert.match(thrown(() => checkKeys([], { name: 'id', dataType: 'Int64' })).message, /non-empty list/);
  assert.match(thrown(() => checkKeys(7, { name: 'id', dataType: 'Int64' })).message, /non-empty list/);
  assert.match(thrown(() => checkKeys(Array.from({ length: 1025 }, (_, i) => i), { name: 'id', dataType: 'Int64' })).message, /at most 1024 ids/);
});

test('a BM25 field and an unknown or ambiguous annsField are refused before any read', () => {
  assert.equal(checkKeySearch(schema, { ids: [1], annsField: 'vec' }).field.name, 'vec');
  assert.match(thrown(() => checkKeySearch(schema, { ids: [1], annsField: 'bm' })).message, /cannot search BM25 field 'bm'/);
  assert.match(thrown(() => checkKeySearch(schema, { ids: [1] })).message, /name one as annsField/);
  assert.match(thrown(() => checkKeySearch(schema, { ids: [1], annsField: 'text' })).message, /not a vector field/);
});

test('the keyed read filters by a template parameter (VarChar keys need no quoting)', () => {
  assert.equal(keyedFilter('sku', ['a"b', 'c']), { filter: 'sku in {ids}', filterParams: { ids: ['a"b', 'c'] } });
});

test('queries in the order of the keys, whatever order the rows come in', () => {
  const rows = [{ id: 2, vec: [0, 1] }, { id: 9, vec: [9, 9] }, { id: 1, vec: [1, 0] }];
  assert.equal(queriesOf([1, 2], rows, 'id', 'vec', 'c'), [[1, 0], [0, 1]]);
  assert.equal(queriesOf([9, 1, 2], rows, 'id', 'vec', 'c'), [[9, 9], [1, 0], [0, 1]]);
});

test('keys no row holds are refused NotFound, all of them named; a null vector is refused naming its key', () => {
  const rows = [{ id: 1, vec: [1, 0] }, { id: 3, vec: null }];
  const missing = thrown(() => queriesOf([1, 7, 8], rows, 'id', 'vec', 'c'));
  assert.is(missing.code, 'NotFound');
  assert.match(missing.message, /primary keys 7, 8 name no row of 'c'/);
  assert.equal(missing.info, { field: 'ids', ids: [7, 8] });
  assert.match(thrown(() => queriesOf(['x'], [], 'sku', 'vec', 'c')).message, /primary key "x" names no row/);
  const nul = thrown(() => queriesOf([1, 3], rows, 'id', 'vec', 'c'));
  assert.is(nul.code, 'InvalidArgument');
  assert.match(nul.message, /primary key 3 names a row whose vector field 'vec' is null/);
  assert.equal(nul.info, { field: 'ids', id: 3 });
});

test('hybrid searches and iterators refuse ids', () => {
  refuseKeys({ vector: [1, 2] }, 'a search iterator');
  const e = thrown(() => refuseKeys({ ids: [1] }, 'a search iterator'));
  assert.match(e.message, /a search iterator takes no ids/);
  assert.equal(e.info, { field: 'ids' });
  assert.equal(thrown(() => refuseKeys({ ids: [1] }, 'searches[1]', 'searches[1].ids')).info, { field: 'searches[1].ids' });
});

test.run();

/**
 * JSON path indexes: how a json_path reads, which rows an index of a cast
 * holds, that its file keeps what kind of index it is, and which filter
 * terms the planner lets it answer (the property tests in indexPlan.test.ts
 * check the answers against a scan).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import { checkFilter, formatFilter, parseFilter } from '../../messages/filter/index.js';
import { castColumn, indexFileName, jsonIndexTarget, jsonShapeOf, scalarIndexKey, type JsonCastType } from '../../actors/shared/scalarIndex/jsonIndex.js';
import { formatJsonPath, parseJsonPath, pathKeyOf } from '../../actors/shared/scalarIndex/jsonPath.js';
import { planFilter } from '../../actors/shared/scalarIndex/indexPlan.js';
import { decodeScalarIndex, encodeScalarIndex } from '../../actors/shared/scalarIndex/scalarIndexFile.js';
import { buildSortedIndex, type SortedIndex } from '../../actors/shared/scalarIndex/sortedIndex.js';
import { termRows } from '../../actors/shared/scalarIndex/termRows.js';
import { schema } from '../filter/fixtures.js';

test('json_path: a name and ["key"] / [index] steps, as a filter writes them; written back canonically', () => {
  assert.equal(parseJsonPath('meta'), { name: 'meta', path: [] });
  assert.equal(parseJsonPath(` meta [ "a" ]['b\\'c'][0] `), { name: 'meta', path: ['a', "b'c", 0] });
  assert.equal(parseJsonPath('$meta["color"]'), { name: '$meta', path: ['color'] });
  assert.is(formatJsonPath(parseJsonPath("meta['a \"q\"'][2]")), 'meta["a \\"q\\""][2]');
  assert.is(pathKeyOf('age', []), 'age', 'a typed field is found by its name');
  for (const bad of ['', '  ', 'meta[', 'meta["a"', 'meta.a', 'meta["a"]x', 'meta[-1]', 'meta[1.5]', 'meta[a]', '["a"]', '1meta', 'meta == 1', 'meta["a"]["b"]]', 7, null]) {
    assert.throws(() => parseJsonPath(bad), (e: unknown) => e instanceof ValidationError && e.code === 'InvalidArgument', JSON.stringify(bad));
  }
});

test('where an index reads: a JSON field\'s column, or $meta under a dynamic key; its lookup key is that path', () => {
  const ix = (fieldName: string, json_path: string, json_cast_type: string, more: Record<string, string> = {}) => ({ indexName: 'i', fieldName, params: { json_path, json_cast_type, ...more } });
  assert.equal(jsonIndexTarget(ix('j', 'j["a"]', 'DOUBLE'), { name: 'j', dataType: 'JSON' }), { column: 'j', path: ['a'], shape: { kind: 'number', elements: false, json: true } });
  assert.equal(jsonIndexTarget(ix('color', 'color', 'ARRAY_VARCHAR'), undefined), { column: '$meta', path: ['color'], shape: { kind: 'string', elements: true, json: true } });
  assert.equal(jsonIndexTarget(ix('n', 'n', 'DOUBLE', { json_cast_function: 'STRING_TO_DOUBLE' }), undefined).shape, { kind: 'number', elements: false, json: true, converted: true });
  assert.is(scalarIndexKey(ix('color', 'color["rgb"][1]', 'DOUBLE'), undefined), '$meta["color"]["rgb"][1]');
  assert.is(scalarIndexKey({ fieldName: 'age', params: {} }, { name: 'age', dataType: 'Int32' }), 'age');
  assert.throws(() => jsonIndexTarget(ix('age', 'age', 'DOUBLE'), { name: 'age', dataType: 'Int32' }), /takes no json_path/);
});

test('index file names: a JSON path index\'s name carries a hash of its path and cast', () => {
  const a = indexFileName({ indexName: 'x', params: { json_path: 'j["a"]', json_cast_type: 'DOUBLE' } });
  assert.match(a, /^x-p[0-9a-f]{8}$/);
  assert.is.not(a, indexFileName({ indexName: 'x', params: { json_path: 'j["b"]', json_cast_type: 'DOUBLE' } }));
  assert.is.not(a, indexFileName({ indexName: 'x', params: { json_path: 'j["a"]', json_cast_type: 'VARCHAR' } }));
  assert.is(indexFileName({ indexName: 'x', params: {} }), 'x', 'other indexes keep their name');
});

const VALUES = [1, 2.5, -0, '1', ' 2 ', 'x', '', true, false, null, [1, 'a', true, 2], ['b'], { a: 1 }, undefined];
const column = VALUES.map((v) => (v === undefined ? {} : { p: v }));

function castOf(cast: JsonCastType, fn?: string): unknown[] {
  return castColumn(column, column.length, { path: ['p'], shape: jsonShapeOf(cast, fn) });
}

test('an index holds the rows whose value casts; the others are absent (a list: its elements of the kind)', () => {
  const u = undefined;
  assert.equal(castOf('DOUBLE'), [1, 2.5, -0, u, u, u, u, u, u, u, u, u, u, u]);
  assert.equal(castOf('DOUBLE', 'STRING_TO_DOUBLE'), [1, 2.5, -0, 1, 2, u, u, u, u, u, u, u, u, u], 'numbers, and strings that read as numbers (not blank)');
  assert.equal(castOf('VARCHAR'), [u, u, u, '1', ' 2 ', 'x', '', u, u, u, u, u, u, u]);
  assert.equal(castOf('BOOL'), [u, u, u, u, u, u, u, true, false, u, u, u, u, u]);
  assert.equal(castOf('ARRAY_DOUBLE'), [u, u, u, u, u, u, u, u, u, u, [1, 2], [], u, u]);
  assert.equal(castOf('ARRAY_VARCHAR'), [u, u, u, u, u, u, u, u, u, u, ['a'], ['b'], u, u]);
  assert.equal(castColumn(undefined, 3, { path: ['p'], shape: jsonShapeOf('BOOL') }), [u, u, u], 'an absent column ($meta of rows with no dynamic keys)');
  assert.equal(castColumn([[5, 'a'], 5, null], 3, { path: [0], shape: jsonShapeOf('DOUBLE') }), [5, u, u], 'a position in a list');
});

test('the file keeps whether an index is a JSON path index and whether it converted strings', () => {
  for (const [cast, fn] of [['DOUBLE'], ['DOUBLE', 'STRING_TO_DOUBLE'], ['ARRAY_VARCHAR'], ['BOOL']] as [JsonCastType, string?][]) {
    const shape = jsonShapeOf(cast, fn);
    const ix = buildSortedIndex(castColumn(column, column.length, { path: ['p'], shape }), column.length, shape);
    const back = decodeScalarIndex(encodeScalarIndex(ix));
    assert.equal({ ...back, values: Array.from(back.values as ArrayLike<unknown>), rows: Array.from(back.rows) }, { ...ix, values: Array.from(ix.values as ArrayLike<unknown>), rows: Array.from(ix.rows) });
    assert.is(back.json, true);
    assert.is(back.converted, fn ? true : undefined);
  }
});

/** The fixture table's j and $meta columns (test/filter/fixtures.ts) with an index per path here. */
const TABLE: Record<string, unknown>[] = [
  { j: { a: 1, tags: ['x', 'y'] }, $meta: { color: 'red', n: 3 } },
  { j: null, $meta: {} },
  { j: { a: '1', b: { c: true } }, $meta: { color: 'blue', n: '3' } },
  { j: { a: 2.5 }, $meta: { color: 5, n: null } },
  { j: [1, 2], $meta: { n: -1 } },
  { j: { a: null, b: { c: false } }, $meta: { color: ['red'], n: 3.5 } },
];
const cols = { j: TABLE.map((r) => r.j), $meta: TABLE.map((r) => r.$meta) };
function index(column: 'j' | '$meta', path: (string | number)[], cast: JsonCastType, fn?: string): [string, SortedIndex] {
  const shape = jsonShapeOf(cast, fn);
  return [pathKeyOf(column, path), buildSortedIndex(castColumn(cols[column], TABLE.length, { path, shape }), TABLE.length, shape)];
}
const indexes = new Map([index('j', ['a'], 'DOUBLE'), index('j', ['b', 'c'], 'BOOL'), index('j', ['tags'], 'ARRAY_VARCHAR'), index('$meta', ['color'], 'VARCHAR'), index('$meta', ['n'], 'DOUBLE', 'STRING_TO_DOUBLE')]);

function plan(text: string): { rows: number[]; residual: string | null } | null {
  const p = planFilter(checkFilter(parseFilter(text), schema).expr, (k) => indexes.get(k));
  return p && { rows: Array.from(termRows(p.term, indexes, TABLE.length).toRows()), residual: p.residual && formatFilter(p.residual) };
}

test('answered exactly: ==, in and ranges with a literal of the cast\'s kind, like on strings, a bare boolean, array_contains*', () => {
  assert.equal(plan('j["a"] == 1'), { rows: [0], residual: null }, 'the string "1" is not 1');
  assert.equal(plan('j["a"] == 1.0'), { rows: [0], residual: null }, 'an int and a float of one value are one number');
  assert.equal(plan('j["a"] >= 1 and j["a"] < 3'), { rows: [0, 3], residual: null });
  assert.equal(plan('not (j["a"] > 2)'), { rows: [0], residual: null }, 'not > is <=, false for values of other kinds');
  assert.equal(plan('j["a"] in [2.5, 7]'), { rows: [3], residual: null });
  assert.equal(plan('j["b"]["c"] == true'), { rows: [2], residual: null });
  assert.equal(plan('not j["b"]["c"]'), { rows: [5], residual: null });
  assert.equal(plan('color like "re%"'), { rows: [0], residual: null }, 'a dynamic key: $meta["color"]');
  assert.equal(plan('$meta["color"] in ["blue", "green"]'), { rows: [2], residual: null });
  assert.equal(plan('array_contains(j["tags"], "y")'), { rows: [0], residual: null });
  assert.equal(plan('json_contains_all(j["tags"], ["x", "y"])'), { rows: [0], residual: null });
});

test('STRING_TO_DOUBLE narrows to candidates; the term stays in the residual', () => {
  assert.equal(plan('n == 3'), { rows: [0, 2], residual: '$meta["n"] == 3' }, 'row 2 holds "3", which the residual drops');
  assert.equal(plan('n > 0 and j["a"] == 1'), { rows: [0], residual: '$meta["n"] > 0' });
});

test('left to the residual: !=, not in, is null, literals of another kind, a path without an index, a list index for scalars', () => {
  for (const text of ['j["a"] != 1', 'j["a"] not in [1]', 'not (j["a"] == 1)', 'j["a"] is null', 'j["a"] is not null', 'j["a"] == "1"', 'j["a"] == true',
    'j["b"]["c"] != true', 'j["b"]["c"] == 1', 'color not like "re%"', 'color == 5', 'j["a"]["x"] == 1', 'j["tags"] == "x"', 'not array_contains(j["tags"], "x")',
    'array_contains(j["tags"], 1)', 'array_contains_all(j["tags"], [])', 'array_contains(color, "red")', 'j["a"] + 1 == 2', 'n != 3', 'n == "3"', 'n is null']) {
    assert.is(plan(text), null, text);
  }
});

test.run();

/** Specifies what a compiled filter selects from a small table (fixtures.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { filterRows, prepareFilter, rowsColumns } from '../../messages/filter/index.js';
import { NuthatchError } from '../../messages/errors.js';
import { columns, schema, table } from './fixtures.js';
import type { Columns } from '../../messages/filter/index.js';

const select = (text: string, cols: Columns = columns) => filterRows(prepareFilter(text, schema)!, cols, table.length);

function truthTable(name: string, cases: [string, number[]][]): void {
  test(name, () => { for (const [text, rows] of cases) assert.equal(select(text), rows, text); });
}

truthTable('comparisons on a nullable integer; null never matches', [
  ['age > 18', [0, 4, 5]], ['age >= 18', [0, 3, 4, 5]], ['age < 18', [2]], ['age <= 18', [2, 3]],
  ['age == 18', [3]], ['age != 18', [0, 2, 4, 5]], ['18 < age', [0, 4, 5]], ['18.5 > age', [2, 3]],
  ['not (age > 18)', [2, 3]], ['not (age != 18)', [3]], ['!(age == 18)', [0, 2, 4, 5]],
]);

truthTable('chained ranges', [
  ['18 <= age < 65', [0, 3, 5]], ['65 >= age > 18', [0, 4, 5]], ['not (18 <= age < 65)', [2, 4]],
]);

truthTable('in and not in', [
  ['id in [10, 12, 99]', [0, 2]], ['id not in [10, 12]', [1, 3, 4, 5]], ['age in [7, 30]', [0, 2]],
  ['age not in [7, 30]', [3, 4, 5]], ['age in []', []], ['age not in []', [0, 2, 3, 4, 5]], ['not (age in [7])', [0, 3, 4, 5]],
  ['name in ["bob", "alice"]', [0, 2]],
]);

truthTable('like: prefix, suffix, infix, exact, one-character and escaped wildcards', [
  ['name like "al%"', [0, 3]], ['name like "%ce"', [0, 3, 5]], ['name like "%li%"', [0, 5]], ['name like "bob"', [2]],
  ['name like "%"', [0, 2, 3, 4, 5]], ['name like "al\\%%"', [3]], ['name like "_lice"', [0, 5]], ['name like "a%c%"', [0, 3]],
  ['name not like "al%"', [2, 4, 5]], ['not (name like "al%")', [2, 4, 5]], ['name LIKE ""', [4]],
]);

truthTable('strings and booleans', [
  ['name == ""', [4]], ['name > "b"', [2, 5]], ['name != "bob"', [0, 3, 4, 5]],
  ['ok', [0, 3, 5]], ['not ok', [2, 4]], ['ok == false', [2, 4]], ['ok != true', [2, 4]], ['ok == ok', [0, 2, 3, 4, 5]],
]);

truthTable('three-valued and, or, not', [
  ['ok or age > 60', [0, 3, 4, 5]], ['ok and age > 20', [0, 5]], ['not (ok and age > 20)', [2, 3, 4]],
  ['not (ok or age > 60)', [2]], ['ok or id == 11', [0, 1, 3, 5]], ['not (age > 100 and id == 11)', [0, 2, 3, 4, 5]],
  ['not (age > 100 and id != 11)', [0, 1, 2, 3, 4, 5]], ['not not ok', [0, 3, 5]],
  ['name like "a%" and not (age < 20) or id == 14', [0, 4]], ['true', [0, 1, 2, 3, 4, 5]], ['not true', []], ['1 < 0', []],
]);

truthTable('is null and is not null', [
  ['age is null', [1]], ['age is not null', [0, 2, 3, 4, 5]], ['not (age is null)', [0, 2, 3, 4, 5]],
  ['j is null', [1]], ['j["a"] is null', [1, 4, 5]], ['j["a"] is not null', [0, 2, 3]],
]);

truthTable('arithmetic; integer division truncates, division by zero is null', [
  ['age + 1 > 30', [0, 4]], ['age * 2 == 36', [3]], ['age - score > 20', [0]], ['age / 4 == 4', [3]], ['age / 4.0 == 4.5', [3]],
  ['age % 10 == 1', [5]], ['score / 2 == 0.75', [0]], ['-age < -20', [0, 4, 5]], ['k * k + 1 == 17', [3]],
  ['age / (k - 1) > 10', [4]], ['not (age / (k - 1) > 10)', [2, 3, 5]], ['age > score', [0, 2, 3, 5]], ['not (age > score)', [4]],
]);

truthTable('JSON values are typed per row; different kinds are unequal and unordered', [
  ['j["a"] == 1', [0]], ['j["a"] == "1"', [2]], ['j["a"] != 1', [2, 3]], ['j["a"] > 1', [3]], ['not (j["a"] > 1)', [0]],
  ['j["a"] in [1, "1"]', [0, 2]], ['j["a"] not in [1]', [2, 3]], ['j["tags"][0] == "x"', [0]], ['j["tags"][5] == "x"', []],
  ['j[0] == 1', [4]], ['j["b"]["c"]', [2]], ['not j["b"]["c"]', []], ['j["a"] like "1%"', [2]], ['j == 1', []], ['j != 1', []],
  ['j["a"] + 1 > 2', [3]], ['j["constructor"] is null', [0, 1, 2, 3, 4, 5]], ['j["tags"]["length"] is null', [0, 1, 2, 3, 4, 5]],
]);

truthTable('dynamic fields read $meta', [
  ['color == "red"', [0, 5]], ['color != "red"', [2, 3]], ['n > 3', [5]], ['n is null', [1, 2, 3]], ['n + 1 > 0', [0, 5]],
  ['$meta["color"] like "r%"', [0, 5]], ['color in ["red", 5]', [0, 3, 5]], ['$meta["__proto__"] is not null', []],
]);

test('absent columns: nullable and $meta read as null, a required column is an internal error', () => {
  const { score: _s, $meta: _m, ...rest } = columns;
  assert.equal(select('score is null', rest), [0, 1, 2, 3, 4, 5]);
  assert.equal(select('score > 0 or color == "red"', rest), []);
  const { k: _k, ...noK } = columns;
  assert.throws(() => select('k > 0', noK), (e: unknown) => e instanceof NuthatchError && e.code === 'Internal');
});

test('typed-array columns and insert batches bind like arrays', () => {
  const typed = { ...columns, k: Int32Array.from([1, 2, 3, 4, 5, 6]), score: Float64Array.from([1.5, 0, -2, 0, 99.25, 10]) };
  assert.equal(select('k > 3 and score > 0', typed), [4, 5]);
  const rows = { count: 2, pks: [7, 8], vectors: new Float32Array(4), fields: { k: [1, 2], age: [null, 3] } };
  const f = prepareFilter('id == 8 or age is null', schema)!;
  assert.equal(filterRows(f, rowsColumns(schema, rows), 2), [0, 1]);
});

test('a blank filter means no filter', () => {
  assert.is(prepareFilter('', schema), null);
  assert.is(prepareFilter('  ', schema), null);
  assert.is(prepareFilter(undefined, schema), null);
});

test('one compiled filter binds to many segments', () => {
  const f = prepareFilter('age > 18', schema)!;
  assert.equal(f.fields, ['age']);
  const a = f.bind({ age: [19, 1] }), b = f.bind({ age: [1, 19] });
  assert.equal([a(0), a(1), b(0), b(1)], [true, false, false, true]);
});

test('a field with a default reads it for a stored null and for an absent column (rows written before the field was added)', () => {
  const withTier = { ...schema, fields: [...schema.fields, { name: 'tier', dataType: 'VarChar' as const, maxLength: 8, nullable: true, defaultValue: 'basic' }] };
  const n = table.length;
  const sel = (text: string, tier: unknown[] | undefined) => filterRows(prepareFilter(text, withTier)!, { ...columns, ...(tier ? { tier } : {}) }, n);
  const all = Array.from({ length: n }, (_, i) => i);
  assert.equal(sel('tier == "basic"', undefined), all, 'an absent column is all default');
  assert.equal(sel('tier is null', undefined), [], 'and never null');
  const tier = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'gold' : null));
  assert.equal(sel('tier == "basic"', tier), all.filter((i) => i % 2 === 1));
  assert.equal(sel('tier != "gold"', tier), all.filter((i) => i % 2 === 1));
  assert.equal(sel('tier in ["basic"]', tier), all.filter((i) => i % 2 === 1));
  assert.equal(sel('tier like "ba%"', tier), all.filter((i) => i % 2 === 1));
  assert.equal(sel('not (tier == "basic")', tier), all.filter((i) => i % 2 === 0));
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import type { IndexTerm, Lookup } from '../../actors/shared/scalarIndex/indexPlan.js';
import { RowSet } from '../../actors/shared/scalarIndex/rowSet.js';
import { buildSortedIndex, type SortedIndex } from '../../actors/shared/scalarIndex/sortedIndex.js';
import { termRows } from '../../actors/shared/scalarIndex/termRows.js';

/**
 * A sorted (value, row) index of one column answers equality, `in`, `not in`
 * and ranges (each bound inclusive or not, chained) with exactly the rows
 * whose value passes; null rows are never in it.
 */
const rowsOf = (ix: SortedIndex, lookup: Lookup) => Array.from(termRows({ kind: 'lookup', field: 'f', lookup }, new Map([['f', ix]]), ix.rowCount).toRows());
const where = (col: unknown[], keep: (v: unknown) => boolean) => col.flatMap((v, i) => (v !== null && v !== undefined && keep(v) ? [i] : []));

const ints = [5, null, -3, 5, 0, 12, undefined, -3, 7, 5];
const floats = [0.5, -1.25, null, 0.5, 3e10, -0, 0, 2.75];
const strings = ['b', 'a', null, '', 'ab', 'b', 'B', 'aé', 'a\uD800', 'abc'];
const bools = [true, null, false, true, false];

test('numbers: equality, in, not in and every kind of bound', () => {
  const ix = buildSortedIndex(ints, ints.length, { kind: 'number', elements: false });
  assert.is(ix.rows.length, 8, 'nulls are left out');
  assert.equal(rowsOf(ix, { op: 'in', keys: [5] }), [0, 3, 9]);
  assert.equal(rowsOf(ix, { op: 'in', keys: [7, -3, 99, 7] }), [2, 7, 8]);
  assert.equal(rowsOf(ix, { op: 'in', keys: [] }), []);
  assert.equal(rowsOf(ix, { op: 'notIn', keys: [5, 0] }), where(ints, (v) => v !== 5 && v !== 0));
  assert.equal(rowsOf(ix, { op: 'notIn', keys: [] }), where(ints, () => true));
  for (const [lo, hi] of [[-3, 5], [-4, 6], [0, 0], [5, 5], [6, 4], [-100, 100], [4.5, 7.5]] as const) {
    for (const li of [true, false]) for (const hiIn of [true, false]) {
      const want = where(ints, (v) => (li ? (v as number) >= lo : (v as number) > lo) && (hiIn ? (v as number) <= hi : (v as number) < hi));
      assert.equal(rowsOf(ix, { op: 'range', lower: { key: lo, inclusive: li }, upper: { key: hi, inclusive: hiIn } }), want, `${lo} ${li} ${hi} ${hiIn}`);
    }
    assert.equal(rowsOf(ix, { op: 'range', lower: { key: lo, inclusive: false } }), where(ints, (v) => (v as number) > lo));
    assert.equal(rowsOf(ix, { op: 'range', upper: { key: hi, inclusive: true } }), where(ints, (v) => (v as number) <= hi));
  }
  assert.equal(rowsOf(ix, { op: 'range' }), where(ints, () => true), 'unbounded: every non-null row');
});

test('floats: -0 equals 0, fractional bounds', () => {
  const ix = buildSortedIndex(floats, floats.length, { kind: 'number', elements: false });
  assert.equal(rowsOf(ix, { op: 'in', keys: [0] }), [5, 6]);
  assert.equal(rowsOf(ix, { op: 'in', keys: [0.5] }), [0, 3]);
  assert.equal(rowsOf(ix, { op: 'range', lower: { key: -1.25, inclusive: false }, upper: { key: 2.75, inclusive: true } }), [0, 3, 5, 6, 7]);
});

test('strings order by UTF-16 code unit, as the filter compares them', () => {
  const ix = buildSortedIndex(strings, strings.length, { kind: 'string', elements: false });
  assert.equal(rowsOf(ix, { op: 'in', keys: ['b', ''] }), [0, 3, 5]);
  assert.equal(rowsOf(ix, { op: 'range', lower: { key: 'a', inclusive: true }, upper: { key: 'b', inclusive: false } }), where(strings, (v) => (v as string) >= 'a' && (v as string) < 'b'));
  assert.equal(rowsOf(ix, { op: 'range', lower: { key: 'B', inclusive: false } }), where(strings, (v) => (v as string) > 'B'));
  assert.equal(rowsOf(ix, { op: 'in', keys: ['a\uD800'] }), [8], 'a lone surrogate is a value like any other');
});

test('booleans: false and true as 0 and 1', () => {
  const ix = buildSortedIndex(bools, bools.length, { kind: 'bool', elements: false });
  assert.equal(rowsOf(ix, { op: 'in', keys: [1] }), [0, 3]);
  assert.equal(rowsOf(ix, { op: 'notIn', keys: [1] }), [2, 4]);
});

test('Array fields: one entry per distinct element; a row is found by any of its elements', () => {
  const lists = [[1, 2, 2], null, [], [3], [2, 5], undefined];
  const ix = buildSortedIndex(lists, lists.length, { kind: 'number', elements: true });
  assert.is(ix.rows.length, 5, 'the repeated 2 of row 0 is one entry');
  assert.equal(rowsOf(ix, { op: 'in', keys: [2] }), [0, 4]);
  assert.equal(rowsOf(ix, { op: 'in', keys: [3, 5] }), [3, 4]);
  const both: IndexTerm = { kind: 'and', terms: [{ kind: 'lookup', field: 'f', lookup: { op: 'in', keys: [2] } }, { kind: 'lookup', field: 'f', lookup: { op: 'in', keys: [5] } }] };
  assert.equal(Array.from(termRows(both, new Map([['f', ix]]), lists.length).toRows()), [4]);
});

test('an absent column (a nullable field never given) is an empty index; a value of another kind is refused', () => {
  assert.is(buildSortedIndex(undefined, 10, { kind: 'string', elements: false }).rows.length, 0);
  assert.throws(() => buildSortedIndex([1, 'x'], 2, { kind: 'number', elements: false }), (e: unknown) => e instanceof ValidationError);
  assert.throws(() => buildSortedIndex([1, 2], 2, { kind: 'number', elements: true }), (e: unknown) => e instanceof ValidationError && /not a list/.test(e.message));
});

test('RowSet: and, or, size and ascending rows across word boundaries', () => {
  const a = RowSet.empty(100).addRows(Int32Array.from([99, 0, 31, 32, 64]), 0, 5);
  const b = RowSet.empty(100).addRows(Int32Array.from([31, 64, 70]), 0, 3);
  assert.equal(Array.from(a.toRows()), [0, 31, 32, 64, 99]);
  assert.is(a.size(), 5);
  assert.equal(Array.from(RowSet.empty(100).or(a).and(b).toRows()), [31, 64]);
  assert.equal(Array.from(a.or(b).toRows()), [0, 31, 32, 64, 70, 99]);
  assert.ok(a.has(70) && !a.has(71));
});

test.run();

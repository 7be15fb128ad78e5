import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstOnPage, rowsOnPage, candidatesOnPage } from '../../actors/shared/segment/pkOrder.js';
import { holdsRepeats, newerElsewhere, newestCopies, newestRows, orderedNewest, type CopySource } from '../../actors/shared/segment/newestCopy.js';
import { topOrdered } from '../../actors/shared/segment/orderedRows.js';
import type { PrimaryKey } from '../../messages/schema.js';

/**
 * One row per key: a key stored twice (inserted again, or merged by a
 * compaction) reads as its newest copy (the largest insert TSO) among those
 * the read accepts, whether its copies share a column or lie in several
 * sources; and a page of `limit` holds `limit` keys, never fewer because
 * copies were dropped.
 */

// A column holding keys 1..6, with 2 three times and 5 twice; TSOs say which copy is newest.
const pks: PrimaryKey[] = [5, 2, 1, 2, 6, 3, 2, 4, 5];
const tsos = [10n, 11n, 12n, 30n, 13n, 14n, 20n, 15n, 40n];
const tsoOf = (r: number) => tsos[r]!;
const keyTso = (rows: number[]) => rows.map((r) => [pks[r], tsos[r]]);

test('rowsOnPage: a page counts keys, each the newest accepted copy', () => {
  assert.equal(keyTso(rowsOnPage(pks, { limit: 3 }, undefined, tsoOf)), [[1, 12n], [2, 30n], [3, 14n]]);
  assert.equal(keyTso(rowsOnPage(pks, { after: 2, limit: 3 }, undefined, tsoOf)), [[3, 14n], [4, 15n], [5, 40n]]);
  assert.equal(keyTso(rowsOnPage(pks, { after: 4, limit: 1 }, undefined, tsoOf)), [[5, 40n]], 'the newest copy though it sorts after the older one');
  assert.equal(keyTso(rowsOnPage(pks, { after: 0, limit: 0 }, undefined, tsoOf)).length, 6, 'every key once');
  // The newest copy of 2 rejected (as a filter or a delete would): the newest it accepts stands in.
  assert.equal(keyTso(rowsOnPage(pks, { limit: 2 }, (r) => r !== 3, tsoOf)), [[1, 12n], [2, 20n]]);
});

test('candidatesOnPage agrees with rowsOnPage, few candidates or many', () => {
  const all = Int32Array.from(pks.map((_, i) => i));
  for (const page of [{ limit: 3 }, { after: 2, limit: 2 }, { after: 1, limit: 0 }]) {
    const want = keyTso(rowsOnPage(pks, page, (r) => r !== 6, tsoOf));
    assert.equal(keyTso(candidatesOnPage(pks, page, all.filter((r) => r !== 6), undefined, (r) => r !== 6, tsoOf)), want, JSON.stringify(page));
    // One candidate of nine is sorted, three are walked in key order.
    for (const few of [[1], [1, 3, 6]]) {
      const isOne = (r: number) => few.includes(r);
      assert.equal(keyTso(candidatesOnPage(pks, page, Int32Array.from(few), undefined, isOne, tsoOf)), keyTso(rowsOnPage(pks, page, isOne, tsoOf)), `${few}`);
    }
  }
});

test('firstOnPage: sources merged by key keep each key\'s newest copy, and a full page of keys', () => {
  const a = [{ pk: 1, tso: 5n, from: 'a' }, { pk: 2, tso: 9n, from: 'a' }, { pk: 3, tso: 1n, from: 'a' }];
  const b = [{ pk: 1, tso: 7n, from: 'b' }, { pk: 2, tso: 3n, from: 'b' }, { pk: 4, tso: 2n, from: 'b' }];
  assert.equal(firstOnPage([...a, ...b], 3).map((x) => [x.pk, x.from]), [[1, 'b'], [2, 'a'], [3, 'a']]);
  assert.equal(firstOnPage([...b, ...a], 0).map((x) => [x.pk, x.from]), [[1, 'b'], [2, 'a'], [3, 'a'], [4, 'b']]);
});

test('paging a mix of sources holding copies from the last key of each page: every key once, its newest copy', () => {
  // Three sources; keys 0..299, each written 1..3 times at increasing TSOs, spread over the sources.
  const sources: Array<{ pks: number[]; tsos: bigint[] }> = [0, 1, 2].map(() => ({ pks: [], tsos: [] }));
  const newest = new Map<number, bigint>();
  let tso = 100n, seed = 3;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  for (let round = 0; round < 3; round++) {
    for (let k = 0; k < 300; k++) {
      if (round > 0 && next() % 3 !== 0) continue;
      const s = sources[next() % 3]!;
      s.pks.push(k); s.tsos.push(++tso); newest.set(k, tso);
    }
  }
  for (const limit of [1, 4, 50]) {
    const seen: Array<[number, bigint]> = [];
    let after: number | undefined;
    for (let guard = 0; guard < 1000; guard++) {
      const found = sources.flatMap((s) => rowsOnPage(s.pks, after === undefined ? { limit } : { after, limit }, undefined, (r) => s.tsos[r]!).map((r) => ({ pk: s.pks[r]!, tso: s.tsos[r]! })));
      const page = firstOnPage(found, limit);
      if (page.length === 0) break;
      if (seen.length + page.length < 300) assert.is(page.length, limit, 'a page short of the end is full');
      seen.push(...page.map((x): [number, bigint] => [x.pk, x.tso]));
      after = page[page.length - 1]!.pk;
    }
    assert.equal(seen, [...newest].sort((x, y) => x[0] - y[0]), `limit ${limit}`);
  }
});

test('newestRows and newestCopies: one copy per key within a column and across ordered lists, orders kept', () => {
  assert.ok(holdsRepeats(pks));
  assert.not.ok(holdsRepeats([3, 1, 2]));
  assert.equal(Array.from(newestRows(pks, [0, 1, 2, 3, 4, 6, 8], tsoOf)), [2, 3, 4, 8]);
  const unique = [7, 8];
  assert.is(newestRows(unique, [0, 1], () => 0n).length, 2);
  const lists = newestCopies([[{ pk: 1, tso: 5n }, { pk: 9, tso: 1n }], [{ pk: 2, tso: 1n }, { pk: 1, tso: 6n }], [{ pk: 9, tso: 4n }]]);
  assert.equal(lists, [[], [{ pk: 2, tso: 1n }, { pk: 1, tso: 6n }], [{ pk: 9, tso: 4n }]]);
});

test('orderedNewest: an ordered page over sources holding copies is each key\'s newest copy, ranked by its values, and full', () => {
  // Values grow with each rewrite, so a key's older copy ranks first: source 0 holds keys 0..19 at their first
  // value, source 1 rewrites 0..9 (value + 100) and adds keys 20..29; source 2 rewrites 5 and 25 again, but 25's copy is rejected.
  const col = (rows: Array<[number, number, bigint]>) => ({ pks: rows.map((x) => x[0]), fields: { v: rows.map((x) => x[1]) }, tsos: rows.map((x) => x[2]) });
  const sources = [
    col(Array.from({ length: 20 }, (_, k): [number, number, bigint] => [k, k, 1n])),
    col([...Array.from({ length: 10 }, (_, k): [number, number, bigint] => [k, k + 100, 2n]), ...Array.from({ length: 10 }, (_, i): [number, number, bigint] => [20 + i, 20 + i, 2n])]),
    col([[5, 500, 3n], [25, 1, 3n]]),
  ];
  const copies: CopySource[] = sources.map((s, i) => ({ pks: s.pks, tsoOf: (row) => s.tsos[row]!, accept: (row) => !(i === 2 && s.pks[row] === 25) }));
  const keys = [{ field: 'v', desc: false }];
  const want = new Map<number, number>();
  sources.forEach((s, i) => s.pks.forEach((k, row) => { if (copies[i]!.accept(row)) want.set(k, s.fields.v[row]!); }));
  const ranked = [...want].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  let reads = 0;
  const page = (i: number, limit: number) => {
    reads++;
    const s = sources[i]!, rows = s.pks.map((_, row) => row).filter((row) => copies[i]!.accept(row));
    return topOrdered(keys, { rows: { pks: s.pks, vectors: new Float32Array(0), fields: s.fields }, pkName: 'id' }, rows, limit).map((h) => ({ ...h, tso: s.tsos[h.row]! }));
  };
  for (const limit of [1, 5, 12, 30, 0]) {
    const got = orderedNewest(3, page, (x) => x.tso, (x, i) => newerElsewhere(copies, i, x.pk, x.tso), limit, keys);
    const expected = limit > 0 ? ranked.slice(0, limit) : ranked;
    assert.equal(got.map((x) => [x.pk, x.values[0]]), expected, `limit ${limit}`);
  }
  reads = 0;
  orderedNewest(1, page, (x) => x.tso, () => false, 5, keys);
  assert.is(reads, 1, 'a source without outdated rows is read once');
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareIds, compareRanked, mergeTopK, TopK, type Versioned } from '../../actors/shared/vector/topK.js';
import type { MetricType } from '../../messages/schema.js';
import { mulberry32 } from '../../bench/support/dataset.js';

const METRICS: MetricType[] = ['L2', 'IP', 'COSINE'];
const rand = mulberry32(11);
const int = (n: number) => Math.floor(rand() * n);
/** Few distinct distances so that ties are common and the id tie-break is exercised. */
const item = (ids: number): Versioned => ({ id: int(ids), distance: int(8) / 4, tso: BigInt(int(5)) });
const keyOf = (x: Versioned) => `${String(x.id)}@${x.distance}`;

test('ids order numbers before strings, numbers numerically, strings by code unit', () => {
  const ids = ['b', 10, 'a', 2, 'B', -1];
  assert.equal([...ids].sort(compareIds), [-1, 2, 10, 'B', 'a', 'b']);
});

test('TopK keeps exactly the first k of a full sort by (distance, id)', () => {
  for (const metric of METRICS) {
    for (let round = 0; round < 200; round++) {
      const n = int(60), k = int(12);
      const items = Array.from({ length: n }, (_, i) => ({ id: i, distance: int(6) }));
      const top = new TopK<{ id: number; distance: number }>(k, metric);
      for (const x of items) {
        const admitted = top.admits(x.distance, x.id);
        assert.is(top.push(x), admitted, 'admits predicts push');
      }
      assert.equal(top.sorted(), [...items].sort(compareRanked(metric)).slice(0, k));
      assert.is(top.size, Math.min(n, k));
    }
  }
});

test('mergeTopK (keep best) equals dedupe-by-best, sort, then the page [offset, offset+k)', () => {
  for (const metric of METRICS) {
    const cmp = compareRanked(metric);
    for (let round = 0; round < 300; round++) {
      const lists = Array.from({ length: int(5) }, () => Array.from({ length: int(15) }, () => item(30)).sort(cmp));
      const k = 1 + int(10), offset = int(4);
      const best = new Map<number | string, Versioned>();
      for (const x of lists.flat()) { const s = best.get(x.id); if (!s || cmp(x, s) < 0) best.set(x.id, x); }
      const expected = [...best.values()].sort(cmp).slice(offset, offset + k);
      const got = mergeTopK(lists, k, metric, offset);
      assert.equal(got.map(keyOf), expected.map(keyOf));
      assert.is(new Set(got.map((x) => x.id)).size, got.length, 'no id twice');
      // Arrival order of segments must not change the answer.
      assert.equal(mergeTopK([...lists].reverse(), k, metric, offset).map(keyOf), got.map(keyOf));
    }
  }
});

test('mergeTopK keep newest: the highest-TSO copy of a key wins even when an older copy is closer', () => {
  const older = [{ id: 7, distance: 0.1, tso: 100n }, { id: 8, distance: 0.5, tso: 100n }];
  const newer = [{ id: 7, distance: 0.9, tso: 200n }];
  assert.equal(mergeTopK([older, newer], 10, 'L2', 0, { keep: 'newest' }), [
    { id: 8, distance: 0.5, tso: 100n }, { id: 7, distance: 0.9, tso: 200n },
  ]);
  assert.equal(mergeTopK([older, newer], 10, 'L2').map((x) => x.tso), [100n, 100n], 'keep best takes the closer copy');
});

test('mergeTopK keep newest matches a naive model on random lists', () => {
  const cmp = compareRanked('IP');
  for (let round = 0; round < 300; round++) {
    const lists = Array.from({ length: 1 + int(4) }, () => Array.from({ length: int(12) }, () => item(15)));
    const newest = new Map<number | string, Versioned>();
    for (const x of lists.flat()) {
      const s = newest.get(x.id);
      if (!s || x.tso! > s.tso! || (x.tso === s.tso && cmp(x, s) < 0)) newest.set(x.id, x);
    }
    const expected = [...newest.values()].sort(cmp).slice(0, 5);
    const got = mergeTopK(lists, 5, 'IP', 0, { keep: 'newest' });
    assert.equal(got.map((x) => `${keyOf(x)}#${x.tso}`), expected.map((x) => `${keyOf(x)}#${x.tso}`));
  }
});

test('mergeTopK with k <= 0 or no lists is empty; string keys merge like numbers', () => {
  assert.equal(mergeTopK([[{ id: 1, distance: 0 }]], 0, 'L2'), []);
  assert.equal(mergeTopK([], 3, 'L2'), []);
  const got = mergeTopK([[{ id: 'b', distance: 1 }, { id: 'a', distance: 1 }], [{ id: 'a', distance: 0.5 }]], 3, 'L2');
  assert.equal(got, [{ id: 'a', distance: 0.5 }, { id: 'b', distance: 1 }]);
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchBruteForce } from '../../actors/shared/vector/bruteForce.js';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import { compareRanked } from '../../actors/shared/vector/topK.js';
import { ValidationError } from '../../messages/errors.js';
import type { MetricType } from '../../messages/schema.js';
import { mulberry32 } from '../../bench/support/dataset.js';

const rand = mulberry32(3);
/** Values on a coarse grid so that equal distances (ties) really happen. */
const gridVec = (n: number) => Float32Array.from({ length: n }, () => Math.floor(rand() * 5) - 2);

function naive(vectors: Float32Array, dim: number, count: number, metric: MetricType, q: Float32Array, k: number, accept?: (r: number) => boolean) {
  const all = [];
  for (let r = 0; r < count; r++) if (!accept || accept(r)) all.push({ id: r, distance: distanceFn(metric)(vectors, r * dim, q, dim) });
  return all.sort(compareRanked(metric)).slice(0, k).map((h) => ({ row: h.id, distance: h.distance }));
}

test('brute force equals score-everything-and-sort, ties by lower row, for every metric', () => {
  for (const metric of ['L2', 'IP', 'COSINE'] as const) {
    for (const dim of [3, 8]) {
      const count = 200, vectors = gridVec(count * dim), queries = [gridVec(dim), gridVec(dim), gridVec(dim)];
      for (const k of [1, 10, 250]) {
        const got = searchBruteForce({ vectors, dim, count, metric, queries, k });
        assert.equal(got, queries.map((q) => naive(vectors, dim, count, metric, q, k)), `${metric} dim ${dim} k ${k}`);
      }
    }
  }
});

test('accept filters rows out and is consulted only for rows that would enter the top-k', () => {
  const dim = 4, count = 300, vectors = gridVec(count * dim), queries = [gridVec(dim)];
  const asked: number[] = [];
  const accept = (r: number) => { asked.push(r); return r % 3 === 0; };
  const got = searchBruteForce({ vectors, dim, count, metric: 'L2', queries, k: 7, accept });
  assert.equal(got[0], naive(vectors, dim, count, 'L2', queries[0]!, 7, (r) => r % 3 === 0));
  assert.ok(got[0]!.every((h) => h.row % 3 === 0));
  assert.ok(asked.length < count, `accept was asked ${asked.length} times for ${count} rows`);
});

test('only the first count rows are searched (spare capacity after them is ignored)', () => {
  const dim = 2, vectors = new Float32Array([5, 5, 9, 9, 0, 0]);
  const got = searchBruteForce({ vectors, dim, count: 2, metric: 'L2', queries: [new Float32Array([0, 0])], k: 5 });
  assert.equal(got[0]!.map((h) => h.row), [0, 1]);
});

test('malformed input is a ValidationError', () => {
  const base = { vectors: new Float32Array(8), dim: 4, count: 2, metric: 'L2' as const, queries: [new Float32Array(4)], k: 1 };
  assert.throws(() => searchBruteForce({ ...base, count: 3 }), (e: unknown) => e instanceof ValidationError);
  assert.throws(() => searchBruteForce({ ...base, queries: [new Float32Array(3)] }), (e: unknown) => e instanceof ValidationError);
  assert.throws(() => searchBruteForce({ ...base, k: -1 }), (e: unknown) => e instanceof ValidationError);
  assert.throws(() => searchBruteForce({ ...base, dim: 0 }), (e: unknown) => e instanceof ValidationError);
  assert.equal(searchBruteForce({ ...base, k: 0 }), [[]]);
});

test.run();

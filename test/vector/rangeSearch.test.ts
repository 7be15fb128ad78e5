import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchSealed, type SealedRead } from '../../actors/query-node/core/sealedSearch.js';
import { searchBruteForce } from '../../actors/shared/vector/bruteForce.js';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import { checkDistanceRange, withinRange, type DistanceRange } from '../../actors/shared/vector/distanceRange.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { ValidationError } from '../../messages/errors.js';
import type { MetricType } from '../../messages/schema.js';
import { gaussianMixture, recallAtK } from '../../bench/support/dataset.js';
import { hnswIndexFactory } from '../../runtime/vectorIndex/hnswIndex.js';

const DIM = 16, N = 3000, K = 20;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 30, queries: 40, seed: 7 });

/** Every row's distance to a query, best first. */
function ranked(metric: MetricType, q: Float32Array): Array<{ row: number; distance: number }> {
  const dist = distanceFn(metric);
  const all = Array.from({ length: N }, (_, row) => ({ row, distance: dist(ds.vectors, row * DIM, q, DIM) }));
  return all.sort((a, b) => (metric === 'L2' ? a.distance - b.distance : b.distance - a.distance) || a.row - b.row);
}

/** A range around a query that leaves out its 5 closest rows and keeps the next 60 or so. */
function ringOf(metric: MetricType, q: Float32Array): DistanceRange {
  const r = ranked(metric, q);
  return { rangeFilter: r[5]!.distance, radius: r[65]!.distance };
}

/** The whole dataset as one sealed segment (row i has pk i), read with no filter or deletes. */
const seg: SealedSegment = {
  segmentId: 1, collectionId: 1, partitionId: 0, vchannel: 'v', count: N, dim: DIM,
  pks: Array.from({ length: N }, (_, i) => i), tsos: new Array<bigint>(N).fill(1n), vectors: ds.vectors, fields: {},
};
const read: SealedRead = { pkName: 'id', vectorName: 'v', filter: null, partitionIds: null, readTso: 10n, outputFields: [], deletes: new Map() };

test('checkDistanceRange: the inner bound must be on the close side of the radius, per metric', () => {
  const refused = (metric: MetricType, r: DistanceRange, re: RegExp) => assert.throws(() => checkDistanceRange(metric, r), (e: unknown) => e instanceof ValidationError && re.test(e.message));
  refused('L2', { radius: 1, rangeFilter: 1 }, /range_filter < radius/);
  refused('L2', { radius: 1, rangeFilter: 2 }, /with metric L2/);
  refused('IP', { radius: 0.5, rangeFilter: 0.4 }, /radius < range_filter/);
  refused('COSINE', { radius: 0.5, rangeFilter: 0.5 }, /radius < range_filter/);
  refused('L2', { radius: NaN }, /radius must be a finite number/);
  refused('IP', { radius: 0, rangeFilter: Infinity }, /range_filter must be a finite number/);
  checkDistanceRange('L2', { radius: 2, rangeFilter: 0 });
  checkDistanceRange('COSINE', { radius: -0.2, rangeFilter: 0.9 });
  checkDistanceRange('IP', { radius: 3 });
});

test('withinRange: L2 takes range_filter <= d < radius; IP and COSINE take radius < d <= range_filter', () => {
  const l2 = withinRange('L2', { radius: 2, rangeFilter: 1 });
  assert.equal([0.5, 1, 1.5, 2, 3].map(l2), [false, true, true, false, false]);
  const ip = withinRange('IP', { radius: 1, rangeFilter: 2 });
  assert.equal([0.5, 1, 1.5, 2, 3].map(ip), [false, false, true, true, false]);
  const open = withinRange('COSINE', { radius: 0.5 });
  assert.equal([0.4, 0.5, 0.9, 1].map(open), [false, false, true, true]);
});

for (const metric of ['L2', 'IP', 'COSINE'] as const) {
  test(`${metric}: brute force with a range returns exactly the best k of the rows inside it`, () => {
    for (const q of ds.queries.slice(0, 10)) {
      const range = ringOf(metric, q);
      const inside = withinRange(metric, range);
      const want = ranked(metric, q).filter((h) => inside(h.distance)).slice(0, K).map((h) => h.row);
      const [got] = searchBruteForce({ vectors: ds.vectors, dim: DIM, count: N, metric, queries: [q], k: K, range });
      assert.equal(got!.map((h) => h.row), want);
      assert.ok(want.length === K, 'the ring holds more than k rows');
    }
  });

  test(`${metric}: an HNSW-indexed segment answers a ring search like brute force (recall >= 0.9), every hit inside it`, async () => {
    const index = await hnswIndexFactory.build(ds.vectors, DIM, metric, { M: 16, efConstruction: 100, seed: 1 });
    const search = (q: Float32Array, k: number, accept: ((row: number) => boolean) | undefined) => index.search(q, k, accept ? { ef: 128, accept } : { ef: 128 });
    const got: number[][] = [], want: number[][] = [];
    for (const q of ds.queries) {
      const range = ringOf(metric, q);
      const inside = withinRange(metric, range);
      const [hits] = searchSealed([{ seg, index: search }], read, [q], { k: K, metric, range });
      for (const h of hits!) assert.ok(inside(h.distance), `${h.distance} is outside ${JSON.stringify(range)}`);
      got.push(hits!.map((h) => h.pk as number));
      want.push(ranked(metric, q).filter((h) => inside(h.distance)).slice(0, K).map((h) => h.row));
    }
    const recall = recallAtK(got, want, K);
    assert.ok(recall >= 0.9, `recall ${recall}`);
  });
}

for (const metric of ['L2', 'COSINE'] as const) {
  test(`${metric}: distances the index reported, passed back as bounds, cut the ranking exactly there (the inner one kept, the outer one not)`, async () => {
    const index = await hnswIndexFactory.build(ds.vectors, DIM, metric, { M: 16, efConstruction: 100, seed: 3 });
    const search = (q: Float32Array, k: number, accept: ((row: number) => boolean) | undefined) => index.search(q, k, accept ? { ef: 200, accept } : { ef: 200 });
    for (const q of ds.queries.slice(0, 10)) {
      const [page] = searchSealed([{ seg, index: search }], read, [q], { k: 10, metric });
      const range = { rangeFilter: page![3]!.distance, radius: page![9]!.distance };
      const [ring] = searchSealed([{ seg, index: search }], read, [q], { k: 10, metric, range });
      assert.equal(ring!.map((h) => h.pk), page!.slice(3, 9).map((h) => h.pk));
    }
  });
}

test('a radius tighter than every row gives no hits, from the index and from brute force', async () => {
  const index = await hnswIndexFactory.build(ds.vectors, DIM, 'L2', { seed: 2 });
  const q = ds.queries[0]!;
  // Below the closest row's distance by more than float32 rounding (the index computes in float32).
  const range = { radius: ranked('L2', q)[0]!.distance * 0.999 };
  const viaIndex = searchSealed([{ seg, index: (qq, k, accept) => index.search(qq, k, accept ? { accept } : {}) }], read, [q], { k: K, metric: 'L2', range });
  const viaScan = searchSealed([{ seg, index: null }], read, [q], { k: K, metric: 'L2', range });
  assert.equal(viaIndex, [[]]);
  assert.equal(viaScan, [[]]);
});

test.run();

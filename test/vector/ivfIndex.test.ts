import { rejects } from '../support/rejects.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchSealed, type SealedRead } from '../../actors/query-node/core/sealedSearch.js';
import { searchBruteForce } from '../../actors/shared/vector/bruteForce.js';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import { withinRange, type DistanceRange } from '../../actors/shared/vector/distanceRange.js';
import type { SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { ValidationError } from '../../messages/errors.js';
import type { MetricType } from '../../messages/schema.js';
import { gaussianMixture, recallAtK } from '../../bench/support/dataset.js';
import { IvfIndex } from '../../runtime/vectorIndex/ivf/ivfIndex.js';
import { effectiveNlist, ivfFlatFactory, ivfSq8Factory } from '../../runtime/vectorIndex/ivf/ivfFactory.js';
import type { VectorIndex } from '../../runtime/vectorIndex/vectorIndex.js';

/**
 * IVF_FLAT and IVF_SQ8 against brute force on a clustered set (50 clusters,
 * sigma 1: close to how real embeddings cluster), 64 lists.
 */
const DIM = 32, N = 5000, K = 10, NLIST = 64;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 50, sigma: 1, queries: 100, seed: 42 });
const METRICS = ['L2', 'IP', 'COSINE'] as const;

const built = new Map<string, IvfIndex>();
async function indexOf(kind: 'flat' | 'sq8', metric: MetricType): Promise<IvfIndex> {
  const key = `${kind}/${metric}`;
  if (!built.has(key)) built.set(key, await (kind === 'flat' ? ivfFlatFactory : ivfSq8Factory).build(ds.vectors, DIM, metric, { nlist: NLIST }) as IvfIndex);
  return built.get(key)!;
}
const truth = (metric: MetricType, accept?: (row: number) => boolean) =>
  searchBruteForce({ vectors: ds.vectors, dim: DIM, count: N, metric, queries: ds.queries, k: K, accept });
const rowsOf = (idx: VectorIndex, opts: { nprobe?: number; accept?: (row: number) => boolean }) => ds.queries.map((q) => idx.search(q, K, opts).map((h) => h.row));
const rowIds = (hits: Array<Array<{ row: number }>>) => hits.map((hs) => hs.map((h) => h.row));

for (const metric of METRICS) {
  test(`IVF_FLAT ${metric}: recall@10 >= 0.95 at nprobe = nlist/4; distances exact, best first`, async () => {
    const idx = await indexOf('flat', metric);
    assert.is(idx.lists.nlist, NLIST);
    assert.is(idx.count, N);
    const recall = recallAtK(rowsOf(idx, { nprobe: NLIST / 4 }), rowIds(truth(metric)), K);
    assert.ok(recall >= 0.95, `recall ${recall}`);
    const dist = distanceFn(metric);
    for (const q of ds.queries.slice(0, 20)) {
      const hits = idx.search(q, K, { nprobe: NLIST / 4 });
      for (const h of hits) {
        const exact = dist(ds.vectors, h.row * DIM, q, DIM);
        assert.ok(Math.abs(h.distance - exact) <= 1e-5 * Math.max(1, Math.abs(exact)), `row ${h.row}: ${h.distance} vs ${exact}`);
      }
      for (let i = 1; i < hits.length; i++) assert.ok(metric === 'L2' ? hits[i - 1]!.distance <= hits[i]!.distance : hits[i - 1]!.distance >= hits[i]!.distance, 'best first');
    }
  });

  test(`IVF_FLAT ${metric}: nprobe = nlist (or more) is an exact search`, async () => {
    const idx = await indexOf('flat', metric);
    const exact = truth(metric);
    for (const nprobe of [NLIST, 10 * NLIST]) {
      ds.queries.forEach((q, i) => {
        const got = idx.search(q, K, { nprobe });
        assert.equal(got.map((h) => h.row), exact[i]!.map((h) => h.row), `query ${i} at nprobe ${nprobe}`);
        got.forEach((h, j) => assert.ok(Math.abs(h.distance - exact[i]![j]!.distance) <= 1e-5 * Math.max(1, Math.abs(h.distance))));
      });
    }
  });

  test(`IVF_SQ8 ${metric}: recall@10 >= 0.9 at nprobe = nlist/4, codes a quarter of float32's bytes`, async () => {
    const idx = await indexOf('sq8', metric);
    const recall = recallAtK(rowsOf(idx, { nprobe: NLIST / 4 }), rowIds(truth(metric)), K);
    assert.ok(recall >= 0.9, `recall ${recall}`);
    assert.is(idx.store.kind, 'IVF_SQ8');
    if (idx.store.kind === 'IVF_SQ8') assert.is(idx.store.codes.byteLength * 4, ds.vectors.byteLength);
  });
}

test('more lists probed, no lower recall; nprobe 1 sees one list only', async () => {
  const idx = await indexOf('flat', 'L2');
  const exact = rowIds(truth('L2'));
  const recalls = [1, 4, 16, 64].map((nprobe) => recallAtK(rowsOf(idx, { nprobe }), exact, K));
  for (let i = 1; i < recalls.length; i++) assert.ok(recalls[i]! >= recalls[i - 1]!, `recalls ${recalls.join(', ')}`);
  assert.ok(recalls[0]! < recalls[3]!, `recalls ${recalls.join(', ')}`);
  const { offsets, rows } = idx.lists;
  const listOf = new Int32Array(N);
  for (let l = 0; l < NLIST; l++) for (let p = offsets[l]!; p < offsets[l + 1]!; p++) listOf[rows[p]!] = l;
  for (const q of ds.queries.slice(0, 20)) assert.is(new Set(idx.search(q, K, { nprobe: 1 }).map((h) => listOf[h.row])).size, 1);
});

test('accept is honoured: refused rows never appear; with every list probed the answer is the filtered exact one', async () => {
  for (const kind of ['flat', 'sq8'] as const) {
    const idx = await indexOf(kind, 'L2');
    const accept = (row: number) => row % 4 === 1;
    const got = rowsOf(idx, { nprobe: NLIST / 4, accept });
    assert.ok(got.every((list) => list.length === K && list.every(accept)), kind);
    if (kind === 'flat') assert.equal(rowsOf(idx, { nprobe: NLIST, accept }), rowIds(truth('L2', accept)));
  }
  const none = await indexOf('flat', 'IP');
  assert.equal(none.search(ds.queries[0]!, K, { nprobe: NLIST, accept: () => false }), []);
});

/** The whole dataset as one sealed segment (row i has pk i), read with no filter or deletes. */
const seg: SealedSegment = {
  segmentId: 1, collectionId: 1, partitionId: 0, vchannel: 'v', count: N, dim: DIM,
  pks: Array.from({ length: N }, (_, i) => i), tsos: new Array<bigint>(N).fill(1n), vectors: ds.vectors, fields: {},
};
const read: SealedRead = { pkName: 'id', vectorName: 'v', filter: null, partitionIds: null, readTso: 10n, outputFields: [], deletes: new Map() };

/**
 * Bounds halfway between neighbours in the exact ranking, leaving out about
 * the 5 closest rows and keeping through about the 45th: each bound is put at
 * the first gap there wider than float32 rounding (the index computes COSINE
 * over unit vectors, the ranking here over the raw ones).
 */
function ringOf(metric: MetricType, q: Float32Array): { range: DistanceRange; want: number[] } {
  const dist = distanceFn(metric);
  const r = Array.from({ length: N }, (_, row) => ({ row, distance: dist(ds.vectors, row * DIM, q, DIM) }))
    .sort((a, b) => (metric === 'L2' ? a.distance - b.distance : b.distance - a.distance) || a.row - b.row);
  const gapFrom = (i: number) => { while (Math.abs(r[i - 1]!.distance - r[i]!.distance) < 1e-5 * Math.abs(r[i]!.distance)) i++; return i; };
  const inner = gapFrom(5), outer = gapFrom(45);
  const mid = (i: number) => (r[i - 1]!.distance + r[i]!.distance) / 2;
  return { range: { rangeFilter: mid(inner), radius: mid(outer) }, want: r.slice(inner, outer).map((h) => h.row) };
}

for (const metric of METRICS) {
  test(`IVF_FLAT ${metric}: a ring search through the sealed read path keeps its bounds; every list probed, it is exact`, async () => {
    const idx = await indexOf('flat', metric);
    for (const nprobe of [NLIST / 4, NLIST]) {
      const search = (q: Float32Array, k: number, accept: ((row: number) => boolean) | undefined) => idx.search(q, k, accept ? { nprobe, accept } : { nprobe });
      const got: number[][] = [], want: number[][] = [];
      for (const q of ds.queries.slice(0, 20)) {
        const ring = ringOf(metric, q);
        const inside = withinRange(metric, ring.range);
        const [hits] = searchSealed([{ seg, index: search }], read, [q], { k: 100, metric, range: ring.range });
        for (const h of hits!) assert.ok(inside(h.distance), `${h.distance} is outside ${JSON.stringify(ring.range)}`);
        got.push(hits!.map((h) => h.pk as number));
        want.push(ring.want);
      }
      const recall = recallAtK(got, want, 100);
      if (nprobe === NLIST) assert.equal(got, want);
      else assert.ok(recall >= 0.95, `recall ${recall} at nprobe ${nprobe}`);
    }
  });
}

test('nlist is lowered to one list per 39 rows (at least one); tiny and empty segments still answer', async () => {
  assert.is(effectiveNlist(128, 100_000), 128);
  assert.is(effectiveNlist(128, 1000), 25);
  assert.is(effectiveNlist(128, 10), 1);
  assert.is(effectiveNlist(128, 0), 0);
  const small = await ivfFlatFactory.build(ds.vectors.subarray(0, 3 * DIM), DIM, 'L2', { nlist: 16 }) as IvfIndex;
  assert.is(small.lists.nlist, 1);
  assert.equal(small.search(ds.queries[0]!, 10).map((h) => h.row).sort(), [0, 1, 2]);
  for (const factory of [ivfFlatFactory, ivfSq8Factory]) {
    const empty = await factory.build(new Float32Array(0), DIM, 'COSINE');
    assert.is(empty.count, 0);
    assert.equal(empty.search(ds.queries[0]!, 10, { nprobe: 4 }), []);
    const back = await factory.load(await empty.serialize(), DIM, 'COSINE');
    assert.equal(back.search(ds.queries[0]!, 10), []);
  }
});

test('bad build params and queries are refused with a ValidationError', async () => {
  for (const nlist of [0, 65537, 1.5]) {
    await rejects(ivfFlatFactory.build(ds.vectors, DIM, 'L2', { nlist }), (e) => e instanceof ValidationError && /nlist/.test((e as Error).message));
  }
  await rejects(ivfSq8Factory.build(ds.vectors.subarray(0, DIM + 1), DIM, 'L2'), (e) => e instanceof ValidationError);
  const idx = await indexOf('flat', 'L2');
  assert.throws(() => idx.search(new Float32Array(DIM + 1), K), (e: unknown) => e instanceof ValidationError);
});

test('the same data and seed give the same index', async () => {
  const a = await ivfSq8Factory.build(ds.vectors, DIM, 'L2', { nlist: 32, seed: 9 });
  const b = await ivfSq8Factory.build(ds.vectors, DIM, 'L2', { nlist: 32, seed: 9 });
  assert.equal(await a.serialize(), await b.serialize());
});

test('a build yields to the event loop and stops when its signal aborts', async () => {
  const big = gaussianMixture({ n: 20_000, dim: 64, clusters: 50, queries: 1, seed: 3 });
  const ctrl = new AbortController();
  let ticks = 0;
  const timer = setInterval(() => { ticks++; if (ticks === 2) ctrl.abort(new Error('stop')); }, 1);
  try {
    await rejects(ivfFlatFactory.build(big.vectors, 64, 'L2', { nlist: 256, signal: ctrl.signal }), (e) => (e as Error).message === 'stop');
  } finally { clearInterval(timer); }
  assert.ok(ticks >= 2, 'timers ran during the build');
});

test.run();

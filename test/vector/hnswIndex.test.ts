import { rejects } from '../support/rejects.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { searchBruteForce } from '../../actors/shared/vector/bruteForce.js';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import { DecodeError } from '../../messages/errors.js';
import type { MetricType } from '../../messages/schema.js';
import { gaussianMixture, recallAtK } from '../../bench/support/dataset.js';
import { hnswIndexFactory } from '../../runtime/vectorIndex/hnswIndex.js';
import type { VectorIndex } from '../../runtime/vectorIndex/vectorIndex.js';

const DIM = 32, N = 5000, K = 10;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 50, queries: 100, seed: 42 });
const built = new Map<MetricType, VectorIndex>();
async function indexFor(metric: MetricType): Promise<VectorIndex> {
  if (!built.has(metric)) built.set(metric, await hnswIndexFactory.build(ds.vectors, DIM, metric, { M: 16, efConstruction: 100 }));
  return built.get(metric)!;
}
const truth = (metric: MetricType, accept?: (row: number) => boolean) =>
  searchBruteForce({ vectors: ds.vectors, dim: DIM, count: N, metric, queries: ds.queries, k: K, accept }).map((hs) => hs.map((h) => h.row));
const rows = (idx: VectorIndex, opts: { ef?: number; accept?: (row: number) => boolean } = {}) =>
  ds.queries.map((q) => idx.search(q, K, opts).map((h) => h.row));

for (const metric of ['L2', 'IP', 'COSINE'] as const) {
  test(`${metric}: recall@10 >= 0.95 against brute force, distances in the Milvus convention, best first`, async () => {
    const idx = await indexFor(metric);
    assert.is(idx.count, N);
    const recall = recallAtK(rows(idx, { ef: 64 }), truth(metric), K);
    assert.ok(recall >= 0.95, `recall ${recall}`);
    const dist = distanceFn(metric);
    for (const q of ds.queries.slice(0, 20)) {
      const hits = idx.search(q, K, { ef: 64 });
      for (const h of hits) {
        const exact = dist(ds.vectors, h.row * DIM, q, DIM);
        assert.ok(Math.abs(h.distance - exact) <= 1e-4 * Math.max(1, Math.abs(exact)), `${metric} row ${h.row}: ${h.distance} vs ${exact}`);
      }
      for (let i = 1; i < hits.length; i++) {
        const [a, b] = [hits[i - 1]!.distance, hits[i]!.distance];
        assert.ok(metric === 'L2' ? a <= b : a >= b, 'best first');
      }
    }
  });
}

test('accept is respected: refused rows never appear, and recall holds among accepted rows', async () => {
  const idx = await indexFor('L2');
  const accept = (row: number) => row % 4 === 1;
  const got = rows(idx, { ef: 64, accept });
  assert.ok(got.every((list) => list.length === K && list.every(accept)));
  const recall = recallAtK(got, truth('L2', accept), K);
  assert.ok(recall >= 0.9, `filtered recall ${recall}`);
});

test('serialize then load gives an index with the same answers', async () => {
  for (const metric of ['L2', 'COSINE'] as const) {
    const idx = await indexFor(metric);
    const bytes = await idx.serialize();
    const back = await hnswIndexFactory.load(bytes, DIM, metric);
    assert.is(back.count, N);
    assert.is(back.dim, DIM);
    assert.is(back.metric, metric);
    for (const q of ds.queries) assert.equal(back.search(q, K, { ef: 64 }), idx.search(q, K, { ef: 64 }));
  }
});

test('load refuses another dim or metric, and damaged bytes, with a DecodeError', async () => {
  const bytes = await (await indexFor('L2')).serialize();
  const isDecode = (e: unknown) => e instanceof DecodeError;
  await rejects(hnswIndexFactory.load(bytes, DIM + 1, 'L2'), isDecode);
  await rejects(hnswIndexFactory.load(bytes, DIM, 'IP'), isDecode);
  const bad = bytes.slice();
  bad[bad.length >> 1] = bad[bad.length >> 1]! ^ 1;
  await rejects(hnswIndexFactory.load(bad, DIM, 'L2'), isDecode);
  await rejects(hnswIndexFactory.load(bytes.subarray(0, 10), DIM, 'L2'), isDecode);
});

test('k larger than the index returns every row; an empty index answers nothing and round-trips', async () => {
  const small = await hnswIndexFactory.build(ds.vectors.subarray(0, 3 * DIM), DIM, 'L2');
  assert.equal(small.search(ds.queries[0]!, 10).map((h) => h.row).sort(), [0, 1, 2]);
  const empty = await hnswIndexFactory.build(new Float32Array(0), DIM, 'IP');
  assert.equal(empty.search(ds.queries[0]!, 10), []);
  const back = await hnswIndexFactory.load(await empty.serialize(), DIM, 'IP');
  assert.is(back.count, 0);
  assert.equal(back.search(ds.queries[0]!, 10), []);
});

test('a build yields to the event loop and stops when its signal aborts', async () => {
  const ctrl = new AbortController();
  let ticks = 0;
  const timer = setInterval(() => { ticks++; if (ticks === 2) ctrl.abort(new Error('stop')); }, 1);
  try {
    await rejects(hnswIndexFactory.build(ds.vectors, DIM, 'L2', { efConstruction: 400, signal: ctrl.signal }), (e) => (e as Error).message === 'stop');
  } finally { clearInterval(timer); }
  assert.ok(ticks >= 2, 'timers ran during the build');
});

test.run();

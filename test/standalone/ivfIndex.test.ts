import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import type { MetricType } from '../../messages/schema.js';
import { gaussianMixture, recallAtK } from '../../bench/support/dataset.js';
import { refused } from '../support/rejects.js';
import { tempStandalone, untilIndexedAndLoaded } from './harness.js';

/**
 * IVF indexes through the whole path: created with nlist, built by the index
 * node, loaded by type on the query node, searched with nprobe from the
 * client's search params, with deletes and a scalar filter applied; dropped
 * and created again as another type. Answers are checked against an exact
 * ranking of the rows that should be visible.
 */
const DIM = 16, N = 3000, NLIST = 16;
const ds = gaussianMixture({ n: N, dim: DIM, clusters: 30, sigma: 1, queries: 20, seed: 8 });
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'tag', dataType: 'Int64' as const },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
  ],
};
const rows = Array.from({ length: N }, (_, i) => ({ id: i, tag: i % 4, vec: Array.from(ds.vectors.subarray(i * DIM, (i + 1) * DIM)) }));
const queries = ds.queries.map((q) => Array.from(q));

/** The exact best k ids for a query among the rows `keep` lets through. */
function exact(metric: MetricType, q: number[], k: number, keep: (id: number) => boolean): Array<{ id: number; distance: number }> {
  const dist = distanceFn(metric), qv = new Float32Array(q);
  return rows.filter((r) => keep(r.id)).map((r) => ({ id: r.id, distance: dist(ds.vectors, r.id * DIM, qv, DIM) }))
    .sort((a, b) => (metric === 'L2' ? a.distance - b.distance : b.distance - a.distance) || a.id - b.id).slice(0, k);
}

test('IVF_FLAT: nprobe reaches the query nodes; every list probed, answers are exact under deletes and a filter; then IVF_SQ8 replaces it', async () => {
  const s = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'ivf', schema, metricType: 'L2', shardsNum: 2, indexParams: [{ indexName: 'vec_ivf', fieldName: 'vec', indexType: 'IVF_FLAT', params: { nlist: NLIST } }], load: true });
    for (let i = 0; i < N; i += 1000) await c.insert('ivf', rows.slice(i, i + 1000));
    await c.flush('ivf');
    await untilIndexedAndLoaded(s, 'ivf', N);
    const [desc] = await c.describeIndex('ivf');
    assert.equal([desc!.indexType, { ...desc!.params }, desc!.indexName], ['IVF_FLAT', { nlist: NLIST }, 'vec_ivf']);

    const deleted = new Set(Array.from({ length: 300 }, (_, i) => i * 7));
    await c.delete('ivf', { ids: [...deleted] });
    const visible = (id: number) => !deleted.has(id);
    const search = (params: Record<string, number>, filter?: string) => c.search('ivf', { data: queries, limit: 10, consistencyLevel: 'Strong', searchParams: { params }, ...(filter ? { filter } : {}) });
    const ids = (hits: Array<Array<{ id: unknown }>>) => hits.map((hs) => hs.map((h) => h.id as number));

    // Every list probed: the exact answer, whatever HNSW's ef says (IVF ignores it).
    const all = await search({ nprobe: NLIST, ef: 1 });
    queries.forEach((q, i) => {
      const want = exact('L2', q, 10, visible);
      assert.equal(ids([all[i]!])[0], want.map((h) => h.id), `query ${i}`);
      all[i]!.forEach((h, j) => assert.ok(Math.abs(h.distance - want[j]!.distance) <= 1e-4 * Math.max(1, want[j]!.distance)));
    });
    // One list probed misses some of them: nprobe did reach the index.
    const truth = queries.map((q) => exact('L2', q, 10, visible).map((h) => h.id));
    const one = recallAtK(ids(await search({ nprobe: 1 })), truth, 10);
    assert.ok(one < 1, `recall ${one} at nprobe 1`);
    const quarter = recallAtK(ids(await search({ nprobe: NLIST / 4 })), truth, 10);
    assert.ok(quarter >= 0.9 && quarter >= one, `recall ${quarter} at nprobe ${NLIST / 4}, ${one} at 1`);

    // A scalar filter with the deletes: exact again with every list probed.
    const filtered = await search({ nprobe: NLIST }, 'tag == 2');
    queries.forEach((q, i) => assert.equal(ids([filtered[i]!])[0], exact('L2', q, 10, (id) => visible(id) && id % 4 === 2).map((h) => h.id), `filtered query ${i}`));

    // A loaded collection's index is not dropped: a typed refusal the client does not retry.
    const refusal = await c.dropIndex('ivf', 'vec_ivf').then(() => null, (e: NuthatchError) => e);
    assert.equal([refusal?.code, refusal?.retryable], ['FailedPrecondition', false]);
    assert.match(refusal!.message, /release 'ivf' before dropping its index/);
    // Dropped and created again as IVF_SQ8 under the same name: built afresh, distances now from 8-bit codes.
    await c.releaseCollection('ivf');
    await c.dropIndex('ivf', 'vec_ivf');
    await c.createIndex('ivf', { indexName: 'vec_ivf', fieldName: 'vec', indexType: 'IVF_SQ8', params: { nlist: NLIST } });
    await c.loadCollection('ivf');
    await untilIndexedAndLoaded(s, 'ivf', N);
    assert.equal(((await c.describeIndex('ivf'))[0]!).indexType, 'IVF_SQ8');
    const sq8 = await search({ nprobe: NLIST });
    assert.ok(recallAtK(ids(sq8), truth, 10) >= 0.9);
    const offBy = sq8.flatMap((hs, i) => hs.map((h) => Math.abs(h.distance - distanceFn('L2')(ds.vectors, (h.id as number) * DIM, new Float32Array(queries[i]!), DIM))));
    assert.ok(Math.max(...offBy) > 1e-4, 'distances come from decoded codes, not the float32 vectors');
    assert.ok(sq8.flat().every((h) => visible(h.id as number)));
  } finally { await s.cleanup(); }
});

test('COSINE with IVF_SQ8 from the start: results close to the exact ranking', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'cos', schema, metricType: 'COSINE', indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'IVF_SQ8', params: { nlist: NLIST } }], load: true });
    await s.client.insert('cos', rows);
    await s.client.flush('cos');
    await untilIndexedAndLoaded(s, 'cos', N);
    const hits = await s.client.search('cos', { data: queries, limit: 10, consistencyLevel: 'Strong', searchParams: { params: { nprobe: NLIST } } });
    const recall = recallAtK(hits.map((hs) => hs.map((h) => h.id as number)), queries.map((q) => exact('COSINE', q, 10, () => true).map((h) => h.id)), 10);
    assert.ok(recall >= 0.9, `recall ${recall}`);
  } finally { await s.cleanup(); }
});

test('bad IVF params are refused with typed errors: nlist at create, nprobe at search', async () => {
  const s = await tempStandalone();
  try {
    const c = s.client;
    const refused = async (p: Promise<unknown>, re: RegExp) => {
      try { await p; assert.unreachable('accepted'); } catch (e) { assert.instance(e, ValidationError); assert.match((e as Error).message, re); }
    };
    for (const nlist of [0, 65537, 1.5]) {
      await refused(c.createCollection({ collectionName: 'bad', schema, metricType: 'L2', indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'IVF_FLAT', params: { nlist } }] }), /nlist of IVF_FLAT must be an integer in 1..65536/);
    }
    assert.not.ok(await c.hasCollection('bad'));
    await c.createCollection({ collectionName: 'ok', schema, metricType: 'L2', load: true });
    await c.insert('ok', rows.slice(0, 10));
    await refused(c.createIndex('ok', { indexName: 'i', fieldName: 'vec', indexType: 'IVF_SQ8', params: { nlist: 0 } }), /nlist of IVF_SQ8/);
    for (const nprobe of [0, 65537, 2.5]) await refused(c.search('ok', { data: [queries[0]!], limit: 3, searchParams: { params: { nprobe } } }), /nprobe must be an integer in 1..65536/);
    assert.is((await c.search('ok', { data: [queries[0]!], limit: 3, consistencyLevel: 'Strong', searchParams: { params: { nprobe: 65536 } } }))[0]!.length, 3, 'the collection still answers');
  } finally { await s.cleanup(); }
});

test('IVF_RABITQ with an FP32 refine copy: refine_k and rbq_query_bits reach the index; refined answers near exact, distances exact', async () => {
  const s = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    const c = s.client;
    const indexParams = [{ indexName: 'rq', fieldName: 'vec', indexType: 'IVF_RABITQ', params: { nlist: NLIST, refine: 'true', refine_type: 'FP32' } }];
    await c.createCollection({ collectionName: 'rq', schema, metricType: 'IP', shardsNum: 2, indexParams, load: true });
    for (let i = 0; i < N; i += 1000) await c.insert('rq', rows.slice(i, i + 1000));
    await c.flush('rq');
    await untilIndexedAndLoaded(s, 'rq', N);
    const [desc] = await c.describeIndex('rq');
    assert.equal([desc!.indexType, { ...desc!.params }], ['IVF_RABITQ', { nlist: NLIST, refine: 'true', refine_type: 'FP32' }]);
    const truth = queries.map((q) => exact('IP', q, 10, () => true));
    const search = (params: Record<string, number>) => c.search('rq', { data: queries, limit: 10, consistencyLevel: 'Strong', searchParams: { params } });
    const ids = (hits: Array<Array<{ id: unknown }>>) => hits.map((hs) => hs.map((h) => h.id as number));
    const wide = await search({ nprobe: NLIST, refine_k: 20 });
    const recallWide = recallAtK(ids(wide), truth.map((t) => t.map((h) => h.id)), 10);
    assert.ok(recallWide >= 0.98, `recall ${recallWide} at refine_k 20`);
    wide.forEach((hs, i) => hs.forEach((h) => {
      const d = distanceFn('IP')(ds.vectors, (h.id as number) * DIM, new Float32Array(queries[i]!), DIM);
      assert.ok(Math.abs(h.distance - d) <= 1e-4 * Math.max(1, Math.abs(d)), 'refined distances are the FP32 ones');
    }));
    const narrow = recallAtK(ids(await search({ nprobe: NLIST, refine_k: 1, rbq_query_bits: 1 })), truth.map((t) => t.map((h) => h.id)), 10);
    assert.ok(narrow < recallWide, `refine_k 1 with 1-bit queries (${narrow}) finds less than refine_k 20 (${recallWide})`);
    await refused(search({ rbq_query_bits: 9 }), /rbq_query_bits must be an integer in 0..8/);
    await refused(search({ refine_k: 0.5 }), /refine_k must be a number in 1..1024/);
    await refused(c.createIndex('rq', { indexName: 'rq2', fieldName: 'vec', indexType: 'IVF_RABITQ', params: { refine: 'true', refine_type: 'PQ8' } }), /refine_type must be one of/);
  } finally { await s.cleanup(); }
});

test.run();

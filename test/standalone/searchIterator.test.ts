import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import type { MetricType } from '../../messages/schema.js';
import type { Hit } from '../../runtime/client/api.js';
import { until } from '../support/until.js';
import { tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';

/**
 * The search iterator through the whole read path: batch after batch of one
 * vector's hits over two shards' sealed and growing rows, checked against an
 * exact ranking computed here. Writes while it walks do not change what it
 * returns (it reads at the TSO it pinned).
 */
const DIM = 8;
const noAutoSeal = { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 };
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
type Row = { id: number; vec: number[] };
const rowsOf = (from: number, n: number, seed: number): Row[] => vectors(n, DIM, seed).map((vec, i) => ({ id: from + i, vec }));

/** Every row's id by its distance to q, best first (ties by id, as nuthatch ranks). */
function ranking(metric: MetricType, rows: Row[], q: number[]): Array<{ id: number; distance: number }> {
  const f = distanceFn(metric), qv = new Float32Array(q);
  const sign = metric === 'L2' ? 1 : -1;
  return rows.map((r) => ({ id: r.id, distance: f(new Float32Array(r.vec), 0, qv, DIM) })).sort((a, b) => sign * (a.distance - b.distance) || a.id - b.id);
}
async function drain(batches: AsyncIterable<Hit[]>): Promise<Hit[][]> {
  const out: Hit[][] = [];
  for await (const b of batches) out.push(b);
  return out;
}
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));

test('exact brute-force order over sealed and growing rows of two shards, each hit once; writes after the start are not seen', async () => {
  const s = await tempStandalone({ streaming: { segment: noAutoSeal }, coordinator: { compaction: { intervalMs: 0 } } });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'near', schema, metricType: 'L2', shardsNum: 2, load: true });
    const sealed = rowsOf(0, 1500, 1), growing = rowsOf(10_000, 500, 2);
    await c.insert('near', sealed);
    await c.flush('near');
    await until(async () => (await c.getLoadState('near')).loadProgress === 100, 'sealed segments served', 60_000);
    await c.insert('near', growing);
    const deleted = new Set([...sealed, ...growing].filter((r) => r.id % 17 === 0).map((r) => r.id));
    await c.delete('near', { ids: [...deleted] });
    const live = [...sealed, ...growing].filter((r) => !deleted.has(r.id));
    const q = vectors(1, DIM, 99)[0]!;
    const want = ranking('L2', live, q);

    const it = await c.searchIterator('near', { vector: q, batchSize: 100, limit: 1200, consistencyLevel: 'Strong' });
    const first = await it.next();
    // While it walks: copies of rows it has yet to reach under new ids, deletes of rows it has yet to reach, and a flush.
    await c.insert('near', want.slice(500, 520).map((h, i) => ({ id: 50_000 + i, vec: live.find((r) => r.id === h.id)!.vec })));
    await c.delete('near', { ids: want.slice(300, 320).map((h) => h.id) });
    await c.flush('near');
    const batches = [first, ...(await drain(it))];
    const hits = batches.flat();

    assert.equal(batches.map((b) => b.length), Array.from({ length: 12 }, () => 100));
    assert.is(new Set(hits.map((h) => h.id)).size, 1200, 'no hit twice');
    assert.equal(hits.map((h) => h.id), want.slice(0, 1200).map((h) => h.id), 'the exact ranking, as of the start');
    hits.forEach((h, i) => assert.ok(close(h.distance, want[i]!.distance), `hit ${i}: ${h.distance} vs ${want[i]!.distance}`));

    // The writes did happen: a search now sees them.
    const [now] = await c.search('near', { data: [q], limit: 600, consistencyLevel: 'Strong' });
    const ids = new Set(now!.map((h) => h.id));
    assert.ok(ids.has(50_000) && !ids.has(want[300]!.id));
  } finally { await s.cleanup(); }
});

test('COSINE over an HNSW index: similarity never rises across batches, no hit twice, the rows found are nearly all', async () => {
  const s = await tempStandalone({ streaming: { segment: noAutoSeal }, coordinator: { compaction: { intervalMs: 0 } } });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'cos', schema, metricType: 'COSINE', shardsNum: 2, indexParams: [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 200 } }], load: true });
    const sealed = rowsOf(0, 1200, 3), growing = rowsOf(5000, 300, 4);
    await c.insert('cos', sealed);
    await c.flush('cos');
    await untilIndexedAndLoaded(s, 'cos', 1200);
    await c.insert('cos', growing);
    const q = vectors(1, DIM, 98)[0]!;
    const want = ranking('COSINE', [...sealed, ...growing], q);
    const byId = new Map(want.map((h) => [h.id, h.distance]));

    const batches = await drain(await c.searchIterator('cos', { vector: q, batchSize: 128, params: { ef: 128 }, filter: 'id >= 0', outputFields: ['vec'], consistencyLevel: 'Strong' }));
    const hits = batches.flat();
    assert.is(new Set(hits.map((h) => h.id)).size, hits.length, 'no hit twice');
    assert.ok(hits.length >= want.length * 0.95, `${hits.length} of ${want.length} rows found`);
    for (const h of hits) assert.ok(close(h.distance, byId.get(h.id as number)!), `hit ${h.id}: ${h.distance} vs ${byId.get(h.id as number)}`);
    assert.is((hits[0]!.fields.vec as number[]).length, DIM, 'output fields come with each hit');
    for (let i = 1; i < hits.length; i++) assert.ok(hits[i]!.distance <= hits[i - 1]!.distance + 1e-5, `similarity rose at hit ${i}`);
    // Beside an exact ranking: the best tenth is found nearly whole.
    const top = new Set(want.slice(0, 150).map((h) => h.id));
    assert.ok(hits.slice(0, 150).filter((h) => top.has(h.id as number)).length >= 140);
  } finally { await s.cleanup(); }
});

test('an IVF index: the iterator passes nprobe on (every list: every row in exact order; one list: only its rows); a short batch is not the end', async () => {
  const s = await tempStandalone({ streaming: { segment: noAutoSeal }, coordinator: { compaction: { intervalMs: 0 } } });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'ivf', schema, metricType: 'L2', shardsNum: 1, indexParams: [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'IVF_FLAT', params: { nlist: 32 } }], load: true });
    const rows = rowsOf(0, 1000, 5);
    await c.insert('ivf', rows);
    await c.flush('ivf');
    await untilIndexedAndLoaded(s, 'ivf', 1000);
    const q = vectors(1, DIM, 77)[0]!;
    const bs = await drain(await c.searchIterator('ivf', { vector: q, batchSize: 200, params: { nprobe: 32 }, consistencyLevel: 'Strong' }));
    const all = bs.flat();
    const exact = ranking('L2', rows, q).map((h) => h.id), got = all.map((h) => h.id);
    const at = got.findIndex((id, i) => id !== exact[i]);
    assert.equal(got, exact, `every list probed: the exact ranking (${got.length} of ${exact.length} rows, first difference at ${at})`);
    const one = (await drain(await c.searchIterator('ivf', { vector: q, batchSize: 200, params: { nprobe: 1 }, consistencyLevel: 'Strong' }))).flat();
    assert.ok(one.length > 0 && one.length < 200, `one list probed: its rows only, got ${one.length}`);
  } finally { await s.cleanup(); }
});

test.run();

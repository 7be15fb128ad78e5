import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import type { MetricType } from '../../messages/schema.js';
import { gaussianMixture, recallAtK } from '../../bench/support/dataset.js';
import { refused } from '../support/rejects.js';
import { until } from '../support/until.js';
import { tempStandalone, untilIndexedAndLoaded } from './harness.js';

/**
 * IVF_PQ and SCANN through the whole path: created with their build params,
 * built by the index node, loaded by type, searched with nprobe (and SCANN's
 * reorder_k) from the client; recall against an exact ranking of the visible
 * rows, a scalar filter and deletes honoured, a range search and a grouping
 * search answered from the index, and the same answers after a restart
 * (the index files read back).
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
const opts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };

function exact(metric: MetricType, q: number[], k: number, keep: (id: number) => boolean): number[] {
  const dist = distanceFn(metric), qv = new Float32Array(q);
  return rows.filter((r) => keep(r.id)).map((r) => ({ id: r.id, d: dist(ds.vectors, r.id * DIM, qv, DIM) }))
    .sort((a, b) => (metric === 'L2' ? a.d - b.d : b.d - a.d) || a.id - b.id).slice(0, k).map((h) => h.id);
}
const ids = (hits: Array<Array<{ id: unknown }>>) => hits.map((hs) => hs.map((h) => h.id as number));

test('IVF_PQ and SCANN: built, loaded, searched with recall bounds, filters, deletes, range and grouping; the same after a restart', async () => {
  let s = await tempStandalone(opts);
  const { dataDir } = s;
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'pq', schema, metricType: 'L2', shardsNum: 2, indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'IVF_PQ', params: { nlist: NLIST, m: 8, nbits: 8 } }], load: true });
    await c.createCollection({ collectionName: 'sc', schema, metricType: 'IP', shardsNum: 2, indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'SCANN', params: { nlist: NLIST } }], load: true });
    for (const name of ['pq', 'sc']) {
      for (let i = 0; i < N; i += 1000) await c.insert(name, rows.slice(i, i + 1000));
      await c.flush(name);
      await untilIndexedAndLoaded(s, name, N);
    }
    assert.equal({ ...((await c.describeIndex('pq'))[0]!).params }, { nlist: NLIST, m: 8, nbits: 8 });
    assert.equal({ ...((await c.describeIndex('sc'))[0]!).params }, { nlist: NLIST, with_raw_data: 'true' });
    const deleted = Array.from({ length: 200 }, (_, i) => i * 11);
    for (const name of ['pq', 'sc']) await c.delete(name, { ids: deleted });
    const visible = (id: number) => !deleted.includes(id);
    const search = (name: string, params: Record<string, number>, extra: Record<string, unknown> = {}) =>
      s.client.search(name, { data: queries, limit: 10, consistencyLevel: 'Strong', searchParams: { params }, ...extra });

    const check = async (when: string) => {
      const pqTruth = queries.map((q) => exact('L2', q, 10, visible)), scTruth = queries.map((q) => exact('IP', q, 10, visible));
      // IVF_PQ: 8 codes of 8 bits a row (a 64th of the floats): recall bounded below, grows with nprobe.
      const pqAll = recallAtK(ids(await search('pq', { nprobe: NLIST })), pqTruth, 10), pqOne = recallAtK(ids(await search('pq', { nprobe: 1 })), pqTruth, 10);
      assert.ok(pqAll >= 0.6 && pqAll > pqOne, `IVF_PQ recall ${pqAll} at nprobe ${NLIST}, ${pqOne} at 1 (${when})`);
      // SCANN: re-ranked candidates lift recall to near exact, with exact distances.
      const wide = await search('sc', { nprobe: NLIST, reorder_k: 100 });
      const scWide = recallAtK(ids(wide), scTruth, 10), scTopk = recallAtK(ids(await search('sc', { nprobe: NLIST })), scTruth, 10);
      assert.ok(scWide >= 0.97 && scWide >= scTopk, `SCANN recall ${scWide} at reorder_k 100, ${scTopk} at topk (${when})`);
      wide.forEach((hs, i) => hs.forEach((h) => {
        const d = distanceFn('IP')(ds.vectors, (h.id as number) * DIM, new Float32Array(queries[i]!), DIM);
        assert.ok(Math.abs(h.distance - d) <= 1e-4 * Math.max(1, Math.abs(d)), `re-ranked distances are exact (${when})`);
      }));
      // A scalar filter with the deletes.
      const tagged = (id: number) => visible(id) && id % 4 === 1;
      for (const [name, metric, params] of [['pq', 'L2', { nprobe: NLIST }], ['sc', 'IP', { nprobe: NLIST, reorder_k: 100 }]] as const) {
        const got = await search(name, params, { filter: 'tag == 1' });
        assert.ok(got.flat().every((h) => tagged(h.id as number)), `${name} filtered (${when})`);
        const r = recallAtK(ids(got), queries.map((q) => exact(metric, q, 10, tagged)), 10);
        assert.ok(r >= (name === 'sc' ? 0.95 : 0.6), `${name} filtered recall ${r} (${when})`);
      }
      // Range: SCANN's re-ranked distances inside [radius, range_filter) of IP (higher is better).
      const ranged = await search('sc', { nprobe: NLIST, reorder_k: 100, radius: 20, range_filter: 40 });
      assert.ok(ranged.flat().length > 0 && ranged.flat().every((h) => h.distance > 20 && h.distance <= 40), `range (${when})`);
      // Grouping by tag: at most one hit per tag value.
      const grouped = await search('pq', { nprobe: NLIST }, { groupingField: 'tag', limit: 4, outputFields: ['tag'] });
      grouped.forEach((hs) => assert.equal(new Set(hs.map((h) => h.fields.tag)).size, hs.length, `groups (${when})`));
      assert.ok(grouped.every((hs) => hs.length === 4));
    };
    await check('first load');
    await refused(search('sc', { reorder_k: 5 }), /reorder_k \(5\) must be at least the search's topk \(limit \+ offset = 10\)/);
    await refused(search('sc', { reorder_k: 1.5 }), /reorder_k must be an integer/);
    await refused(c.createIndex('pq', { indexName: 'v2', fieldName: 'vec', indexType: 'IVF_PQ', params: { m: 5 } }), /m of IVF_PQ must divide the field's dim 16/);
    await refused(c.createIndex('pq', { indexName: 'v2', fieldName: 'vec', indexType: 'IVF_PQ', params: { m: 4, nbits: 32 } }), /nbits 32 of IVF_PQ is not supported/);

    await s.stop();
    s = await tempStandalone({ ...opts, dataDir });
    for (const name of ['pq', 'sc']) await until(async () => (await s.client.getLoadState(name)).loadProgress === 100, `${name} served after the restart`, 60_000);
    await check('after a restart');
  } finally { await s.cleanup(); }
});

test.run();

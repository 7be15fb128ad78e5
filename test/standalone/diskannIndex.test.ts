import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import { ValidationError } from '../../messages/errors.js';
import type { MetricType } from '../../messages/schema.js';
import { mulberry32, recallAtK } from '../../bench/support/dataset.js';
import { tempStandalone, untilIndexedAndLoaded, untilIndexesServed } from './harness.js';

/**
 * DISKANN through the whole path: created with no params (Milvus's
 * defaults filled in), built by the index node, loaded by the query node
 * into a file of its local cache directory (the data dir's cache/diskann),
 * searched with search_list from the client's search params: recall
 * against an exact ranking, exact answers under a selective filter,
 * search_list below topk refused, and after a restart the index file is
 * fetched and opened again and answers as before.
 */
const DIM = 24, N = 3000, K = 10;
const rand = mulberry32(17);
const data = new Float32Array(N * DIM).map(() => rand() * 2 - 1);
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'tag', dataType: 'Int64' as const },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
  ],
};
const rows = Array.from({ length: N }, (_, i) => ({ id: i, tag: i % 50, vec: Array.from(data.subarray(i * DIM, (i + 1) * DIM)) }));
const queries = Array.from({ length: 20 }, () => Array.from({ length: DIM }, () => rand() * 2 - 1));

function exact(metric: MetricType, q: number[], k: number, keep: (id: number) => boolean): number[] {
  const dist = distanceFn(metric), qv = new Float32Array(q);
  return rows.filter((r) => keep(r.id)).map((r) => ({ id: r.id, d: dist(data, r.id * DIM, qv, DIM) }))
    .sort((a, b) => (metric === 'L2' ? a.d - b.d : b.d - a.d) || a.id - b.id).slice(0, k).map((h) => h.id);
}
const ids = (hits: Array<Array<{ id: unknown }>>) => hits.map((hs) => hs.map((h) => h.id as number));
const diskFiles = (dataDir: string) => readdirSync(join(dataDir, 'cache', 'diskann')).filter((f) => f.endsWith('.diskann'));

for (const metric of ['L2', 'COSINE'] as const) {
  test(`DISKANN ${metric}: built, loaded to the local disk, searched with search_list; exact under a selective filter; reopened after a restart`, async () => {
    let s = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
    try {
      const c = s.client;
      await c.createCollection({ collectionName: 'dk', schema, metricType: metric, shardsNum: 2, indexParams: [{ indexName: 'vec_dk', fieldName: 'vec', indexType: 'DISKANN', params: {} }], load: true });
      for (let i = 0; i < N; i += 1000) await c.insert('dk', rows.slice(i, i + 1000));
      await c.flush('dk');
      await untilIndexedAndLoaded(s, 'dk', N);
      await untilIndexesServed(s, 'dk');
      const [desc] = await c.describeIndex('dk');
      assert.equal([desc!.indexType, { ...desc!.params }], ['DISKANN', { max_degree: 56, search_list_size: 100, pq_code_budget_gb_ratio: 0.125, search_cache_budget_gb_ratio: 0.1, beamwidth_ratio: 4 }]);
      // One file per loaded segment index, in the query node's cache directory.
      const files = diskFiles(s.dataDir);
      assert.ok(files.length >= 2, `files ${files.join(', ')}: one per segment of each shard`);

      const search = (params: Record<string, number>, filter?: string, limit = K) => c.search('dk', { data: queries, limit, consistencyLevel: 'Strong', searchParams: { params }, ...(filter ? { filter } : {}) });
      const truth = queries.map((q) => exact(metric, q, K, () => true));
      const byDefault = await search({});
      const recall16 = recallAtK(ids(byDefault), truth, K);
      assert.ok(recall16 >= 0.9, `recall ${recall16} at the default search_list`);
      const wide = await search({ search_list: 128 });
      const recall128 = recallAtK(ids(wide), truth, K);
      assert.ok(recall128 >= recall16 && recall128 >= 0.97, `recall ${recall128} at search_list 128, ${recall16} at 16`);
      // search_list reaches the index: the shortest list (the limit) finds fewer.
      const recall10 = recallAtK(ids(await search({ search_list: K })), truth, K);
      assert.ok(recall10 < recall128, `recall ${recall10} at search_list ${K}, ${recall128} at 128`);
      // Distances are the exact ones (re-ranked from the full-precision records).
      const dist = distanceFn(metric);
      wide.forEach((hs, i) => hs.forEach((h) => assert.ok(Math.abs(h.distance - dist(data, (h.id as number) * DIM, new Float32Array(queries[i]!), DIM)) < 1e-4)));

      // A selective filter (2% of the rows): the exact answer among them.
      const selective = await search({}, 'tag == 7');
      queries.forEach((q, i) => assert.equal(ids([selective[i]!])[0], exact(metric, q, K, (id) => id % 50 === 7), `filtered query ${i}`));
      // A filter half the rows pass: only those, most of the true ones.
      const half = await search({ search_list: 32 }, 'tag % 2 == 0');
      assert.ok(half.flat().every((h) => (h.id as number) % 2 === 0));
      const halfRecall = recallAtK(ids(half), queries.map((q) => exact(metric, q, K, (id) => id % 2 === 0)), K);
      assert.ok(halfRecall >= 0.9, `recall ${halfRecall} under a filter half the rows pass`);

      // search_list below topk (limit + offset), or not an integer: refused as Milvus refuses it.
      for (const [params, limit] of [[{ search_list: 5 }, 10], [{ search_list: 16.5 }, 10], [{ search_list: 0 }, 1]] as const) {
        try { await search(params, undefined, limit); assert.unreachable('accepted'); } catch (e) {
          assert.instance(e, ValidationError);
          assert.match((e as Error).message, /search_list/);
        }
      }
      await c.search('dk', { data: [queries[0]!], limit: 20, offset: 5, searchParams: { params: { search_list: 25 } } });

      // A restart: the query node fetches the index file again and opens it from its local disk.
      const { dataDir } = s;
      await s.stop();
      s = await tempStandalone({ dataDir });
      await untilIndexedAndLoaded(s, 'dk', N);
      await untilIndexesServed(s, 'dk');
      assert.ok(diskFiles(dataDir).some((f) => !files.includes(f)), 'a file written by the restarted query node');
      assert.equal(ids(await s.client.search('dk', { data: queries, limit: K, consistencyLevel: 'Strong', searchParams: { params: { search_list: 128 } } })), ids(wide));
    } finally { await s.cleanup(); }
  });
}

test.run();

/**
 * The full nuthatch path as a search target: a standalone process's actors in
 * this process (in-process bus, every request through the codec), rows inserted
 * through the client, flushed by the data node from the WAL, indexed by the index
 * node, loaded by the query node, and searched through the shard delegator.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStandalone, type Standalone } from '../../runtime/standalone/standalone.js';
import type { SearchTarget } from './searchTargets.js';

const COLLECTION = 'bench';

export function nuthatchTarget(): SearchTarget {
  let s: Standalone | undefined;
  let dir = '';
  return {
    name: 'nuthatch (standalone, full path)',
    async prepare(ds, build) {
      dir = await mkdtemp(join(tmpdir(), 'nuthatch-bench-'));
      s = await startStandalone({ dataDir: dir, log: () => {}, streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
      await s.client.createCollection({
        collectionName: COLLECTION, metricType: ds.metric, load: true, consistencyLevel: 'Bounded',
        schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: ds.dim }] },
        indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'HNSW', params: { M: build.M, efConstruction: build.efConstruction } }],
      });
      const batch = 5000;
      for (let from = 0; from < ds.n; from += batch) {
        const rows = [];
        for (let r = from; r < Math.min(ds.n, from + batch); r++) rows.push({ id: r, vec: ds.vectors.subarray(r * ds.dim, (r + 1) * ds.dim) });
        await s.client.insert(COLLECTION, rows);
      }
      await s.client.flush(COLLECTION);
      for (;;) {
        const [idx] = await s.client.describeIndex(COLLECTION);
        const load = await s.client.getLoadState(COLLECTION);
        if (idx && idx.indexedRows === ds.n && load.loadProgress === 100) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async search(q, k, opts) {
      const [hits] = await s!.client.search(COLLECTION, { data: [q], limit: k, searchParams: { params: { ef: opts.ef } } });
      return hits!.map((h) => h.id);
    },
    async close() { await s?.stop(); await rm(dir, { recursive: true, force: true }); },
  };
}

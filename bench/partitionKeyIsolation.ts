/**
 * What partition key isolation buys a single-tenant search: the same rows
 * (Gaussian clusters, each row given one of many tenants at random) as two
 * collections with the tenant as partition key (Milvus's default 16
 * partitions) and an HNSW index, one flush each; one with
 * `partitionkey.isolation` (each sealed segment's index is one sub-graph per
 * tenant), one without (a shared graph per segment, walked under the tenant
 * filter: the baseline of the same run). Every query pins one tenant
 * (`tenant == "t<i>"`). Single-client QPS, p50/p99, and recall@10 against
 * the exact top-10 of the tenant's rows.
 *
 *   npm run bench -- partitionKeyIsolation [--n 100000] [--dim 64] [--tenants 200] [--queries 300] [--ef 64]
 *
 * Writes bench/results/partitionKeyIsolation.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStandalone, type Standalone } from '../runtime/standalone/standalone.js';
import { searchBruteForce } from '../actors/shared/vector/bruteForce.js';
import { gaussianMixture, mulberry32 } from './support/dataset.js';
import { percentiles } from './support/percentiles.js';
import { numberOption, waitUntil } from './support/options.js';
import { printTable } from './support/table.js';

const K = 10, BATCH = 5_000;

interface Query { vec: Float32Array; tenant: string; exact: Set<number> }

async function measure(s: Standalone, name: string, queries: Query[], ef: number, reps: number) {
  const search = async (q: Query) => (await s.client.search(name, { data: [q.vec], filter: `tenant == "${q.tenant}"`, limit: K, searchParams: { params: { ef } } }))[0]!.map((h) => Number(h.id));
  for (const q of queries.slice(0, 30)) await search(q); // warm-up
  const passes = [];
  for (let r = 0; r < reps; r++) {
    const ids: number[][] = [], lat: number[] = [];
    const t0 = performance.now();
    for (const q of queries) { const a = performance.now(); ids.push(await search(q)); lat.push(performance.now() - a); }
    passes.push({ ms: performance.now() - t0, ids, lat });
  }
  const mid = passes.sort((a, b) => a.ms - b.ms)[reps >> 1]!;
  const [p50, p99] = percentiles(mid.lat, [50, 99]);
  const found = mid.ids.reduce((n, ids, i) => n + ids.filter((id) => queries[i]!.exact.has(id)).length, 0);
  return { qps: (queries.length / mid.ms) * 1000, p50Ms: p50!, p99Ms: p99!, recallAt10: found / (queries.length * K) };
}

export default async function run(args: string[]): Promise<void> {
  const n = numberOption(args, 'n', 100_000), dim = numberOption(args, 'dim', 64), tenants = numberOption(args, 'tenants', 200);
  const nq = numberOption(args, 'queries', 300), reps = numberOption(args, 'reps', 3), ef = numberOption(args, 'ef', 64);
  const ds = gaussianMixture({ n, dim, clusters: 100, queries: nq, seed: 9 });
  const rand = mulberry32(17);
  const tenantOf = Int32Array.from({ length: n }, () => Math.floor(rand() * tenants));
  const queries: Query[] = ds.queries.map((vec) => {
    const t = Math.floor(rand() * tenants);
    const [exact] = searchBruteForce({ vectors: ds.vectors, dim, count: n, metric: 'L2', queries: [vec], k: K, accept: (r) => tenantOf[r] === t });
    return { vec, tenant: `t${t}`, exact: new Set(exact!.map((h) => h.row)) };
  });
  const dir = await mkdtemp(join(tmpdir(), 'nuthatch-isolation-bench-'));
  // One flush makes the segments: none is sealed early by size or age.
  const s = await startStandalone({ dataDir: dir, log: () => {}, streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    const build: Record<string, number> = {};
    for (const [name, isolation] of [['shared', false], ['isolated', true]] as const) {
      await s.client.createCollection({
        collectionName: name, metricType: 'L2', load: true, consistencyLevel: 'Bounded', shardsNum: 1,
        ...(isolation ? { properties: { 'partitionkey.isolation': true } } : {}),
        schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'tenant', dataType: 'VarChar', maxLength: 16, isPartitionKey: true }, { name: 'vec', dataType: 'FloatVector', dim }] },
        indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 100 } }],
      });
      for (let from = 0; from < n; from += BATCH) {
        const rows = [];
        for (let r = from; r < Math.min(n, from + BATCH); r++) rows.push({ id: r, tenant: `t${tenantOf[r]}`, vec: ds.vectors.subarray(r * dim, (r + 1) * dim) });
        await s.client.insert(name, rows);
      }
      const t0 = performance.now();
      await s.client.flush(name);
      await waitUntil(`${name} indexed and loaded`, async () => {
        const idx = await s.client.describeIndex(name);
        return idx.every((i) => i.indexState === 'Finished' && i.indexedRows === n) && (await s.client.getLoadState(name)).loadProgress === 100;
      });
      build[name] = (performance.now() - t0) / 1000;
    }
    // Reads a few seconds behind (Bounded) see every row once the flushes are that old.
    await new Promise((r) => setTimeout(r, 5_500));
    const shared = await measure(s, 'shared', queries, ef, reps);
    const isolated = await measure(s, 'isolated', queries, ef, reps);
    console.log(`\n${n} x ${dim} rows over ${tenants} tenants (partition key, 16 partitions), HNSW M=16 efConstruction=100, one flush; every query pins one tenant; ef ${ef}; single client, ${nq} queries, median of ${reps} passes`);
    printTable(['collection', 'QPS', 'p50 ms', 'p99 ms', 'recall@10', 'flush+index s'], [
      ['shared graph + filter (baseline)', shared.qps, shared.p50Ms, shared.p99Ms, shared.recallAt10.toFixed(3), build.shared!.toFixed(1)],
      ['partitionkey.isolation', isolated.qps, isolated.p50Ms, isolated.p99Ms, isolated.recallAt10.toFixed(3), build.isolated!.toFixed(1)],
    ]);
    console.log(`isolated / baseline QPS: ${(isolated.qps / shared.qps).toFixed(2)}x`);
    const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
    mkdirSync(out, { recursive: true });
    writeFileSync(`${out}partitionKeyIsolation.json`, `${JSON.stringify({ n, dim, tenants, queries: nq, ef, shared, isolated, ratio: isolated.qps / shared.qps, buildSeconds: build, date: new Date().toISOString() }, null, 2)}\n`);
    console.log('wrote bench/results/partitionKeyIsolation.json');
  } finally { await s.stop().catch(() => {}); await rm(dir, { recursive: true, force: true }); }
}

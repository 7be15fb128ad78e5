/**
 * What tiered storage (Milvus 2.6.4's lazy load, warm-up and eviction) changes
 * on a standalone system, against a full load measured in the same run: a
 * collection of `--parts` partitions (one sealed segment each, an HNSW index on
 * the vectors and an INVERTED index on a scalar), released and loaded again
 * under each configuration:
 *
 * - full: every segment and index loaded at load time (tiered storage off);
 * - lazy: tiered storage, warm-up off for every kind (a load records metadata);
 * - lazy + budget: as lazy, with eviction and a cache budget of about half the
 *   collection, reads going round the partitions (each cold read refetches);
 * - lazy + budget + disk: as lazy + budget with the disk tier on: a cold read
 *   loads the evicted files from the local disk cache instead of object storage.
 *   Standalone's object storage is itself local files, so this line measures
 *   what the disk tier costs or saves against a local object store, not S3.
 *
 * Figures: the load's time (loadCollection until every segment serves), the
 * first search's latency (one search of every partition, cold under lazy), the
 * warm searches' p50/p99 (a partition at a time), the QPS of `--lanes` searches
 * of every partition in flight at once, the bytes the query node's cache holds,
 * and the bytes of DISKANN's local record files (copies of the index files'
 * records; none when DISKANN reads the disk tier's files in place). Every
 * configuration must give the same hits as full.
 *
 *   npm run bench -- tieredStorage [--parts 6] [--rows 4000] [--dim 64] [--queries 60] [--diskann] [--lanes 8]
 *
 * `--diskann` indexes the vectors with DISKANN instead of HNSW. Writes
 * bench/results/tieredStorage.json (tieredStorage-diskann.json with --diskann).
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStandalone, type Standalone, type StandaloneOptions } from '../runtime/standalone/standalone.js';
import type { TieredStorageOptions } from '../actors/query-node/core/tieredStorageConfig.js';
import { mulberry32 } from './support/dataset.js';
import { percentiles } from './support/percentiles.js';
import { numberOption, waitUntil } from './support/options.js';
import { printTable } from './support/table.js';

interface Figures { name: string; loadMs: number; firstMs: number; p50Ms: number; p99Ms: number; qps: number; cacheBytes: number; evictions: number; diskHits: number; copyBytes: number; hits: unknown }
type Options = { parts: number; rows: number; dim: number; queries: number; diskann: boolean; lanes: number };

/** Bytes of DISKANN's local record files (`*.diskann`) under `dir`, at any depth. */
function diskannCopyBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile() && e.name.endsWith('.diskann')) n += statSync(join(e.parentPath, e.name)).size;
  return n;
}

const gauge = (s: Standalone, name: string, label = ''): number => {
  const line = s.metrics.render().split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
};

async function measure(name: string, tiered: TieredStorageOptions | undefined, o: Options): Promise<Figures> {
  const dataDir = await mkdtemp(join(tmpdir(), 'nuthatch-bench-tiered-'));
  const opts: StandaloneOptions = { dataDir, log: () => {}, streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } as never, ...(tiered ? { tieredStorage: tiered } : {}) };
  const s = await startStandalone(opts);
  try {
    const r = mulberry32(5);
    const vec = () => Array.from({ length: o.dim }, () => r() * 2 - 1);
    const schema = { fields: [
      { name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: o.dim },
      { name: 'color', dataType: 'VarChar' as const, maxLength: 16 }, { name: 'note', dataType: 'VarChar' as const, maxLength: 256 },
    ] };
    const indexParams = [
      o.diskann ? { indexName: 'vec_idx', fieldName: 'vec', indexType: 'DISKANN', params: { max_degree: 32, search_list_size: 64 } } : { indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 100 } },
      { indexName: 'color_idx', fieldName: 'color', indexType: 'INVERTED', params: {} as Record<string, number> },
    ];
    await s.client.createCollection({ collectionName: 'bt', schema, metricType: 'L2', shardsNum: 1, indexParams, load: true });
    for (let p = 0; p < o.parts; p++) {
      await s.client.createPartition('bt', `p${p}`);
      for (let at = 0; at < o.rows; at += 2000) {
        await s.client.insert('bt', Array.from({ length: Math.min(2000, o.rows - at) }, (_, i) => ({ id: p * o.rows + at + i, vec: vec(), color: ['red', 'green', 'blue'][i % 3]!, note: `row ${i} `.repeat(8) })), `p${p}`);
      }
      await s.client.flush('bt');
    }
    const total = o.parts * o.rows;
    await waitUntil('indexes built', async () => (await s.client.describeIndex('bt')).every((x) => x.indexState === 'Finished' && x.indexedRows === total));
    await s.client.releaseCollection('bt');
    const t0 = performance.now();
    await s.client.loadCollection('bt');
    await waitUntil('loaded', async () => (await s.client.getLoadState('bt')).loadProgress === 100);
    const loadMs = performance.now() - t0;
    const queries = Array.from({ length: o.queries }, () => vec());
    const search = (q: number, partitionNames?: string[]) => s.client.search('bt', { data: [queries[q]!], limit: 10, filter: 'color != "green"', ...(partitionNames ? { partitionNames } : {}), consistencyLevel: 'Bounded' });
    const t1 = performance.now();
    const first = await search(0);
    const firstMs = performance.now() - t1;
    const lat: number[] = [];
    const hits: unknown[] = [first[0]!.map((h) => h.id)];
    for (let q = 1; q < o.queries; q++) {
      const a = performance.now();
      const res = await search(q, [`p${q % o.parts}`]);
      lat.push(performance.now() - a);
      hits.push(res[0]!.map((h) => h.id));
    }
    const [p50, p99] = percentiles(lat, [50, 99]);
    // `lanes` searches of every partition in flight at once (each query twice over).
    let next = 0;
    const t2 = performance.now();
    await Promise.all(Array.from({ length: o.lanes }, async () => {
      for (let q = next++; q < 2 * o.queries; q = next++) hits.push((await search(q % o.queries))[0]!.map((h) => h.id));
    }));
    const qps = (2 * o.queries) / ((performance.now() - t2) / 1000);
    const copyBytes = diskannCopyBytes(dataDir);
    return { name, loadMs, firstMs, p50Ms: p50!, p99Ms: p99!, qps, cacheBytes: gauge(s, 'nuthatch_query_node_cache_bytes'), evictions: gauge(s, 'nuthatch_query_node_cache_evictions_total'), diskHits: gauge(s, 'nuthatch_query_node_cache_requests_total', 'result="disk_hit"'), copyBytes, hits };
  } finally {
    await s.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export default async function run(args: string[]): Promise<void> {
  const o: Options = { parts: numberOption(args, 'parts', 6), rows: numberOption(args, 'rows', 4000), dim: numberOption(args, 'dim', 64), queries: numberOption(args, 'queries', 60), diskann: args.includes('--diskann'), lanes: numberOption(args, 'lanes', 8) };
  const off = { scalarField: 'disable', scalarIndex: 'disable', vectorField: 'disable', vectorIndex: 'disable' } as const;
  const full = await measure('full', undefined, o);
  const lazy = await measure('lazy', { enabled: true, warmup: off }, o);
  // The first search reads every partition at once, more than the budget: answered over budget (allowOverBudgetReads).
  // About half the collection: its vectors (4 B a float) twice over (data block and HNSW or DISKANN's records), per partition, times half the partitions.
  const budget = Math.round((o.parts / 2) * o.rows * (o.dim * 4 * 2 + 300));
  const evicting = await measure('lazy + budget', { enabled: true, warmup: off, evictionEnabled: true, memoryBudgetBytes: budget, allowOverBudgetReads: true }, o);
  const disk = await measure('lazy + budget + disk', { enabled: true, warmup: off, evictionEnabled: true, memoryBudgetBytes: budget, allowOverBudgetReads: true, diskCacheEnabled: true }, o);
  const all = [full, lazy, evicting, disk];
  // Searches in flight together finish in any order: compared as sets of answers.
  const canon = (f: Figures) => JSON.stringify((f.hits as unknown[]).map((h) => JSON.stringify(h)).sort());
  const same = all.map((f) => canon(f) === canon(full));
  const ann = o.diskann ? 'DISKANN' : 'HNSW';
  console.log(`\n${o.parts} partitions x ${o.rows} rows, dim ${o.dim}, ${ann} + INVERTED; ${o.queries} searches (limit 10, a filter), the first over every partition, the rest one partition each; then ${2 * o.queries} over every partition, ${o.lanes} in flight; budget of 'lazy + budget' ${(budget / 2 ** 20).toFixed(1)} MiB`);
  printTable(['config', 'load ms', 'x full', 'first search ms', 'x full', 'warm p50 ms', 'warm p99 ms', `QPS (${o.lanes} lanes)`, 'x full', 'cache MiB', 'evictions', 'disk hits', 'DISKANN copies MiB', 'same hits'], all.map((f, i) => [
    f.name, f.loadMs, (f.loadMs / full.loadMs).toFixed(2), f.firstMs, (f.firstMs / full.firstMs).toFixed(2), f.p50Ms, f.p99Ms, f.qps, (f.qps / full.qps).toFixed(2), (f.cacheBytes / 2 ** 20).toFixed(2), f.evictions, f.diskHits, (f.copyBytes / 2 ** 20).toFixed(2), same[i] ? 'yes' : 'NO',
  ]));
  console.log(`cold reads (every read evicts under the budget): p50 ${disk.p50Ms.toFixed(2)} ms from the disk tier against ${evicting.p50Ms.toFixed(2)} ms from object storage (local files here): ${(disk.p50Ms / evicting.p50Ms).toFixed(2)}x`);
  if (same.includes(false)) throw new Error('tiered storage answered differently from a full load');
  const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}tieredStorage${o.diskann ? '-diskann' : ''}.json`, `${JSON.stringify({
    ...o, budget, diskVsObjectStoreP50: disk.p50Ms / evicting.p50Ms, configs: all.map(({ hits: _h, ...f }) => ({ ...f, loadVsFull: f.loadMs / full.loadMs, firstVsFull: f.firstMs / full.firstMs, qpsVsFull: f.qps / full.qps })), date: new Date().toISOString(),
  }, null, 2)}\n`);
  console.log(`wrote bench/results/tieredStorage${o.diskann ? '-diskann' : ''}.json`);
}

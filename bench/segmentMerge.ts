/**
 * What merge compaction buys a search: the same rows as many small sealed
 * segments (a flush after every small batch) and, after the coordinator merged
 * them, as one; single-client QPS, p50/p99 and recall@10 through the full
 * standalone path, with the small-segment layout as the baseline of the same run.
 *
 *   npm run bench -- segmentMerge [--n 20000] [--dim 128] [--segments 16] [--queries 500] [--ef 64]
 *
 * Writes bench/results/segmentMerge.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../messages/rpc/coordinator.js';
import { client } from '../runtime/rpc/typedBus.js';
import { startStandalone, type Standalone } from '../runtime/standalone/standalone.js';
import { gaussianMixture, groundTruth, recallAtK, type Dataset } from './support/dataset.js';
import { percentiles } from './support/percentiles.js';
import { numberOption, waitUntil } from './support/options.js';
import { printTable } from './support/table.js';

const C = 'merge', K = 10;

async function measure(s: Standalone, ds: Dataset, truth: number[][], ef: number, reps: number) {
  const search = async (q: Float32Array) => (await s.client.search(C, { data: [q], limit: K, searchParams: { params: { ef } } }))[0]!.map((h) => h.id);
  for (const q of ds.queries.slice(0, 100)) await search(q); // warm-up
  const passes = [];
  for (let r = 0; r < reps; r++) {
    const ids = [], lat: number[] = [];
    const t0 = performance.now();
    for (const q of ds.queries) { const a = performance.now(); ids.push(await search(q)); lat.push(performance.now() - a); }
    passes.push({ ms: performance.now() - t0, ids, lat });
  }
  const mid = passes.sort((a, b) => a.ms - b.ms)[reps >> 1]!;
  const [p50, p99] = percentiles(mid.lat, [50, 99]);
  return { qps: (ds.queries.length / mid.ms) * 1000, p50Ms: p50!, p99Ms: p99!, recallAt10: recallAtK(mid.ids, truth, K) };
}

export default async function run(args: string[]): Promise<void> {
  const n = numberOption(args, 'n', 20000), dim = numberOption(args, 'dim', 128), parts = numberOption(args, 'segments', 16);
  const nq = numberOption(args, 'queries', 500), ef = numberOption(args, 'ef', 64), reps = numberOption(args, 'reps', 3);
  const ds = gaussianMixture({ n, dim, queries: nq, seed: 3 });
  const truth = groundTruth(ds, K);
  const dir = await mkdtemp(join(tmpdir(), 'nuthatch-merge-bench-'));
  const start = (mergeSegments: number) => startStandalone({ dataDir: dir, log: () => {}, coordinator: { compaction: { intervalMs: 500, graceMs: 0, mergeSegments } } });
  let s = await start(0);
  try {
    await s.client.createCollection({
      collectionName: C, metricType: ds.metric, load: true, consistencyLevel: 'Bounded', shardsNum: 1,
      schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim }] },
      indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 200 } }],
    });
    const per = Math.ceil(n / parts);
    for (let from = 0; from < n; from += per) {
      const rows = [];
      for (let r = from; r < Math.min(n, from + per); r++) rows.push({ id: r, vec: ds.vectors.subarray(r * dim, (r + 1) * dim) });
      await s.client.insert(C, rows);
      await s.client.flush(C);
    }
    const ready = async () => { const [idx] = await s.client.describeIndex(C); return idx?.indexedRows === n && (await s.client.getLoadState(C)).loadProgress === 100; };
    await waitUntil('the small segments indexed and loaded', ready);
    const small = await measure(s, ds, truth, ef, reps);
    await s.stop();
    s = await start(4);
    const t0 = performance.now();
    await waitUntil('the segments merged', async () => (await s.client.getCollectionStats(C)).rowCount === n && (await ready()) && (await segmentCount(s)) === 1);
    const mergeSeconds = (performance.now() - t0) / 1000;
    const merged = await measure(s, ds, truth, ef, reps);
    console.log(`\n${n} x ${dim} rows, ${parts} flushed segments, then one merged (in ${mergeSeconds.toFixed(1)} s); single client, ef ${ef}, ${nq} queries, median of ${reps} passes`);
    printTable(['layout', 'segments', 'QPS', 'p50 ms', 'p99 ms', 'recall@10'], [
      ['small (baseline)', String(parts), small.qps, small.p50Ms, small.p99Ms, small.recallAt10.toFixed(4)],
      ['merged', '1', merged.qps, merged.p50Ms, merged.p99Ms, merged.recallAt10.toFixed(4)],
    ]);
    console.log(`merged / small QPS: ${(merged.qps / small.qps).toFixed(2)}x`);
    const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
    mkdirSync(out, { recursive: true });
    writeFileSync(`${out}segmentMerge.json`, `${JSON.stringify({ n, dim, segments: parts, ef, queries: nq, small, merged, ratio: merged.qps / small.qps, mergeSeconds, date: new Date().toISOString() }, null, 2)}\n`);
    console.log('wrote bench/results/segmentMerge.json');
  } finally { await s.stop().catch(() => {}); await rm(dir, { recursive: true, force: true }); }
}

async function segmentCount(s: Standalone): Promise<number> {
  const id = (await s.client.describeCollection(C)).collectionId;
  return (await client<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId: id })).length;
}

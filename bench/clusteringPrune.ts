/**
 * What clustering compaction and segment pruning buy a filtered search: the
 * same 200k rows as two collections of 16 flushed segments, one with a
 * clustering key rewritten by a clustering compaction into ~16 segments of
 * contiguous key ranges, one without (the baseline of the same run). Each
 * query searches `k >= a and k < a + w` with w a 1/16 share of the key's
 * domain; single-client QPS, p50/p99 and the sealed segments a search asks
 * for (the delegator's visited and pruned counters).
 *
 *   npm run bench -- clusteringPrune [--n 200000] [--dim 32] [--segments 16] [--queries 300]
 *
 * Writes bench/results/clusteringPrune.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStandalone, type Standalone } from '../runtime/standalone/standalone.js';
import { mulberry32 } from './support/dataset.js';
import { percentiles } from './support/percentiles.js';
import { numberOption, waitUntil } from './support/options.js';
import { printTable } from './support/table.js';

const DOMAIN = 1_000_000, K = 10;

function sealedCounter(s: Standalone, outcome: 'visited' | 'pruned'): number {
  const line = s.metrics.render().split('\n').find((l) => l.startsWith('nuthatch_delegator_sealed_segments_total{') && l.includes(`outcome="${outcome}"`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function measure(s: Standalone, name: string, queries: Array<{ vec: Float32Array; filter: string }>, reps: number) {
  const search = async (q: { vec: Float32Array; filter: string }) => (await s.client.search(name, { data: [q.vec], filter: q.filter, limit: K }))[0]!.map((h) => Number(h.id));
  for (const q of queries.slice(0, 30)) await search(q); // warm-up
  const passes = [];
  const v0 = sealedCounter(s, 'visited'), p0 = sealedCounter(s, 'pruned');
  for (let r = 0; r < reps; r++) {
    const ids: number[][] = [], lat: number[] = [];
    const t0 = performance.now();
    for (const q of queries) { const a = performance.now(); ids.push(await search(q)); lat.push(performance.now() - a); }
    passes.push({ ms: performance.now() - t0, ids, lat });
  }
  const visited = (sealedCounter(s, 'visited') - v0) / (reps * queries.length), pruned = (sealedCounter(s, 'pruned') - p0) / (reps * queries.length);
  const mid = passes.sort((a, b) => a.ms - b.ms)[reps >> 1]!;
  const [p50, p99] = percentiles(mid.lat, [50, 99]);
  return { qps: (queries.length / mid.ms) * 1000, p50Ms: p50!, p99Ms: p99!, segmentsVisited: visited, segmentsPruned: pruned, ids: mid.ids };
}

export default async function run(args: string[]): Promise<void> {
  const n = numberOption(args, 'n', 200_000), dim = numberOption(args, 'dim', 32), parts = numberOption(args, 'segments', 16);
  const nq = numberOption(args, 'queries', 300), reps = numberOption(args, 'reps', 3);
  const rand = mulberry32(5);
  const vectors = Float32Array.from({ length: n * dim }, () => rand() * 2 - 1);
  const keys = Array.from({ length: n }, () => Math.floor(rand() * DOMAIN));
  const width = Math.floor(DOMAIN / parts);
  const queries = Array.from({ length: nq }, () => {
    const a = Math.floor(rand() * (DOMAIN - width));
    return { vec: Float32Array.from({ length: dim }, () => rand() * 2 - 1), filter: `k >= ${a} and k < ${a + width}` };
  });
  const dir = await mkdtemp(join(tmpdir(), 'nuthatch-cluster-bench-'));
  const per = Math.ceil(n / parts);
  const s = await startStandalone({ dataDir: dir, log: () => {}, coordinator: { compaction: { intervalMs: 0, graceMs: 0, clusteringTargetRows: per } } });
  try {
    for (const [name, clustering] of [['plain', false], ['clustered', true]] as const) {
      await s.client.createCollection({
        collectionName: name, metricType: 'L2', load: true, consistencyLevel: 'Bounded', shardsNum: 1,
        schema: { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'k', dataType: 'Int64', ...(clustering ? { isClusteringKey: true } : {}) }, { name: 'vec', dataType: 'FloatVector', dim }] },
        indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', params: {} }],
      });
      for (let from = 0; from < n; from += per) {
        const rows = [];
        for (let r = from; r < Math.min(n, from + per); r++) rows.push({ id: r, k: keys[r]!, vec: vectors.subarray(r * dim, (r + 1) * dim) });
        await s.client.insert(name, rows);
        await s.client.flush(name);
      }
      await waitUntil(`${name} loaded`, async () => (await s.client.getLoadState(name)).loadProgress === 100 && (await s.client.getCollectionStats(name)).rowCount === n);
    }
    const t0 = performance.now();
    const { compactionID } = await s.client.compact({ collectionName: 'clustered', isClustering: true });
    await waitUntil('the clustering compaction', async () => (await s.client.getCompactionState(compactionID)).state === 'Completed');
    const clusterSeconds = (performance.now() - t0) / 1000;
    await waitUntil('clustered loaded', async () => (await s.client.getLoadState('clustered')).loadProgress === 100);
    const plain = await measure(s, 'plain', queries, reps);
    const clustered = await measure(s, 'clustered', queries, reps);
    const same = plain.ids.every((ids, i) => JSON.stringify(ids) === JSON.stringify(clustered.ids[i]));
    console.log(`\n${n} x ${dim} rows, FLAT, ${parts} flushed segments; clustering compaction in ${clusterSeconds.toFixed(1)} s; filter k in a 1/${parts} range; single client, ${nq} queries, median of ${reps} passes`);
    printTable(['collection', 'QPS', 'p50 ms', 'p99 ms', 'segments visited', 'pruned'], [
      ['no clustering (baseline)', plain.qps, plain.p50Ms, plain.p99Ms, plain.segmentsVisited.toFixed(2), plain.segmentsPruned.toFixed(2)],
      ['clustered + pruning', clustered.qps, clustered.p50Ms, clustered.p99Ms, clustered.segmentsVisited.toFixed(2), clustered.segmentsPruned.toFixed(2)],
    ]);
    console.log(`clustered / baseline QPS: ${(clustered.qps / plain.qps).toFixed(2)}x; same top-${K} ids for every query: ${same}`);
    const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
    mkdirSync(out, { recursive: true });
    const strip = ({ ids: _, ...r }: typeof plain) => r;
    writeFileSync(`${out}clusteringPrune.json`, `${JSON.stringify({ n, dim, segments: parts, queries: nq, plain: strip(plain), clustered: strip(clustered), ratio: clustered.qps / plain.qps, sameAnswers: same, clusterSeconds, date: new Date().toISOString() }, null, 2)}\n`);
    console.log('wrote bench/results/clusteringPrune.json');
  } finally { await s.stop().catch(() => {}); await rm(dir, { recursive: true, force: true }); }
}

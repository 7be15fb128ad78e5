/**
 * IVF benchmark: build time, index size, recall@10 and single-client QPS of
 * IVF_FLAT, IVF_SQ8 and IVF_RABITQ (1-bit codes alone, and with an SQ8 refine
 * copy re-scoring refine_k = 4 candidates per result) at a few nprobe values, beside HNSW (our hnswlib-node
 * adapter) at a few ef values and brute force, all measured in the same run on
 * a seeded Gaussian mixture (default 100k x 128, 100 clusters).
 *
 *   npm run bench -- ivfSearch [--n 100000] [--dim 128] [--queries 1000] [--nlist 256] [--nprobe 4,8,16,32] [--ef 64,128] [--reps 3]
 *
 * Brute force's QPS is that of the ground-truth pass (the exact kernel over
 * every row). Writes bench/results/ivfSearch.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { searchBruteForce } from '../actors/shared/vector/bruteForce.js';
import { hnswIndexFactory } from '../runtime/vectorIndex/hnswIndex.js';
import { ivfFlatFactory, ivfRabitqFactory, ivfSq8Factory } from '../runtime/vectorIndex/ivf/ivfFactory.js';
import type { IndexBuildParams, SearchOptions, VectorIndex, VectorIndexFactory } from '../runtime/vectorIndex/vectorIndex.js';
import { gaussianMixture, recallAtK, type Dataset } from './support/dataset.js';
import { numberOption } from './support/options.js';
import { median, percentiles } from './support/percentiles.js';
import { printTable } from './support/table.js';

const K = 10;

interface Built { type: string; index: VectorIndex; buildSeconds: number; indexBytes: number }
interface Run { index: string; knob: string; value: number | null; buildSeconds: number | null; indexBytes: number | null; recallAt10: number; qps: number; p50Ms: number; p99Ms: number }

function listOption(args: string[], name: string, fallback: string): number[] {
  const i = args.indexOf(`--${name}`);
  return (i >= 0 && i + 1 < args.length ? args[i + 1]! : fallback).split(',').map(Number);
}

async function build(type: string, factory: VectorIndexFactory, ds: Dataset, params: IndexBuildParams): Promise<Built> {
  const t0 = performance.now();
  const index = await factory.build(ds.vectors, ds.dim, ds.metric, params);
  const buildSeconds = (performance.now() - t0) / 1000;
  const indexBytes = (await index.serialize()).length;
  console.log(`${type}: built in ${buildSeconds.toFixed(1)} s, ${(indexBytes / 2 ** 20).toFixed(1)} MiB serialized`);
  return { type, index, buildSeconds, indexBytes };
}

/** `reps` timed passes over every query after a warm-up; the median pass's figures. */
function measure(b: Built, knob: 'ef' | 'nprobe', value: number, ds: Dataset, truth: number[][], reps: number, extra: SearchOptions = {}): Run {
  const opts: SearchOptions = { ...extra, [knob]: value };
  for (const q of ds.queries.slice(0, 100)) b.index.search(q, K, opts);
  const passes = Array.from({ length: reps }, () => {
    const ids: number[][] = [], lat: number[] = [];
    const start = performance.now();
    for (const q of ds.queries) {
      const t0 = performance.now();
      ids.push(b.index.search(q, K, opts).map((h) => h.row));
      lat.push(performance.now() - t0);
    }
    return { ids, lat, ms: performance.now() - start };
  });
  const mid = passes.find((p) => p.ms === median(passes.map((x) => x.ms)))!;
  const [p50, p99] = percentiles(mid.lat, [50, 99]);
  return {
    index: b.type, knob, value, buildSeconds: b.buildSeconds, indexBytes: b.indexBytes,
    recallAt10: recallAtK(mid.ids, truth, K), qps: (ds.queries.length / mid.ms) * 1000, p50Ms: p50!, p99Ms: p99!,
  };
}

export default async function run(args: string[]): Promise<void> {
  const n = numberOption(args, 'n', 100_000), dim = numberOption(args, 'dim', 128);
  const nq = numberOption(args, 'queries', 1000), reps = numberOption(args, 'reps', 3), nlist = numberOption(args, 'nlist', 256);
  const nprobes = listOption(args, 'nprobe', '4,8,16,32'), efs = listOption(args, 'ef', '64,128');
  const hnsw = { M: 16, efConstruction: 200 };
  const ds = gaussianMixture({ n, dim, queries: nq, seed: numberOption(args, 'seed', 1) });
  console.log(`dataset ${ds.name}: ${n} x ${dim}, ${nq} queries, nlist ${nlist}, HNSW M=${hnsw.M} efConstruction=${hnsw.efConstruction}`);

  const t0 = performance.now();
  const exact = searchBruteForce({ vectors: ds.vectors, dim, count: n, metric: ds.metric, queries: ds.queries, k: K });
  const bruteMs = performance.now() - t0;
  const truth = exact.map((hs) => hs.map((h) => h.row));
  const runs: Run[] = [{ index: 'brute force', knob: '-', value: null, buildSeconds: null, indexBytes: n * dim * 4, recallAt10: 1, qps: (nq / bruteMs) * 1000, p50Ms: bruteMs / nq, p99Ms: NaN }];

  const builtHnsw = await build('HNSW', hnswIndexFactory, ds, hnsw);
  for (const ef of efs) runs.push(measure(builtHnsw, 'ef', ef, ds, truth, reps));
  for (const [type, factory] of [['IVF_FLAT', ivfFlatFactory], ['IVF_SQ8', ivfSq8Factory]] as const) {
    const b = await build(type, factory, ds, { nlist });
    for (const nprobe of nprobes) runs.push(measure(b, 'nprobe', nprobe, ds, truth, reps));
  }
  const rabitq = await build('IVF_RABITQ', ivfRabitqFactory, ds, { nlist });
  for (const nprobe of nprobes) runs.push(measure(rabitq, 'nprobe', nprobe, ds, truth, reps));
  const refined = await build('IVF_RABITQ+SQ8 refine_k=4', ivfRabitqFactory, ds, { nlist, refineType: 'SQ8' });
  for (const nprobe of nprobes) runs.push(measure(refined, 'nprobe', nprobe, ds, truth, reps, { refineK: 4 }));

  printTable(['index', 'knob', 'build s', 'MiB', 'recall@10', 'QPS', 'p50 ms', 'p99 ms'], runs.map((r) => [
    r.index, r.value === null ? '-' : `${r.knob}=${r.value}`, r.buildSeconds === null ? '-' : r.buildSeconds, r.indexBytes === null ? '-' : r.indexBytes / 2 ** 20,
    r.recallAt10.toFixed(4), r.qps, r.p50Ms.toFixed(3), Number.isNaN(r.p99Ms) ? '-' : r.p99Ms.toFixed(3),
  ]));
  const report = { dataset: ds.name, n, dim, queries: nq, k: K, nlist, hnsw, bruteForceQps: runs[0]!.qps, runs };
  const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}ivfSearch.json`, JSON.stringify(report, null, 2) + '\n');
  console.log(`wrote ${dir}ivfSearch.json`);
}

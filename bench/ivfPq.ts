/**
 * IVF_PQ and SCANN against IVF_FLAT (the baseline, measured in the same run):
 * index bytes in memory, build time, recall@10 against brute force and
 * single-client QPS at a few nprobe values, on a seeded Gaussian mixture
 * (default 100k x 64, 100 clusters). IVF_PQ at a few m / nbits; SCANN
 * (4-bit codes over pairs of dimensions) re-ranking reorder_k = topk and
 * reorder_k = 10 x topk candidates with its raw vectors, and without them
 * (with_raw_data false: codes only; the same build with its raw copy
 * dropped, which is what that build gives). Ratios are against IVF_FLAT at the
 * same nprobe.
 *
 *   npm run bench -- ivfPq [--n 100000] [--dim 64] [--queries 500] [--nlist 256] [--nprobe 8,32] [--reps 3]
 *
 * Writes bench/results/ivfPq.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { searchBruteForce } from '../actors/shared/vector/bruteForce.js';
import { ivfFlatFactory, ivfPqFactory, scannFactory } from '../runtime/vectorIndex/ivf/ivfFactory.js';
import { IvfIndex } from '../runtime/vectorIndex/ivf/ivfIndex.js';
import type { PqStore } from '../runtime/vectorIndex/ivf/pqStore.js';
import type { IndexBuildParams, SearchOptions, VectorIndexFactory } from '../runtime/vectorIndex/vectorIndex.js';
import { gaussianMixture, recallAtK, type Dataset } from './support/dataset.js';
import { numberOption } from './support/options.js';
import { median } from './support/percentiles.js';
import { printTable } from './support/table.js';

const K = 10;

interface Built { type: string; index: IvfIndex; buildSeconds: number; memoryBytes: number }
interface Run { index: string; nprobe: number; memoryBytes: number; buildSeconds: number; recallAt10: number; qps: number; bytesVsFlat?: number; qpsVsFlat?: number; recallVsFlat?: number }

function listOption(args: string[], name: string, fallback: string): number[] {
  const i = args.indexOf(`--${name}`);
  return (i >= 0 && i + 1 < args.length ? args[i + 1]! : fallback).split(',').map(Number);
}

/** Bytes of every typed array an index holds (lists, centroids, codes, codebooks, raw vectors). */
function memoryBytes(x: unknown, seen = new Set<unknown>()): number {
  if (x === null || typeof x !== 'object' || seen.has(x)) return 0;
  seen.add(x);
  if (ArrayBuffer.isView(x)) return x.byteLength;
  return Object.values(x).reduce<number>((n, v) => n + memoryBytes(v, seen), 0);
}

async function build(type: string, factory: VectorIndexFactory, ds: Dataset, params: IndexBuildParams): Promise<Built> {
  const t0 = performance.now();
  const index = await factory.build(ds.vectors, ds.dim, ds.metric, params) as IvfIndex;
  const buildSeconds = (performance.now() - t0) / 1000;
  const bytes = memoryBytes({ lists: index.lists, store: index.store });
  console.log(`${type}: built in ${buildSeconds.toFixed(1)} s, ${(bytes / 2 ** 20).toFixed(2)} MiB in memory`);
  return { type, index, buildSeconds, memoryBytes: bytes };
}

/** `reps` timed passes over every query after a warm-up; the median pass's figures. */
function measure(b: Built, nprobe: number, ds: Dataset, truth: number[][], reps: number, extra: SearchOptions = {}): Run {
  const opts: SearchOptions = { ...extra, nprobe };
  for (const q of ds.queries.slice(0, 50)) b.index.search(q, K, opts);
  const passes = Array.from({ length: reps }, () => {
    const ids: number[][] = [];
    const start = performance.now();
    for (const q of ds.queries) ids.push(b.index.search(q, K, opts).map((h) => h.row));
    return { ids, ms: performance.now() - start };
  });
  const mid = passes.find((p) => p.ms === median(passes.map((x) => x.ms)))!;
  return { index: b.type, nprobe, memoryBytes: b.memoryBytes, buildSeconds: b.buildSeconds, recallAt10: recallAtK(mid.ids, truth, K), qps: (ds.queries.length / mid.ms) * 1000 };
}

export default async function run(args: string[]): Promise<void> {
  const n = numberOption(args, 'n', 100_000), dim = numberOption(args, 'dim', 64);
  const nq = numberOption(args, 'queries', 500), reps = numberOption(args, 'reps', 3), nlist = numberOption(args, 'nlist', 256);
  const nprobes = listOption(args, 'nprobe', '8,32');
  const ds = gaussianMixture({ n, dim, queries: nq, seed: numberOption(args, 'seed', 1) });
  console.log(`dataset ${ds.name}: ${n} x ${dim}, ${nq} queries, nlist ${nlist}, nprobe ${nprobes.join(',')}`);
  const truth = searchBruteForce({ vectors: ds.vectors, dim, count: n, metric: ds.metric, queries: ds.queries, k: K }).map((hs) => hs.map((h) => h.row));

  const runs: Run[] = [];
  const flat = await build('IVF_FLAT', ivfFlatFactory, ds, { nlist });
  for (const nprobe of nprobes) runs.push(measure(flat, nprobe, ds, truth, reps));
  // m = dim / 2 at 4 bits is SCANN's shape: its codes-only row below.
  const pqShapes = [[dim / 4, 8], [dim / 2, 8]] as const;
  for (const [m, nbits] of pqShapes) {
    const b = await build(`IVF_PQ m=${m} nbits=${nbits}`, ivfPqFactory, ds, { nlist, pqM: m, pqNbits: nbits });
    for (const nprobe of nprobes) runs.push(measure(b, nprobe, ds, truth, reps));
  }
  const scann = await build('SCANN', scannFactory, ds, { nlist });
  for (const reorderK of [K, 10 * K]) {
    const named = { ...scann, type: `SCANN reorder_k=${reorderK}` };
    for (const nprobe of nprobes) runs.push(measure(named, nprobe, ds, truth, reps, { reorderK }));
  }
  // with_raw_data false builds the same lists and codes (same seed) without the vectors: the same build, its raw copy dropped.
  const { raw: _, ...codes } = scann.index.store as PqStore;
  const codesIndex = new IvfIndex(scann.index.metric, dim, scann.index.lists, codes);
  const codesOnly = { type: 'SCANN with_raw_data=false', index: codesIndex, buildSeconds: scann.buildSeconds, memoryBytes: memoryBytes({ lists: codesIndex.lists, store: codesIndex.store }) };
  for (const nprobe of nprobes) runs.push(measure(codesOnly, nprobe, ds, truth, reps));

  for (const r of runs) {
    const base = runs.find((x) => x.index === 'IVF_FLAT' && x.nprobe === r.nprobe)!;
    Object.assign(r, { bytesVsFlat: r.memoryBytes / base.memoryBytes, qpsVsFlat: r.qps / base.qps, recallVsFlat: r.recallAt10 / base.recallAt10 });
  }
  printTable(['index', 'nprobe', 'MiB', 'x FLAT bytes', 'build s', 'recall@10', 'x FLAT recall', 'QPS', 'x FLAT QPS'], runs.map((r) => [
    r.index, r.nprobe, (r.memoryBytes / 2 ** 20).toFixed(2), r.bytesVsFlat!.toFixed(3), r.buildSeconds.toFixed(1), r.recallAt10.toFixed(4), r.recallVsFlat!.toFixed(3), Math.round(r.qps), r.qpsVsFlat!.toFixed(2),
  ]));
  const report = { dataset: ds.name, n, dim, queries: nq, k: K, nlist, nprobes, baseline: 'IVF_FLAT', runs };
  const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}ivfPq.json`, JSON.stringify(report, null, 2) + '\n');
  console.log(`wrote ${dir}ivfPq.json`);
}

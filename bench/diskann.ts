/**
 * DISKANN benchmark: build time, the memory a loaded index holds (PQ codes,
 * codebooks, scratch; its vectors and graph stay in a local file read with
 * pread) beside HNSW's (graph and vectors in memory: its serialized size),
 * recall@10 and single-client QPS at search_list 16/32/64/128, beside HNSW
 * at ef 16..128 and brute force, all measured in the same run on a seeded
 * Gaussian mixture (default 50k x 128; the Vamana build is TypeScript on
 * one core, two passes at max_degree 56 and search_list_size 100: about
 * two minutes of the run's two and a half; --n 20000 for a quicker one).
 *
 *   npm run bench -- diskann [--n 50000] [--dim 128] [--queries 500] [--lists 16,32,64,128] [--reps 3] [--max-degree 56] [--build-list 100]
 *
 * Then the load-time knobs on the same built index, loaded again per setting:
 * the node cache (search_cache_budget_gb_ratio 0, Milvus's default 0.1, and
 * 0.29, the top of its [0, 0.3) range) and the beam width (beamwidth_ratio
 * 1, 4 and 8 on this host's CPUs, capped at 16), each at search_list 16 and
 * 64: QPS, file reads (pread) and cache hits per query, search steps per
 * query, and QPS relative to the first setting of its table.
 *
 * The beam table (widths 4, 8 and 16) times each setting twice: `search`
 * (the query node's: a step's records read one pread after another) and
 * `searchAsync` (a step's reads issued together on libuv's thread pool and
 * awaited at once; one query at a time, and 8 queries in flight together),
 * beside searchAsync over a store that awaits a step's reads one after
 * another (the round trips concurrency saves), with the recall of each
 * (the same walk: equal).
 *
 * Last, the same graph with its records at float16 (what a Float16Vector
 * field's file holds): the index file's and local file's bytes beside the
 * float32 ones, and recall and QPS at search_list 16 and 64 against brute
 * force over the float16-rounded rows.
 *
 * Brute force's QPS is that of the ground-truth pass. Writes bench/results/diskann.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { searchBruteForce } from '../actors/shared/vector/bruteForce.js';
import { diskannFactory } from '../runtime/vectorIndex/diskann/diskannFactory.js';
import { decodeDiskannFile, encodeDiskannFile, recordBytes } from '../runtime/vectorIndex/diskann/diskannFile.js';
import { encodeRecords, recordLayout } from '../runtime/vectorIndex/diskann/nodeRecord.js';
import { bfsRows, CachedNodes } from '../runtime/vectorIndex/diskann/nodeCache.js';
import { FileNodes, type NodeStore } from '../runtime/vectorIndex/diskann/nodeStore.js';
import { fromFloat16Bits, toFloat16Bits } from '../messages/halfFloat.js';
import { graphDim } from '../runtime/vectorIndex/diskann/graphSpace.js';
import { DiskannIndex } from '../runtime/vectorIndex/diskann/diskannIndex.js';
import type { VectorIndexFactory } from '../runtime/vectorIndex/vectorIndex.js';
import { hnswIndexFactory } from '../runtime/vectorIndex/hnswIndex.js';
import type { SearchOptions, VectorIndex } from '../runtime/vectorIndex/vectorIndex.js';
import { gaussianMixture, recallAtK, type Dataset } from './support/dataset.js';
import { numberOption } from './support/options.js';
import { median, percentiles } from './support/percentiles.js';
import { printTable } from './support/table.js';

const K = 10;
const MiB = 2 ** 20;

interface Run { index: string; knob: string; value: number | null; recallAt10: number; qps: number; p50Ms: number; p99Ms: number }

function listOption(args: string[], name: string, fallback: string): number[] {
  const i = args.indexOf(`--${name}`);
  return (i >= 0 && i + 1 < args.length ? args[i + 1]! : fallback).split(',').map(Number);
}

/** `reps` timed passes over every query after a warm-up; the median pass's figures. */
function measure(name: string, index: VectorIndex, knob: 'ef' | 'searchList', value: number, ds: Dataset, truth: number[][], reps: number): Run {
  const opts: SearchOptions = { [knob]: value };
  for (const q of ds.queries.slice(0, 50)) index.search(q, K, opts);
  const passes = Array.from({ length: reps }, () => {
    const ids: number[][] = [], lat: number[] = [];
    const start = performance.now();
    for (const q of ds.queries) {
      const t0 = performance.now();
      ids.push(index.search(q, K, opts).map((h) => h.row));
      lat.push(performance.now() - t0);
    }
    return { ids, lat, ms: performance.now() - start };
  });
  const mid = passes.find((p) => p.ms === median(passes.map((x) => x.ms)))!;
  const [p50, p99] = percentiles(mid.lat, [50, 99]);
  return { index: name, knob: knob === 'ef' ? 'ef' : 'search_list', value, recallAt10: recallAtK(mid.ids, truth, K), qps: (ds.queries.length / mid.ms) * 1000, p50Ms: p50!, p99Ms: p99! };
}

/** As measure, through searchAsync, `lanes` queries in flight at once (1: a single client); the median pass's recall and QPS. */
async function measureAsync(index: DiskannIndex, searchList: number, ds: Dataset, truth: number[][], reps: number, lanes: number): Promise<{ recallAt10: number; qps: number }> {
  const pass = async () => {
    const ids: number[][] = new Array(ds.queries.length);
    let next = 0;
    const start = performance.now();
    await Promise.all(Array.from({ length: lanes }, async () => {
      for (let i = next++; i < ds.queries.length; i = next++) ids[i] = (await index.searchAsync(ds.queries[i]!, K, { searchList })).map((h) => h.row);
    }));
    return { ids, ms: performance.now() - start };
  };
  for (const q of ds.queries.slice(0, 50)) await index.searchAsync(q, K, { searchList });
  const passes: Array<{ ids: number[][]; ms: number }> = [];
  for (let r = 0; r < reps; r++) passes.push(await pass());
  const mid = passes.find((p) => p.ms === median(passes.map((x) => x.ms)))!;
  return { recallAt10: recallAtK(mid.ids, truth, K), qps: (ds.queries.length / mid.ms) * 1000 };
}

/**
 * `idx`'s file and cache with a step's reads awaited one after another (each
 * asynchronous read chained to the one before): the round trips of a step
 * before searchAsync issued them together.
 */
async function oneByOne(idx: DiskannIndex, file: Uint8Array, ds: Dataset, dir: string): Promise<DiskannIndex> {
  const { parts, nodes } = decodeDiskannFile(file, ds.dim, ds.metric), { size, vectorBytes } = recordLayout(graphDim(ds.dim, ds.metric), parts.maxDegree, parts.element);
  const inner = await FileNodes.create(dir, nodes, size);
  let last: Promise<void> = Promise.resolve();
  const serial: NodeStore = {
    residentBytes: 0, all: () => inner.all(), close: () => inner.close(), read: (r, into, at) => inner.read(r, into, at),
    readAsync: (r, into, at) => (last = last.then(() => inner.readAsync(r, into, at))),
  };
  const cached = bfsRows(nodes, size, vectorBytes, parts.medoid, idx.reads.cachedNodes);
  return new DiskannIndex(parts, new CachedNodes(serial, size, parts.count, cached, nodes), idx.beamWidth);
}

/** The built (float32, L2) file with its records' vectors at float16: the same graph and codes, as a Float16Vector field's file holds them. */
function asFloat16File(file: Uint8Array, ds: Dataset): Uint8Array {
  const { parts, nodes } = decodeDiskannFile(file, ds.dim, ds.metric), { count, maxDegree } = parts;
  const from = recordLayout(ds.dim, maxDegree), copy = nodes.slice(), f32 = new Float32Array(copy.buffer), i32 = new Int32Array(copy.buffer);
  const rows = new Float32Array(count * ds.dim), degrees = new Int32Array(count), neighbours = new Int32Array(count * maxDegree);
  for (let r = 0; r < count; r++) {
    const at = (r * from.size) >> 2;
    rows.set(f32.subarray(at, at + ds.dim), r * ds.dim);
    degrees[r] = i32[at + ds.dim]!;
    neighbours.set(i32.subarray(at + ds.dim + 1, at + ds.dim + 1 + degrees[r]!), r * maxDegree);
  }
  return encodeDiskannFile({ ...parts, element: 'f16' }, encodeRecords(recordLayout(ds.dim, maxDegree, 'f16'), ds.dim, rows, rows, degrees, neighbours));
}

interface LoadRun { knob: string; value: number; searchList: number; cachedNodes: number; beamWidth: number; recallAt10: number; qps: number; fileReadsPerQuery: number; cacheHitsPerQuery: number; stepsPerQuery: number; qpsRatio: number; async?: { recallAt10: number; qps: number; qpsVsSync: number; qps8InFlight: number; oneByOneQps: number; qpsVsOneByOne: number } }

/**
 * The built index's file loaded once per value of one load-time knob (the
 * file's ratio rewritten), searched at each search_list: QPS and what each
 * query read, relative to the first value's QPS at the same search_list.
 */
async function loadKnob(factory: VectorIndexFactory, file: Uint8Array, ds: Dataset, truth: number[][], reps: number, knob: 'cacheRatio' | 'beamwidthRatio', values: number[], lists: number[], withAsync?: { dir: string }): Promise<LoadRun[]> {
  const { parts, nodes } = decodeDiskannFile(file, ds.dim, ds.metric);
  const runs: LoadRun[] = [];
  for (const value of values) {
    const valued = encodeDiskannFile({ ...parts, [knob]: value }, nodes), idx = await factory.load(valued, ds.dim, ds.metric) as DiskannIndex;
    for (const searchList of lists) {
      const before = { ...idx.reads };
      const r = measure('DISKANN', idx, 'searchList', searchList, ds, truth, reps);
      // Per query of the timed passes and the warm-up (50 queries) alike.
      const asked = reps * ds.queries.length + Math.min(50, ds.queries.length);
      const base = runs.find((x) => x.searchList === searchList)?.qps ?? r.qps;
      runs.push({
        knob: knob === 'cacheRatio' ? 'search_cache_budget_gb_ratio' : 'beamwidth_ratio', value, searchList, cachedNodes: idx.reads.cachedNodes, beamWidth: idx.beamWidth,
        recallAt10: r.recallAt10, qps: r.qps, qpsRatio: r.qps / base,
        fileReadsPerQuery: (idx.reads.fileReads - before.fileReads) / asked, cacheHitsPerQuery: (idx.reads.cacheHits - before.cacheHits) / asked, stepsPerQuery: (idx.reads.rounds - before.rounds) / asked,
      });
      if (withAsync) {
        const a = await measureAsync(idx, searchList, ds, truth, reps, 1), many = await measureAsync(idx, searchList, ds, truth, reps, 8);
        const serial = await oneByOne(idx, valued, ds, withAsync.dir), s1 = await measureAsync(serial, searchList, ds, truth, reps, 1);
        serial.close();
        if (many.recallAt10 !== a.recallAt10 || s1.recallAt10 !== a.recallAt10) throw new Error('an asynchronous search answered otherwise');
        runs.at(-1)!.async = { ...a, qpsVsSync: a.qps / r.qps, qps8InFlight: many.qps, oneByOneQps: s1.qps, qpsVsOneByOne: a.qps / s1.qps };
      }
    }
    idx.close();
  }
  return runs;
}

function printLoadRuns(runs: LoadRun[]): void {
  const async = runs.some((r) => r.async);
  printTable([runs[0]!.knob, 'cached nodes', 'beam', 'search_list', 'recall@10', 'QPS', 'x first', 'file reads/q', 'cache hits/q', 'steps/q', ...(async ? ['async recall', 'async QPS', 'x sync', 'async one by one QPS', 'x one by one', 'async QPS 8 in flight'] : [])], runs.map((r) => [
    String(r.value), String(r.cachedNodes), String(r.beamWidth), String(r.searchList), r.recallAt10.toFixed(4), r.qps, r.qpsRatio.toFixed(2), r.fileReadsPerQuery.toFixed(1), r.cacheHitsPerQuery.toFixed(1), r.stepsPerQuery.toFixed(1),
    ...(r.async ? [r.async.recallAt10.toFixed(4), r.async.qps, r.async.qpsVsSync.toFixed(2), r.async.oneByOneQps, r.async.qpsVsOneByOne.toFixed(2), r.async.qps8InFlight] : []),
  ]));
}

export default async function run(args: string[]): Promise<void> {
  const n = numberOption(args, 'n', 50_000), dim = numberOption(args, 'dim', 128), nq = numberOption(args, 'queries', 500), reps = numberOption(args, 'reps', 3);
  const lists = listOption(args, 'lists', '16,32,64,128');
  const build = { maxDegree: numberOption(args, 'max-degree', 56), searchListSize: numberOption(args, 'build-list', 100) };
  const hnsw = { M: 16, efConstruction: 200 };
  const ds = gaussianMixture({ n, dim, queries: nq, seed: numberOption(args, 'seed', 1) });
  console.log(`dataset ${ds.name}: ${n} x ${dim}, ${nq} queries; DISKANN max_degree=${build.maxDegree} search_list_size=${build.searchListSize} pq_code_budget_gb_ratio=0.125; HNSW M=${hnsw.M} efConstruction=${hnsw.efConstruction}`);

  const t0 = performance.now();
  const truth = searchBruteForce({ vectors: ds.vectors, dim, count: n, metric: ds.metric, queries: ds.queries, k: K }).map((hs) => hs.map((h) => h.row));
  const bruteMs = performance.now() - t0;
  const runs: Run[] = [{ index: 'brute force', knob: '-', value: null, recallAt10: 1, qps: (nq / bruteMs) * 1000, p50Ms: bruteMs / nq, p99Ms: NaN }];

  const dir = mkdtempSync(join(tmpdir(), 'nuthatch-bench-diskann-'));
  try {
    const factory = diskannFactory(dir);
    let t = performance.now();
    const built = await factory.build(ds.vectors, dim, ds.metric, build);
    const diskannBuildSeconds = (performance.now() - t) / 1000;
    const file = await built.serialize();
    t = performance.now();
    const loaded = await factory.load(file, dim, ds.metric) as DiskannIndex;
    const diskannLoadSeconds = (performance.now() - t) / 1000;
    const resident = loaded.residentBytes, onDisk = n * recordBytes(graphDim(dim, ds.metric), build.maxDegree);
    console.log(`DISKANN: built in ${diskannBuildSeconds.toFixed(1)} s, loaded in ${diskannLoadSeconds.toFixed(2)} s; ${(resident / MiB).toFixed(2)} MiB in memory (PQ ${loaded.parts.pq.m} B/row), ${(onDisk / MiB).toFixed(1)} MiB on local disk`);

    t = performance.now();
    const h = await hnswIndexFactory.build(ds.vectors, dim, ds.metric, hnsw);
    const hnswBuildSeconds = (performance.now() - t) / 1000;
    const hnswBytes = (await h.serialize()).length;
    console.log(`HNSW: built in ${hnswBuildSeconds.toFixed(1)} s, ${(hnswBytes / MiB).toFixed(1)} MiB in memory (serialized size: vectors and graph)`);

    for (const l of lists) runs.push(measure('DISKANN', loaded, 'searchList', l, ds, truth, reps));
    for (const ef of lists) runs.push(measure('HNSW', h, 'ef', ef, ds, truth, reps));
    const brute = runs[0]!.qps;
    printTable(['index', 'knob', 'recall@10', 'QPS', 'x brute', 'p50 ms', 'p99 ms'], runs.map((r) => [
      r.index, r.value === null ? '-' : `${r.knob}=${r.value}`, r.recallAt10.toFixed(4), r.qps, (r.qps / brute).toFixed(1), r.p50Ms.toFixed(3), Number.isNaN(r.p99Ms) ? '-' : r.p99Ms.toFixed(3),
    ]));
    console.log(`memory held: DISKANN ${(resident / MiB).toFixed(2)} MiB vs HNSW ${(hnswBytes / MiB).toFixed(1)} MiB (${(hnswBytes / resident).toFixed(1)}x less); raw vectors ${(n * dim * 4 / MiB).toFixed(1)} MiB`);
    loaded.close();

    const loadLists = [16, 64];
    console.log('\nnode cache (search_cache_budget_gb_ratio; the file is in the OS page cache, so a file read is a pread syscall, not a device read):');
    const cache = await loadKnob(factory, file, ds, truth, reps, 'cacheRatio', [0, 0.1, 0.29], loadLists);
    printLoadRuns(cache);
    console.log('\nbeam width 4, 8, 16 (beamwidth_ratio on a factory reckoning 1 CPU, so the ratio is the width); search: a step\'s reads one after another; async: issued together:');
    const beam = await loadKnob(diskannFactory(dir, { cpus: 1 }), file, ds, truth, reps, 'beamwidthRatio', [4, 8, 16], loadLists, { dir });
    printLoadRuns(beam);

    // A Float16Vector field's file: the same graph, its records at 2 bytes a value.
    const halfFile = asFloat16File(file, ds), halfLocal = n * recordBytes(graphDim(dim, ds.metric), build.maxDegree, 'f16');
    const rounded = ds.vectors.map((x) => fromFloat16Bits(toFloat16Bits(x)));
    const halfTruth = searchBruteForce({ vectors: rounded, dim, count: n, metric: ds.metric, queries: ds.queries, k: K }).map((hs) => hs.map((h) => h.row));
    const halfIdx = await factory.load(halfFile, dim, ds.metric) as DiskannIndex;
    const halfRuns = loadLists.map((l) => measure('DISKANN f16', halfIdx, 'searchList', l, { ...ds, vectors: rounded }, halfTruth, reps));
    halfIdx.close();
    const float16 = { indexFileBytes: { float32: file.length, float16: halfFile.length }, localFileBytes: { float32: onDisk, float16: halfLocal }, runs: halfRuns };
    console.log(`\nFloat16 records: index file ${(file.length / MiB).toFixed(2)} -> ${(halfFile.length / MiB).toFixed(2)} MiB, local file ${(onDisk / MiB).toFixed(2)} -> ${(halfLocal / MiB).toFixed(2)} MiB (x${(halfLocal / onDisk).toFixed(3)}; vectors ${n * dim * 4} -> ${n * dim * 2} bytes)`);
    printTable(['records', 'search_list', 'recall@10 (vs f16 brute force)', 'QPS'], halfRuns.map((r) => ['f16', String(r.value), r.recallAt10.toFixed(4), r.qps]));
    const report = {
      dataset: ds.name, n, dim, queries: nq, k: K, diskann: { ...build, pqCodeBudgetGbRatio: 0.125, pqBytesPerRow: loaded.parts.pq.m }, hnsw,
      buildSeconds: { diskann: diskannBuildSeconds, hnsw: hnswBuildSeconds }, diskannLoadSeconds,
      memoryBytes: { diskannResident: resident, diskannLocalFile: onDisk, hnsw: hnswBytes, rawVectors: n * dim * 4 },
      bruteForceQps: brute, runs, cache, beam, float16,
    };
    const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
    mkdirSync(out, { recursive: true });
    writeFileSync(`${out}diskann.json`, JSON.stringify(report, null, 2) + '\n');
    console.log(`wrote ${out}diskann.json`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

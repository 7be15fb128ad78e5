/**
 * MINHASH_LSH benchmark: QPS and recall of near-duplicate search against
 * brute-force MHJACCARD, measured in the same run. A corpus of random-word
 * documents (default 10,000 of 60 words) in which `--queries` documents
 * have a planted twin, 2 to 12 words of 60 replaced (similarities from
 * about 0.9 down to 0.4); signatures by the MINHASH function (64 hashes,
 * word 3-shingles); each planted document is a query.
 *
 *   npm run bench -- minhashLsh [--n 10000] [--queries 500] [--hashes 64] [--bands 8,16,32] [--reps 3]
 *
 * Recall is of the near-duplicates: the brute-force top-10 hits with
 * MHJACCARD >= 0.3 (the rest are unrelated documents, whose similarity is
 * about 0 and whose order is arbitrary), and how many of them the index
 * returns in its top 10. Writes bench/results/minhashLsh.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { searchBlock } from '../actors/shared/vector/bruteForce.js';
import { analyzerOf } from '../messages/analyzer.js';
import { minhashParamsOf } from '../messages/minhash/minhashParams.js';
import { minhashBytes } from '../messages/minhash/minhashSignature.js';
import { STANDARD_ANALYZER } from '../messages/text/analyzerParams.js';
import { minhashLshFactory } from '../runtime/vectorIndex/minhashLsh/minhashLshFactory.js';
import type { SearchOptions, VectorIndex } from '../runtime/vectorIndex/vectorIndex.js';
import { mulberry32 } from './support/dataset.js';
import { numberOption } from './support/options.js';
import { median } from './support/percentiles.js';
import { printTable } from './support/table.js';

const K = 10, NEAR = 0.3, WORDS = 60;

interface Run { index: string; knob: string; buildSeconds: number | null; indexMiB: number | null; nearRecall: number; twinRecall: number; qps: number }

function widen(bytes: Uint8Array, out: Float32Array, at: number): void {
  for (let i = 0; i < bytes.length * 8; i++) out[at + i] = (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
}

export default async function run(args: string[]): Promise<void> {
  const n = numberOption(args, 'n', 10_000), nq = numberOption(args, 'queries', 500), hashes = numberOption(args, 'hashes', 64), reps = numberOption(args, 'reps', 3);
  const bandsList = (args.includes('--bands') ? args[args.indexOf('--bands') + 1]! : '8,16,32').split(',').map(Number);
  const dim = hashes * 32, rowBytes = dim / 8;
  const r = mulberry32(numberOption(args, 'seed', 1)), vocab = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}`);
  const texts = Array.from({ length: n }, () => Array.from({ length: WORDS }, () => vocab[Math.floor(r() * vocab.length)]!).join(' '));
  const queries: number[] = [], twin = new Map<number, number>();
  for (let q = 0; q < nq; q++) {
    const a = q * 2, b = a + 1, words = texts[a]!.split(' '), edits = 2 + 2 * (q % 6);
    for (let e = 0; e < edits; e++) words[Math.floor(r() * WORDS)] = vocab[Math.floor(r() * vocab.length)]!;
    texts[b] = words.join(' ');
    queries.push(a); twin.set(a, b);
  }
  const params = minhashParamsOf({ num_hashes: hashes, shingle_size: 3 }, dim, 'bench'), analyzer = analyzerOf(STANDARD_ANALYZER);
  let t0 = performance.now();
  const bytes = new Uint8Array(n * rowBytes);
  texts.forEach((t, i) => bytes.set(minhashBytes(t, params, analyzer), i * rowBytes));
  console.log(`${n} documents, ${nq} with a planted twin; ${hashes} hashes (dim ${dim}); signatures in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const qvecs = queries.map((row) => { const v = new Float32Array(dim); widen(bytes.subarray(row * rowBytes, (row + 1) * rowBytes), v, 0); return v; });

  // Brute force: exact MHJACCARD over every row (the ground truth), timed the same way as the index.
  const block = { type: 'BinaryVector' as const, dim, bytes };
  const bruteTimes: number[] = [];
  let exact: Array<Array<{ row: number; distance: number }>> = [];
  for (let p = 0; p < reps; p++) {
    t0 = performance.now();
    exact = searchBlock({ block, count: n, metric: 'MHJACCARD', queries: qvecs, k: K, mhElementBytes: 4 });
    bruteTimes.push(performance.now() - t0);
  }
  const near = exact.map((hs) => hs.filter((h) => h.distance >= NEAR).map((h) => h.row));
  const score = (ids: number[][]) => {
    let got = 0, total = 0, twins = 0;
    ids.forEach((found, qi) => {
      const set = new Set(found);
      for (const row of near[qi]!) { total++; if (set.has(row)) got++; }
      if (set.has(twin.get(queries[qi]!)!)) twins++;
    });
    return { nearRecall: total ? got / total : 1, twinRecall: twins / ids.length };
  };
  const bruteMs = median(bruteTimes);
  const runs: Run[] = [{ index: 'brute force MHJACCARD', knob: '-', buildSeconds: null, indexMiB: null, ...score(exact.map((hs) => hs.map((h) => h.row))), qps: (nq / bruteMs) * 1000 }];

  const measure = (index: VectorIndex, opts: SearchOptions) => {
    for (const q of qvecs.slice(0, 50)) index.search(q, K, opts);
    const passes = Array.from({ length: reps }, () => {
      const start = performance.now();
      const ids = qvecs.map((q) => index.search(q, K, opts).map((h) => h.row));
      return { ids, ms: performance.now() - start };
    });
    const mid = passes.find((p) => p.ms === median(passes.map((x) => x.ms)))!;
    return { ...score(mid.ids), qps: (nq / mid.ms) * 1000 };
  };
  for (const bands of bandsList) {
    t0 = performance.now();
    // From the packed bits, as the index node builds it.
    const index = await minhashLshFactory.buildBits!(bytes, dim, 'MHJACCARD', { mhLshBand: bands, mhElementBitWidth: 32 });
    const buildSeconds = (performance.now() - t0) / 1000, indexMiB = (await index.serialize()).length / 2 ** 20;
    runs.push({ index: 'MINHASH_LSH', knob: `bands=${bands} jaccard`, buildSeconds, indexMiB, ...measure(index, { mhSearchWithJaccard: true }) });
    runs.push({ index: 'MINHASH_LSH', knob: `bands=${bands} by bands`, buildSeconds, indexMiB, ...measure(index, {}) });
  }
  printTable(['index', 'knob', 'build s', 'MiB', `near recall@${K}`, 'twin recall', 'QPS', 'x brute'], runs.map((x) => [
    x.index, x.knob, x.buildSeconds === null ? '-' : x.buildSeconds, x.indexMiB === null ? '-' : x.indexMiB, x.nearRecall.toFixed(4), x.twinRecall.toFixed(4), x.qps, (x.qps / runs[0]!.qps).toFixed(1),
  ]));
  const report = { n, queries: nq, hashes, k: K, nearThreshold: NEAR, bruteForceQps: runs[0]!.qps, runs };
  const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}minhashLsh.json`, JSON.stringify(report, null, 2) + '\n');
  console.log(`wrote ${dir}minhashLsh.json`);
}

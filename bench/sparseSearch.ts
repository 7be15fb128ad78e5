/**
 * What pruning buys a sparse search (actors/shared/vector/sparseSearch.ts):
 * top-k QPS over one segment's inverted lists with MaxScore-style pruning,
 * against scoring every row of every list (the baseline of the same run, same
 * lists, same queries). Documents and queries draw their terms Zipf-like, as
 * text does, scored by BM25; a filtered case accepts half the rows. The answers
 * must be equal, which the bench checks.
 *
 *   npm run bench -- sparseSearch [--n 100000] [--vocab 30000] [--queries 400] [--reps 3]
 *
 * Writes bench/results/sparseSearch.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BM25_DEFAULTS, type QueryTerms } from '../messages/bm25.js';
import { encodeSparse } from '../messages/sparse.js';
import { postingsOf } from '../actors/shared/vector/sparsePostings.js';
import { exhaustive, searchPostings, type SparseScoring } from '../actors/shared/vector/sparseSearch.js';
import type { RowHit } from '../actors/shared/vector/bruteForce.js';
import { numberOption } from './support/options.js';
import { printTable } from './support/table.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

/** A term drawn by Zipf's law (rank r with weight 1/r) over `vocab` terms, by inverting the harmonic CDF approximately. */
function zipf(vocab: number, r: () => number): number {
  return Math.min(vocab - 1, Math.floor(Math.exp(r() * Math.log(vocab + 1)) - 1));
}

function documents(n: number, vocab: number, r: () => number): Uint8Array[] {
  return Array.from({ length: n }, () => {
    const tf = new Map<number, number>();
    const len = 20 + Math.floor(r() * 100);
    for (let i = 0; i < len; i++) { const t = zipf(vocab, r); tf.set(t, (tf.get(t) ?? 0) + 1); }
    const terms = [...tf.keys()].sort((a, b) => a - b);
    return encodeSparse({ indices: Uint32Array.from(terms), values: Float32Array.from(terms, (t) => tf.get(t)!) });
  });
}

type Search = typeof searchPostings;

function measure(run: Search, queries: QueryTerms[], reps: number, one: (s: Search, q: QueryTerms) => RowHit[]): { qps: number; answers: string[] } {
  let best = Infinity, answers: string[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const out: string[] = [];
    const t0 = performance.now();
    for (const q of queries) out.push(one(run, q).map((h) => `${h.row}:${h.distance}`).join(','));
    best = Math.min(best, performance.now() - t0);
    answers = out;
  }
  return { qps: (queries.length * 1000) / best, answers };
}

export default async function run(args: string[]): Promise<void> {
  const n = numberOption(args, 'n', 100_000), vocab = numberOption(args, 'vocab', 30_000);
  const nq = numberOption(args, 'queries', 400), reps = numberOption(args, 'reps', 3), k = 10;
  const r = rng(42);
  const t0 = performance.now();
  const col = documents(n, vocab, r);
  const p = postingsOf(col, n);
  let avgdl = 0;
  for (const x of p.lengths) avgdl += x / n;
  const buildMs = performance.now() - t0;
  const scoring: SparseScoring = { metric: 'BM25', params: BM25_DEFAULTS, avgdl };
  // Query terms: 2-8 of them, Zipf too, idf-like weights (rarer terms weigh more).
  const queries: QueryTerms[] = Array.from({ length: nq }, () => {
    const terms = [...new Set(Array.from({ length: 2 + Math.floor(r() * 7) }, () => zipf(vocab, r)))];
    return { indices: Uint32Array.from(terms), weights: Float64Array.from(terms, (t) => Math.log(2 + t)) };
  });
  const half = (row: number) => (row & 1) === 0;
  const cases = [
    { name: 'BM25 top-10', one: (s: Search, q: QueryTerms) => s(p, q, scoring, k, undefined) },
    { name: 'BM25 top-10, half the rows filtered out', one: (s: Search, q: QueryTerms) => s(p, q, scoring, k, half) },
    { name: 'BM25 top-100', one: (s: Search, q: QueryTerms) => s(p, q, scoring, 100, undefined) },
  ];
  const results = [];
  for (const c of cases) {
    c.one(exhaustive, queries[0]!); c.one(searchPostings, queries[0]!); // warm-up
    const base = measure(exhaustive, queries, reps, c.one);
    const pruned = measure(searchPostings, queries, reps, c.one);
    const same = base.answers.every((a, i) => a === pruned.answers[i]);
    if (!same) throw new Error(`${c.name}: pruned answers differ from scoring every row`);
    results.push({ name: c.name, exhaustiveQps: base.qps, prunedQps: pruned.qps, speedup: pruned.qps / base.qps, sameAnswers: same });
  }
  const postings = [...p.lists.values()].reduce((s, l) => s + l.rows.length, 0);
  console.log(`${n} documents, ${vocab} terms, ${postings} postings (built in ${buildMs.toFixed(0)} ms), ${nq} queries of 2-8 terms, best of ${reps}`);
  printTable(['case', 'every row QPS', 'pruned QPS', 'speedup', 'same answers'], results.map((x) => [x.name, x.exhaustiveQps, x.prunedQps, x.speedup, String(x.sameAnswers)]));
  const out = { n, vocab, postings, queries: nq, reps, results, node: process.version, cores: cpus().length, loadAverage: Number(loadavg()[0]!.toFixed(2)), date: new Date().toISOString() };
  const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}sparseSearch.json`, `${JSON.stringify(out, null, 2)}\n`);
  console.log('wrote bench/results/sparseSearch.json');
}

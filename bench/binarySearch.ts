/**
 * What searching packed vectors in place buys (actors/shared/vector/vectorBlock.ts):
 * brute-force top-10 QPS and resident bytes per vector of the packed kernels
 * (BinaryVector by popcount over its bytes, Int8Vector and the halves element
 * by element) against the widened float32 path they replace (every row
 * widened into one float block, distance.ts's float kernels: the reference
 * in bench/support/widenedSearch.ts), over the same rows and queries in the
 * same run. The answers must be equal, row for row and bit for bit, which
 * the bench checks. Binary dim 136 rows are 17 bytes, off 4-byte boundaries:
 * the byte-assembled kernel rather than the Uint32Array one.
 *
 *   npm run bench -- binarySearch [--n 50000] [--queries 100] [--reps 3]
 *
 * Writes bench/results/binarySearch.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { searchBlock, type RowHit } from '../actors/shared/vector/bruteForce.js';
import { annsVectors, packVectorColumns } from '../actors/shared/vector/vectorColumn.js';
import { blockBytes, type VectorBlock } from '../actors/shared/vector/vectorBlock.js';
import { packRow, type PackedVectorType } from '../messages/packedVectors.js';
import type { MetricType } from '../messages/schema.js';
import { mulberry32 } from './support/dataset.js';
import { numberOption } from './support/options.js';
import { printTable } from './support/table.js';
import { widenedBlock, widenedQuery, widenedSearch } from './support/widenedSearch.js';

interface Case { type: PackedVectorType; dim: number; metric: MetricType }

const CASES: Case[] = [
  { type: 'BinaryVector', dim: 256, metric: 'HAMMING' },
  { type: 'BinaryVector', dim: 256, metric: 'JACCARD' },
  { type: 'BinaryVector', dim: 1024, metric: 'HAMMING' },
  { type: 'BinaryVector', dim: 136, metric: 'HAMMING' },
  { type: 'Int8Vector', dim: 128, metric: 'L2' },
  { type: 'Float16Vector', dim: 128, metric: 'IP' },
  { type: 'BFloat16Vector', dim: 128, metric: 'COSINE' },
];
const K = 10;

/** Rows of the type as a segment holds them: one Uint8Array each, packed into one buffer. */
function column(c: Case, n: number, r: () => number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => {
    const v = c.type === 'BinaryVector'
      ? Array.from({ length: c.dim / 8 }, () => Math.floor(r() * 256))
      : Array.from({ length: c.dim }, () => (c.type === 'Int8Vector' ? Math.floor(r() * 256) - 128 : r() * 2 - 1));
    const row = packRow(c.type, c.dim, v, `row ${i}`);
    if (typeof row === 'string') throw new Error(row);
    return row;
  });
}

/** Best-of-reps QPS of one query at a time, and the answers of the last rep (the caller warms both paths up first). */
function measure(search: (q: Float32Array) => RowHit[], queries: Float32Array[], reps: number): { qps: number; answers: RowHit[][] } {
  let best = Infinity, answers: RowHit[][] = [];
  for (let rep = 0; rep < reps; rep++) {
    const t0 = performance.now();
    answers = queries.map((q) => search(q));
    best = Math.min(best, performance.now() - t0);
  }
  return { qps: (queries.length * 1000) / best, answers };
}

export default async function run(args: string[]): Promise<void> {
  const n = numberOption(args, 'n', 50_000), nq = numberOption(args, 'queries', 100), reps = numberOption(args, 'reps', 3);
  const results = [];
  for (const c of CASES) {
    const r = mulberry32(c.dim + c.type.length);
    const fields: Record<string, unknown[]> = { v: column(c, n, r) };
    packVectorColumns(fields, n);
    const rows = fields.v as Uint8Array[];
    const packed: VectorBlock = annsVectors({ count: n, vectors: new Float32Array(0), fields }, { field: 'v', dim: c.dim, packed: c.type }, 0);
    const t0 = performance.now();
    const widened = widenedBlock(rows, n, c.dim, c.type);
    const widenMs = performance.now() - t0;
    const queries = Array.from({ length: nq }, () => widenedQuery(c.type, c.dim, rows[Math.floor(r() * n)]!));
    const viaFloats = (q: Float32Array) => widenedSearch({ block: widened, dim: c.dim, count: n, metric: c.metric, queries: [q], k: K })[0]!;
    const viaBytes = (q: Float32Array) => searchBlock({ block: packed, count: n, metric: c.metric, queries: [q], k: K })[0]!;
    // Both warmed up before either is timed: the one timed first must not pay the other's compilation.
    for (const q of queries.slice(0, 5)) { viaFloats(q); viaBytes(q); }
    const floats = measure(viaFloats, queries, reps);
    const inPlace = measure(viaBytes, queries, reps);
    const same = JSON.stringify(floats.answers) === JSON.stringify(inPlace.answers);
    if (!same) throw new Error(`${c.type} ${c.metric}: the packed answers differ from the widened ones`);
    results.push({
      case: `${c.type} dim ${c.dim} ${c.metric}`, widenedQps: floats.qps, packedQps: inPlace.qps, qpsRatio: inPlace.qps / floats.qps,
      widenedBytesPerVector: widened.byteLength / n, packedBytesPerVector: blockBytes(packed) / n, bytesRatio: widened.byteLength / blockBytes(packed),
      widenMs, sameAnswers: same,
    });
  }
  console.log(`${n} rows a case, ${nq} queries one at a time, brute-force top-${K}, best of ${reps}`);
  printTable(['case', 'widened QPS', 'packed QPS', 'QPS x', 'widened B/vec', 'packed B/vec', 'memory /', 'same'],
    results.map((x) => [x.case, x.widenedQps, x.packedQps, x.qpsRatio, x.widenedBytesPerVector, x.packedBytesPerVector, x.bytesRatio, String(x.sameAnswers)]));
  const out = { n, queries: nq, reps, k: K, results, node: process.version, cores: cpus().length, loadAverage: Number(loadavg()[0]!.toFixed(2)), date: new Date().toISOString() };
  const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}binarySearch.json`, `${JSON.stringify(out, null, 2)}\n`);
  console.log('wrote bench/results/binarySearch.json');
}

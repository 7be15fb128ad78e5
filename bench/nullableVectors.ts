/**
 * What a nullable vector field's column costs a query node, and how fast it
 * is scanned: a 100k × 128 FloatVector column at 0%, 50% and 90% null, held
 * compact (shared/vector/compactColumn.ts: the non-null rows' floats plus a
 * row map, what packVectorColumns now makes) beside the layout it replaced
 * (the baseline, rebuilt in the same run: a zero-filled float block of every
 * row plus a byte-a-row presence map, scanned with a presence row filter).
 * Both scans must give the same hits.
 *
 *   npm run bench -- nullableVectors [--rows 100000] [--dim 128] [--queries 30]
 *
 * Writes bench/results/nullableVectors.json. Bytes are the blocks' own
 * (structural), not heap samples.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { searchBlock } from '../actors/shared/vector/bruteForce.js';
import { annsVectors, heldColumnBytes, packVectorColumns } from '../actors/shared/vector/vectorColumn.js';
import { floatBlock, type VectorBlock } from '../actors/shared/vector/vectorBlock.js';
import { mulberry32 } from './support/dataset.js';
import { printTable } from './support/table.js';

function argOf(args: string[], name: string, def: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
}

const K = 10;

/** Queries per second of `search` over all `queries`, best of three passes (the machine is shared). */
function qps(queries: Float32Array[], search: (q: Float32Array) => unknown): number {
  let best = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    const t0 = process.hrtime.bigint();
    for (const q of queries) search(q);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return queries.length / best;
}

export default async function run(args: string[]): Promise<void> {
  const n = argOf(args, '--rows', 100_000), dim = argOf(args, '--dim', 128), nq = argOf(args, '--queries', 30);
  const rand = mulberry32(42);
  const queries = Array.from({ length: nq }, () => Float32Array.from({ length: dim }, () => rand() * 2 - 1));
  const results = [];
  for (const share of [0, 0.5, 0.9]) {
    const r = mulberry32(7 + share * 100);
    const column: unknown[] = Array.from({ length: n }, () => (r() < share ? null : Float32Array.from({ length: dim }, () => r() * 2 - 1)));
    // The baseline: every row's floats, zeros at a null, and the presence bytes beside them (what a search of the column held before).
    const full = new Float32Array(n * dim), present = new Uint8Array(n);
    column.forEach((v, row) => { if (v !== null) { full.set(v as Float32Array, row * dim); present[row] = 1; } });
    const anyNull = present.includes(0);
    const oldBytes = full.byteLength + (anyNull ? present.byteLength : 0);
    const oldBlock = floatBlock(full, dim), presence = anyNull ? (row: number) => present[row] === 1 : undefined;
    const fields = { v: column };
    packVectorColumns(fields, n);
    const compact: VectorBlock = annsVectors({ count: n, vectors: new Float32Array(0), fields }, { field: 'v', dim }, 0);
    const newBytes = heldColumnBytes(column)!;
    const viaOld = (q: Float32Array) => searchBlock({ block: oldBlock, count: n, metric: 'L2', queries: [q], k: K, ...(presence ? { accept: presence } : {}) })[0]!;
    const viaNew = (q: Float32Array) => searchBlock({ block: compact, count: n, metric: 'L2', queries: [q], k: K })[0]!;
    for (const q of queries.slice(0, 5)) if (JSON.stringify(viaOld(q)) !== JSON.stringify(viaNew(q))) throw new Error(`${share * 100}% null: the compact scan's hits differ`);
    const oldQps = qps(queries, viaOld), newQps = qps(queries, viaNew);
    results.push({ nullShare: share, nonNullRows: n - present.filter((b) => b === 0).length, oldBytes, compactBytes: newBytes, bytesRatio: newBytes / oldBytes, oldQps, compactQps: newQps, qpsRatio: newQps / oldQps });
  }
  printTable(['null', 'old MiB', 'compact MiB', 'compact/old bytes', 'old QPS', 'compact QPS', 'compact/old QPS'],
    results.map((x) => [`${x.nullShare * 100}%`, x.oldBytes / 1048576, x.compactBytes / 1048576, x.bytesRatio, x.oldQps, x.compactQps, x.qpsRatio]));
  const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}nullableVectors.json`, JSON.stringify({ rows: n, dim, queries: nq, k: K, metric: 'L2', results, node: process.version, date: new Date().toISOString() }, null, 2));
}

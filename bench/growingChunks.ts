/**
 * Reads of a growing segment filled by one-row inserts: the shard fold merges
 * their chunks (actors/streaming-node/core/chunkMerge.ts). Three layouts of
 * the same rows, measured in the same run:
 *   - one chunk (the rows in one insert): the baseline;
 *   - merged (one-row inserts through the fold, as the streaming node holds them);
 *   - unmerged (one chunk per one-row insert, as the fold held them before).
 * For each: a top-10 search, a filtered search, a filtered count(*) and a
 * JSON-path count, mean ms over `--reads` reads, and the ratio to one chunk;
 * and the fold's time for the inserts.
 *
 *   npm run bench -- growingChunks [--rows 20000] [--dim 128] [--reads 50]
 *
 * Writes bench/results/growingChunks.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evolveShard, newShard, type ShardData } from '../actors/streaming-node/core/shardData.js';
import { queryGrowing, searchGrowing, type GrowingRead } from '../actors/streaming-node/core/growingSearch.js';
import { prepareFilter } from '../messages/filter/index.js';
import type { CollectionSchema } from '../messages/schema.js';
import { newMessage, tsoOf, type AnyMessage } from '../messages/types.js';
import { numberOption } from './support/options.js';
import { printTable } from './support/table.js';

const V = 'dml_0_1v0';
let pos = 0;
const stamp = (m: AnyMessage, ms: number): AnyMessage => { m.header.tso = tsoOf(ms); m.header.walPosition = pos++; return m; };

export default async function run(args: string[]): Promise<void> {
  const rows = numberOption(args, 'rows', 20_000), dim = numberOption(args, 'dim', 128), reads = numberOption(args, 'reads', 50);
  const schema: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim }, { name: 'tag', dataType: 'Int64' }, { name: 'meta', dataType: 'JSON' }] };
  const vector = (i: number) => Float32Array.from({ length: dim }, (_, j) => Math.sin(i * 7.1 + j));
  const vectorsOf = (from: number, n: number) => { const out = new Float32Array(n * dim); for (let k = 0; k < n; k++) out.set(vector(from + k), k * dim); return out; };
  const body = (from: number, n: number) => ({
    collectionId: 1, partitionId: 2, segmentId: 3,
    rows: { count: n, pks: Array.from({ length: n }, (_, k) => from + k), vectors: vectorsOf(from, n),
      fields: { tag: Array.from({ length: n }, (_, k) => (from + k) % 10), meta: Array.from({ length: n }, (_, k) => ({ group: (from + k) % 7 })) } },
  });
  const shardOf = (): ShardData => { const s = newShard(V, 1); evolveShard(s, stamp(newMessage('CreateSegment', V, { collectionId: 1, partitionId: 2, segmentId: 3 }) as AnyMessage, 1)); return s; };

  const one = shardOf();
  evolveShard(one, stamp(newMessage('Insert', V, body(0, rows)) as AnyMessage, 10));
  const merged = shardOf();
  const inserts = Array.from({ length: rows }, (_, i) => stamp(newMessage('Insert', V, body(i, 1)) as AnyMessage, 10 + i));
  const t0 = performance.now();
  for (const m of inserts) evolveShard(merged, m);
  const foldMs = performance.now() - t0;
  // What the fold held before merging: each one-row insert its own chunk.
  const unmerged = shardOf();
  const seg = unmerged.segments.get(3)!;
  for (let i = 0; i < rows; i++) { const b = body(i, 1); seg.chunks.push({ count: 1, pks: b.rows.pks, vectors: b.rows.vectors, fields: b.rows.fields, tso: tsoOf(10 + i), partitionId: 2 }); seg.rows++; }

  const read = (filter: string | null): GrowingRead => ({ pkName: 'id', vectorName: 'v', dim, filter: filter === null ? null : prepareFilter(filter, schema), partitionIds: null, readTso: tsoOf(10 + rows), outputFields: [] });
  const q = vector(12345);
  const ops: Array<[string, (s: ShardData) => number]> = [
    ['search top-10', (s) => searchGrowing(s, read(null), [q], { k: 10, metric: 'L2' })[0]!.length],
    ['search, tag == 3', (s) => searchGrowing(s, read('tag == 3'), [q], { k: 10, metric: 'L2' })[0]!.length],
    ['count(*), tag == 3', (s) => queryGrowing(s, read('tag == 3'), true).count],
    ['count(*), meta["group"] == 2', (s) => queryGrowing(s, read('meta["group"] == 2'), true).count],
  ];
  const time = (s: ShardData, f: (s: ShardData) => number): { ms: number; answer: number } => {
    const answer = f(s);
    const t = performance.now();
    for (let i = 0; i < reads; i++) f(s);
    return { ms: (performance.now() - t) / reads, answer };
  };
  const table: Array<Array<string | number>> = [], json: Record<string, unknown>[] = [];
  for (const [name, f] of ops) {
    const base = time(one, f), m = time(merged, f), u = time(unmerged, f);
    if (m.answer !== base.answer || u.answer !== base.answer) throw new Error(`${name}: answers differ (${base.answer}, ${m.answer}, ${u.answer})`);
    table.push([name, base.ms, m.ms, u.ms, m.ms / base.ms, u.ms / base.ms]);
    json.push({ read: name, oneChunkMs: base.ms, mergedMs: m.ms, unmergedMs: u.ms, mergedRatio: m.ms / base.ms, unmergedRatio: u.ms / base.ms });
  }
  console.log(`${rows} rows, dim ${dim}, one-row inserts: ${merged.segments.get(3)!.chunks.length} chunks merged (against ${rows} unmerged); the fold took ${foldMs.toFixed(0)} ms (${(foldMs * 1000 / rows).toFixed(1)} µs an insert)`);
  printTable(['read (mean ms)', 'one chunk', 'merged', 'unmerged', 'merged/one', 'unmerged/one'], table);
  const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}growingChunks.json`, JSON.stringify({ rows, dim, readsEach: reads, mergedChunks: merged.segments.get(3)!.chunks.length, foldUsPerInsert: foldMs * 1000 / rows, reads: json }, null, 2));
}

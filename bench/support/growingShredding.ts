/**
 * The growing-segment line of bench/jsonShredding.ts: the same documents
 * inserted into a growing segment (the shard fold of
 * actors/streaming-node/core/shardData.ts, one Insert a chunk), folded twice:
 * without shredding, and with each chunk shredded as it is appended
 * (actors/shared/segment/growingShredding.ts). Each query compiles its filter
 * and counts the matching rows over the growing rows as a delegator does
 * (queryGrowing, every chunk, deletes and TSO checked a row); the counts must
 * agree. Also the fold's time with and without shredding.
 */
import { prepareFilter } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { newMessage, tsoOf, type AnyMessage } from '../../messages/types.js';
import { JSON_SHREDDING_DEFAULTS, jsonColumnNames } from '../../actors/shared/segment/jsonShredding.js';
import { evolveShard, newShard, shreddedGrowingBytes, type EvolveOptions, type ShardData } from '../../actors/streaming-node/core/shardData.js';
import { queryGrowing, type GrowingRead } from '../../actors/streaming-node/core/growingSearch.js';

export interface GrowingFigures { qps: number; counts: number[] }

/** A shard holding one growing segment of `text`'s documents (and `dynText`'s as `$meta`), in chunks of `chunk` rows. */
function foldShard(text: string[], dynText: string[], chunk: number, opts: EvolveOptions): { shard: ShardData; ms: number } {
  const V = 'dml_0_1v0', shard = newShard(V, 1);
  let pos = 0;
  const stamp = (m: AnyMessage, ms: number): AnyMessage => { m.header.tso = tsoOf(ms); m.header.walPosition = pos++; return m; };
  evolveShard(shard, stamp(newMessage('CreateSegment', V, { collectionId: 1, partitionId: 2, segmentId: 3 }) as AnyMessage, 1));
  // Parsed before the clock starts: a streaming node decodes a message before folding it either way.
  const inserts: AnyMessage[] = [];
  for (let from = 0; from < text.length; from += chunk) {
    const to = Math.min(text.length, from + chunk), n = to - from;
    const fields = { meta: text.slice(from, to).map((t) => JSON.parse(t) as unknown), $meta: dynText.slice(from, to).map((t) => JSON.parse(t) as unknown) };
    const pks = Array.from({ length: n }, (_, i) => from + i);
    inserts.push(stamp(newMessage('Insert', V, { collectionId: 1, partitionId: 2, segmentId: 3, rows: { count: n, pks, vectors: new Float32Array(2 * n), fields } }) as AnyMessage, 10 + from));
  }
  const t = performance.now();
  for (const m of inserts) evolveShard(shard, m, opts);
  return { shard, ms: performance.now() - t };
}

function measure(shard: ShardData, schema: CollectionSchema, of: (q: number) => string, queries: number, reps: number): GrowingFigures {
  const one = (q: number): number => {
    const read: GrowingRead = { pkName: 'id', vectorName: 'vec', dim: 2, filter: prepareFilter(of(q), schema)!, partitionIds: null, readTso: tsoOf(1e12), outputFields: [] };
    return queryGrowing(shard, read, true).count;
  };
  for (let q = 0; q < Math.min(5, queries); q++) one(q);
  const passes: Array<{ ms: number; counts: number[] }> = [];
  for (let r = 0; r < reps; r++) {
    const counts: number[] = [], t0 = performance.now();
    for (let q = 0; q < queries; q++) counts.push(one(q));
    passes.push({ ms: performance.now() - t0, counts });
  }
  const mid = passes.sort((a, b) => a.ms - b.ms)[reps >> 1]!;
  return { qps: (queries / mid.ms) * 1000, counts: mid.counts };
}

/** Per filter: growing rows read row by row, and over the chunks' shredded columns. */
export function measureGrowing(schema: CollectionSchema, text: string[], dynText: string[], chunk: number, filters: ReadonlyArray<{ of: (q: number) => string }>, queries: number, reps: number) {
  const plain = foldShard(text, dynText, chunk, {});
  const shredded = foldShard(text, dynText, chunk, { shred: { columns: jsonColumnNames(schema), cfg: JSON_SHREDDING_DEFAULTS } });
  const rows = filters.map((f) => measure(plain.shard, schema, f.of, queries, reps));
  const shred = filters.map((f) => measure(shredded.shard, schema, f.of, queries, reps));
  const same = filters.map((_, i) => rows[i]!.counts.every((c, j) => c === shred[i]!.counts[j]));
  return { rows, shred, same, foldMs: plain.ms, foldShreddedMs: shredded.ms, shreddedBytes: shreddedGrowingBytes(shredded.shard) };
}

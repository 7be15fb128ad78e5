import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MERGE_FANIN, MERGED_ROWS } from '../../actors/streaming-node/core/chunkMerge.js';
import { evolveShard, newShard, shreddedGrowingBytes, type ShardData } from '../../actors/streaming-node/core/shardData.js';
import { queryGrowing, searchGrowing, type GrowingRead } from '../../actors/streaming-node/core/growingSearch.js';
import { prepareFilter } from '../../messages/filter/index.js';
import { shreddedOf } from '../../messages/filter/shreddedJson.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { tsoOf, type AnyMessage } from '../../messages/types.js';
import { JSON_SHREDDING_DEFAULTS, shreddedBytes } from '../../actors/shared/segment/jsonShredding.js';
import { walMessages } from '../support/walMessages.js';
import { rng } from '../filter/fixtures.js';

/**
 * Merging a growing segment's small chunks (streaming-node/core/chunkMerge.ts):
 * a segment of one-row inserts is held in a few dozen chunks, and every read at
 * every TSO sees exactly the rows it saw before the merge — each row by its own
 * TSO, against deletes, re-inserts of a key and the TTL's cut.
 */
const V = 'dml_0_7v0';
const DIM = 2;
const SCHEMA: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: DIM }, { name: 'tag', dataType: 'Int64' }, { name: 'meta', dataType: 'JSON', nullable: true }] };
const wal = walMessages(V);

interface Written { id: number; tag: number; ms: number }

/** A random history: inserts of 1..20 rows (keys reused: an insert over a live key is a second version), deletes. */
function history(seed: number, steps: number): { msgs: AnyMessage[]; written: Written[]; deletes: Array<{ id: number; ms: number }> } {
  const r = rng(seed), msgs: AnyMessage[] = [wal.msg('CreateSegment', 1, { collectionId: 7, partitionId: 8, segmentId: 9 })];
  const written: Written[] = [], deletes: Array<{ id: number; ms: number }> = [];
  let ms = 10;
  for (let i = 0; i < steps; i++) {
    ms += 1 + Math.floor(r() * 3);
    if (r() < 0.15 && written.length > 0) {
      const ids = [written[Math.floor(r() * written.length)]!.id];
      msgs.push(wal.msg('Delete', ms, { collectionId: 7, partitionId: -1, pks: ids }));
      deletes.push({ id: ids[0]!, ms });
      continue;
    }
    const n = r() < 0.8 ? 1 : 1 + Math.floor(r() * 20);
    const rows = Array.from({ length: n }, () => ({ id: Math.floor(r() * 400), tag: Math.floor(r() * 5), ms }));
    written.push(...rows);
    msgs.push(wal.msg('Insert', ms, { collectionId: 7, partitionId: 8, segmentId: 9, rows: {
      count: n, pks: rows.map((x) => x.id), vectors: Float32Array.from(rows.flatMap((x) => [x.id, x.tag])),
      fields: { tag: rows.map((x) => x.tag), meta: rows.map((x) => ({ tag: x.tag, even: x.id % 2 === 0 })) },
    } }));
  }
  return { msgs, written, deletes };
}

const read = (readTso: bigint, filter: string | null = null, expiredBelow?: bigint): GrowingRead => ({
  pkName: 'id', vectorName: 'v', dim: DIM, filter: filter === null ? null : prepareFilter(filter, SCHEMA), partitionIds: null, readTso, outputFields: [], ...(expiredBelow === undefined ? {} : { expiredBelow }),
});

/** The rows a read at `atMs` sees, worked out from the history alone: written by then (and not before the cut), not deleted after their write. */
function expected(h: ReturnType<typeof history>, atMs: number, keep: (w: Written) => boolean, cutMs = 0): string[] {
  return h.written.filter((w) => w.ms <= atMs && w.ms >= cutMs && keep(w) && !h.deletes.some((d) => d.id === w.id && d.ms > w.ms && d.ms <= atMs))
    .map((w) => `${w.id}@${w.ms}`).sort();
}

/** The keys of versions `id@ms`, each once. */
const keysOf = (versions: string[]) => [...new Set(versions.map((k) => k.split('@')[0]!))].sort();

function fold(h: ReturnType<typeof history>, shred: boolean): ShardData {
  const s = newShard(V, 7);
  for (const m of h.msgs) evolveShard(s, m, shred ? { shred: { columns: ['meta'], cfg: { ...JSON_SHREDDING_DEFAULTS, enabledJSONShredding: true } } } : {});
  return s;
}

test('a segment of one-row inserts is held in a few chunks, each row once, in order', () => {
  const h = history(1, 3000);
  const s = fold(h, false);
  const seg = s.segments.get(9)!;
  const rows = seg.chunks.reduce((n, c) => n + c.count, 0);
  assert.is(rows, h.written.length, 'every row once');
  assert.ok(seg.chunks.filter((c) => c.count < MERGED_ROWS).length < MERGE_FANIN, 'fewer than MERGE_FANIN small chunks');
  assert.ok(seg.chunks.length < rows / MERGED_ROWS + MERGE_FANIN, `${seg.chunks.length} chunks for ${rows} rows`);
  assert.equal(seg.chunks.flatMap((c) => c.pks), h.written.map((w) => w.id), 'in write order');
});

for (const seed of [2, 3, 4]) {
  test(`seed ${seed}: every read at every TSO sees what the history says, filtered, counted, searched and past a TTL cut`, () => {
    const h = history(seed, 1200);
    const s = fold(h, seed === 4);
    const lastMs = h.written.at(-1)!.ms;
    for (let at = 5; at <= lastMs + 5; at += 37) {
      const tso = tsoOf(at);
      const ids = (xs: Array<{ pk: unknown }>) => xs.map((x) => String(x.pk)).sort();
      const versions = expected(h, at, () => true), want = keysOf(versions);
      // Keys, as a query gives them (one row per key, shared/segment/newestCopy.ts); a count counts every version.
      assert.equal(ids(queryGrowing(s, read(tso), false, { limit: 0 }).rows), want, `query at ${at}`);
      assert.is(queryGrowing(s, read(tso), true).count, versions.length, `count at ${at}`);
      const tag2 = keysOf(expected(h, at, (w) => w.tag === 2));
      assert.equal(ids(queryGrowing(s, read(tso, 'tag == 2'), false, { limit: 0 }).rows), tag2, `filtered at ${at}`);
      assert.equal(ids(queryGrowing(s, read(tso, 'meta["tag"] == 2'), false, { limit: 0 }).rows), tag2, `JSON-filtered at ${at}`);
      const cut = Math.max(0, at - 200);
      assert.is(queryGrowing(s, read(tso, null, tsoOf(cut)), true).count, expected(h, at, () => true, cut).length, `past the cut at ${at}`);
      // The nearest row to (id, tag) is that row itself while it is visible.
      const version = expected(h, at, () => true)[0];
      const probe = version === undefined ? undefined : h.written.find((w) => `${w.id}@${w.ms}` === version);
      if (probe) {
        const [hits] = searchGrowing(s, read(tso), [Float32Array.from([probe.id, probe.tag])], { k: 1, metric: 'L2' });
        assert.is(hits![0]!.distance, 0, `search at ${at}`);
      }
    }
  });
}

test('with JSON shredding on, one-row inserts end in merged chunks that carry a shredded form', () => {
  const s = fold(history(5, 2000), true);
  const chunks = s.segments.get(9)!.chunks;
  const shredded = chunks.filter((c) => shreddedOf(c.fields.meta!) !== undefined);
  assert.ok(shredded.length > 0 && shredded.every((c) => c.count >= MERGE_FANIN), `${shredded.length} of ${chunks.length} chunks shredded`);
  assert.ok(chunks.filter((c) => c.count >= MERGE_FANIN).every((c) => shreddedOf(c.fields.meta!) !== undefined), 'every chunk of 16 rows or more');
  assert.is(shreddedGrowingBytes(s), shredded.reduce((n, c) => n + shreddedBytes(shreddedOf(c.fields.meta!)!), 0), 'the bytes counted are those of the forms held');
});

test.run();

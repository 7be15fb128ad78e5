/**
 * Specifies JSON shredding of growing segments
 * (actors/shared/segment/growingShredding.ts): chunks appended one by one get
 * shredded forms; a filter bound to any chunk, at any moment of the segment's
 * growth, selects exactly the rows the reference interpreter selects (random
 * documents: missing keys, nulls, mixed types, nested objects, lists, rows
 * that are not objects); paths are promoted over the rows so far and earlier
 * chunks are backfilled; and through the shard fold, reads at a TSO see only
 * the rows visible then (deletes and re-inserts included), as per-row
 * evaluation does.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prepareFilter, countMatching, matchingRows } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { ValidationError } from '../../messages/errors.js';
import { pathKey, shreddedOf } from '../../messages/filter/shreddedJson.js';
import { JSON_SHREDDING_DEFAULTS, shreddedBytes, type JsonShreddingConfig } from '../../actors/shared/segment/jsonShredding.js';
import { newGrowingShredding, shredGrowingChunk, type GrowingShredPlan } from '../../actors/shared/segment/growingShredding.js';
import { evolveShard, newShard, shreddedGrowingBytes } from '../../actors/streaming-node/core/shardData.js';
import { queryGrowing, type GrowingRead } from '../../actors/streaming-node/core/growingSearch.js';
import { persistShard } from '../../actors/streaming-node/shell/checkpoint.js';
import { tsoOf } from '../../messages/types.js';
import { rng, pick } from './fixtures.js';
import { interpret } from './referenceInterpreter.js';
import { genDoc, genJsonFilter } from './jsonDocs.js';
import { walMessages } from '../support/walMessages.js';

const SCHEMA: CollectionSchema = {
  enableDynamicField: true,
  fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 2 }, { name: 'meta', dataType: 'JSON', nullable: true }],
};
const COLUMNS = ['meta', '$meta'];
type Row = { id: number; meta: unknown; $meta: unknown };
type Chunk = { rows: Row[]; fields: Record<string, unknown[]> };

const cfg = (c: Partial<JsonShreddingConfig> = {}): JsonShreddingConfig => ({ ...JSON_SHREDDING_DEFAULTS, ...c });
const chunkOf = (rows: Row[]): Chunk => ({ rows, fields: { id: rows.map((x) => x.id), meta: rows.map((x) => x.meta), $meta: rows.map((x) => x.$meta) } });

/** Random rows cut into chunks of random sizes, tiny ones included. */
function randomChunks(seed: number, n: number): Chunk[] {
  const r = rng(seed), out: Chunk[] = [];
  let id = 0;
  while (id < n) {
    const size = Math.min(n - id, pick(r, [1, 3, 15, 16, 40, 97, 200]));
    out.push(chunkOf(Array.from({ length: size }, () => ({ id: id++, meta: genDoc(r), $meta: genDoc(r) ?? {} }))));
  }
  return out;
}

function validFilters(seed: number, n: number): string[] {
  const r = rng(seed);
  const ok = (text: string) => { try { prepareFilter(text, SCHEMA); return true; } catch (e) { if (e instanceof ValidationError) return false; throw e; } };
  return Array.from({ length: n }, () => genJsonFilter(r)).filter(ok);
}

/** Every filter over every chunk against the interpreter, row by row and through the support-aware scans. */
function checkChunks(chunks: readonly Chunk[], filters: readonly string[], what: string): number {
  let matched = 0;
  for (const text of filters) {
    const f = prepareFilter(text, SCHEMA)!;
    for (const c of chunks) {
      const p = f.bind(c.fields), want: number[] = [];
      for (let i = 0; i < c.rows.length; i++) {
        const w = interpret(f.expr, c.rows[i]!) === true;
        if (p(i) !== w) assert.unreachable(`${what}: ${text}\nrow ${JSON.stringify(c.rows[i])}\nshredded ${p(i)}, interpreter ${w}`);
        if (w) want.push(i);
      }
      if (matchingRows(p, c.rows.length).join() !== want.join() || countMatching(p, c.rows.length) !== want.length) assert.unreachable(`${what}: ${text}: a scan by support differs`);
      matched += want.length;
    }
  }
  return matched;
}

const PLANS: Array<Omit<GrowingShredPlan, 'columns'>> = [
  { cfg: cfg() },
  { cfg: cfg(), warmupRows: 1, minChunkRows: 1 },
  { cfg: cfg({ jsonShreddingRatioThreshold: 0 }), warmupRows: 10, minChunkRows: 2 },
  { cfg: cfg({ jsonShreddingRatioThreshold: 0.9, jsonShreddingMaxColumns: 2 }), warmupRows: 30, minChunkRows: 1 },
  { cfg: cfg({ jsonShreddingMaxColumns: 0 }), minChunkRows: 1 },
];

test('filters over chunks shredded as they grow agree with the interpreter, at every stage of growth and under every plan', () => {
  const SEED = Number(process.env.FILTER_SEED ?? 5);
  const filters = validFilters(SEED + 1, 260);
  assert.ok(filters.length > 180, `${filters.length} valid filters`);
  let columns = 0, matched = 0;
  for (const [pi, p] of PLANS.entries()) {
    const chunks = randomChunks(SEED + 10 * pi, 900), g = newGrowingShredding(), plan = { ...p, columns: COLUMNS };
    for (const [k, c] of chunks.entries()) {
      shredGrowingChunk(g, c.fields, c.rows.length, plan);
      // A few stages on the way (promotions backfill earlier chunks), and the end.
      if (k === 2 || k === Math.floor(chunks.length / 2) || k === chunks.length - 1) matched += checkChunks(chunks.slice(0, k + 1), filters.slice(0, k === chunks.length - 1 ? undefined : 60), `plan ${pi} after chunk ${k}`);
    }
    for (const c of chunks) for (const sp of shreddedOf(c.fields.meta)?.paths.values() ?? []) if (sp.kind !== 'shared') columns++;
    const held = chunks.reduce((n, c) => n + [c.fields.meta, c.fields.$meta].reduce((m, col) => { const s = shreddedOf(col); return m + (s ? shreddedBytes(s) : 0); }, 0), 0);
    assert.is(g.bytes, held, `plan ${pi}: the bytes counted are the bytes the forms hold`);
  }
  assert.ok(columns > 100, `${columns} typed or dynamic columns over the chunks`);
  assert.ok(matched > 1000, `${matched} rows matched`);
});

test('a path is promoted once the rows so far pass the threshold, and earlier chunks are backfilled with its column', () => {
  const g = newGrowingShredding(), plan: GrowingShredPlan = { columns: ['meta'], cfg: cfg(), warmupRows: 64, minChunkRows: 16 };
  const mk = (from: number, n: number, late: (i: number) => boolean) => chunkOf(Array.from({ length: n }, (_, i) => ({ id: from + i, meta: { a: i, ...(late(i) ? { late: i % 3 === 0 ? null : `s${i % 4}` } : {}) }, $meta: {} })));
  const first = mk(0, 40, (i) => i < 4), second = mk(40, 40, () => true), tiny = mk(80, 5, () => true), third = mk(85, 100, () => true);
  shredGrowingChunk(g, first.fields, 40, plan);
  // Before the warm-up no path is promoted: every path is shared.
  assert.equal([...shreddedOf(first.fields.meta)!.paths.values()].map((p) => p.kind), ['shared', 'shared']);
  shredGrowingChunk(g, second.fields, 40, plan);
  // 80 rows: `a` in all, `late` in 44 (its nulls do not count: 28 of 80 > 0.3): both promoted, the first chunk backfilled.
  for (const c of [first, second]) {
    const s = shreddedOf(c.fields.meta)!;
    assert.is(s.paths.get(pathKey(['a']))?.kind, 'typed');
    assert.is(s.paths.get(pathKey(['late']))?.kind, 'typed', 'backfilled: the first chunk holds the promoted column too');
  }
  shredGrowingChunk(g, tiny.fields, 5, plan);
  assert.is(shreddedOf(tiny.fields.meta), undefined, 'a chunk under minChunkRows is read row by row');
  shredGrowingChunk(g, third.fields, 100, plan);
  assert.is(shreddedOf(third.fields.meta)!.paths.get(pathKey(['late']))?.kind, 'typed');
  const f = prepareFilter('meta["late"] == "s1" or meta["late"] is null', SCHEMA)!;
  for (const c of [first, second, tiny, third]) {
    const p = f.bind(c.fields);
    c.rows.forEach((row, i) => assert.is(p(i), interpret(f.expr, row) === true, JSON.stringify(row)));
  }
});

test('the column cap: at most jsonShreddingMaxColumns paths promoted, the most frequent first; a path of objects only is never promoted', () => {
  const g = newGrowingShredding(), plan: GrowingShredPlan = { columns: ['meta'], cfg: cfg({ jsonShreddingMaxColumns: 2 }), warmupRows: 1, minChunkRows: 1 };
  const c = chunkOf(Array.from({ length: 50 }, (_, i) => ({ id: i, meta: { x: i, y: 'a', ...(i % 2 ? { z: true } : {}), o: { k: 1 } }, $meta: {} })));
  shredGrowingChunk(g, c.fields, 50, plan);
  const kinds = Object.fromEntries([...shreddedOf(c.fields.meta)!.paths].map(([k, p]) => [k, p.kind]));
  assert.equal(kinds, { '["o","k"]': 'typed', '["o"]': 'shared', '["x"]': 'typed', '["y"]': 'shared', '["z"]': 'shared' });
});

const V = 'dml_0_7v0';

test('through the shard fold: reads at a TSO over shredded chunks equal per-row evaluation, with deletes and re-inserts', () => {
  const wal = walMessages(V), r = rng(99);
  const plan: GrowingShredPlan = { columns: COLUMNS, cfg: cfg(), warmupRows: 20, minChunkRows: 4 };
  const shredded = newShard(V, 7), plain = newShard(V, 7);
  const history: Array<{ ms: number; rows?: Row[]; deleted?: number[] }> = [];
  const apply = (m: ReturnType<typeof wal.msg>) => { evolveShard(shredded, m, { shred: plan }); evolveShard(plain, structuredClone(m)); };
  apply(wal.msg('CreateSegment', 1, { collectionId: 7, partitionId: 8, segmentId: 9 }));
  for (let k = 0, ms = 10; k < 30; k++, ms += 10) {
    if (k > 3 && r() < 0.3) {
      const ids = Array.from({ length: 6 }, () => Math.floor(r() * k * 20));
      apply(wal.msg('Delete', ms, { collectionId: 7, partitionId: -1, pks: ids }));
      history.push({ ms, deleted: ids });
      continue;
    }
    // Some ids come again (an upsert's insert after its delete): MVCC must pick the right version.
    const rows = Array.from({ length: pick(r, [2, 5, 30, 60]) }, (_, i) => ({ id: r() < 0.1 ? Math.floor(r() * 100) : k * 20 + i, meta: genDoc(r), $meta: genDoc(r) ?? {} }));
    const c = chunkOf(rows);
    apply(wal.msg('Insert', ms, { collectionId: 7, partitionId: 8, segmentId: 9, rows: { count: rows.length, pks: rows.map((x) => x.id), vectors: new Float32Array(rows.length * 2), fields: { meta: c.fields.meta!, $meta: c.fields.$meta! } } }));
    history.push({ ms, rows });
  }
  assert.ok(shreddedGrowingBytes(shredded) > 0 && shreddedGrowingBytes(plain) === 0);
  assert.ok(!('shredding' in persistShard(shredded).segments[0]!), 'a checkpoint holds no shredded form: a replay rebuilds it');
  const filters = validFilters(3, 120);
  let nonEmpty = 0;
  for (const at of [15, 95, 155, 225, 305]) {
    // The reference: the latest version of each id inserted at or before `at` and not deleted after it, filtered row by row.
    const live = new Map<number, { row: Row; ms: number }>();
    let version = 0;
    for (const h of history) {
      if (h.ms > at) break;
      for (const row of h.rows ?? []) live.set(version++, { row, ms: h.ms });
      for (const id of h.deleted ?? []) for (const [key, v] of live) if (v.row.id === id && v.ms < h.ms) live.delete(key);
    }
    for (const text of filters) {
      const filter = prepareFilter(text, SCHEMA)!;
      const read: GrowingRead = { pkName: 'id', vectorName: 'v', dim: 2, filter, partitionIds: null, readTso: tsoOf(at), outputFields: [] };
      // A count counts every matching version; a query gives each key once (shared/segment/newestCopy.ts).
      const versions = [...live.values()].filter((v) => interpret(filter.expr, v.row) === true).map((v) => v.row.id);
      const want = [...new Set(versions)].sort((a, b) => a - b);
      const got = queryGrowing(shredded, read, false, { limit: 100_000 }).rows.map((x) => x.pk as number).sort((a, b) => a - b);
      const rowByRow = queryGrowing(plain, read, false, { limit: 100_000 }).rows.map((x) => x.pk as number).sort((a, b) => a - b);
      if (got.join() !== want.join() || rowByRow.join() !== want.join()) assert.unreachable(`${text} at ${at}: shredded ${got.join()}, row by row ${rowByRow.join()}, wanted ${want.join()}`);
      assert.is(queryGrowing(shredded, read, true).count, versions.length);
      if (want.length > 0) nonEmpty++;
    }
  }
  assert.ok(nonEmpty > 120, `${nonEmpty} non-empty answers`);
});

test.run();

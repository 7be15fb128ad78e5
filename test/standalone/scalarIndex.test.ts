import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { distanceFn } from '../../actors/shared/vector/distance.js';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import { prepareFilter } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import type { NuthatchClient } from '../../runtime/client/client.js';
import { rng, tempStandalone, untilIndexedAndLoaded, untilIndexesServed } from './harness.js';

/**
 * Scalar indexes through the whole path: created with the collection and
 * afterwards (INVERTED, STL_SORT, BITMAP, Trie, AUTOINDEX on a scalar field,
 * the primary key's), built by the index node, loaded by the query node and
 * used by its reads, rebuilt by a compaction, dropped. Every answer is
 * compared with a twin collection that has no scalar index (the same rows,
 * deletes and growing rows), and searches with an exact ranking.
 */
const DIM = 8, N = 6000, GROWING = 500;
const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: DIM },
    { name: 'tag', dataType: 'Int64' }, { name: 'name', dataType: 'VarChar', maxLength: 16 },
    { name: 'score', dataType: 'Double', nullable: true }, { name: 'ok', dataType: 'Bool' },
    { name: 'labels', dataType: 'Array', elementType: 'VarChar', maxCapacity: 4, maxLength: 8 },
    { name: 'meta', dataType: 'JSON' },
  ],
};
const r = rng(21);
const LABELS = ['red', 'blue', 'green', 'gold'];
const rows = Array.from({ length: N + GROWING }, (_, i) => ({
  id: i, vec: Array.from({ length: DIM }, () => r() * 2 - 1), tag: i % 300,
  name: `${['ann', 'bob', 'cy', 'dee'][i % 4]}${i % 50}`, score: i % 7 === 0 ? null : ((i * 37) % 1000) / 10,
  ok: i % 3 === 0, labels: LABELS.filter((_, j) => ((i >> j) & 1) === 1), meta: { k: i % 5 },
}));
const deleted = new Set(Array.from({ length: N / 11 }, (_, i) => i * 11));
const queries = [rows[5]!.vec, rows[777]!.vec, rows[4242]!.vec];

const FILTERS = [
  'tag == 17', 'tag in [3, 150, 299]', 'tag >= 100 and tag < 103', '10 < tag <= 12 and ok',
  'name like "ann1%"', 'name in ["bob5", "cy6"]', 'score > 50 and score <= 51.5', 'score is not null and tag == 8',
  'array_contains(labels, "gold") and tag < 20', 'array_contains_any(labels, ["red"]) and tag == 31', 'id < 200 and not ok',
  'tag == 42 or name == "dee3"', 'tag == 5 and meta["k"] == 0', 'tag != 4 and tag < 6', 'ok and tag == 78', 'meta["k"] == 3 and score < 1',
];

async function seed(c: NuthatchClient, name: string, indexParams: Array<{ indexName: string; fieldName: string; indexType: string; params: Record<string, number> }>): Promise<void> {
  await c.createCollection({ collectionName: name, schema, metricType: 'L2', indexParams, load: true });
  for (let i = 0; i < N; i += 2000) await c.insert(name, rows.slice(i, i + 2000));
  await c.delete(name, { ids: [...deleted] });
  await c.flush(name);
}

const VEC_FLAT = { indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', params: {} };

/** What a collection answers for a filter: its rows (by id), their count, and a search's hits. */
async function answers(c: NuthatchClient, name: string, filter: string) {
  const found = await c.query(name, { filter, outputFields: ['tag', 'name', 'score'], limit: 16384, consistencyLevel: 'Strong' });
  const [{ 'count(*)': count }] = await c.query(name, { filter, outputFields: ['count(*)'], consistencyLevel: 'Strong' }) as [{ 'count(*)': number }];
  const hits = await c.search(name, { data: queries, limit: 10, filter, outputFields: ['tag'], consistencyLevel: 'Strong' });
  return { rows: found.sort((a, b) => Number(a.id) - Number(b.id)), count, hits: hits.map((hs) => hs.map((h) => [h.id, h.distance, h.fields.tag])) };
}

/** The exact best 10 ids of a query among the visible rows that pass the filter. */
function exact(q: number[], filter: string): number[] {
  const f = prepareFilter(filter, schema)!;
  const cols = Object.fromEntries(['id', 'tag', 'name', 'score', 'ok', 'labels', 'meta'].map((k) => [k, rows.map((x) => (x as Record<string, unknown>)[k])]));
  const pass = f.bind(cols), dist = distanceFn('L2'), qv = new Float32Array(q);
  return rows.filter((x, i) => !deleted.has(x.id) && pass(i))
    .map((x) => ({ id: x.id, d: dist(new Float32Array(x.vec), 0, qv, DIM) }))
    .sort((a, b) => a.d - b.d || a.id - b.id).slice(0, 10).map((x) => x.id);
}

async function compareAll(c: NuthatchClient, what: string): Promise<void> {
  for (const filter of FILTERS) {
    const [want, got] = [await answers(c, 'plain', filter), await answers(c, 'indexed', filter)];
    assert.equal(got, want, `${what}: ${filter}`);
    assert.ok(want.count > 0 && want.count === want.rows.length, `${filter} matches ${want.count} rows`);
    queries.forEach((q, i) => assert.equal(got.hits[i]!.map((h) => h[0]), exact(q, filter), `${what}: ${filter}, query ${i}`));
  }
}

function narrowedReads(metrics: { render(): string }): number {
  const m = /nuthatch_query_node_scalar_index_reads_total\{node_id="qn-1"\} (\d+)/.exec(metrics.render());
  return m ? Number(m[1]) : 0;
}

test('scalar indexes give the answers of a twin without them, and are used: created, built, compacted, dropped', async () => {
  const s = await tempStandalone({
    streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } },
    coordinator: { compaction: { intervalMs: 0, graceMs: 0 } },
  });
  try {
    const c = s.client;
    await seed(c, 'plain', [VEC_FLAT]);
    await seed(c, 'indexed', [VEC_FLAT, { indexName: 'tag_sort', fieldName: 'tag', indexType: 'STL_SORT', params: {} }, { indexName: 'name_trie', fieldName: 'name', indexType: 'Trie', params: {} }]);
    await c.createIndex('indexed', { indexName: 'score_inv', fieldName: 'score', indexType: 'INVERTED', params: {} });
    await c.createIndex('indexed', { indexName: 'ok_bitmap', fieldName: 'ok', indexType: 'BITMAP', params: {} });
    await c.createIndex('indexed', { indexName: 'labels_inv', fieldName: 'labels', indexType: 'INVERTED', params: {} });
    await c.createIndex('indexed', { indexName: 'id_auto', fieldName: 'id', indexType: 'AUTOINDEX', params: {} });
    // Growing rows are read row by row, as Milvus reads them; they join every answer.
    for (const name of ['plain', 'indexed']) await c.insert(name, rows.slice(N));
    await untilIndexedAndLoaded(s, 'plain', N);
    await untilIndexedAndLoaded(s, 'indexed', N);
    await untilIndexesServed(s, 'indexed');

    const described = await c.describeIndex('indexed');
    assert.equal(described.map((d) => [d.indexName, d.fieldName, d.indexType, d.metricType ?? null, d.indexState]).sort(), [
      ['id_auto', 'id', 'INVERTED', null, 'Finished'], ['labels_inv', 'labels', 'INVERTED', null, 'Finished'],
      ['name_trie', 'name', 'Trie', null, 'Finished'], ['ok_bitmap', 'ok', 'BITMAP', null, 'Finished'],
      ['score_inv', 'score', 'INVERTED', null, 'Finished'], ['tag_sort', 'tag', 'STL_SORT', null, 'Finished'], ['vec', 'vec', 'FLAT', 'L2', 'Finished'],
    ]);

    const before = narrowedReads(s.metrics);
    await compareAll(c, 'indexed');
    assert.ok(narrowedReads(s.metrics) >= before + FILTERS.length * 3, 'every read of the indexed collection was narrowed by its indexes');

    // A compaction rewrites the segment without its deleted rows: its scalar indexes are built again from the new file.
    const more = Array.from({ length: 400 }, (_, i) => i * 13 + 1).filter((id) => id < N && !deleted.has(id));
    for (const name of ['plain', 'indexed']) await c.delete(name, { ids: more });
    more.forEach((id) => deleted.add(id));
    const { compactionID } = await c.compact('indexed');
    for (let i = 0; i < 600 && (await c.getCompactionState(compactionID)).state !== 'Completed'; i++) await new Promise((res) => setTimeout(res, 100));
    assert.is((await c.getCompactionState(compactionID)).state, 'Completed');
    await untilIndexedAndLoaded(s, 'indexed', N - deleted.size);
    await untilIndexesServed(s, 'indexed');
    await compareAll(c, 'compacted');

    // Dropped (after a release, as for any index): reads go back to evaluating every row, with the same answers.
    await c.releaseCollection('indexed');
    await c.dropIndex('indexed', 'tag_sort');
    await c.dropIndex('indexed', 'name_trie');
    assert.not.ok((await c.listIndexes('indexed')).some((n) => n === 'tag_sort' || n === 'name_trie'));
    await c.loadCollection('indexed');
    await untilIndexedAndLoaded(s, 'indexed', N - deleted.size);
    await untilIndexesServed(s, 'indexed');
    await compareAll(c, 'dropped');
  } finally { await s.cleanup(); }
});

test('bad scalar index requests are refused with typed errors, and change nothing', async () => {
  const s = await tempStandalone();
  try {
    const c = s.client;
    const refused = async (p: Promise<unknown>, kind: typeof ValidationError | typeof NuthatchError, re: RegExp) => {
      try { await p; assert.unreachable('accepted'); } catch (e) { assert.instance(e, kind); assert.match((e as Error).message, re); }
    };
    await refused(c.createCollection({ collectionName: 'bad', schema, metricType: 'L2', indexParams: [{ indexName: 'n', fieldName: 'name', indexType: 'STL_SORT', params: {} }] }), ValidationError, /STL_SORT takes numeric fields/);
    assert.not.ok(await c.hasCollection('bad'));
    await c.createCollection({ collectionName: 'c', schema: { fields: [...schema.fields, { name: 'f', dataType: 'Float' }] }, metricType: 'L2', load: true });
    await refused(c.createIndex('c', { indexName: 'i', fieldName: 'name', indexType: 'STL_SORT', params: {} }), ValidationError, /STL_SORT takes numeric fields/);
    await refused(c.createIndex('c', { indexName: 'i', fieldName: 'f', indexType: 'BITMAP', params: {} }), ValidationError, /BITMAP takes Bool, Int8..Int64 and VarChar/);
    await refused(c.createIndex('c', { indexName: 'i', fieldName: 'tag', indexType: 'INVERTED', metricType: 'L2', params: {} }), ValidationError, /takes no metricType/);
    await refused(c.createIndex('c', { indexName: 'i', fieldName: 'meta', indexType: 'INVERTED', params: {} }), ValidationError, /needs params json_path and json_cast_type/);
    await refused(c.createIndex('c', { indexName: 'i', fieldName: 'id', indexType: 'BITMAP', params: {} }), ValidationError, /cannot index the primary key/);
    await c.createIndex('c', { indexName: 'tag_a', fieldName: 'tag', indexType: 'INVERTED', params: {} });
    const e = await c.createIndex('c', { indexName: 'tag_b', fieldName: 'tag', indexType: 'STL_SORT', params: {} }).then(() => null, (x: unknown) => x as NuthatchError);
    assert.is(e?.code, 'IndexExists', 'one index per field');
    assert.equal((await c.describeIndex('c')).map((d) => d.indexName).sort(), ['tag_a']);
  } finally { await s.cleanup(); }
});

test.run();

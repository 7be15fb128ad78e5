import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import { prepareFilter } from '../../messages/filter/index.js';
import type { CollectionSchema } from '../../messages/schema.js';
import type { NuthatchClient } from '../../runtime/client/client.js';
import { rng, tempStandalone, untilIndexedAndLoaded, untilIndexesServed } from './harness.js';

/**
 * JSON path indexes through the client (Milvus's JSON indexing): a collection
 * with a JSON field and dynamic keys holding values of every kind, flushed
 * and read; then indexes on several paths (and a dynamic key) are created,
 * built and served, and every filter answers as it did before them, while
 * the reads are narrowed; describe shows json_path and json_cast_type; a
 * restart keeps them; a new segment gets them; a dropped one stops them.
 */
const DIM = 4, N = 3000, MORE = 600;
const schema: CollectionSchema = {
  enableDynamicField: true,
  fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: DIM }, { name: 'meta', dataType: 'JSON', nullable: true }],
};
const r = rng(404);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const MISSING = Symbol('missing');

/** Varied JSON: numbers, numeric strings, booleans, lists of mixed kinds, nested objects, nulls and missing keys. */
function row(id: number): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => { if (v !== MISSING) meta[k] = v; };
  put('price', pick([id % 100, (id % 100) + 0.5, String(id % 100), true, null, MISSING, [id % 100]]));
  put('cat', pick(['books', 'toys', 'boots', 'Books', 7, MISSING]));
  put('in_stock', pick([true, false, 'yes', 1, MISSING]));
  put('tags', pick([['sale', 'new'], ['hot'], ['sale', 3, true], 'sale', [], MISSING]));
  put('supplier', pick([{ country: pick(['NL', 'DE', 'FR']) }, { country: 31 }, 'NL', MISSING]));
  put('sp', pick([String(id % 40), `${id % 40}.5`, id % 40, 'n/a', MISSING]));
  return {
    id, vec: Array.from({ length: DIM }, () => r() * 2 - 1),
    meta: id % 23 === 0 ? null : id % 31 === 0 ? pick([5, 'x', [1, 2]]) : meta,
    ...(id % 3 === 0 ? {} : { color: pick(['red', 'blue', 5, ['red']]) }),
  };
}
const rows = Array.from({ length: N + MORE }, (_, i) => row(i));

const FILTERS = [
  'meta["price"] > 50', 'meta["price"] == 10', 'meta["price"] in [1, 2, 3.5]', 'meta["price"] >= 10 and meta["price"] < 12',
  'meta["price"] != 10', 'meta["price"] is null', 'not (meta["price"] > 50)', 'meta["price"] == "10"',
  'meta["cat"] == "books"', 'meta["cat"] like "bo%"', 'meta["cat"] in ["toys", "Books"]', 'meta["cat"] not in ["toys"]',
  'meta["supplier"]["country"] == "NL"', 'meta["in_stock"] == true', 'not meta["in_stock"]', 'meta["in_stock"] != true',
  'array_contains(meta["tags"], "sale")', 'array_contains_any(meta["tags"], ["new", "hot"])', 'array_contains_all(meta["tags"], ["sale", "new"])',
  'color == "red"', 'color in ["red", "blue"]', 'meta["sp"] > 20', 'meta["sp"] == 7',
  'meta["price"] >= 90 and meta["cat"] == "toys"', 'meta["price"] < 5 or color == "red"',
];

/** What the collection answers for a filter: matching ids, their count, and a filtered search's ids. */
async function answers(c: NuthatchClient, filter: string) {
  const found = await c.query('items', { filter, outputFields: ['id'], limit: 16384, consistencyLevel: 'Strong' });
  const [{ 'count(*)': count }] = await c.query('items', { filter, outputFields: ['count(*)'], consistencyLevel: 'Strong' }) as [{ 'count(*)': number }];
  const hits = await c.search('items', { data: [rows[7]!.vec as number[]], limit: 8, filter, consistencyLevel: 'Strong' });
  return { ids: found.map((x) => Number(x.id)).sort((a, b) => a - b), count, hits: hits[0]!.map((h) => h.id) };
}

/** The ids among the first `n` rows a filter matches, evaluated here. */
function expected(filter: string, n: number): number[] {
  const f = prepareFilter(filter, schema)!;
  const some = rows.slice(0, n);
  const pass = f.bind({ id: some.map((x) => x.id), meta: some.map((x) => x.meta), $meta: some.map((x) => ('color' in x ? { color: x.color } : {})) });
  return some.flatMap((x, i) => (pass(i) ? [x.id as number] : []));
}

function narrowedReads(metrics: { render(): string }): number {
  const m = /nuthatch_query_node_scalar_index_reads_total\{node_id="qn-1"\} (\d+)/.exec(metrics.render());
  return m ? Number(m[1]) : 0;
}

const JSON_INDEXES: Array<{ indexName: string; fieldName: string; indexType: string; params: Record<string, string> }> = [
  { indexName: 'price_num', fieldName: 'meta', indexType: 'INVERTED', params: { json_path: 'meta["price"]', json_cast_type: 'double' } },
  { indexName: 'cat_str', fieldName: 'meta', indexType: 'AUTOINDEX', params: { json_path: "meta['cat']", json_cast_type: 'VARCHAR' } },
  { indexName: 'country', fieldName: 'meta', indexType: 'INVERTED', params: { json_path: 'meta["supplier"]["country"]', json_cast_type: 'varchar' } },
  { indexName: 'stock', fieldName: 'meta', indexType: 'INVERTED', params: { json_path: 'meta["in_stock"]', json_cast_type: 'BOOL' } },
  { indexName: 'tags', fieldName: 'meta', indexType: 'INVERTED', params: { json_path: 'meta["tags"]', json_cast_type: 'ARRAY_VARCHAR' } },
  { indexName: 'sp', fieldName: 'meta', indexType: 'INVERTED', params: { json_path: 'meta["sp"]', json_cast_type: 'DOUBLE', json_cast_function: 'STRING_TO_DOUBLE' } },
  { indexName: 'color', fieldName: 'color', indexType: 'INVERTED', params: { json_path: 'color', json_cast_type: 'varchar' } },
];

test('JSON path indexes: the answers of no index, narrowed reads, described, kept over a restart, built for new segments, dropped', async () => {
  let s = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'items', schema, metricType: 'L2', indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    for (let i = 0; i < N; i += 1000) await c.insert('items', rows.slice(i, i + 1000));
    await c.flush('items');
    await untilIndexedAndLoaded(s, 'items', N);
    const before = new Map<string, Awaited<ReturnType<typeof answers>>>();
    for (const f of FILTERS) {
      const a = await answers(c, f);
      assert.equal(a.ids, expected(f, N), `no index: ${f}`);
      assert.is(a.count, a.ids.length);
      before.set(f, a);
    }
    assert.ok(FILTERS.every((f) => before.get(f)!.count > 0), 'every filter matches some rows');

    for (const ix of JSON_INDEXES) await c.createIndex('items', ix);
    await untilIndexedAndLoaded(s, 'items', N);
    await untilIndexesServed(s, 'items');
    const described = await c.describeIndex('items');
    assert.equal(described.filter((d) => d.indexName !== 'vec').map((d) => [d.indexName, d.fieldName, d.indexType, d.params.json_path, d.params.json_cast_type, d.params.json_cast_function ?? null, d.indexState]).sort(), [
      ['cat_str', 'meta', 'INVERTED', 'meta["cat"]', 'VARCHAR', null, 'Finished'],
      ['color', 'color', 'INVERTED', 'color', 'VARCHAR', null, 'Finished'],
      ['country', 'meta', 'INVERTED', 'meta["supplier"]["country"]', 'VARCHAR', null, 'Finished'],
      ['price_num', 'meta', 'INVERTED', 'meta["price"]', 'DOUBLE', null, 'Finished'],
      ['sp', 'meta', 'INVERTED', 'meta["sp"]', 'DOUBLE', 'STRING_TO_DOUBLE', 'Finished'],
      ['stock', 'meta', 'INVERTED', 'meta["in_stock"]', 'BOOL', null, 'Finished'],
      ['tags', 'meta', 'INVERTED', 'meta["tags"]', 'ARRAY_VARCHAR', null, 'Finished'],
    ]);
    assert.equal((await c.listIndexes('items')).sort(), ['cat_str', 'color', 'country', 'price_num', 'sp', 'stock', 'tags', 'vec']);

    const same = async (what: string, n: number) => {
      const from = narrowedReads(s.metrics);
      for (const f of FILTERS) {
        const a = await answers(s.client, f);
        if (n === N) assert.equal(a, before.get(f), `${what}: ${f}`);
        else assert.equal(a.ids, expected(f, n), `${what}: ${f}`);
      }
      return narrowedReads(s.metrics) - from;
    };
    assert.ok(await same('indexed', N) > 20, 'reads with a term on an indexed path were narrowed');

    // A restart reads the indexes back from storage: described, served, the same answers.
    const { dataDir } = s;
    await s.stop();
    s = await tempStandalone({ dataDir });
    await untilIndexedAndLoaded(s, 'items', N);
    await untilIndexesServed(s, 'items');
    assert.equal({ ...(await s.client.describeIndex('items', 'price_num'))[0]!.params }, { json_path: 'meta["price"]', json_cast_type: 'DOUBLE' });
    assert.ok(await same('restarted', N) > 20, 'the restarted query node uses them');

    // New rows make a new segment; it is indexed by every path index as any segment is.
    await s.client.insert('items', rows.slice(N));
    await s.client.flush('items');
    await untilIndexedAndLoaded(s, 'items', N + MORE);
    await untilIndexesServed(s, 'items');
    await same('new segment', N + MORE);

    // Dropped (after a release, as any index): the other paths still answer, and the dropped one's terms are scanned.
    await s.client.releaseCollection('items');
    await s.client.dropIndex('items', 'price_num');
    await s.client.dropIndex('items', 'color');
    assert.not.ok((await s.client.listIndexes('items')).some((n) => n === 'price_num' || n === 'color'));
    await s.client.loadCollection('items');
    await untilIndexedAndLoaded(s, 'items', N + MORE);
    await untilIndexesServed(s, 'items');
    await same('dropped', N + MORE);
    // The same name on another path is another index (its files too).
    await s.client.createIndex('items', { indexName: 'price_num', fieldName: 'meta', indexType: 'INVERTED', params: { json_path: 'meta["cat"]["x"]', json_cast_type: 'DOUBLE' } });
    await untilIndexedAndLoaded(s, 'items', N + MORE);
    await untilIndexesServed(s, 'items');
    await same('a name used again', N + MORE);
  } finally { await s.cleanup(); }
});

test('bad JSON path index requests are refused with typed errors, and change nothing', async () => {
  const s = await tempStandalone();
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'c', schema: { ...schema, fields: [...schema.fields, { name: 'other', dataType: 'JSON' }, { name: 'n', dataType: 'Int64' }] }, metricType: 'L2' });
    const refused = async (params: Record<string, string>, re: RegExp, more: Record<string, string> = {}) => {
      try { await c.createIndex('c', { indexName: 'i', fieldName: 'meta', indexType: 'INVERTED', params, ...more }); assert.unreachable('accepted'); } catch (e) {
        assert.instance(e, ValidationError); assert.is((e as ValidationError).code, 'InvalidArgument'); assert.match((e as Error).message, re);
      }
    };
    await refused({ json_path: 'meta["a"', json_cast_type: 'DOUBLE' }, /is not a JSON path/);
    await refused({ json_path: 'other["a"]', json_cast_type: 'DOUBLE' }, /is a path of 'other', not of the index's field 'meta'/);
    await refused({ json_path: 'meta["a"]', json_cast_type: 'FLOAT' }, /json_cast_type "FLOAT"/);
    await refused({ json_path: 'meta["a"]' }, /needs params json_path and json_cast_type/);
    await refused({ json_path: 'meta["a"]', json_cast_type: 'DOUBLE' }, /INVERTED, NGRAM \(or AUTOINDEX\), not BITMAP/, { indexType: 'BITMAP' });
    await refused({ json_path: 'n', json_cast_type: 'DOUBLE' }, /Int64 field 'n' takes no json_path/, { fieldName: 'n' });
    await c.createIndex('c', { indexName: 'a1', fieldName: 'meta', indexType: 'INVERTED', params: { json_path: 'meta["a"]', json_cast_type: 'DOUBLE' } });
    const dup = await c.createIndex('c', { indexName: 'a2', fieldName: 'meta', indexType: 'INVERTED', params: { json_path: "meta['a']", json_cast_type: 'VARCHAR' } }).then(() => null, (x: unknown) => x as NuthatchError);
    assert.is(dup?.code, 'IndexExists', 'one index per path');
    assert.match(dup!.message, /already has index 'a1' on JSON path meta\["a"\]/);
    await c.createIndex('c', { indexName: 'a_b', fieldName: 'meta', indexType: 'INVERTED', params: { json_path: 'meta["a"]["b"]', json_cast_type: 'DOUBLE' } });
    assert.equal((await c.describeIndex('c')).map((d) => d.indexName).sort(), ['a1', 'a_b']);
  } finally { await s.cleanup(); }
});

test.run();

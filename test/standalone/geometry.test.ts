import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import { prepareFilter } from '../../messages/filter/index.js';
import { canonicalWkt } from '../../messages/geometry/wkt.js';
import type { CollectionSchema } from '../../messages/schema.js';
import type { NuthatchClient } from '../../runtime/client/client.js';
import type { RowObject } from '../../runtime/client/api.js';
import { rng, tempStandalone, untilIndexedAndLoaded, untilIndexesServed } from './harness.js';

/**
 * Geometry fields through the client (Milvus 2.6.4+): WKT in, canonical WKT
 * out; every ST_ operator in query, search, delete and the query iterator,
 * over sealed and growing segments; the same answers before an RTREE, with
 * it (reads narrowed) and after a restart; bad WKT refused naming the row
 * and field, with nothing written.
 */
const DIM = 4, SEALED = 1500, GROWING = 300;
const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: DIM },
    { name: 'geo', dataType: 'Geometry', nullable: true }, { name: 'n', dataType: 'Int64' },
  ],
};
const r = rng(5);
const c2 = (x: number) => Math.round(x * 100) / 100;
function geometry(id: number): string | null {
  if (id % 23 === 0) return null;
  const x = c2(r() * 20), y = c2(r() * 20), d = c2(0.3 + r() * 2);
  // Some lines start on the edge y = 10 and leave upwards: they touch the lower half-plane's box.
  if (id % 97 === 5) return `LINESTRING (${x} 10, ${c2(x + d)} ${c2(10 + d)})`;
  switch (id % 4) {
    case 0: case 1: return `point(${x}  ${y})`;
    case 2: return `LINESTRING (${x} ${y}, ${c2(x + d)} ${c2(y + d / 2)})`;
    default: return `POLYGON ((${x} ${y}, ${c2(x + d)} ${y}, ${c2(x + d)} ${c2(y + d)}, ${x} ${c2(y + d)}, ${x} ${y}))`;
  }
}
const rows = Array.from({ length: SEALED + GROWING }, (_, id) => ({ id, vec: Array.from({ length: DIM }, () => r() * 2 - 1), geo: geometry(id), n: id % 5 }));

const FILTERS = [
  "ST_INTERSECTS(geo, 'POLYGON ((5 5, 10 5, 10 10, 5 10, 5 5))')",
  "ST_WITHIN(geo, 'POLYGON ((0 0, 12 0, 12 12, 0 12, 0 0), (4 4, 8 4, 8 8, 4 8, 4 4))')",
  "ST_CONTAINS(geo, 'POINT (3.5 3.5)')",
  "ST_TOUCHES(geo, 'POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0))')",
  "ST_CROSSES(geo, 'LINESTRING (0 10, 20 10)')",
  "ST_OVERLAPS(geo, 'POLYGON ((2 2, 9 2, 9 9, 2 9, 2 2))')",
  `ST_EQUALS(geo, '${rows[8]!.geo}')`,
  "st_dwithin(geo, 'POINT (10 10)', 200000)",
  "ST_INTERSECTS(geo, 'POLYGON ((5 5, 10 5, 10 10, 5 10, 5 5))') and n == 3",
  "not ST_INTERSECTS(geo, 'POLYGON ((0 0, 15 0, 15 15, 0 15, 0 0))') or geo is null",
];

const deleted = new Set<number>();
function expected(filter: string, n: number): number[] {
  const some = rows.slice(0, n).filter((x) => !deleted.has(x.id));
  const pass = prepareFilter(filter, schema)!.bind({ id: some.map((x) => x.id), geo: some.map((x) => x.geo), n: some.map((x) => x.n) });
  return some.flatMap((x, i) => (pass(i) ? [x.id] : []));
}

async function answers(c: NuthatchClient, filter: string) {
  const found = await c.query('places', { filter, outputFields: ['id'], limit: 16384, consistencyLevel: 'Strong' });
  const hits = await c.search('places', { data: [rows[3]!.vec], limit: 10, filter, consistencyLevel: 'Strong' });
  return { ids: found.map((x) => Number(x.id)).sort((a, b) => a - b), hits: hits[0]!.map((h) => Number(h.id)) };
}

/** Every filter answers as computed here, over the first `n` rows; a search returns only matching rows, as many as match up to its limit. */
async function same(c: NuthatchClient, what: string, n: number): Promise<void> {
  for (const f of FILTERS) {
    const want = expected(f, n), got = await answers(c, f);
    assert.equal(got.ids, want, `${what}: ${f}`);
    assert.ok(got.hits.every((id) => want.includes(id)) && got.hits.length === Math.min(10, want.length), `${what}: search ${f}`);
  }
}

function narrowedReads(metrics: { render(): string }): number {
  const m = /nuthatch_query_node_scalar_index_reads_total\{node_id="qn-1"\} (\d+)/.exec(metrics.render());
  return m ? Number(m[1]) : 0;
}

test('Geometry: WKT in and out, ST_ filters on sealed and growing rows, equal with an RTREE, after a restart, in deletes and iterators', async () => {
  const opts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };
  let s = await tempStandalone(opts);
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'places', schema, metricType: 'L2', indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    const described = await c.describeCollection('places');
    const geoField = described.schema.fields.find((f) => f.name === 'geo')!;
    assert.equal([geoField.dataType, geoField.nullable], ['Geometry', true]);
    for (let i = 0; i < SEALED; i += 500) await c.insert('places', rows.slice(i, i + 500));
    await c.flush('places');
    await untilIndexedAndLoaded(s, 'places', SEALED);
    await c.insert('places', rows.slice(SEALED));
    const all = SEALED + GROWING;
    assert.equal(FILTERS.filter((f) => expected(f, all).length === 0), [], 'every filter matches some rows');

    // Output is canonical WKT; null stays null.
    const out = await c.query('places', { filter: 'id in [1, 2, 3, 23]', outputFields: ['geo'], consistencyLevel: 'Strong' });
    const byId = new Map(out.map((x) => [Number(x.id), x.geo]));
    assert.match(rows[1]!.geo!, /^point\(/);
    assert.match(String(byId.get(1)), /^POINT \(\d+(\.\d+)? \d+(\.\d+)?\)$/);
    assert.is(byId.get(1), canonicalWkt(rows[1]!.geo));
    assert.match(String(byId.get(2)), /^LINESTRING \(/);
    assert.match(String(byId.get(3)), /^POLYGON \(\(/);
    assert.is(byId.get(23), null);

    await same(c, 'no index', all);
    await c.createIndex('places', { indexName: 'geo_rtree', fieldName: 'geo', indexType: 'RTREE', params: {} });
    await untilIndexedAndLoaded(s, 'places', SEALED);
    await untilIndexesServed(s, 'places');
    assert.equal((await c.describeIndex('places', 'geo_rtree')).map((d) => [d.fieldName, d.indexType, d.indexState]), [['geo', 'RTREE', 'Finished']]);
    const before = narrowedReads(s.metrics);
    await same(c, 'RTREE', all);
    assert.ok(narrowedReads(s.metrics) - before >= 10, 'the RTREE narrowed the sealed reads');

    // Bad WKT: a typed error naming the row and the field, and nothing written.
    const count = async () => (await s.client.query('places', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'];
    const had = await count();
    try {
      await c.insert('places', [{ id: 90_000, vec: [0, 0, 0, 0], geo: 'POINT (1 1)', n: 0 }, { id: 90_001, vec: [0, 0, 0, 0], geo: 'POLYGON ((0 0, 1 0, 1 1, 0 0.5))', n: 0 }]);
      assert.unreachable('bad WKT accepted');
    } catch (e) {
      assert.instance(e, ValidationError);
      assert.match((e as Error).message, /row 1: Geometry field 'geo' .*not valid WKT.*closed/);
    }
    try {
      await c.query('places', { filter: "ST_WITHIN(geo, 'POLYGON ((0 0, 1 0))')", consistencyLevel: 'Strong' });
      assert.unreachable('bad filter WKT accepted');
    } catch (e) { assert.instance(e, ValidationError); assert.match((e as Error).message, /not valid WKT/); }
    assert.is(await count(), had);

    const { dataDir } = s;
    await s.stop();
    s = await tempStandalone({ ...opts, dataDir });
    await untilIndexedAndLoaded(s, 'places', SEALED);
    await untilIndexesServed(s, 'places');
    const atRestart = narrowedReads(s.metrics);
    await same(s.client, 'restarted', all);
    assert.ok(narrowedReads(s.metrics) - atRestart >= 10, 'the restarted query node uses the RTREE');

    // Delete by a geometry filter, and walk the rest with an iterator.
    const gone = "ST_WITHIN(geo, 'POLYGON ((0 0, 6 0, 6 6, 0 6, 0 0))')";
    const doomed = expected(gone, all);
    const { count: removed } = await s.client.delete('places', { filter: gone });
    assert.is(removed, doomed.length);
    doomed.forEach((id) => deleted.add(id));
    assert.equal((await answers(s.client, gone)).ids, []);
    await same(s.client, 'after delete', all);
    const walk = "ST_INTERSECTS(geo, 'POLYGON ((0 0, 20 0, 20 10, 0 10, 0 0))')";
    const it = await s.client.queryIterator('places', { batchSize: 50, filter: walk, outputFields: ['geo'], consistencyLevel: 'Strong' });
    const seen: RowObject[] = [];
    for await (const b of it) seen.push(...b);
    assert.equal(seen.map((x) => Number(x.id)).sort((a, b) => a - b), expected(walk, all));
    assert.ok(seen.every((x) => typeof x.geo === 'string' && /^[A-Z]+ \(/.test(x.geo)));
  } finally { await s.cleanup(); }
});

test('an added Geometry field: old rows read its default, as canonical WKT, in output and filters', async () => {
  const s = await tempStandalone();
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'a', schema, metricType: 'L2', indexParams: [{ indexName: 'vec', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    await c.insert('a', rows.slice(1, 4));
    await c.addCollectionField('a', { name: 'home', dataType: 'Geometry', nullable: true, defaultValue: 'point(1  1)' });
    assert.is((await c.describeCollection('a')).schema.fields.find((f) => f.name === 'home')!.defaultValue, 'POINT (1 1)');
    await c.insert('a', [{ ...rows[4]!, home: 'POINT (2 2)' }]);
    const out = await c.query('a', { filter: 'id > 0', outputFields: ['home'], consistencyLevel: 'Strong' });
    assert.equal(out.map((x) => [Number(x.id), x.home]).sort(), [[1, 'POINT (1 1)'], [2, 'POINT (1 1)'], [3, 'POINT (1 1)'], [4, 'POINT (2 2)']]);
    const ids = async (filter: string) => (await c.query('a', { filter, outputFields: ['id'], consistencyLevel: 'Strong' })).map((x) => Number(x.id)).sort();
    assert.equal(await ids("ST_EQUALS(home, 'POINT (1 1)')"), [1, 2, 3]);
    assert.equal(await ids("ST_DWITHIN(home, 'POINT (2 2)', 1)"), [4]);
  } finally { await s.cleanup(); }
});

test('RTREE requests on other fields, and other indexes on a Geometry field, are refused', async () => {
  const s = await tempStandalone();
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'g', schema, metricType: 'L2' });
    const refused = async (fieldName: string, indexType: string, re: RegExp) => {
      try { await c.createIndex('g', { indexName: 'i', fieldName, indexType, params: {} }); assert.unreachable('accepted'); } catch (e) {
        assert.instance(e, ValidationError); assert.match((e as Error).message, re);
      }
    };
    await refused('n', 'RTREE', /RTREE takes Geometry fields/);
    await refused('geo', 'INVERTED', /a Geometry field takes an RTREE index/);
    await refused('geo', 'STL_SORT', /a Geometry field takes an RTREE index/);
    await c.createIndex('g', { indexName: 'auto', fieldName: 'geo', indexType: 'AUTOINDEX', params: {} });
    assert.equal((await c.describeIndex('g', 'auto')).map((d) => d.indexType), ['RTREE']);
  } finally { await s.cleanup(); }
});

test.run();

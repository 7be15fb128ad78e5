import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import type { SearchAggregation } from '../../messages/searchAggregation.js';
import type { Hit } from '../../runtime/client/api.js';
import { comparable, referenceAggregate, type RefRow } from '../support/aggregationReference.js';
import { tempStandalone, untilIndexedAndLoaded, vectors } from './harness.js';

/**
 * Search aggregation through the whole read path: two shards, each with two
 * sealed HNSW-indexed segments on the query node and growing rows in the
 * delegator, some rows deleted and some upserted. Each aggregation must equal
 * the reference aggregation of the candidates a plain search with the same
 * limit, filter and params returns.
 */
const DIM = 8;
const schema = {
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'brand', dataType: 'VarChar' as const, maxLength: 8, nullable: true },
    { name: 'color', dataType: 'Int32' as const },
    { name: 'price', dataType: 'Float' as const, nullable: true },
    { name: 'qty', dataType: 'Int64' as const },
    { name: 'meta', dataType: 'JSON' as const },
  ],
};
/** Prices are multiples of 0.5, exact in float32, so sums do not depend on the order rows are added in. */
const rowsOf = (from: number, n: number, seed: number) => vectors(n, DIM, seed).map((vec, i) => {
  const id = from + i;
  return { id, vec, brand: id % 11 === 0 ? null : ['a', 'b', 'c', 'd', 'e'][(id * 7) % 5]!, color: id % 3, price: id % 13 === 0 ? null : ((id * 37) % 200) / 2, qty: (id * 11) % 40, meta: { id } };
});

const SHOWN = ['brand', 'color', 'price', 'qty'];
const specs: SearchAggregation[] = [
  { fields: ['brand'], size: 4, metrics: { n: { op: 'count', field_name: '*' }, avg_price: { op: 'avg', field_name: 'price' }, total: { op: 'sum', field_name: 'qty' }, closest: { op: 'min', field_name: '_score' } }, top_hits: { size: 3 } },
  {
    fields: ['brand', 'color'], size: 6, metrics: { hi: { op: 'max', field_name: 'price' }, priced: { op: 'count', field_name: 'price' } },
    order: [{ key: 'hi', direction: 'desc' }, { key: '_key', direction: 'asc' }], top_hits: { size: 2, sort: [{ field_name: 'qty', direction: 'desc' }] },
  },
  {
    fields: ['color'], size: 3, order: [{ key: '_count', direction: 'desc' }],
    sub_aggregation: { fields: ['brand'], size: 3, metrics: { lo: { op: 'min', field_name: 'price' } }, order: [{ key: 'lo', direction: 'asc' }], top_hits: { size: 1, sort: [{ field_name: '_score', direction: 'asc' }] },
      sub_aggregation: { fields: ['qty'], size: 2, order: [{ key: '_key', direction: 'desc' }] } },
  },
];

const refRows = (hits: Hit[]): RefRow[] => hits.map((h, rank) => ({ pk: h.id, rank, score: h.distance, fields: h.fields }));

test('aggregations over sealed, growing, deleted and upserted rows on two shards equal the reference over the plain search\'s candidates', async () => {
  const s = await tempStandalone({ streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } });
  try {
    const c = s.client;
    await c.createCollection({ collectionName: 'shop', schema, metricType: 'L2', shardsNum: 2, indexParams: [{ indexName: 'v', fieldName: 'vec', indexType: 'HNSW', params: { M: 16, efConstruction: 200 } }], load: true });
    await c.insert('shop', rowsOf(0, 300, 1));
    await c.flush('shop');
    await c.insert('shop', rowsOf(300, 300, 2));
    await c.flush('shop');
    await untilIndexedAndLoaded(s, 'shop', 600);
    await c.insert('shop', rowsOf(600, 200, 3));
    await c.delete('shop', { filter: 'id % 7 == 0' });
    await c.upsert('shop', rowsOf(10, 20, 4).map((r) => ({ ...r, brand: 'z', price: 0.5 })));
    for (const [qi, q] of vectors(3, DIM, 9).entries()) {
      for (const [si, aggregation] of specs.entries()) {
        const base = { data: [q], limit: 120, consistencyLevel: 'Strong' as const, searchParams: { params: { ef: 400 } }, outputFields: SHOWN, ...(si === 1 ? { filter: 'qty > 4' } : {}) };
        const [plain] = await c.search('shop', base);
        assert.is(plain!.length, 120);
        assert.ok(plain!.some((h) => (h.id as number) >= 600) && plain!.some((h) => (h.id as number) < 600), 'candidates both sealed and growing');
        assert.ok(plain!.every((h) => (h.id as number) % 7 !== 0), 'deleted rows are no candidates');
        const got = await c.search('shop', { ...base, aggregation });
        const want = referenceAggregate(refRows(plain!), aggregation);
        assert.equal(comparable(got.agg_buckets[0]!), want, `query ${qi}, spec ${si}`);
        assert.ok(want.length > 1, 'several buckets');
        const byId = new Map(plain!.map((h) => [h.id, h]));
        const walk = (bs: typeof got.agg_buckets[0]) => bs.forEach((b) => { b.hits.forEach((h) => { assert.equal(h.fields, byId.get(h.pk)!.fields); assert.is(h.score, byId.get(h.pk)!.distance); }); walk(b.sub_groups); });
        walk(got.agg_buckets[0]!);
      }
    }
    const [q1, q2] = vectors(2, DIM, 10);
    const one = async (q: number[]) => (await c.search('shop', { data: [q], limit: 50, consistencyLevel: 'Strong', aggregation: specs[0]! })).agg_buckets[0];
    const both = await c.search('shop', { data: [q1!, q2!], limit: 50, consistencyLevel: 'Strong', aggregation: specs[0]! });
    assert.equal(both.agg_buckets, [await one(q1!), await one(q2!)], 'one list of buckets per query vector');
  } finally { await s.cleanup(); }
});

test('aggregation requests that cannot be served are refused with typed errors', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'g', schema, metricType: 'L2', load: true });
    await s.client.insert('g', rowsOf(0, 20, 1));
    const q = vectors(1, DIM, 2)[0]!;
    const refused = async (extra: object, re: RegExp) => {
      try { await s.client.search('g', { data: [q], limit: 5, aggregation: { fields: ['brand'], size: 2 }, ...extra } as never); assert.unreachable(`accepted ${JSON.stringify(extra)}`); } catch (e) {
        assert.instance(e, ValidationError);
        assert.match((e as Error).message, re);
      }
    };
    await refused({ aggregation: { fields: ['nope'], size: 2 } }, /'nope' is not a field/);
    await refused({ aggregation: { fields: ['vec'], size: 2 } }, /FloatVector: buckets are keyed by/);
    await refused({ aggregation: { fields: ['meta'], size: 2 } }, /JSON: buckets are keyed by/);
    await refused({ aggregation: { fields: ['brand'], size: 2, metrics: { m: { op: 'avg', field_name: 'brand' } } } }, /avg cannot read 'brand'/);
    await refused({ aggregation: { fields: ['brand'], size: -1 } }, /size: must be an integer/);
    await refused({ aggregation: { fields: ['brand'], size: 2, order: [{ key: 'm', direction: 'asc' }] } }, /order\[0\]\.key/);
    await refused({ groupingField: 'color' }, /takes no groupingField/);
    await refused({ offset: 2 }, /takes no offset/);
    const ok = await s.client.search('g', { data: [q], limit: 5, consistencyLevel: 'Strong', aggregation: { fields: ['color'], size: 5, metrics: { n: { op: 'count', field_name: '*' } } } });
    assert.is(ok.agg_buckets[0]!.reduce((n, b) => n + b.count, 0), 5, 'the counts add up to the candidates');
    // A VarChar primary key: round two's `pk in [...]` names string keys.
    await s.client.createCollection({ collectionName: 'v', schema: { fields: [{ name: 'k', dataType: 'VarChar' as const, isPrimary: true, maxLength: 8 }, ...schema.fields.slice(1)] }, metricType: 'L2', load: true });
    await s.client.insert('v', rowsOf(0, 20, 1).map(({ id, ...r }) => ({ ...r, k: `k${id}` })));
    const [plain] = await s.client.search('v', { data: [q], limit: 7, consistencyLevel: 'Strong', outputFields: ['color'] });
    const byKey = await s.client.search('v', { data: [q], limit: 7, consistencyLevel: 'Strong', aggregation: { fields: ['color'], size: 5, top_hits: { size: 7 } } });
    assert.equal(byKey.agg_buckets[0]!.flatMap((b) => b.hits.map((h) => h.pk)).sort(), plain!.map((h) => h.id).sort(), 'every candidate lands in a bucket');
  } finally { await s.cleanup(); }
});

test.run();

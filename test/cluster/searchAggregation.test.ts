/**
 * Search aggregation across processes (two streaming nodes, two query nodes on
 * real NATS, etcd and S3): the aggregate plan and the partial buckets cross
 * the bus between client, delegators and query nodes, and the buckets equal
 * the reference aggregation of the candidates a plain search returns, over
 * sealed segments on the query nodes, growing rows and deletes. A query
 * aggregation's groups cross the bus the same way.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SearchAggregation } from '../../messages/searchAggregation.js';
import { comparable, referenceAggregate } from '../support/aggregationReference.js';
import { vectorOf } from './support/data.js';
import { eventually, haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';

const DIM = 8, SEED = 11, NAME = 'agg';
const rowsOf = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => {
  const id = from + k;
  return { id, vector: vectorOf(SEED, id, DIM), brand: id % 9 === 0 ? null : ['a', 'b', 'c', 'd'][id % 4]!, color: (id * 7) % 3, price: ((id * 13) % 100) / 4 };
});

if (haveServices('cluster: search aggregation')) {
  let cluster: TestCluster | undefined;
  test.before(async () => { cluster = await startTestCluster(); });
  test.after(async () => { await cluster?.stop(); });

  test('aggregations over the bus equal the reference over the plain search\'s candidates', async () => {
    const c = cluster!.client;
    await cluster!.http.ok('/collections/create', {
      collectionName: NAME,
      schema: { fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim: DIM } },
        { fieldName: 'brand', dataType: 'VarChar', elementTypeParams: { max_length: 4 }, nullable: true },
        { fieldName: 'color', dataType: 'Int32' },
        { fieldName: 'price', dataType: 'Double' },
      ] },
      indexParams: [{ fieldName: 'vector', indexName: 'vector', indexType: 'FLAT', metricType: 'L2' }],
      params: { shardsNum: 2 },
    });
    await c.insert(NAME, rowsOf(0, 600));
    await c.flush(NAME);
    await eventually('flushed segments loaded', async () => (await c.getLoadState(NAME)).loadProgress === 100, 120_000);
    await c.insert(NAME, rowsOf(600, 800));
    await c.delete(NAME, { filter: 'id % 5 == 0' });
    const spec: SearchAggregation = {
      fields: ['brand', 'color'], size: 5, metrics: { n: { op: 'count', field_name: '*' }, avg: { op: 'avg', field_name: 'price' }, hi: { op: 'max', field_name: 'price' } },
      order: [{ key: '_count', direction: 'desc' }, { key: 'hi', direction: 'asc' }], top_hits: { size: 2, sort: [{ field_name: 'price', direction: 'desc' }] },
      sub_aggregation: { fields: ['color'], size: 2, metrics: { lo: { op: 'min', field_name: '_score' } } },
    };
    for (let q = 0; q < 3; q++) {
      const base = { data: [vectorOf(SEED + 1, q, DIM)], limit: 200, outputFields: ['brand', 'color', 'price'], consistencyLevel: 'Strong' as const };
      const [plain] = await c.search(NAME, base);
      assert.ok(plain!.some((h) => Number(h.id) >= 600) && plain!.some((h) => Number(h.id) < 600), 'candidates sealed and growing');
      const got = await c.search(NAME, { ...base, aggregation: spec });
      assert.equal(comparable(got.agg_buckets[0]!), referenceAggregate(plain!.map((h, rank) => ({ pk: h.id, rank, score: h.distance, fields: h.fields })), spec), `query ${q}`);
    }
    // A query aggregation's buckets cross the bus too: its groups equal those counted from the plain rows.
    const rows = await c.query(NAME, { filter: 'id >= 0', outputFields: ['brand', 'price'], consistencyLevel: 'Strong' });
    const want = new Map<string | null, { n: number; sum: number }>();
    for (const r of rows) {
      const g = want.get(r.brand as string | null) ?? { n: 0, sum: 0 };
      want.set(r.brand as string | null, { n: g.n + 1, sum: g.sum + (r.price as number) });
    }
    const groups = await c.query(NAME, { groupByFields: ['brand'], outputFields: ['brand', 'count(*)', 'sum(price)'], consistencyLevel: 'Strong' });
    assert.equal(groups, ['a', 'b', 'c', 'd', null].map((b) => ({ brand: b, 'count(*)': want.get(b)!.n, 'sum(price)': want.get(b)!.sum })));
  });
}

test.run();

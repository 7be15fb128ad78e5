/**
 * Query aggregation through the REST gateway: `groupByFields` and aggregate
 * `outputFields` on /entities/query answer the client's rows, and a bad
 * aggregation (or one with a cursor) is refused with a typed error. Against a standalone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CollectionSchema } from '../../messages/schema.js';
import { ErrorCode } from '../../messages/errors.js';
import { tempStandalone, vectors } from '../standalone/harness.js';
import { V2Client } from './support/v2Client.js';

const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'vec', dataType: 'FloatVector', dim: 4 },
    { name: 'brand', dataType: 'VarChar', maxLength: 8 },
    { name: 'price', dataType: 'Double' },
  ],
};

test('REST query with groupByFields answers the client\'s groups; a bad one is refused', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    await s.client.createCollection({ collectionName: 'shop', schema, metricType: 'L2', load: true });
    await s.client.insert('shop', vectors(60, 4, 5).map((vec, id) => ({ id, vec, brand: ['a', 'b', 'c'][id % 3]!, price: id / 2 })));
    const ask = { groupByFields: ['brand'], outputFields: ['brand', 'count(*)', 'avg(price)', 'max(id)'], consistencyLevel: 'Strong' as const };
    const want = await s.client.query('shop', ask);
    assert.equal(want.map((r) => r.brand), ['a', 'b', 'c']);
    assert.equal(want[2], { brand: 'c', 'count(*)': 20, 'avg(price)': (2 + 59) / 4, 'max(id)': 59 });
    const http = new V2Client(s.http!.url);
    const reply = await http.okReply('/entities/query', { collectionName: 'shop', ...ask });
    assert.equal(reply.data, want);
    assert.equal((await http.okReply('/entities/query', { collectionName: 'shop', outputFields: ['count(*)', 'min(brand)'], filter: 'price > 10', consistencyLevel: 'Strong' })).data, [{ 'count(*)': 39, 'min(brand)': 'a' }]);
    const top = await http.okReply('/entities/query', { collectionName: 'shop', groupByFields: ['brand'], outputFields: ['brand', 'sum(price)'], orderByFields: [{ fieldName: 'sum(price)', order: 'desc' }], limit: 1, consistencyLevel: 'Strong' });
    assert.equal(top.data, [{ brand: 'c', 'sum(price)': want[2]!['avg(price)'] as number * 20 }], 'the top group by an aggregate');
    await http.fails('/entities/query', { collectionName: 'shop', groupByFields: ['price'], outputFields: ['count(*)'] }, /groupByFields\[0\]: 'price' is Double/, [ErrorCode.InvalidArgument]);
    await http.fails('/entities/query', { collectionName: 'shop', outputFields: ['count(*)', 'brand'] }, /'brand' is neither an aggregate/, [ErrorCode.InvalidArgument]);
    await http.fails('/entities/query', { collectionName: 'shop', groupByFields: ['brand'], cursor: '' }, /a query with a 'cursor' returns rows: groupByFields is not taken/, [ErrorCode.InvalidArgument]);
    await http.fails('/entities/query', { collectionName: 'shop', groupByFields: 'brand', outputFields: ['count(*)'] }, /groupByFields/, [ErrorCode.InvalidArgument]);
  } finally { await s.cleanup(); }
});

test.run();

/**
 * Search aggregation through the REST gateway: `aggregation` on
 * /entities/search answers the client's buckets (`data`, one query vector's
 * after another, `topks` counting them), and a bad aggregation is refused
 * with the client's typed error. Against a standalone.
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

test('REST search with aggregation answers the client\'s buckets; a bad one is refused', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    await s.client.createCollection({ collectionName: 'shop', schema, metricType: 'L2', load: true });
    await s.client.insert('shop', vectors(60, 4, 5).map((vec, id) => ({ id, vec, brand: ['a', 'b', 'c'][id % 3]!, price: id / 2 })));
    const qs = vectors(2, 4, 6);
    const aggregation = {
      fields: ['brand'], size: 2, metrics: { avg_price: { op: 'avg' as const, field_name: 'price' }, n: { op: 'count' as const, field_name: '*' } },
      order: [{ key: 'avg_price', direction: 'desc' as const }], top_hits: { size: 2, sort: [{ field_name: 'price', direction: 'asc' as const }] },
      sub_aggregation: { fields: ['id'], size: 1, order: [{ key: '_key', direction: 'asc' as const }] },
    };
    const want = await s.client.search('shop', { data: qs, limit: 20, outputFields: ['price'], consistencyLevel: 'Strong', aggregation });
    const http = new V2Client(s.http!.url);
    const reply = await http.okReply('/entities/search', { collectionName: 'shop', data: qs, limit: 20, outputFields: ['price'], consistencyLevel: 'Strong', aggregation });
    assert.equal(reply.data, JSON.parse(JSON.stringify(want.agg_buckets.flat())));
    assert.equal((reply as { topks?: number[] }).topks, [2, 2]);
    const first = (reply.data as Array<{ count: number; hits: Array<{ fields: { price: number } }> }>)[0]!;
    assert.ok(first.count > 0 && first.hits.length === 2 && first.hits[0]!.fields.price <= first.hits[1]!.fields.price);
    await http.fails('/entities/search', { collectionName: 'shop', data: [qs[0]], aggregation: { fields: ['vec'], size: 2 } }, /aggregation\.fields\[0\]: 'vec' is FloatVector/, [ErrorCode.InvalidArgument]);
    await http.fails('/entities/search', { collectionName: 'shop', data: [qs[0]], aggregation: { fields: ['brand'], size: 2, metrics: { m: { op: 'sum', field_name: 'brand' } } } }, /sum cannot read 'brand'/, [ErrorCode.InvalidArgument]);
  } finally { await s.cleanup(); }
});

test.run();

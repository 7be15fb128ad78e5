/**
 * Entity-level TTL over the REST v2 gateway: `properties.ttl_field` at create,
 * described back; entities past their expiry are not queried, searched or
 * counted; alter_properties refuses collection.ttl.seconds beside it (and a
 * ttl_field that is no Timestamptz field); drop_properties removes it.
 * Against a standalone.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempStandalone } from '../standalone/harness.js';
import { V2Client } from './support/v2Client.js';

const vec = [0.1, 0.2, 0.3, 0.4];
const fields = [
  { fieldName: 'id', dataType: 'Int64', isPrimary: true },
  { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 4 } },
  { fieldName: 'expire_at', dataType: 'Timestamptz', nullable: true },
  { fieldName: 'n', dataType: 'Int64' },
];
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

test('REST: create with ttl_field, expired entities not read, exclusive with collection.ttl.seconds', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    await http.fails('/collections/create', { collectionName: 'bad', schema: { fields }, properties: { ttl_field: 'n' } }, /must be Timestamptz/);
    await http.fails('/collections/create', { collectionName: 'bad', schema: { fields }, params: { ttlSeconds: 60 }, properties: { ttl_field: 'expire_at' } }, /mutually exclusive/);
    await http.ok('/collections/create', { collectionName: 'c', schema: { fields }, indexParams: [{ fieldName: 'vec', metricType: 'L2' }], properties: { ttl_field: 'expire_at' } });
    await http.waitLoaded('c');
    const described = await http.ok('/collections/describe', { collectionName: 'c' });
    assert.equal(described.properties, [{ key: 'ttl_field', value: 'expire_at' }]);

    const now = Date.now();
    await http.ok('/entities/insert', { collectionName: 'c', data: [
      { id: 1, vec, n: 1, expire_at: iso(now - HOUR) },
      { id: 2, vec, n: 2, expire_at: iso(now + HOUR) },
      { id: 3, vec, n: 3, expire_at: null },
    ] });
    const query = (body: object) => http.ok('/entities/query', { collectionName: 'c', consistencyLevel: 'Strong', ...body });
    assert.equal((await query({ filter: 'id > 0', outputFields: ['id'] })).map((r: { id: number }) => r.id).sort(), [2, 3]);
    assert.equal(await query({ filter: '', outputFields: ['count(*)'] }), [{ 'count(*)': 2 }]);
    const hits = await http.ok('/entities/search', { collectionName: 'c', data: [vec], limit: 10, consistencyLevel: 'Strong' });
    assert.equal(hits.map((h: { id: number }) => h.id).sort(), [2, 3]);

    await http.fails('/collections/alter_properties', { collectionName: 'c', properties: { 'collection.ttl.seconds': 60 } }, /mutually exclusive/);
    await http.fails('/collections/alter_properties', { collectionName: 'c', properties: { ttl_field: 'n' } }, /must be Timestamptz/);
    await http.ok('/collections/drop_properties', { collectionName: 'c', propertyKeys: ['ttl_field'] });
    assert.equal((await http.ok('/collections/describe', { collectionName: 'c' })).properties, []);
    assert.equal((await query({ filter: 'id > 0', outputFields: ['id'] })).map((r: { id: number }) => r.id).sort(), [2, 3], 'the expired entity stays hidden');
    await http.ok('/collections/alter_properties', { collectionName: 'c', properties: { 'collection.ttl.seconds': 86400 } });
  } finally { await s.cleanup(); }
});

test.run();

/**
 * Partition key isolation over the HTTP API, as Milvus REST v2 clients write
 * it: `params.partitionKeyIsolation` (or the `partitionkey.isolation`
 * property) at create, describe lists the property, a pinned search answers
 * from the tenant's rows, an unpinned one is refused with 1100 and Milvus's
 * words, and alter_properties/drop_properties follow Milvus's rules.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode } from '../../messages/index.js';
import { tempStandalone, vectors } from '../standalone/harness.js';
import { V2Client } from './support/v2Client.js';

const fields = [
  { fieldName: 'id', dataType: 'Int64', isPrimary: true },
  { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 4 } },
  { fieldName: 'tenant', dataType: 'VarChar', isPartitionKey: true, elementTypeParams: { max_length: 16 } },
];
const isolated = (d: { properties: Array<{ key: string; value: string }> }) => d.properties.find((p) => p.key === 'partitionkey.isolation')?.value;

test('create with params.partitionKeyIsolation, pinned and refused searches, alter and drop the property', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    await http.ok('/collections/create', {
      collectionName: 'mt', schema: { fields }, params: { partitionKeyIsolation: true },
      indexParams: [{ fieldName: 'vec', metricType: 'L2', indexType: 'HNSW' }],
    });
    assert.is(isolated(await http.ok('/collections/describe', { collectionName: 'mt' })), 'true');
    await http.waitLoaded('mt');
    const vs = vectors(60, 4, 5);
    await http.ok('/entities/insert', { collectionName: 'mt', data: vs.map((vector, i) => ({ id: i, vec: vector, tenant: `t${i % 6}` })) });
    const hits = await http.ok('/entities/search', { collectionName: 'mt', data: [vs[4]], limit: 20, filter: 'tenant == "t4"', outputFields: ['tenant'], consistencyLevel: 'Strong' });
    assert.equal(hits.map((h: { id: number }) => h.id).sort((a: number, b: number) => a - b), [4, 10, 16, 22, 28, 34, 40, 46, 52, 58]);
    await http.fails('/entities/search', { collectionName: 'mt', data: [vs[0]], limit: 3 }, /partition key not found in expr/, [ErrorCode.InvalidArgument]);
    await http.fails('/entities/search', { collectionName: 'mt', data: [vs[0]], limit: 3, filter: 'tenant in ["t1", "t2"]' }, /partition key isolation does not support IN/, [ErrorCode.InvalidArgument]);
    await http.fails('/collections/alter_properties', { collectionName: 'mt', properties: { 'partitionkey.isolation': 'false' } }, /already has a vector index/, [ErrorCode.FailedPrecondition]);

    // Set and unset on a collection without a vector index; refused without a partition key.
    await http.ok('/collections/create', { collectionName: 'late', schema: { fields } });
    await http.ok('/collections/alter_properties', { collectionName: 'late', properties: { 'partitionkey.isolation': 'true' } });
    assert.is(isolated(await http.ok('/collections/describe', { collectionName: 'late' })), 'true');
    await http.ok('/collections/drop_properties', { collectionName: 'late', propertyKeys: ['partitionkey.isolation'] });
    assert.is(isolated(await http.ok('/collections/describe', { collectionName: 'late' })), undefined);
    await http.fails('/collections/create', { collectionName: 'x', dimension: 4, params: { partitionKeyIsolation: true } }, /no partition key field is set/, [ErrorCode.InvalidArgument]);
    await http.fails('/collections/create', { collectionName: 'x', schema: { fields }, properties: { 'partitionkey.isolation': 'sometimes' } }, /partitionkey.isolation must be true or false/, [ErrorCode.InvalidArgument]);
  } finally { await s.cleanup(); }
});

test.run();

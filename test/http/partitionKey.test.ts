/**
 * The partition key over the HTTP API, as Milvus REST v2 clients write it:
 * `isPartitionKey` on a field and `params.partitionsNum` at create, describe
 * reports `partitionKey` and `partitionsNum`, a pinned search answers from the
 * tenant's rows, and partition names on a partition-key collection are refused
 * with 1100 (InvalidArgument).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode } from '../../messages/index.js';
import { tempStandalone, vectors } from '../standalone/harness.js';
import { V2Client } from './support/v2Client.js';

const INVALID = [ErrorCode.InvalidArgument];
const fields = [
  { fieldName: 'id', dataType: 'Int64', isPrimary: true },
  { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 4 } },
  { fieldName: 'tenant', dataType: 'VarChar', isPartitionKey: true, elementTypeParams: { max_length: 16 } },
];

test('create, describe, insert, pinned search and refusals over REST', async () => {
  const s = await tempStandalone({ port: 0 });
  try {
    const http = new V2Client(s.http!.url);
    await http.ok('/collections/create', {
      collectionName: 'mt', schema: { fields }, params: { partitionsNum: '4' },
      indexParams: [{ fieldName: 'vec', metricType: 'L2', indexType: 'HNSW' }],
    });
    const d = await http.ok('/collections/describe', { collectionName: 'mt' });
    assert.is(d.partitionsNum, 4);
    assert.equal(d.fields.map((f: { name: string; partitionKey: boolean }) => [f.name, f.partitionKey]), [['id', false], ['vec', false], ['tenant', true]]);
    assert.equal(await http.ok('/partitions/list', { collectionName: 'mt' }), ['_default_0', '_default_1', '_default_2', '_default_3']);
    await http.waitLoaded('mt');

    const vs = vectors(40, 4, 3);
    const data = vs.map((vector, i) => ({ id: i, vec: vector, tenant: `t${i % 5}` }));
    assert.is((await http.ok('/entities/insert', { collectionName: 'mt', data })).insertCount, 40);
    const hits = await http.ok('/entities/search', { collectionName: 'mt', data: [vs[2]], limit: 20, filter: 'tenant == "t2"', outputFields: ['tenant'], consistencyLevel: 'Strong' });
    assert.equal(hits.map((h: { id: number }) => h.id).sort((a: number, b: number) => a - b), [2, 7, 12, 17, 22, 27, 32, 37]);
    assert.ok(hits.every((h: { tenant: string }) => h.tenant === 't2'));

    await http.fails('/entities/insert', { collectionName: 'mt', data: data.slice(0, 1), partitionName: '_default_0' }, /partition key mode/, INVALID);
    await http.fails('/entities/search', { collectionName: 'mt', data: [vs[0]], limit: 3, partitionNames: ['_default_0'] }, /partition key mode/, INVALID);
    await http.fails('/entities/query', { collectionName: 'mt', filter: 'id > 0', partitionNames: ['_default_0'] }, /partition key mode/, INVALID);
    await http.fails('/entities/delete', { collectionName: 'mt', filter: 'id > 0', partitionName: '_default_0' }, /partition key mode/, INVALID);
    await http.fails('/partitions/create', { collectionName: 'mt', partitionName: 'p' }, /disable create partition if partition key mode is used/, INVALID);
    await http.fails('/partitions/drop', { collectionName: 'mt', partitionName: '_default_1' }, /disable drop partition/, INVALID);
    await http.fails('/partitions/load', { collectionName: 'mt', partitionNames: ['_default_1'] }, /disable load partitions/, INVALID);
    await http.fails('/partitions/release', { collectionName: 'mt', partitionNames: ['_default_1'] }, /disable release partitions/, INVALID);
    await http.fails('/collections/create', { collectionName: 'x', dimension: 4, params: { partitionsNum: 4 } }, /only for a collection with a partition key/, INVALID);
    await http.fails('/collections/create', { collectionName: 'x', schema: { fields }, params: { partitionsNum: 2000 } }, /partitionsNum/, INVALID);
    await http.fails('/collections/create', { collectionName: 'x', schema: { fields: [...fields, { fieldName: 'org', dataType: 'Int64', isPartitionKey: true }] } }, /at most one partition key/, INVALID);
  } finally { await s.cleanup(); }
});

test.run();

/**
 * The clustering key over the HTTP API: `isClusteringKey` on a field at
 * create, describe reports `clusteringKey`, `collections/compact` with
 * `isClustering: true` runs a clustering compaction whose state reaches
 * Completed, after which a filtered query answers as before; refusals are 1100.
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
  { fieldName: 'score', dataType: 'Double', isClusteringKey: true },
];

test('create with a clustering key, describe, clustering compaction and refusals over REST', async () => {
  const s = await tempStandalone({ port: 0, coordinator: { compaction: { intervalMs: 0, graceMs: 0, clusteringTargetRows: 10 } } });
  try {
    const http = new V2Client(s.http!.url);
    await http.ok('/collections/create', { collectionName: 'ck', schema: { fields }, indexParams: [{ fieldName: 'vec', metricType: 'L2', indexType: 'FLAT' }] });
    const d = await http.ok('/collections/describe', { collectionName: 'ck' });
    assert.equal(d.fields.map((f: { name: string; clusteringKey: boolean }) => [f.name, f.clusteringKey]), [['id', false], ['vec', false], ['score', true]]);
    await http.waitLoaded('ck');
    const vs = vectors(40, 4, 9);
    await http.ok('/entities/insert', { collectionName: 'ck', data: vs.map((vector, i) => ({ id: i, vec: vector, score: ((i * 13) % 40) / 4 })) });
    await http.ok('/collections/flush', { collectionName: 'ck' });
    const query = async () => (await http.ok('/entities/query', { collectionName: 'ck', filter: 'score >= 2.5 and score < 5', outputFields: ['id'], consistencyLevel: 'Strong' }))
      .map((r: { id: number }) => r.id).sort((a: number, b: number) => a - b);
    const before = await query();
    assert.is(before.length, 10);
    const { compactionID } = await http.ok('/collections/compact', { collectionName: 'ck', isClustering: true });
    for (let i = 0; i < 600 && (await http.ok('/collections/get_compaction_state', { jobID: compactionID })).state !== 'Completed'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.is((await http.ok('/collections/get_compaction_state', { jobID: compactionID })).state, 'Completed');
    assert.equal(await query(), before);

    await http.fails('/collections/compact', { collectionName: 'ck', isClustering: 'yes' }, /isClustering/, INVALID);
    await http.ok('/collections/create', { collectionName: 'plain', dimension: 4 });
    await http.fails('/collections/compact', { collectionName: 'plain', isClustering: true }, /no clustering key/, INVALID);
    await http.fails('/collections/create', { collectionName: 'x', schema: { fields: [...fields, { fieldName: 'b', dataType: 'Int64', isClusteringKey: true }] } }, /at most one clustering key/, INVALID);
    await http.fails('/collections/create', { collectionName: 'x', schema: { fields: [fields[0], { ...fields[1], isClusteringKey: true }] } }, /vector field/, INVALID);
    await http.fails('/collections/create', { collectionName: 'x', schema: { fields: [...fields.slice(0, 2), { fieldName: 'j', dataType: 'JSON', isClusteringKey: true }] } }, /clustering key 'j' must be/, INVALID);
  } finally { await s.cleanup(); }
});

test.run();

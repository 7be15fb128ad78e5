import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CollectionSchema } from '../../messages/schema.js';
import type { FunctionSchema } from '../../messages/schemaFunctions.js';
import { startReplication } from '../../runtime/replication/replicator.js';
import { until } from '../support/until.js';
import { tempStandalone } from './harness.js';
import type { System } from './replicationFixture.js';

/**
 * Cross-cluster replication carries function DDL: a BM25 function added,
 * altered and dropped on the source is added, altered and dropped on the
 * target, whose rows hold the outputs the source computed, so a full-text
 * search on the target answers as on the source.
 */
const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'body', dataType: 'VarChar', maxLength: 100, enableAnalyzer: true },
    { name: 'title', dataType: 'VarChar', maxLength: 100, enableAnalyzer: true },
    { name: 'sparse', dataType: 'SparseFloatVector' },
    { name: 'vec', dataType: 'FloatVector', dim: 2 },
  ],
};
const bm25: FunctionSchema = { name: 'bm', type: 'BM25', inputFieldNames: ['body'], outputFieldNames: ['sparse'] };
const WORDS = ['apple', 'banana', 'cherry', 'delta', 'echo'];
const row = (id: number) => ({ id, body: `${WORDS[id % 5]} ${WORDS[(id * 3) % 5]} ${WORDS[(id * 7) % 5]}`, title: WORDS[(id + 1) % 5]!, vec: [id, 1] });
const search = async (s: System, q: string) => (await s.client.search('cdf', { annsField: 'sparse', data: [q], limit: 10, consistencyLevel: 'Strong' }))[0]!.map((h) => [h.id, h.distance.toFixed(5)]);

/** The value as plain objects (decoded records hold prototype-free wire objects: messages/valueCodec.ts). */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

test('function add, alter and drop reach the target; its BM25 search answers as the source', async () => {
  const src = await tempStandalone({ pchannels: 2 }), dst = await tempStandalone({ pchannels: 2 });
  try {
    const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'FLAT', params: {} }];
    await src.client.createCollection({ collectionName: 'cdf', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    await src.client.insert('cdf', [{ ...row(0), sparse: {} }]);
    const h = startReplication({ source: { client: src.client, bus: src.bus }, target: { client: dst.client, meta: dst.meta }, collection: 'cdf', pollMs: 20 });
    await until(async () => (await dst.client.hasCollection('cdf')) && (await dst.client.listIndexes('cdf')).length > 0, 'the target collection with its index', 30_000);
    await dst.client.loadCollection('cdf');

    await src.client.addCollectionFunction({ collectionName: 'cdf', function: bm25 });
    let last = (await src.client.insert('cdf', Array.from({ length: 20 }, (_, i) => row(1 + i)))).tso;
    await h.until(last);
    assert.equal(plain((await dst.client.describeCollection('cdf')).schema.functions), [bm25]);
    for (const q of ['apple', 'cherry delta']) assert.equal(await search(dst, q), await search(src, q), `target answers '${q}' as the source`);
    assert.ok((await search(dst, 'apple')).length > 0);

    const titled = { ...bm25, inputFieldNames: ['title'] };
    await src.client.alterCollectionFunction({ collectionName: 'cdf', function: titled });
    last = (await src.client.insert('cdf', Array.from({ length: 5 }, (_, i) => row(30 + i)))).tso;
    await h.until(last);
    assert.equal(plain((await dst.client.describeCollection('cdf')).schema.functions), [titled]);
    assert.equal(await search(dst, 'banana'), await search(src, 'banana'));

    await src.client.dropCollectionFunction({ collectionName: 'cdf', functionName: 'bm' });
    last = (await src.client.insert('cdf', [{ ...row(40), sparse: { 3: 1 } }])).tso;
    await h.until(last);
    assert.is((await dst.client.describeCollection('cdf')).schema.functions, undefined);
    await h.stop();
  } finally { await src.cleanup(); await dst.cleanup(); }
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getRecord, putRecord } from '../../actors/coordinator/shell/metaCodec.js';
import { encodeMessage } from '../../messages/codec.js';
import type { DdlStep } from '../../messages/pendingDdl.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import { streamingSubject, type StreamingProtocol } from '../../messages/rpc/streamingNode.js';
import { newMessage } from '../../messages/types.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Journaled DDL (actors/coordinator/core/journaledDdl.ts): a coordinator that
 * died after a DDL reached the shards and before its record was saved leaves
 * the step pending in the record; the next coordinator finishes it. Each test
 * makes that state exactly — the step journaled in the record, its message
 * appended to every shard under the broadcast id, no record saved — then
 * restarts on the same data dir.
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const vecs = vectors(60, DIM, 5);
const rows = (from: number, n: number, extra: Record<string, unknown> = {}) => Array.from({ length: n }, (_, i) => ({ id: from + i, vec: vecs[(from + i) % vecs.length]!, ...extra }));

/** What a coordinator killed mid-DDL leaves: the step pending in the record and on every shard, the record not saved. */
async function cutShort(s: Awaited<ReturnType<typeof tempStandalone>>, name: string, step: DdlStep, broadcastId: number): Promise<void> {
  const key = `catalog/${name}`;
  const rec = (await getRecord<CollectionRecord>(s.meta, key))!;
  await putRecord(s.meta, key, { ...rec, pendingDdl: { broadcastId, step } });
  for (const vchannel of rec.vchannels) {
    const m = newMessage(step.type, vchannel, { collectionId: rec.collectionId, ...step.body } as never);
    m.header.broadcast = { id: broadcastId, vchannels: rec.vchannels };
    m.header.appendId = `broadcast-${broadcastId}`;
    await client<StreamingProtocol>(s.bus, streamingSubject(vchannel.slice(0, vchannel.lastIndexOf('_'))))('append', { message: encodeMessage(m) });
  }
}

const pendingOf = async (s: Awaited<ReturnType<typeof tempStandalone>>, name: string) => (await getRecord<CollectionRecord>(s.meta, `catalog/${name}`))!.pendingDdl;

test('a field add the shards took before the coordinator died is in the record after a restart, and rows carrying it are written', async () => {
  let s = await tempStandalone();
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'fa', schema, metricType: 'L2', shardsNum: 2, load: true });
    await s.client.insert('fa', rows(0, 20));
    await cutShort(s, 'fa', { type: 'AddCollectionField', body: { field: { name: 'color', dataType: 'VarChar', maxLength: 10, nullable: true } } }, 2_000_000_001);
    assert.not.ok((await s.client.describeCollection('fa')).schema.fields.some((f) => f.name === 'color'), 'the running coordinator never saved it');
    await s.stop();

    s = await tempStandalone({ dataDir });
    await until(async () => (await s.client.describeCollection('fa')).schema.fields.some((f) => f.name === 'color'), 'the added field recorded', 30_000);
    assert.is(await pendingOf(s, 'fa'), undefined, 'no longer pending');
    await s.client.insert('fa', rows(20, 10, { color: 'red' }));
    const red = await s.client.query('fa', { filter: 'color == "red"', outputFields: ['id'], consistencyLevel: 'Strong' });
    assert.equal(red.map((r) => r.id as number).sort((a, b) => a - b), Array.from({ length: 10 }, (_, i) => 20 + i));
    assert.is((await s.client.query('fa', { filter: 'color is null', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'], 20);
  } finally { await s.cleanup(); }
});

test('a truncate the shards took before the coordinator died keeps its sealed rows gone after a restart', async () => {
  let s = await tempStandalone();
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'tr', schema, metricType: 'L2', shardsNum: 2, load: true });
    await s.client.insert('tr', rows(0, 40));
    await s.client.flush('tr');
    await until(async () => (await s.client.getLoadState('tr')).loadProgress === 100, 'sealed rows served', 30_000);
    await cutShort(s, 'tr', { type: 'TruncateCollection', body: {} }, 2_000_000_002);
    await s.stop();

    s = await tempStandalone({ dataDir });
    await until(async () => (await pendingOf(s, 'tr')) === undefined, 'the truncate finished', 30_000);
    const count = async () => (await s.client.query('tr', { filter: '', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'];
    await until(async () => (await count()) === 0, 'no row from before the truncate', 30_000);
    await s.client.insert('tr', rows(100, 5));
    assert.is(await count(), 5, 'rows after it are kept');
    const cut = (await getRecord<CollectionRecord>(s.meta, 'catalog/tr'))!.truncatedTso!;
    assert.is(Object.keys(cut).length, 2, 'each shard\'s cut recorded');
  } finally { await s.cleanup(); }
});

test('a partition the shards created before the coordinator died is listed after a restart and takes rows', async () => {
  let s = await tempStandalone();
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'pc', schema, metricType: 'L2', shardsNum: 1, load: true });
    await cutShort(s, 'pc', { type: 'CreatePartition', body: { partition: { id: 2_000_000_100, name: 'late' } } }, 2_000_000_003);
    await s.stop();

    s = await tempStandalone({ dataDir });
    await until(async () => (await s.client.listPartitions('pc')).includes('late'), 'the partition listed', 30_000);
    await s.client.insert('pc', rows(0, 3), 'late');
    const got = await s.client.query('pc', { filter: 'id >= 0', outputFields: ['id'], partitionNames: ['late'], consistencyLevel: 'Strong' });
    assert.is(got.length, 3);
    await s.client.createPartition('pc', 'later');
    assert.ok((await s.client.listPartitions('pc')).includes('later'), 'a later DDL of the collection runs after it');
  } finally { await s.cleanup(); }
});

test('an index the shards took before the coordinator died is described and built after a restart; a second create is refused as existing', async () => {
  let s = await tempStandalone();
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'ix', schema, metricType: 'L2', shardsNum: 2 });
    await s.client.insert('ix', rows(0, 30));
    await s.client.flush('ix');
    const index = { indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', metricType: 'L2' as const, params: { M: 8, efConstruction: 32 } };
    await cutShort(s, 'ix', { type: 'CreateIndex', body: { index } }, 2_000_000_004);
    await s.stop();

    s = await tempStandalone({ dataDir });
    await until(async () => (await s.client.describeIndex('ix')).some((i) => i.indexName === 'vec_idx' && i.indexState === 'Finished' && i.indexedRows === 30), 'the index recorded and built', 60_000);
    const again = await s.client.createIndex('ix', { indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW', params: { M: 8, efConstruction: 32 } }).then(() => 'ok', (e: { code?: string }) => e.code);
    assert.is(again, 'IndexExists');
    await s.client.loadCollection('ix');
    const [hits] = await s.client.search('ix', { data: [vecs[3]!], limit: 1, consistencyLevel: 'Strong' });
    assert.is(hits![0]!.id, 3);
  } finally { await s.cleanup(); }
});

test.run();

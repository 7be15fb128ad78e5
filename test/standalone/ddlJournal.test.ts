import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getRecord, putRecord } from '../../actors/coordinator/shell/metaCodec.js';
import { decodeMessage, encodeMessage } from '../../messages/codec.js';
import { PROPERTY_KEYS } from '../../messages/collectionProperties.js';
import type { AlterStep, DdlStep } from '../../messages/pendingDdl.js';
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
    const m = newMessage(step.type, vchannel, { collectionId: rec.collectionId, ...step.body! } as never);
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

test('a TTL alter the shards took before the coordinator died is recorded after a restart, with the properties it set beside it', async () => {
  let s = await tempStandalone();
  const { dataDir } = s;
  try {
    await s.client.createCollection({ collectionName: 'al', schema, metricType: 'L2', shardsNum: 2, load: true });
    await s.client.insert('al', rows(0, 10));
    const none = Object.fromEntries(Object.values(PROPERTY_KEYS).map((name) => [name, null])) as AlterStep['properties'];
    await cutShort(s, 'al', { type: 'AlterCollection', body: { ttlSeconds: 86_400 }, properties: { ...none, ttlSeconds: 86_400, queryRateMaxQps: 500 } }, 2_000_000_005);
    assert.equal((await s.client.describeCollection('al')).properties, [], 'the running coordinator never saved it');
    await s.stop();

    s = await tempStandalone({ dataDir });
    await until(async () => (await pendingOf(s, 'al')) === undefined, 'the alter finished', 30_000);
    assert.equal((await s.client.describeCollection('al')).properties, [{ key: 'collection.ttl.seconds', value: '86400' }, { key: 'collection.queryRate.max.qps', value: '500' }]);
    await s.client.alterCollectionProperties('al', { 'collection.ttl.seconds': 7200 });
    assert.equal((await s.client.describeCollection('al')).properties.find((p) => p.key === 'collection.ttl.seconds'), { key: 'collection.ttl.seconds', value: '7200' }, 'a later alter runs after it');
    assert.is((await s.client.query('al', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'], 10, 'rows inside the TTL stay');
  } finally { await s.cleanup(); }
});

test('concurrent alters of one collection each keep what the others set, and reach the shards and the record in one order', async () => {
  const s = await tempStandalone();
  try {
    await s.client.createCollection({ collectionName: 'cc', schema, metricType: 'L2', shardsNum: 2 });
    // Each decided against the record as the ones before it left it: none puts back a value another changed.
    const alters: Array<Record<string, string | number>> = [
      { 'collection.ttl.seconds': 3600 }, { 'collection.queryRate.max.qps': 500 }, { timezone: 'Asia/Tokyo' },
      { 'collection.ttl.seconds': 7200 }, { 'collection.insertRate.max.mb': 5 }, { 'collection.ttl.seconds': 10800 },
    ];
    await Promise.all(alters.map((p) => s.client.alterCollectionProperties('cc', p)));
    const described = new Map((await s.client.describeCollection('cc')).properties.map((p) => [p.key, p.value]));
    assert.equal(Object.fromEntries(described), { 'collection.ttl.seconds': '10800', 'collection.queryRate.max.qps': '500', timezone: 'Asia/Tokyo', 'collection.insertRate.max.mb': '5' });
    const rec = (await getRecord<CollectionRecord>(s.meta, 'catalog/cc'))!;
    for (const v of rec.vchannels) {
      const { records } = await client<StreamingProtocol>(s.bus, streamingSubject(v.slice(0, v.lastIndexOf('_'))))('scan', { from: 0, to: Number.MAX_SAFE_INTEGER, maxBytes: 1 << 24 });
      const ttls = records.map((r) => decodeMessage(r.payload)).filter((m) => m.header.type === 'AlterCollection' && m.header.vchannel === v);
      assert.equal(ttls.map((m) => (m.body as { ttlSeconds: number }).ttlSeconds), [3600, 7200, 10800], `only TTL changes reach ${v}, in the order asked`);
    }
  } finally { await s.cleanup(); }
});

test.run();

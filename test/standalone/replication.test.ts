import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeMessage } from '../../messages/codec.js';
import { NuthatchError, ReplicationGapError } from '../../messages/errors.js';
import { newMessage } from '../../messages/types.js';
import { streamingSubject, type StreamingProtocol } from '../../messages/rpc/streamingNode.js';
import { client as busClient } from '../../runtime/rpc/typedBus.js';
import { startReplication, type ReplicationOptions } from '../../runtime/replication/replicator.js';
import { loadCheckpoint, saveCheckpoint } from '../../runtime/replication/checkpointStore.js';
import { until } from '../support/until.js';
import { tempStandalone } from './harness.js';
import { indexParams, rows, schema, type System } from './replicationFixture.js';

/**
 * Cross-cluster replication between two standalone systems in this process,
 * each with its own bus, meta store, objects and WAL: the target converges to
 * exactly the source's rows through inserts, deletes, upserts, partitions, a
 * truncate and an added field; a replicator resumed from an older checkpoint
 * (as after a crash between applying and checkpointing) writes nothing twice;
 * a rolled-back transaction never reaches the target; a source WAL truncated
 * past the checkpoint stops it with a typed error.
 */
/** Every visible row, by id, with every field. */
async function allRows(s: System, name: string): Promise<string> {
  const got = await s.client.query(name, { filter: 'id >= 0', outputFields: ['*'], consistencyLevel: 'Strong', limit: 0 });
  return JSON.stringify(got.sort((a, b) => (a.id as number) - (b.id as number)));
}
async function loadedTarget(dst: System, name: string): Promise<void> {
  await until(async () => (await dst.client.hasCollection(name)) && (await dst.client.listIndexes(name)).length > 0, 'the target collection with its index', 30_000);
  await dst.client.loadCollection(name);
  await until(async () => (await dst.client.getLoadState(name)).loadProgress === 100, 'target loaded', 30_000);
}

let src: System, dst: System;
const opts = (name: string, extra: Partial<ReplicationOptions> = {}): ReplicationOptions => ({
  source: { client: src.client, bus: src.bus }, target: { client: dst.client, meta: dst.meta }, collection: name, pollMs: 20, ...extra,
});

test.before(async () => {
  src = await tempStandalone({ pchannels: 2 });
  dst = await tempStandalone({ pchannels: 3 });
});
test.after(async () => { await src?.cleanup(); await dst?.cleanup(); });

test('the target converges to the source through writes, partitions, truncate and an added field; a restart from an old checkpoint doubles nothing', async () => {
  await src.client.createCollection({ collectionName: 'cdc', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
  await src.client.insert('cdc', rows(0, 60, 'a'));
  let h = startReplication(opts('cdc'));
  await loadedTarget(dst, 'cdc');
  // Writes while replicating.
  await src.client.delete('cdc', { ids: [1, 2, 3] });
  await src.client.upsert('cdc', rows(10, 5, 'up'));
  await src.client.createPartition('cdc', 'p1');
  await src.client.insert('cdc', rows(100, 20, 'p'), 'p1');
  let last = (await src.client.insert('cdc', rows(200, 10, 'b'))).tso;
  await h.until(last);
  assert.is(await allRows(dst, 'cdc'), await allRows(src, 'cdc'), 'converged while replicating');
  assert.ok(h.lag() >= 0);
  const early = await loadCheckpoint(dst.meta, { db: 'default', collection: 'cdc' });
  assert.ok(early, 'a checkpoint in the target meta store');

  // More writes, replicated, then the replicator is stopped and its checkpoint put back to the earlier one:
  // the state a crash after applying but before checkpointing leaves.
  await src.client.upsert('cdc', rows(100, 5, 'up2'), 'p1');
  await src.client.delete('cdc', { ids: [205, 206] });
  last = (await src.client.insert('cdc', rows(300, 15, 'c'))).tso;
  await h.until(last);
  await h.stop();
  await saveCheckpoint(dst.meta, { db: 'default', collection: 'cdc' }, early!);
  last = (await src.client.insert('cdc', rows(400, 5, 'd'))).tso;
  h = startReplication(opts('cdc'));
  await h.until(last);
  const want = await allRows(src, 'cdc');
  assert.is(await allRows(dst, 'cdc'), want, 'nothing lost or doubled after resuming from an old checkpoint');
  assert.is((await dst.client.query('cdc', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)'], JSON.parse(want).length);

  // DDL: an added field, a partition dropped, a truncate, then more rows.
  await src.client.addCollectionField('cdc', { name: 'note', dataType: 'VarChar', maxLength: 8, nullable: true });
  await src.client.insert('cdc', [{ id: 500, tag: 'n', vec: [0, 0, 0, 1], note: 'hi' }]);
  // An altered limit reaches the target before the write that needs it (the target's shards would refuse it otherwise).
  await src.client.alterCollectionField({ collectionName: 'cdc', fieldName: 'note', fieldParams: { max_length: 20 } });
  await src.client.insert('cdc', [{ id: 501, tag: 'n', vec: [0, 0, 1, 0], note: 'a longer note' }]);
  await src.client.releasePartitions('cdc', ['p1']);
  await src.client.dropPartition('cdc', 'p1');
  last = (await src.client.insert('cdc', rows(600, 4, 'e'))).tso;
  await h.until(last);
  await until(async () => !(await dst.client.hasPartition('cdc', 'p1')), 'p1 dropped on the target');
  assert.is(await allRows(dst, 'cdc'), await allRows(src, 'cdc'), 'after add field, alter field and drop partition');
  assert.is((await dst.client.describeCollection('cdc')).schema.fields.find((f) => f.name === 'note')?.maxLength, 20);
  // A dropped field is dropped on the target too; a row after it converges without it.
  await src.client.dropCollectionField({ collectionName: 'cdc', fieldName: 'note' });
  last = (await src.client.insert('cdc', [{ id: 502, tag: 'n', vec: [0, 1, 0, 0] }])).tso;
  await h.until(last);
  assert.is(await allRows(dst, 'cdc'), await allRows(src, 'cdc'), 'after drop field');
  assert.not.ok((await dst.client.describeCollection('cdc')).schema.fields.some((f) => f.name === 'note'));
  await src.client.truncateCollection('cdc');
  last = (await src.client.insert('cdc', rows(700, 3, 'f'))).tso;
  await h.until(last);
  assert.is(await allRows(dst, 'cdc'), await allRows(src, 'cdc'), 'after truncate');
  assert.equal(JSON.parse(await allRows(dst, 'cdc')).map((r: { id: number }) => r.id), [700, 701, 702]);

  // Dropping the source collection stops replication and leaves the target.
  await src.client.releaseCollection('cdc');
  await src.client.dropCollection('cdc');
  assert.is(await h.done, 'sourceDropped');
  assert.ok(await dst.client.hasCollection('cdc'));
});

test('the TTL properties travel: ttl_field at create, switched to collection.ttl.seconds and back; expired entities are not read on the target', async () => {
  const ttlSchema = { fields: [...schema.fields, { name: 'expire_at', dataType: 'Timestamptz' as const, nullable: true }] };
  const hour = 3_600_000, iso = (ms: number) => new Date(ms).toISOString();
  await src.client.createCollection({ collectionName: 'cdcttl', schema: ttlSchema, metricType: 'L2', indexParams, load: true, properties: { ttl_field: 'expire_at' } });
  const h = startReplication(opts('cdcttl'));
  try {
    await loadedTarget(dst, 'cdcttl');
    const props = async () => (await dst.client.describeCollection('cdcttl')).properties;
    assert.equal(await props(), [{ key: 'ttl_field', value: 'expire_at' }]);
    const ids = async (s: System) => (await s.client.query('cdcttl', { filter: 'id >= 0', consistencyLevel: 'Strong' })).map((r) => r.id as number).sort((a, b) => a - b);
    let last = (await src.client.insert('cdcttl', rows(0, 3, 't').map((r, i) => ({ ...r, expire_at: [iso(Date.now() - hour), iso(Date.now() + hour), null][i] })))).tso;
    await h.until(last);
    assert.equal(await ids(dst), [1, 2], 'the expired entity is not read on the target');
    assert.equal(await ids(dst), await ids(src));

    await src.client.dropCollectionProperties('cdcttl', ['ttl_field']);
    await src.client.alterCollectionProperties('cdcttl', { 'collection.ttl.seconds': 86400 });
    last = (await src.client.insert('cdcttl', rows(10, 1, 't'))).tso;
    await h.until(last);
    assert.equal(await props(), [{ key: 'collection.ttl.seconds', value: '86400' }]);
    assert.equal(await ids(dst), [1, 2, 10], 'dropping ttl_field kept the expired entity hidden there too');

    await src.client.dropCollectionProperties('cdcttl', ['collection.ttl.seconds']);
    await src.client.alterCollectionProperties('cdcttl', { ttl_field: 'expire_at' });
    last = (await src.client.insert('cdcttl', rows(20, 1, 't'))).tso;
    await h.until(last);
    assert.equal(await props(), [{ key: 'ttl_field', value: 'expire_at' }]);
  } finally { await h.stop(); }
});

test('a rolled-back transaction never reaches the target', async () => {
  await src.client.createCollection({ collectionName: 'rb', schema, metricType: 'L2', shardsNum: 1, indexParams, load: true });
  const h = startReplication(opts('rb'));
  const first = await src.client.insert('rb', rows(0, 5, 'a'));
  await loadedTarget(dst, 'rb');
  // A conditional upsert of key 1 on a condition that cannot hold: Begin, Delete, Insert, then Rollback in the source WAL.
  const { vchannels, collectionId, partitions } = await src.client.describeCollection('rb');
  const v = vchannels[0]!;
  const body = [
    encodeMessage(newMessage('Delete', v, { collectionId, partitionId: -1, pks: [1] })),
    encodeMessage(newMessage('Insert', v, { collectionId, partitionId: partitions[0]!.id, segmentId: -1, rows: { count: 1, pks: [1], vectors: new Float32Array([9, 9, 9, 9]), fields: { tag: ['ROLLED'] } } })),
  ];
  const sn = busClient<StreamingProtocol>(src.bus, streamingSubject(v.slice(0, v.lastIndexOf('_'))));
  try {
    await sn('appendTxn', { vchannel: v, messages: body, unchangedSince: first.tso - 1n });
    assert.unreachable('the conditional transaction committed');
  } catch (e) {
    assert.is((e as NuthatchError).code, 'WriteConflict');
  }
  const last = (await src.client.insert('rb', rows(10, 2, 'b'))).tso;
  await h.until(last);
  const got = await allRows(dst, 'rb');
  assert.is(got, await allRows(src, 'rb'));
  assert.not.match(got, 'ROLLED');
  await h.stop();
});

test('a source WAL truncated past the checkpoint stops the replicator with a typed error', async () => {
  await src.client.createCollection({ collectionName: 'gap', schema, metricType: 'L2', shardsNum: 1, indexParams, load: true });
  let h = startReplication(opts('gap'));
  const t = (await src.client.insert('gap', rows(0, 3, 'a'))).tso;
  await h.until(t);
  await h.stop();
  for (let i = 0; i < 5; i++) await src.client.insert('gap', rows(10 + i, 1, 'b'));
  // The WAL as retention leaves it: everything before a point past the checkpoint is gone.
  const cut = Math.max(...Object.values((await loadCheckpoint(dst.meta, { db: 'default', collection: 'gap' }))!.vchannels).map((c) => c.resume)) + 2;
  const scan: ReplicationOptions['scan'] = async (p, from, maxBytes) => {
    const r = await busClient<StreamingProtocol>(src.bus, streamingSubject(p))('scan', { from: Math.max(from, cut), to: Number.MAX_SAFE_INTEGER, maxBytes });
    return r;
  };
  h = startReplication(opts('gap', { scan }));
  try {
    await h.done;
    assert.unreachable('replication skipped the truncated records');
  } catch (e) {
    assert.instance(e, ReplicationGapError);
    assert.match((e as Error).message, 'resync');
  }
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import { NuthatchClient } from '../../runtime/client/client.js';
import { newMessage } from '../../messages/types.js';
import { shardOf } from '../../runtime/client/rows.js';
import { refused } from '../support/rejects.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';
import { join } from 'node:path';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { decodeSegmentFile } from '../../actors/shared/segment/segmentFile.js';
import { client as busClient } from '../../runtime/rpc/typedBus.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../messages/rpc/coordinator.js';

/**
 * drop_collection_field end to end: after the drop, reads of growing and
 * sealed rows never show the field (by '*', by name, in filters), writes
 * naming it are refused (by the client, and by the shards when a client's
 * schema is stale), the name is not taken again, and a restart keeps all of
 * it. The primary key, an indexed field (until its index is dropped) and an
 * unknown field are refused.
 */
const DIM = 4;
const schema = {
  enableDynamicField: true,
  fields: [
    { name: 'id', dataType: 'Int64' as const, isPrimary: true },
    { name: 'vec', dataType: 'FloatVector' as const, dim: DIM },
    { name: 'note', dataType: 'VarChar' as const, maxLength: 16 },
    { name: 'price', dataType: 'Double' as const },
  ],
};
const opts = { streaming: { segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } } };
const vecs = vectors(60, DIM, 5);
const code = async (p: Promise<unknown>) => { try { await p; return 'ok'; } catch (e) { return (e as NuthatchError).code; } };

test('a dropped field is gone from reads, refused in writes, never re-added; an indexed one waits for its index to go; after a restart too', async () => {
  let s = await tempStandalone(opts);
  const { dataDir } = s;
  try {
    const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'FLAT', params: {} }, { indexName: 'price_idx', fieldName: 'price', indexType: 'STL_SORT', params: {} }];
    await s.client.createCollection({ collectionName: 'df', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    await s.client.insert('df', Array.from({ length: 20 }, (_, id) => ({ id, vec: vecs[id]!, note: `n${id}`, price: id })));
    await s.client.flush('df');
    await until(async () => (await s.client.getLoadState('df')).loadProgress === 100, 'sealed rows served', 30_000);
    await s.client.insert('df', Array.from({ length: 10 }, (_, i) => ({ id: 20 + i, vec: vecs[20 + i]!, note: `g${i}`, price: 20 + i }))); // growing
    const stale = new NuthatchClient(s.bus, { followCatalog: false });
    assert.ok((await stale.describeCollection('df')).schema.fields.some((f) => f.name === 'note'));

    await refused(s.client.dropCollectionField({ collectionName: 'df', fieldName: 'id' }), /primary key/);
    await refused(s.client.dropCollectionField({ collectionName: 'df', fieldName: 'nope' }), /no field 'nope'/);
    assert.is(await code(s.client.dropCollectionField({ collectionName: 'nope', fieldName: 'note' })), 'CollectionNotFound');
    assert.is(await code(s.client.dropCollectionField({ collectionName: 'df', fieldName: 'price' })), 'FailedPrecondition');
    await refused(s.client.dropCollectionField({ collectionName: 'df', fieldName: 'price' }), /has index 'price_idx': drop the index first/);

    await s.client.dropCollectionField({ collectionName: 'df', fieldName: 'note' });
    const check = async (when: string, ids: number[]) => {
      const described = await s.client.describeCollection('df');
      assert.equal(described.schema.fields.map((f) => f.name), ['id', 'vec', 'price'], `describe ${when}`);
      const all = await s.client.query('df', { filter: 'id >= 0', outputFields: ['*'], consistencyLevel: 'Strong', limit: 0 });
      assert.equal(all.map((r) => r.id).sort((a, b) => Number(a) - Number(b)), ids, `every row ${when}`);
      assert.ok(all.every((r) => !('note' in r)), `'*' shows no note ${when}`);
      const named = await s.client.query('df', { filter: 'id < 25', outputFields: ['note', 'price'], consistencyLevel: 'Strong' });
      assert.ok(named.length === 25 && named.every((r) => r.note === undefined && typeof r.price === 'number'), `a named read finds no note ${when}`);
      // With dynamic fields on, the name now means a dynamic key: no row holds one.
      assert.equal(await s.client.query('df', { filter: 'note == "n3" or note == "g3"', consistencyLevel: 'Strong' }), [], `a filter sees no note ${when}`);
      const [hits] = await s.client.search('df', { data: [vecs[22]!], limit: 3, outputFields: ['*'], consistencyLevel: 'Strong' });
      assert.is(hits![0]!.id, 22);
      assert.ok(hits!.every((h) => !('note' in h.fields)), `a search shows no note ${when}`);
      await refused(s.client.insert('df', [{ id: 100, vec: vecs[0]!, note: 'x', price: 1 }]), /field 'note' was dropped/);
      await refused(s.client.addCollectionField('df', { name: 'note', dataType: 'VarChar', maxLength: 16, nullable: true }), /was dropped/);
    };
    await s.client.insert('df', [{ id: 30, vec: vecs[30]!, price: 30 }]);
    const ids = Array.from({ length: 31 }, (_, i) => i);
    await check('while growing', ids);
    // The stale client still writes the field (required, in its schema): the shard refuses rows shaped before the
    // drop (CollectionSchemaMismatch, messages/schemaVersion.ts), and shaped again without the field they are refused.
    try {
      await stale.insert('df', [{ id: 31, vec: vecs[31]!, note: 'stale', price: 31 }]);
      assert.unreachable('a shard took a write naming a dropped field');
    } catch (e) {
      assert.instance(e, ValidationError);
      assert.match((e as Error).message, /field 'note' was dropped/);
    }
    await s.client.flush('df');
    await until(async () => (await s.client.getLoadState('df')).loadProgress === 100, 'all rows served', 30_000);
    await check('after a flush', ids);

    // The index goes (released first, as ever), then the field may.
    await s.client.releaseCollection('df');
    await s.client.dropIndex('df', 'price_idx');
    await s.client.dropCollectionField({ collectionName: 'df', fieldName: 'price' });
    await s.client.loadCollection('df');
    await until(async () => (await s.client.getLoadState('df')).loadProgress === 100, 'reloaded', 30_000);
    assert.equal((await s.client.describeCollection('df')).schema.fields.map((f) => f.name), ['id', 'vec']);
    assert.equal((await s.client.describeCollection('df')).schema.droppedFields, ['note', 'price']);

    await s.stop();
    s = await tempStandalone({ ...opts, dataDir });
    await until(async () => (await s.client.getLoadState('df')).loadProgress === 100, 'served after the restart', 30_000);
    const all = await s.client.query('df', { filter: 'id >= 0', outputFields: ['*'], consistencyLevel: 'Strong', limit: 0 });
    assert.is(all.length, 31);
    assert.ok(all.every((r) => Object.keys(r).sort().join() === 'id,vec'), JSON.stringify(all[0]));
    await refused(s.client.insert('df', [{ id: 100, vec: vecs[0]!, note: 'x' }]), /field 'note' was dropped/);
    await refused(s.client.insert('df', [{ id: 100, vec: vecs[0]!, price: 1 }]), /field 'price' was dropped/);
    await s.client.insert('df', [{ id: 100, vec: vecs[0]! }]);
  } finally { await s.cleanup(); }
});

test('a drop some shards applied before the coordinator stopped (its record not yet written) completes when asked again', async () => {
  const s = await tempStandalone(opts);
  try {
    const fields = schema.fields.map((f) => (f.name === 'note' ? { ...f, nullable: true } : f));
    await s.client.createCollection({ collectionName: 'half', schema: { ...schema, fields }, metricType: 'L2', shardsNum: 2 });
    const d = await s.client.describeCollection('half');
    const stale = new NuthatchClient(s.bus, { followCatalog: false });
    await stale.describeCollection('half');
    // One shard's DropCollectionField, as a broadcast cut short leaves it.
    const v0 = d.vchannels[0]!;
    await s.client.appendWal(v0, [newMessage('DropCollectionField', v0, { collectionId: d.collectionId, fieldName: 'note' })], 'partial-drop');
    assert.ok((await s.client.describeCollection('half')).schema.fields.some((f) => f.name === 'note'), 'the record still has it');
    await s.client.dropCollectionField({ collectionName: 'half', fieldName: 'note' });
    const after = await s.client.describeCollection('half');
    assert.equal([after.schema.fields.map((f) => f.name), after.schema.droppedFields], [['id', 'vec', 'price'], ['note']]);
    // Each shard refuses it now: the stale client still writes it, one row to each shard.
    const onShard = (i: number) => Array.from({ length: 100 }, (_, k) => k).find((k) => shardOf(k, 2) === i)!;
    for (const shard of [0, 1]) {
      const id = onShard(shard);
      await refused(stale.insert('half', [{ id, vec: vecs[id]!, note: 'x', price: 1 }]), /field 'note' was dropped/);
    }
  } finally { await s.cleanup(); }
});

test('compaction rewrites each segment without the dropped field\'s column, once', async () => {
  const s = await tempStandalone({ ...opts, coordinator: { compaction: { intervalMs: 0, graceMs: 0 } } });
  const objects = new LocalObjectStore(join(s.dataDir, 'objects'));
  try {
    await s.client.createCollection({ collectionName: 'dc', schema, metricType: 'L2', shardsNum: 2, indexParams: [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'FLAT', params: {} }], load: true });
    await s.client.insert('dc', Array.from({ length: 40 }, (_, id) => ({ id, vec: vecs[id]!, note: `n${id}`, price: id })));
    await s.client.flush('dc');
    await until(async () => (await s.client.getLoadState('dc')).loadProgress === 100, 'sealed rows served', 30_000);
    const { collectionId } = await s.client.describeCollection('dc');
    const files = async () => {
      const segs = await busClient<CoordinatorProtocol>(s.bus, COORDINATOR_SUBJECT)('segments', { collectionId });
      return Promise.all(segs.map(async (x) => ({ key: x.dataKey, rows: x.rows, columns: Object.keys(decodeSegmentFile((await objects.get(x.dataKey))!).fields).sort() })));
    };
    const before = await files();
    assert.ok(before.length >= 2 && before.every((f) => f.columns.includes('note')), JSON.stringify(before));

    await s.client.dropCollectionField({ collectionName: 'dc', fieldName: 'note' });
    const { compactionID } = await s.client.compact('dc');
    await until(async () => (await s.client.getCompactionState(compactionID)).state === 'Completed', 'compacted', 60_000);
    const after = await files();
    assert.equal(after.map((f) => f.columns), before.map((f) => f.columns.filter((c) => c !== 'note')), 'every file without the dropped column, with the others');
    assert.equal(after.map((f) => f.rows), before.map((f) => f.rows), 'no row lost');
    assert.ok(after.every((f, i) => f.key !== before[i]!.key), 'each segment rewritten under a new key');
    await until(async () => (await s.client.getLoadState('dc')).loadProgress === 100, 'rewritten segments served', 30_000);
    const rows = await s.client.query('dc', { filter: 'id >= 0', outputFields: ['*'], consistencyLevel: 'Strong', limit: 0 });
    assert.is(rows.length, 40);
    assert.ok(rows.every((r) => Object.keys(r).sort().join() === 'id,price,vec'), JSON.stringify(rows[0]));

    // Examined once per drop: a second round leaves the files as they are.
    const again = await s.client.compact('dc');
    await until(async () => (await s.client.getCompactionState(again.compactionID)).state === 'Completed', 'compacted again', 60_000);
    assert.equal((await files()).map((f) => f.key), after.map((f) => f.key));
  } finally { await objects.close(); await s.cleanup(); }
});

test.run();

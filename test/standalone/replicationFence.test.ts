/**
 * Fencing of a replicator whose lead has passed (runtime/replication/replicationLead.ts,
 * messages/fence.ts), on a standalone target: once a new leader's term began,
 * every write the old leader sends with its token is refused as StaleFence and
 * writes nothing — a WAL append, a transaction, a DDL through the coordinator,
 * a checkpoint — while the new leader's writes go through.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { newMessage } from '../../messages/types.js';
import { NuthatchClient } from '../../runtime/client/client.js';
import { toColumns } from '../../runtime/client/rows.js';
import { checkpointKey, saveCheckpoint } from '../../runtime/replication/checkpointStore.js';
import { leadReplication } from '../../runtime/replication/replicationLead.js';
import { tempStandalone } from './harness.js';
import { rows, schema, type System } from './replicationFixture.js';

let dst: System;
test.before(async () => { dst = await tempStandalone({ pchannels: 1 }); });
test.after(async () => { await dst?.cleanup(); });

const refused = async (what: string, p: Promise<unknown>) => {
  const e = await p.then(() => undefined, (err: unknown) => err as { code?: string });
  assert.is(e?.code, 'StaleFence', `${what} is refused as StaleFence`);
};

test('after a new leader\'s term begins, the old leader\'s appends, DDL and checkpoints are refused and write nothing', async () => {
  const old = await leadReplication(dst.meta, { db: 'default' }, 'old', 2000);
  const oldClient = new NuthatchClient(dst.bus, { fence: old.fence });
  // While it leads, its token is current: its DDL and appends go through.
  await oldClient.createCollection({ collectionName: 'fenced', schema, metricType: 'L2', shardsNum: 1 });
  const d = await dst.client.describeCollection('fenced');
  const insert = (from: number) => newMessage('Insert', d.vchannels[0]!, { collectionId: d.collectionId, partitionId: d.partitions[0]!.id, segmentId: -1, rows: toColumns(d.schema, rows(from, 2, 'f'), null) });
  await oldClient.appendWal(d.vchannels[0]!, [insert(0)], 'fence-test/1');
  await saveCheckpoint(dst.meta, { db: 'default', collection: 'fenced' }, { sourceCollectionId: 1, vchannels: {}, partitions: {} }, old.fence);
  const cpBefore = await dst.meta.get(checkpointKey({ db: 'default', collection: 'fenced' }));

  // The old leader "pauses"; its lease goes (resign stands in for expiry) and another leads.
  await old.resign();
  const next = await leadReplication(dst.meta, { db: 'default' }, 'next', 2000);
  assert.ok(next.fence.revision > old.fence.revision, 'a new term');

  await refused('an append', oldClient.appendWal(d.vchannels[0]!, [insert(10)], 'fence-test/2'));
  await refused('a transaction', oldClient.appendWal(d.vchannels[0]!, [insert(20), insert(30)], 'fence-test/3'));
  await refused('a DDL', oldClient.createPartition('fenced', 'p1'));
  await refused('a checkpoint', saveCheckpoint(dst.meta, { db: 'default', collection: 'fenced' }, { sourceCollectionId: 2, vchannels: {}, partitions: {} }, old.fence));

  assert.not.ok(await dst.client.hasPartition('fenced', 'p1'), 'no partition made');
  assert.equal((await dst.meta.get(checkpointKey({ db: 'default', collection: 'fenced' })))?.modRevision, cpBefore?.modRevision, 'the checkpoint is untouched');
  await dst.client.loadCollection('fenced').catch(() => {});
  const ids = async () => (await dst.client.query('fenced', { filter: 'id >= 0', outputFields: ['id'], consistencyLevel: 'Strong', limit: 0 })).map((r) => r.id as number).sort((a, b) => a - b);
  // The new leader writes; a read at Strong sees its row and only the old leader's rows from before.
  const nextClient = new NuthatchClient(dst.bus, { fence: next.fence });
  await nextClient.appendWal(d.vchannels[0]!, [insert(40)], 'fence-test/4');
  assert.equal(await ids(), [0, 1, 40, 41], 'no row of the old leader after the new term');
  await next.resign();
});

test.run();

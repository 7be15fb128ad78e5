import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { NuthatchError } from '../../messages/errors.js';
import { NuthatchClient } from '../../runtime/client/client.js';
import { LocalObjectStore } from '../../runtime/objectstore/localObjectStore.js';
import { until } from '../support/until.js';
import { tempStandalone, vectors } from './harness.js';

/**
 * Dropping a partition drops its rows: the persisted segments served by the
 * query node, the rows still growing in the delegator (sealed by the drop and
 * refused when their flush is reported), their records and files; the other
 * partitions keep theirs, also after a restart that replays the log.
 */
const DIM = 4;
const schema = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, { name: 'vec', dataType: 'FloatVector' as const, dim: DIM }] };
const indexParams = [{ indexName: 'vec_idx', fieldName: 'vec', indexType: 'HNSW' as const, params: { M: 8, efConstruction: 32 } }];
const rows = (from: number, n: number) => vectors(n, DIM, from).map((vec, i) => ({ id: from + i, vec }));
const segmentOpts = { streaming: { checkpointMs: 100, segment: { maxBytes: 1 << 30, idleMs: 3_600_000, lifetimeMs: 86_400_000 } }, coordinator: { compaction: { intervalMs: 0 } } };

test('a dropped partition\'s sealed and growing rows, records and files go; the others stay, across a restart', async () => {
  let s = await tempStandalone(segmentOpts);
  const { dataDir } = s;
  const objects = new LocalObjectStore(join(dataDir, 'objects'));
  try {
    await s.client.createCollection({ collectionName: 'pd', schema, metricType: 'L2', shardsNum: 2, indexParams, load: true });
    const id = (await s.client.describeCollection('pd')).collectionId;
    const files = async () => (await objects.list(`segments/${id}/`)).map((o) => o.key).sort();
    await s.client.createPartition('pd', 'p1');
    await s.client.createPartition('pd', 'p2');
    await s.client.insert('pd', rows(0, 50));
    await s.client.flush('pd');
    await until(async () => (await files()).filter((k) => k.endsWith('.hnsw')).length === 2, 'the default partition indexed', 30_000);
    const kept = await files();
    await s.client.insert('pd', rows(100, 50), 'p1');
    await s.client.flush('pd');
    await until(async () => (await files()).filter((k) => k.endsWith('.hnsw')).length === 4, 'p1 indexed', 30_000);
    await until(async () => (await s.client.getLoadState('pd')).loadProgress === 100, 'p1 loaded', 30_000);
    await s.client.insert('pd', rows(200, 20), 'p1'); // still growing at the drop
    await s.client.insert('pd', rows(300, 10), 'p2');
    const count = async () => Number((await s.client.query('pd', { filter: 'id >= 0', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)']);
    assert.is(await count(), 130);

    await s.client.dropPartition('pd', 'p1');
    assert.equal((await s.client.listPartitions('pd')).sort(), ['_default', 'p2']);
    const ids = async () => (await s.client.query('pd', { filter: 'id >= 0', consistencyLevel: 'Strong' })).map((r) => r.id as number).sort((a, b) => a - b);
    const want = [...rows(0, 50), ...rows(300, 10)].map((r) => r.id);
    assert.equal(await ids(), want);
    const [hits] = await s.client.search('pd', { data: [rows(100, 1)[0]!.vec], limit: 100, consistencyLevel: 'Strong' });
    assert.ok(hits!.every((h) => (h.id as number) < 100 || (h.id as number) >= 300), 'no row of p1 is found');
    assert.is(hits!.length, 60);
    // The growing p1 segment the drop sealed is still flushed; its file is refused and removed.
    await until(async () => JSON.stringify(await files()) === JSON.stringify(kept), 'only the default partition\'s files left', 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await files(), kept, 'and no p1 file came back');
    assert.equal(await s.client.getCollectionStats('pd'), { rowCount: 60 });
    try { await s.client.insert('pd', rows(400, 1), 'p1'); assert.unreachable('insert into a dropped partition'); } catch (e) {
      assert.instance(e, NuthatchError);
      assert.is((e as NuthatchError).code, 'PartitionNotFound');
    }

    await s.stop();
    s = await tempStandalone({ ...segmentOpts, dataDir });
    await until(async () => (await s.client.getLoadState('pd')).loadProgress === 100, 'loaded after the restart', 30_000);
    assert.equal(await ids(), want, 'the same rows after a restart');
    assert.equal(await files(), kept);
    await s.client.createPartition('pd', 'p1');
    await s.client.insert('pd', rows(500, 3), 'p1');
    assert.equal((await s.client.query('pd', { filter: 'id >= 0', partitionNames: ['p1'], consistencyLevel: 'Strong' })).map((r) => r.id).sort(), [500, 501, 502], 'a new p1 starts empty');
  } finally { await s.cleanup(); }
});

test('a partition dropped and made again under its name is the new one for every client: the one that made it (through an alias it cached too), and others that cached it', async () => {
  const s = await tempStandalone(segmentOpts);
  try {
    await s.client.createCollection({ collectionName: 'pr', schema, metricType: 'L2', shardsNum: 2, load: true });
    await s.client.createPartition('pr', 'p1');
    await s.client.createAlias('pr', 'pr_alias');
    const other = new NuthatchClient(s.bus);
    const inP1 = (c: NuthatchClient, name: string) => c.query(name, { filter: 'id >= 0', outputFields: ['id'], partitionNames: ['p1'], consistencyLevel: 'Strong' }).then((r) => r.map((x) => x.id as number).sort((a, b) => a - b));
    await s.client.insert('pr_alias', rows(0, 3), 'p1');
    assert.equal(await inP1(s.client, 'pr_alias'), [0, 1, 2]);
    assert.equal(await inP1(other, 'pr_alias'), [0, 1, 2], 'the other client caches the record through the alias');
    // The client making it again hears no announcements: it forgets what it cached itself, under every name.
    const own = new NuthatchClient(s.bus, { followCatalog: false });
    assert.equal(await inP1(own, 'pr_alias'), [0, 1, 2]);
    await own.releasePartitions('pr', ['p1']);
    await own.dropPartition('pr', 'p1');
    await own.createPartition('pr', 'p1');
    await own.loadPartitions('pr', ['p1']);
    // Every client reads and writes p1 by the id it has now, through the alias too.
    assert.equal(await inP1(own, 'pr_alias'), []);
    assert.equal(await inP1(s.client, 'pr_alias'), []);
    await other.insert('pr_alias', rows(10, 2), 'p1');
    assert.equal(await inP1(other, 'pr_alias'), [10, 11]);
    assert.equal(await inP1(s.client, 'pr'), [10, 11]);
  } finally { await s.cleanup(); }
});

test.run();

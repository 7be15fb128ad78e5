/**
 * Delete compaction across processes (coordinator, data node, index node, two
 * query nodes, two streaming nodes on real NATS, etcd and S3): a sealed segment
 * whose rows are two fifths deleted is rewritten by the data node, its HNSW
 * index rebuilt by the index node, both query node replicas reload it, and the
 * old files leave S3. Reads while it happens and after give the same answers.
 * Then: the owner trims the applied deletes (and its follower too); four small
 * segments merge into one served on both replicas; an alias moved by this test
 * process is followed by the gateway process; the orphan sweep clears S3.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { streamingReadSubject, streamingSubject, type StreamingProtocol } from '../../messages/rpc/streamingNode.js';
import { S3ObjectStore } from '../../runtime/objectstore/s3ObjectStore.js';
import { client } from '../../runtime/rpc/typedBus.js';
import { collectionSpec, insertAll, rows, vectorOf } from './support/data.js';
import { eventually, haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';

const DIM = 8, SEED = 5, NAME = 'compacted', ROWS = 2000, DELETED = 800, GC_TOLERANCE_MS = 1500;

if (haveServices('cluster: compaction')) {
  let cluster: TestCluster | undefined;
  test.before(async () => { cluster = await startTestCluster({ roleArgs: { coordinator: ['--compaction-interval-ms', '300', '--compaction-grace-ms', '0', '--gc-interval-ms', '300', '--gc-tolerance-ms', String(GC_TOLERANCE_MS)] } }); });
  test.after(async () => { await cluster?.stop(); });

  test('a segment two fifths deleted is rewritten, reindexed and reloaded on both replicas; reads never change', async () => {
    const c = cluster!;
    await c.http.ok('/collections/create', { ...collectionSpec(NAME, DIM, 1, 'HNSW') });
    await insertAll(c.http, NAME, SEED, ROWS, DIM, 500, 2);
    await c.http.ok('/collections/flush', { collectionName: NAME });
    await c.client.releaseCollection(NAME);
    await c.client.loadCollection(NAME, { replicas: 2 });
    await eventually('the flushed segment indexed and loaded', async () => (await c.client.getLoadState(NAME)).loadProgress === 100, 120_000);
    const d = await c.client.describeCollection(NAME);
    const s3 = await S3ObjectStore.open({ endpoint: c.services.s3, bucket: c.bucket, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    try {
      const files = async () => (await s3.list(`segments/${d.collectionId}/`)).map((o) => o.key).sort();
      const before = await files();
      assert.ok(before.some((k) => k.endsWith('/data.seg')) && before.some((k) => k.endsWith('/index-vector.hnsw')), before.join(', '));

      const reads = async () => {
        const count = Number((await c.client.query(NAME, { outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)']);
        const kept = await c.client.search(NAME, { data: [vectorOf(SEED, 1500, DIM)], limit: 1, consistencyLevel: 'Strong' });
        const gone = await c.client.search(NAME, { data: [vectorOf(SEED, 100, DIM)], limit: 1, consistencyLevel: 'Strong' });
        assert.is(count, ROWS - DELETED);
        assert.is(Number(kept[0]![0]!.id), 1500, 'a kept row is found by its own vector');
        assert.ok(Number(gone[0]![0]!.id) >= DELETED, `a deleted row is not found (got ${gone[0]![0]!.id})`);
      };
      await c.client.delete(NAME, { ids: Array.from({ length: DELETED }, (_, i) => i) });
      await reads();
      // Read all along while the compaction runs.
      let rounds = 0;
      const after = await eventually('the compacted files to replace the old ones', async () => {
        await reads();
        rounds++;
        const now = await files();
        // The old data file and index are deleted one after the other: wait for both.
        const gone = !now.includes(before.find((k) => k.endsWith('/data.seg'))!) && !now.some((k) => k.endsWith('/index-vector.hnsw'));
        return now.some((k) => /\/data-\d+\.seg$/.test(k)) && now.some((k) => /\/index-vector-\d+\.hnsw$/.test(k)) && gone ? now : undefined;
      }, 120_000);
      console.log(`  compacted after ${rounds} read rounds: ${after.map((k) => k.split('/').pop()).join(', ')}`);
      assert.not.ok(after.some((k) => k.endsWith('/index-vector.hnsw')), 'the old index is removed');
      const segs = await c.coordinator('segments', { collectionId: d.collectionId });
      assert.equal(segs.map((s) => s.rows), [ROWS - DELETED]);
      assert.ok(/\/data-\d+\.seg$/.test(segs[0]!.dataKey));
      // The old files go only after every replica loaded the new ones; reads on either agree.
      for (let i = 0; i < 6; i++) await reads();
      assert.is((await c.client.getLoadState(NAME)).loadProgress, 100);

      // The segment now covers the deletes (its rewrite applied them), so the shard's owner trims them from its log;
      // the follower delegator folds the same trim, and reads through either, and both replicas, still agree.
      const vchannel = segs[0]!.vchannel;
      const log = () => client<StreamingProtocol>(c.bus, streamingSubject(segs[0]!.pchannel))('deletes', { vchannel, fromSeq: Number.MAX_SAFE_INTEGER });
      const trimmed = await eventually('the delete log trimmed', async () => { const l = await log(); return l.base > 0 ? l : undefined; }, 60_000);
      assert.equal([trimmed.base, trimmed.seq], [DELETED, DELETED]);
      // The read subject is one queue group of the owner and its follower: ten answers in a row come from both.
      const page = () => client<StreamingProtocol>(c.bus, streamingReadSubject(segs[0]!.pchannel))('deletes', { vchannel, fromSeq: 0 });
      await eventually('the owner and the follower both trimmed', async () => {
        for (let i = 0; i < 10; i++) { const l = await page(); if (l.base !== DELETED || l.entries.length > 0) return undefined; }
        return true;
      }, 30_000);
      for (let i = 0; i < 6; i++) await reads();
    } finally { await s3.close(); }
  });

  test('four small segments merge into one: indexed, served on both replicas in their place, their files gone from S3', async () => {
    const c = cluster!;
    const name = 'merged';
    await c.http.ok('/collections/create', { ...collectionSpec(name, DIM, 1, 'HNSW') });
    await c.client.releaseCollection(name);
    await c.client.loadCollection(name, { replicas: 2 });
    for (let b = 0; b < 4; b++) {
      await c.http.ok('/entities/insert', { collectionName: name, data: rows(SEED, b * 300, (b + 1) * 300, DIM) });
      await c.http.ok('/collections/flush', { collectionName: name });
    }
    const d = await c.client.describeCollection(name);
    const reads = async () => {
      assert.is(Number((await c.client.query(name, { outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)']), 1200);
      for (const id of [5, 305, 905, 1195]) {
        const hits = await c.client.search(name, { data: [vectorOf(SEED, id, DIM)], limit: 1, consistencyLevel: 'Strong' });
        assert.is(Number(hits[0]![0]!.id), id, `the nearest of row ${id}'s vector`);
      }
    };
    await reads();
    const [merged] = await eventually('the four segments merged into one', async () => {
      await reads();
      const segs = await c.coordinator('segments', { collectionId: d.collectionId });
      return segs.length === 1 && segs[0]!.mergedFrom?.length === 4 && Object.keys(segs[0]!.indexKeys).length === 1 ? segs : undefined;
    }, 120_000);
    await eventually('served on both replicas alone', async () => {
      const dist = await c.coordinator('distribution', { vchannel: merged!.vchannel });
      return dist.segments.length === 2 && dist.segments.every((x) => x.segmentId === merged!.segmentId && x.indexName) ? true : undefined;
    }, 60_000);
    const s3 = await S3ObjectStore.open({ endpoint: c.services.s3, bucket: c.bucket, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    try {
      await eventually("the parts' files removed", async () =>
        (await s3.list(`segments/${d.collectionId}/`)).every((o) => o.key.startsWith(`segments/${d.collectionId}/${merged!.segmentId}/`)) ? true : undefined, 60_000);
    } finally { await s3.close(); }
    for (let i = 0; i < 4; i++) await reads();
  });

  test('an alias moved by another client is followed by the gateway process within seconds', async () => {
    const c = cluster!;
    const [blue, green, alias] = ['alias_blue', 'alias_green', 'alias_live'];
    for (const [name, ids] of [[blue, [1, 2]], [green, [7]]] as const) {
      await c.http.ok('/collections/create', { collectionName: name, dimension: 4 });
      await c.http.waitLoaded(name);
      await c.http.ok('/entities/insert', { collectionName: name, data: ids.map((id) => ({ id, vector: vectorOf(SEED, id, 4) })) });
    }
    const ids = async () => (await c.http.ok('/entities/query', { collectionName: alias, filter: 'id >= 0', outputFields: ['id'], consistencyLevel: 'Strong' })).map((r: { id: number }) => r.id).sort();
    await c.client.createAlias(blue, alias); // this test process's client, not the gateway's
    assert.equal(await ids(), [1, 2]);
    await c.client.alterAlias(green, alias);
    const moved = Date.now();
    await eventually('the gateway to read the other collection through the alias', async () => ((await ids()).join() === '7' ? true : undefined), 10_000);
    console.log(`  the gateway followed the alias after ${Date.now() - moved} ms`);
    await c.http.ok('/entities/insert', { collectionName: alias, data: [{ id: 8, vector: vectorOf(SEED, 8, 4) }] });
    assert.equal(await ids(), [7, 8], 'a write through the alias lands in the new collection');
    assert.is(Number((await c.client.query(blue, { outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)']), 2, 'and not in the old one');
  });

  test('the coordinator sweeps orphaned segment files out of S3 through a data node; named files stay', async () => {
    const c = cluster!;
    const d = await c.client.describeCollection(NAME);
    const s3 = await S3ObjectStore.open({ endpoint: c.services.s3, bucket: c.bucket, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    try {
      const [seg] = await c.coordinator('segments', { collectionId: d.collectionId });
      const named = [seg!.dataKey, ...Object.values(seg!.indexKeys)];
      const orphans = [`segments/${d.collectionId}/${seg!.segmentId}/data-1.seg`, 'segments/999999/1/data.seg'];
      const planted = Date.now();
      for (const k of orphans) await s3.put(k, new Uint8Array([7]));
      const left = await eventually('the orphans swept', async () => {
        const keys = (await s3.list('segments/')).map((o) => o.key);
        return orphans.some((k) => keys.includes(k)) ? undefined : keys;
      }, 60_000);
      assert.ok(Date.now() - planted >= GC_TOLERANCE_MS, 'not before the tolerance');
      for (const k of named) assert.ok(left.includes(k), `${k} is kept`);
      assert.is(Number((await c.client.query(NAME, { outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]!['count(*)']), ROWS - DELETED);
    } finally { await s3.close(); }
  });
}

test.run();

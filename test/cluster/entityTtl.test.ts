/**
 * Entity-level TTL across processes (coordinator, streaming, query, data and
 * index nodes on real NATS, etcd and S3): the delegator's expiry rules reach
 * the query nodes serving sealed segments, a dropped ttl_field's residual (a
 * TSO-bearing rule) too, and compaction on the data node removes expired
 * entities from the segment file in S3.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { S3ObjectStore } from '../../runtime/objectstore/s3ObjectStore.js';
import { decodeSegmentFile } from '../../actors/shared/segment/segmentFile.js';
import { vectorOf } from './support/data.js';
import { eventually, haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';

const DIM = 4, NAME = 'entityttl', HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

if (haveServices('cluster: entity-level TTL')) {
  let cluster: TestCluster | undefined;
  test.before(async () => { cluster = await startTestCluster({ roleArgs: { coordinator: ['--compaction-interval-ms', '300', '--compaction-grace-ms', '0'] } }); });
  test.after(async () => { await cluster?.stop(); });

  test('sealed entities past their ttl_field are not read on the query nodes; compaction drops them from S3; a drop keeps them hidden', async () => {
    const c = cluster!;
    await c.http.ok('/collections/create', {
      collectionName: NAME,
      schema: { fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim: DIM } },
        { fieldName: 'expire_at', dataType: 'Timestamptz', nullable: true },
      ] },
      indexParams: [{ fieldName: 'vector', indexName: 'vector', indexType: 'FLAT', metricType: 'L2' }],
      params: { shardsNum: 2 }, properties: { ttl_field: 'expire_at' },
    });
    const now = Date.now();
    // id % 3: 0 expired an hour ago, 1 expires in an hour, 2 never.
    const data = Array.from({ length: 30 }, (_, id) => ({ id, vector: vectorOf(3, id, DIM), expire_at: id % 3 === 0 ? iso(now - HOUR) : id % 3 === 1 ? iso(now + HOUR) : null }));
    await c.http.ok('/entities/insert', { collectionName: NAME, data });
    await c.http.ok('/collections/flush', { collectionName: NAME });
    await eventually('the flushed segments loaded', async () => (await c.client.getLoadState(NAME)).loadProgress === 100, 120_000);
    const live = data.filter((r) => r.id % 3 !== 0).map((r) => r.id);
    const ids = async () => (await c.client.query(NAME, { filter: 'id >= 0', consistencyLevel: 'Strong' })).map((r) => Number(r.id)).sort((a, b) => a - b);
    assert.equal(await ids(), live);
    const [hits] = await c.client.search(NAME, { data: [vectorOf(3, 0, DIM)], limit: 50, consistencyLevel: 'Strong' });
    assert.equal(hits!.map((h) => Number(h.id)).sort((a, b) => a - b), live);

    const d = await c.client.describeCollection(NAME);
    const s3 = await S3ObjectStore.open({ endpoint: c.services.s3, bucket: c.bucket, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    try {
      const stored = async () => {
        const keys = (await s3.list(`segments/${d.collectionId}/`)).map((o) => o.key).filter((k) => k.endsWith('.seg'));
        const pks = await Promise.all(keys.map(async (k) => decodeSegmentFile((await s3.get(k))!).pks.map(Number)));
        return pks.flat().sort((a, b) => a - b);
      };
      await eventually('the expired entities compacted out of the files', async () => (await stored()).join() === live.join(), 120_000);
    } finally { s3.close?.(); }

    await c.client.dropCollectionProperties(NAME, ['ttl_field']);
    await c.http.ok('/entities/insert', { collectionName: NAME, data: [{ id: 100, vector: vectorOf(3, 100, DIM), expire_at: iso(now - HOUR) }] });
    assert.equal(await ids(), [...live, 100], 'expired entities stay hidden after the drop; a past value written after it is just a value');
  });
}

test.run();

/**
 * A shard's delete log can hold far more entries than one bus message carries.
 * Query nodes catch up on it page by page: after 600,000 deletes (more than the
 * test server's 8 MB max payload as one answer) reads of sealed rows on a query
 * node still see every delete. (Before paging, the read timed out.) The log is
 * archived in S3 out of the checkpoints; dropping the collection frees the
 * archives (the streaming node) and the segment files (a data node's purge).
 */
import { test } from 'uvu';
import { S3ObjectStore } from '../../runtime/objectstore/s3ObjectStore.js';
import * as assert from 'uvu/assert';
import { collectionSpec, insertAll } from './support/data.js';
import { eventually, haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';

const DIM = 4, SEED = 31, NAME = 'manydeletes', ROWS = 1000, DELETES = 600_000, PER_REQUEST = 100_000;

if (haveServices('cluster: large delete log')) {
  let cluster: TestCluster | undefined;
  test.before(async () => { cluster = await startTestCluster({ roleArgs: { coordinator: ['--drop-tolerance-ms', '0'] } }); });
  test.after(async () => { await cluster?.stop(); });

  test('sealed rows on a query node see every one of 600,000 deletes', async () => {
    const c = cluster!;
    await c.http.ok('/collections/create', collectionSpec(NAME, DIM, 1));
    await insertAll(c.http, NAME, SEED, ROWS, DIM, 500, 2);
    await c.http.ok('/collections/flush', { collectionName: NAME });
    await eventually('flushed segments loaded', async () => (await c.client.getLoadState(NAME)).loadProgress === 100, 120_000);
    // Ids [0, 600000) step by step: the first 500 exist, the rest are deletes of nothing (still logged).
    let slowest = 0;
    for (let from = 0; from < DELETES; from += PER_REQUEST) {
      const ids = Array.from({ length: PER_REQUEST }, (_, i) => from + i);
      const t = Date.now();
      await c.client.delete(NAME, { ids: from === 0 ? ids.slice(0, 500).concat(ids.slice(ROWS)) : ids });
      slowest = Math.max(slowest, Date.now() - t);
    }
    const t = Date.now();
    const count = await c.client.query(NAME, { outputFields: ['count(*)'], consistencyLevel: 'Strong' });
    console.log(`  ${DELETES} deletes in requests of ${PER_REQUEST}: slowest ${slowest} ms; first Strong read after them ${Date.now() - t} ms`);
    assert.is(Number(count[0]!['count(*)']), ROWS - 500);
    const left = await c.client.query(NAME, { filter: 'id < 1000', outputFields: ['id'], limit: 1000, consistencyLevel: 'Strong' });
    assert.equal(left.map((r) => Number(r.id)).sort((a, b) => a - b), Array.from({ length: 500 }, (_, i) => 500 + i));
  });

  test('dropping the collection frees its delete archives and its segment files in S3', async () => {
    const c = cluster!;
    const d = await c.client.describeCollection(NAME);
    const s3 = await S3ObjectStore.open({ endpoint: c.services.s3, bucket: c.bucket, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    try {
      const archives = () => s3.list(`deletes/${d.vchannels[0]}/`);
      const files = () => s3.list(`segments/${d.collectionId}/`);
      await eventually('a checkpoint to archive the delete log', async () => (await archives()).length > 0);
      assert.ok((await files()).length > 0, 'segment files before the drop');
      await c.client.dropCollection(NAME);
      await eventually('the archives and the segment files to be freed', async () => (await archives()).length === 0 && (await files()).length === 0);
    } finally { await s3.close(); }
  });
}

test.run();

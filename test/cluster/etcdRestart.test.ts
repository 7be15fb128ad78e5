/**
 * A distributed cluster on the object WAL rides out an etcd restart: etcd holds
 * its metadata, sessions and the WAL's fragment index, yet writers inserting
 * through the gateway see a pause, never an error, and afterwards every
 * acknowledged insert is there exactly once.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collectionSpec, vectorOf } from './support/data.js';
import { haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';
import { assertExactlyOnce, startWriters } from './support/writers.js';

const DIM = 8, SEED = 7, NAME = 'etcdrestart';

if (haveServices('cluster: etcd restart')) {
  let cluster: TestCluster | undefined;

  test.before(async () => {
    cluster = await startTestCluster({ wal: 'object' });
    await cluster.http.ok('/collections/create', collectionSpec(NAME, DIM, 2));
  });
  test.after(async () => { await cluster?.stop(); });

  test('inserts across an etcd restart pause, then every acknowledged row is stored once', async () => {
    const c = cluster!;
    const w = startWriters(c.http, NAME, { parallel: 2, batch: 100, dim: DIM, seed: SEED });
    await w.progress(10);
    const haltedAt = Date.now();
    await c.etcdServer.halt();
    await new Promise((r) => setTimeout(r, 500));
    await c.etcdServer.start();
    await w.progress(10);
    const log = await w.stop();
    console.log(`  ${log.acked.length} rows acknowledged in ${log.batches} batches; longest batch ${log.maxBatchMs} ms; back ${Date.now() - haltedAt} ms after the halt or sooner`);
    assert.equal(log.failures, [], 'writers saw errors');
    await assertExactlyOnce(c.client, NAME, log.acked);
    const last = log.acked[log.acked.length - 1]!;
    const hits = await c.client.search(NAME, { data: [vectorOf(SEED, last, DIM)], limit: 1, consistencyLevel: 'Strong' });
    assert.is(hits[0]![0]!.id, last);
  });

  test.run();
}

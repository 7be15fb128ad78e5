/**
 * A distributed cluster on the jetstream WAL rides out a nats-server restart:
 * NATS is both its bus and its log, yet writers inserting through the gateway
 * see a pause, never an error, and afterwards every acknowledged insert is
 * there exactly once (the WAL writers republish what was in flight with a
 * definitive answer; the streaming client retries with append ids).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collectionSpec, vectorOf } from './support/data.js';
import { haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';
import { assertExactlyOnce, startWriters } from './support/writers.js';

const DIM = 8, SEED = 5, NAME = 'natsrestart';

if (haveServices('cluster: nats-server restart')) {
  let cluster: TestCluster | undefined;

  test.before(async () => {
    cluster = await startTestCluster({ wal: 'jetstream', args: ['--jetstream-durability', 'unsynced'] });
    await cluster.http.ok('/collections/create', collectionSpec(NAME, DIM, 2));
  });
  test.after(async () => { await cluster?.stop(); });

  test('inserts across a nats-server restart pause, then every acknowledged row is stored once', async () => {
    const c = cluster!;
    const w = startWriters(c.http, NAME, { parallel: 2, batch: 100, dim: DIM, seed: SEED });
    await w.progress(10);
    const haltedAt = Date.now();
    await c.natsServer.halt();
    await new Promise((r) => setTimeout(r, 500));
    await c.natsServer.start();
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

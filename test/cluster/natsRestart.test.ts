/**
 * A distributed cluster on the jetstream WAL rides out a nats-server restart:
 * NATS is both its bus and its log, yet writers inserting through the gateway
 * see a pause, never an error, and afterwards every acknowledged insert is
 * there exactly once (the WAL writers republish what was in flight with a
 * definitive answer; the streaming client retries with append ids).
 */
import { test } from 'uvu';
import { collectionSpec } from './support/data.js';
import { insertsAcrossRestart } from './support/serverRestart.js';
import { haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';

const DIM = 8, SEED = 5, NAME = 'natsrestart';

if (haveServices('cluster: nats-server restart')) {
  let cluster: TestCluster | undefined;

  test.before(async () => {
    cluster = await startTestCluster({ wal: 'jetstream', args: ['--jetstream-durability', 'unsynced'] });
    await cluster.http.ok('/collections/create', collectionSpec(NAME, DIM, 2));
  });
  test.after(async () => { await cluster?.stop(); });

  test('inserts across a nats-server restart pause, then every acknowledged row is stored once', async () => {
    await insertsAcrossRestart(cluster!, cluster!.natsServer, { name: NAME, seed: SEED, dim: DIM });
  });

  test.run();
}

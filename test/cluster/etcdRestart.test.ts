/**
 * A distributed cluster on the object WAL rides out an etcd restart: etcd holds
 * its metadata, sessions and the WAL's fragment index, yet writers inserting
 * through the gateway see a pause, never an error, and afterwards every
 * acknowledged insert is there exactly once.
 */
import { test } from 'uvu';
import { collectionSpec } from './support/data.js';
import { insertsAcrossRestart } from './support/serverRestart.js';
import { haveServices, startTestCluster, type TestCluster } from './support/testCluster.js';

const DIM = 8, SEED = 7, NAME = 'etcdrestart';

if (haveServices('cluster: etcd restart')) {
  let cluster: TestCluster | undefined;

  test.before(async () => {
    cluster = await startTestCluster({ wal: 'object' });
    await cluster.http.ok('/collections/create', collectionSpec(NAME, DIM, 2));
  });
  test.after(async () => { await cluster?.stop(); });

  test('inserts across an etcd restart pause, then every acknowledged row is stored once', async () => {
    await insertsAcrossRestart(cluster!, cluster!.etcdServer, { name: NAME, seed: SEED, dim: DIM });
  });

  test.run();
}

/**
 * A distributed cluster on the object WAL rides out an etcd restart: etcd holds
 * its metadata, sessions and the WAL's fragment index, yet writers inserting
 * through the gateway see a pause, never an error, and afterwards every
 * acknowledged insert is there exactly once. Also when the outage outlasts the
 * session leases: the coordinator loses leadership and exits to be started
 * again (as compose's restart policy does; the launcher does it here), wins the
 * election once etcd is back, and the nodes register again.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { collectionSpec } from './support/data.js';
import { insertsAcrossRestart } from './support/serverRestart.js';
import { haveServices, startTestCluster, TEST_SESSION_TTL_MS, type TestCluster } from './support/testCluster.js';

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

  test('inserts across an etcd outage three times the session TTL: the coordinator comes back, then every acknowledged row is stored once', async () => {
    const c = cluster!;
    await c.http.ok('/collections/create', collectionSpec(`${NAME}_long`, DIM, 2));
    await insertsAcrossRestart(c, c.etcdServer, { name: `${NAME}_long`, seed: SEED, dim: DIM, outageMs: 3 * TEST_SESSION_TTL_MS });
    const log = c.nodes.get('coordinator-1')!.log();
    assert.match(log, /leadership lost: exiting/);
    assert.ok(log.split('is the leader').length - 1 >= 2, 'the restarted coordinator leads again');
  });

  test.run();
}

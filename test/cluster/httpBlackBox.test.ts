/**
 * The HTTP black-box suite (test/http/blackbox.ts), the same one standalone
 * passes, against the gateway of a distributed cluster: one process per actor
 * on NATS, etcd and S3, here with the JetStream WAL (the other cluster tests run
 * the object WAL), so both shared-storage backends serve the whole API.
 */
import { test } from 'uvu';
import { httpBlackBox } from '../http/blackbox.js';
import { haveServices, startTestCluster } from './support/testCluster.js';

if (haveServices('http black box: distributed gateway')) {
  httpBlackBox('distributed gateway (jetstream WAL)', async () => {
    const cluster = await startTestCluster({
      wal: 'jetstream',
      // One nats-server 2.9 cannot replicate or sync every write: tests only.
      args: ['--jetstream-durability', 'unsynced'],
      roleArgs: { 'streaming-node': ['--seal-idle-ms', '2000'] },
    });
    return { url: cluster.url, stop: () => cluster.stop() };
  });
} else {
  test.run();
}

/**
 * `nuthatch replicate`: replicates one collection, or every collection of a
 * database, from a source cluster to a target cluster (runtime/replication).
 * It reads the source's WAL over the
 * source NATS, writes through the target NATS and keeps its checkpoint in the
 * target's etcd; stopped (SIGTERM/SIGINT) and started again, it resumes there.
 */
import { parseArgs } from 'node:util';
import { NatsBus } from '../bus/natsBus.js';
import { EtcdMeta } from '../meta/etcdMeta.js';
import { NuthatchClient } from '../client/client.js';
import { MetricsRegistry } from '../metrics/registry.js';
import { startMetricsServer } from '../metrics/metricsServer.js';
import { startReplication } from '../replication/replicator.js';
import { startDatabaseReplication } from '../replication/databaseReplicator.js';

export const REPLICATE_USAGE = `nuthatch replicate --source-nats URL --target-nats URL --target-etcd URL [--collection NAME]
                     [--db NAME] [--target-collection NAME] [--metrics-port PORT] [--host HOST]
      tails the source collection's WAL and applies it to the target (made with the same
      schema, shards, partitions and indexes when absent); checkpoints in the target's etcd.
      Without --collection: every collection of the database, as they appear; a collection
      dropped on the source is dropped on the target`;

export async function runReplicate(args: string[], onSignals: (stop: () => Promise<void>) => void, fail: (msg: string) => never): Promise<void> {
  const { values } = parseArgs({ args, options: {
    'source-nats': { type: 'string' }, 'source-etcd': { type: 'string' },
    'target-nats': { type: 'string' }, 'target-etcd': { type: 'string' },
    collection: { type: 'string' }, 'target-collection': { type: 'string' }, db: { type: 'string' },
    'metrics-port': { type: 'string' }, host: { type: 'string', default: '127.0.0.1' },
  } });
  const need = (k: 'source-nats' | 'target-nats' | 'target-etcd'): string => values[k] ?? fail(`replicate needs --${k}`);
  const [sourceNats, targetNats, targetEtcd] = [need('source-nats'), need('target-nats'), need('target-etcd')];
  const collection = values.collection;
  if (collection === undefined && values['target-collection'] !== undefined) fail('--target-collection needs --collection');
  const metricsPort = values['metrics-port'] === undefined ? undefined : Number(values['metrics-port']);
  if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65535)) fail('--metrics-port must be a port number');
  const log = (...a: unknown[]) => console.error(new Date().toISOString(), '[replicate]', ...a);
  const sourceBus = await NatsBus.connect({ servers: sourceNats, name: 'nuthatch-replicate-source' });
  const targetBus = await NatsBus.connect({ servers: targetNats, name: 'nuthatch-replicate-target' });
  const meta = await EtcdMeta.connect({ hosts: targetEtcd });
  const db = values.db === undefined ? {} : { dbName: values.db };
  const metrics = new MetricsRegistry();
  const server = metricsPort === undefined ? undefined : await startMetricsServer(metrics, { port: metricsPort, host: values.host! });
  if (server) log(`metrics on ${server.url}/metrics`);
  const source = { client: new NuthatchClient(sourceBus, db), bus: sourceBus };
  const target = { client: new NuthatchClient(targetBus, db), meta };
  const what = collection ?? `database ${source.client.dbName}`;
  const h = collection === undefined ? startDatabaseReplication({ source, target, metrics, log }) : startReplication({
    source, target, collection, ...(values['target-collection'] === undefined ? {} : { targetCollection: values['target-collection'] }), metrics, log,
  });
  const close = async () => { await server?.close(); await meta.close(); await sourceBus.close(); await targetBus.close(); };
  onSignals(async () => { await h.stop(); await close(); });
  const end = await h.done.catch(async (e) => { await close(); throw e; });
  log(`replication of ${what} ended: ${end}`);
  await close();
}

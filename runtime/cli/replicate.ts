/**
 * `nuthatch replicate`: replicates one collection, or every collection of a
 * database, from a source cluster to a target cluster (runtime/replication).
 * It reads the source's WAL over the
 * source NATS (the streaming nodes serve it: no source etcd or S3 is needed),
 * writes through the target NATS and keeps its checkpoint in the target's etcd;
 * stopped (SIGTERM/SIGINT) or killed and started again, it resumes there. It
 * first campaigns for the target's replication lead (replicationLead.ts), so a
 * second one started for the same target stands by.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { NatsBus } from '../bus/natsBus.js';
import { EtcdMeta } from '../meta/etcdMeta.js';
import { NuthatchClient } from '../client/client.js';
import { MetricsRegistry } from '../metrics/registry.js';
import { startMetricsServer } from '../metrics/metricsServer.js';
import { startReplication } from '../replication/replicator.js';
import { startDatabaseReplication } from '../replication/databaseReplicator.js';
import { leadReplication } from '../replication/replicationLead.js';
import { retryStartup } from '../replication/startupRetry.js';

export const REPLICATE_USAGE = `nuthatch replicate --source-nats URL --target-nats URL --target-etcd URL [--collection NAME]
                     [--db NAME] [--target-collection NAME] [--lease-ttl-ms MS] [--metrics-port PORT] [--host HOST]
      tails the source collection's WAL and applies it to the target (made with the same
      schema, shards, partitions and indexes when absent); checkpoints in the target's etcd.
      Without --collection: every collection of the database, as they appear; a collection
      dropped on the source is dropped on the target. URLs may be comma-separated lists.
      One replicator per target leads (a lease in the target's etcd, --lease-ttl-ms, default
      10000); another started for it stands by and takes over when it stops or dies`;

export async function runReplicate(args: string[], onSignals: (stop: () => Promise<void>) => void, fail: (msg: string) => never): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: {
      'source-nats': { type: 'string' },
      'target-nats': { type: 'string' }, 'target-etcd': { type: 'string' },
      collection: { type: 'string' }, 'target-collection': { type: 'string' }, db: { type: 'string' },
      'lease-ttl-ms': { type: 'string' },
      'metrics-port': { type: 'string' }, host: { type: 'string', default: '127.0.0.1' },
    } }));
  } catch (e) { fail((e as Error).message); } // an unknown flag or a dash-led value: a usage error
  const need = (k: 'source-nats' | 'target-nats' | 'target-etcd'): string => values[k] ?? fail(`replicate needs --${k}`);
  const [sourceNats, targetNats, targetEtcd] = [need('source-nats'), need('target-nats'), need('target-etcd')].map(list);
  const collection = values.collection;
  if (collection === undefined && values['target-collection'] !== undefined) fail('--target-collection needs --collection');
  const metricsPort = values['metrics-port'] === undefined ? undefined : Number(values['metrics-port']);
  if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65535)) fail('--metrics-port must be a port number');
  const leaseTtlMs = values['lease-ttl-ms'] === undefined ? 10_000 : Number(values['lease-ttl-ms']);
  if (!(Number.isInteger(leaseTtlMs) && leaseTtlMs >= 1000 && leaseTtlMs <= 600_000)) fail('--lease-ttl-ms must be a whole number of milliseconds from 1000 to 600000');
  const log = (...a: unknown[]) => console.error(new Date().toISOString(), '[replicate]', ...a);
  // From here on nothing is the operator's mistake: a cluster not reachable yet is waited for.
  let stopped = false;
  const retry = { log, stopped: () => stopped };
  const open: Array<{ close(): Promise<void> }> = [];
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const c of open.reverse()) await c.close().catch(() => {});
  };
  // Stopped while starting or standing by: nothing to hand over.
  let stop: () => Promise<void> = async () => { stopped = true; await close(); };
  onSignals(() => stop());
  const sourceBus = await retryStartup(`connecting to the source NATS (${sourceNats.join(',')})`, () => NatsBus.connect({ servers: sourceNats, name: 'nuthatch-replicate-source' }), retry);
  open.push(sourceBus);
  const targetBus = await retryStartup(`connecting to the target NATS (${targetNats.join(',')})`, () => NatsBus.connect({ servers: targetNats, name: 'nuthatch-replicate-target' }), retry);
  open.push(targetBus);
  const meta = await retryStartup(`connecting to the target etcd (${targetEtcd.join(',')})`, () => EtcdMeta.connect({ hosts: targetEtcd }), retry);
  open.push(meta);
  const db = values.db === undefined ? {} : { dbName: values.db };
  const metrics = new MetricsRegistry();
  const server = metricsPort === undefined ? undefined : await startMetricsServer(metrics, { port: metricsPort, host: values.host! });
  if (server) { open.push(server); log(`metrics on ${server.url}/metrics`); }
  const sourceClient = new NuthatchClient(sourceBus, db);
  const dbName = sourceClient.dbName;
  const what = collection ?? `database ${dbName}`;
  const targetCollection = collection === undefined ? undefined : values['target-collection'] ?? collection;
  const candidate = `${hostname()}-${process.pid}`;
  const lead = await retryStartup('campaigning for the lead in the target etcd', () => leadReplication(meta, { db: dbName, ...(targetCollection === undefined ? {} : { collection: targetCollection }) }, candidate, leaseTtlMs,
    () => log(`standby: another replicator leads the replication of ${what} into this target; waiting to take over`)), retry);
  log(`${candidate} leads the replication of ${what} (term ${lead.fence.revision})`);
  // Every write into the target carries this lead's fencing token: once another replicator leads, the target refuses them.
  const source = { client: sourceClient, bus: sourceBus };
  const target = { client: new NuthatchClient(targetBus, { ...db, fence: lead.fence }), meta, fence: lead.fence };
  const h = collection === undefined ? startDatabaseReplication({ source, target, metrics, log }) : startReplication({
    source, target, collection, ...(values['target-collection'] === undefined ? {} : { targetCollection: values['target-collection'] }), metrics, log,
  });
  stop = async () => { stopped = true; await h.stop(); await lead.resign().catch(() => {}); await close(); };
  // A lead lost (the target's etcd unreachable past the lease, or this process paused past it) may already be another's: stop writing.
  // Writes already on their way are refused by the target (the fence), so none lands after the new leader's term began.
  let lostLead = false;
  void lead.lost.then(() => { lostLead = true; log('lost the lead (the lease in the target etcd expired): stopping'); return h.stop(); });
  const end = await h.done.catch(async (e) => {
    if ((e as { code?: string }).code === 'StaleFence') log('fenced out: another replicator leads this target now; stopping, having written nothing more');
    await close(); throw e;
  });
  // Stopped because the lead was lost, not asked to: an error, so a supervisor starts it again (as a standby).
  if (lostLead) { await close(); throw new Error('lost the replication lead'); }
  log(`replication of ${what} ended: ${end}`);
  await lead.resign().catch(() => {});
  await close();
}

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

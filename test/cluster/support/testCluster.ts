/**
 * A distributed cluster for integration tests: every role is a separate
 * `nuthatch node` process (runtime/cluster, the code `npm run cluster` runs).
 * Each test file gets its own nats-server and etcd (subjects and keys are not
 * namespaced, so clusters must not share them) and its own bucket on the shared
 * S3 server, or, asked for (`ownS3`), its own s3rver too: a second cluster that
 * must share nothing with the first (cross-cluster replication). Sessions use
 * short leases so failovers happen within seconds.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { NatsBus } from '../../../runtime/bus/natsBus.js';
import { NuthatchClient } from '../../../runtime/client/client.js';
import { startCluster, type Cluster, type ClusterOptions } from '../../../runtime/cluster/cluster.js';
import { S3RVER_ENV } from '../../../runtime/devServices/s3Server.js';
import type { ServerHandle } from '../../../runtime/devServices/serverHandle.js';
import { EtcdMeta } from '../../../runtime/meta/etcdMeta.js';
import { decodeValue } from '../../../messages/valueCodec.js';
import { COORDINATOR_SUBJECT, type CoordinatorProtocol } from '../../../messages/rpc/coordinator.js';
import type { PchannelAssignment } from '../../../messages/rpc/records.js';
import { client, type Caller } from '../../../runtime/rpc/typedBus.js';
import { V2Client } from '../../http/support/v2Client.js';
import { requireService } from '../../support/requireService.js';
import { startEtcd, startNats, startS3 } from '../../support/services.js';

/** Lease TTL of node sessions in tests: a crashed node's work moves after about this long. */
export const TEST_SESSION_TTL_MS = 3000;

export interface TestCluster extends Cluster {
  http: V2Client;
  /** A streaming client of the test process itself, on the cluster's NATS. */
  client: NuthatchClient;
  /** The test process's own connection to the cluster's NATS (for any actor's protocol). */
  bus: NatsBus;
  meta: EtcdMeta;
  /** The coordinator's bus protocol, for looking at distributions and segments. */
  coordinator: Caller<CoordinatorProtocol>;
  /** The pchannel assignments as the coordinator persisted them. */
  assignments(): Promise<PchannelAssignment[]>;
  /** The cluster's S3 bucket (on NUTHATCH_TEST_S3, or on `s3Server`). */
  bucket: string;
  /** The cluster's private s3rver, when it was started with `ownS3`. */
  s3Server?: ServerHandle;
  /** The cluster's private nats-server and etcd (a test may halt, restart or freeze them). */
  natsServer: ServerHandle;
  etcdServer: ServerHandle;
}

/**
 * True when the servers the suite needs are available; otherwise a failing
 * (CI=true) or skipped test has been registered under `what`.
 */
export function haveServices(what: string): boolean {
  return [
    requireService('NUTHATCH_TEST_NATS', `${what} (nats-server)`),
    requireService('NUTHATCH_TEST_ETCD', `${what} (etcd)`),
    requireService('NUTHATCH_TEST_S3', `${what} (S3)`),
  ].every((v) => v !== undefined);
}

/** Starts private NATS and etcd (and S3 with `ownS3`), then the cluster; `stop()` tears all of it down. */
export async function startTestCluster(o: Partial<ClusterOptions> & { ownS3?: boolean; servers?: { nats: ServerHandle; etcd: ServerHandle } } = {}): Promise<TestCluster> {
  const { ownS3, servers: given, ...opts } = o;
  // `servers`: NATS and etcd the test started (and may have halted and started again) before the cluster.
  const [nats, etcd, s3] = await Promise.all([given?.nats ?? startNats(), given?.etcd ?? startEtcd(), ownS3 ? startS3() : undefined]);
  const servers = [nats, etcd, ...(s3 ? [s3] : [])];
  const bucket = `nh-${randomBytes(6).toString('hex')}`;
  let cluster: Cluster;
  try {
    cluster = await startCluster({
      port: 0,
      ...opts,
      services: { nats: nats.url, etcd: etcd.url, s3: s3?.url ?? process.env.NUTHATCH_TEST_S3!, bucket, env: S3RVER_ENV },
      // No WAL history kept: each checkpoint cuts what it allows, so every failover
      // here also recovers (and every follower starts) from a truncated log.
      args: ['--session-ttl-ms', String(TEST_SESSION_TTL_MS), '--checkpoint-ms', '2000', '--wal-retention-ms', '0', ...(opts.args ?? [])],
    });
  } catch (e) {
    await Promise.allSettled(servers.map((x) => x.stop()));
    throw e;
  }
  const bus = await NatsBus.connect({ servers: nats.url, name: 'test' });
  const meta = await EtcdMeta.connect({ hosts: etcd.url });
  return {
    ...cluster,
    http: new V2Client(cluster.url),
    client: new NuthatchClient(bus),
    bus,
    meta,
    bucket,
    natsServer: nats,
    etcdServer: etcd,
    ...(s3 ? { s3Server: s3 } : {}),
    coordinator: client<CoordinatorProtocol>(bus, COORDINATOR_SUBJECT, 10_000),
    async assignments() {
      return (await meta.list('assign/')).map((e) => decodeValue(e.value) as unknown as PchannelAssignment);
    },
    async stop() {
      await bus.close().catch(() => {});
      await meta.close().catch(() => {});
      await cluster.stop();
      await Promise.allSettled(servers.map((x) => x.stop()));
      // The node logs go with the cluster unless asked for (failures quote their tails).
      if (!process.env.NUTHATCH_TEST_KEEP_LOGS) await rm(cluster.logDir, { recursive: true, force: true });
    },
  };
}

/** `p`, or a failure after `limitMs` (the timer does not keep the process alive). */
export function within<T>(p: Promise<T>, limitMs: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(what())), limitMs); });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** Polls until `cond` holds; the limit only keeps a broken test from hanging. */
export async function eventually<T>(what: string, cond: () => Promise<T | undefined | false>, limitMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = await cond().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

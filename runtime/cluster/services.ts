/**
 * The servers a cluster runs on, started on free 127.0.0.1 ports with temp dirs:
 * nats-server (JetStream, 8 MB payloads), etcd and s3rver. The starters are the
 * dev services (runtime/devServices) the integration tests use too, so
 * `npm run cluster` and the tests run the very same servers; missing
 * nats-server/etcd are installed with apt-get.
 */
import { startEtcd } from '../devServices/etcdServer.js';
import { startNats } from '../devServices/natsServer.js';
import { S3RVER_ENV, startS3 } from '../devServices/s3Server.js';

/** Where the servers are, and what a node process needs in its environment to reach them. */
export interface ServiceEndpoints {
  nats: string;
  etcd: string;
  s3: string;
  bucket: string;
  /** AWS_* variables for the S3 server (s3rver accepts one fixed access key). */
  env: Record<string, string>;
}

export interface ClusterServices extends ServiceEndpoints { stop(): Promise<void> }

/** Starts the three servers (all or none: a partial start is stopped again). */
export async function startClusterServices(bucket = 'nuthatch'): Promise<ClusterServices> {
  const started = await Promise.allSettled([startNats(), startEtcd(), startS3()]);
  const stops = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value.stop] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(stops.map((s) => s()));
    throw failed.reason;
  }
  const [nats, etcd, s3] = started.map((r) => (r as PromiseFulfilledResult<{ url: string }>).value);
  return {
    nats: nats!.url, etcd: etcd!.url, s3: s3!.url, bucket, env: S3RVER_ENV,
    stop: async () => { await Promise.allSettled(stops.map((s) => s())); },
  };
}

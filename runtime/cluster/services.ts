/**
 * The servers a cluster runs on, started on free 127.0.0.1 ports with temp dirs:
 * nats-server (JetStream, 8 MB payloads), etcd and s3rver. The starters are the
 * test suite's (test/support), so `npm run cluster` and the integration tests run
 * the very same servers; missing nats-server/etcd are installed with apt-get.
 */
import { S3_TEST_CREDENTIALS, startEtcd, startNats, startS3 } from '../../test/support/services.js';

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

/** The AWS environment s3rver wants (any secret, the fixed access key, us-east-1). */
export const S3RVER_ENV: Record<string, string> = {
  AWS_ACCESS_KEY_ID: S3_TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3_TEST_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

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

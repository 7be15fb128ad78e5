/**
 * Starts the servers integration tests need, once per `npm test` (test/run.ts):
 * nats-server (JetStream, 8 MB payloads), etcd and s3rver, each on a free
 * 127.0.0.1 port with a temp dir. Missing nats-server/etcd binaries are installed
 * with apt-get (Debian packages nats-server, etcd-server). Tests find them through
 * the environment:
 *
 * - NUTHATCH_TEST_NATS  nats://127.0.0.1:PORT
 * - NUTHATCH_TEST_ETCD  http://127.0.0.1:PORT
 * - NUTHATCH_TEST_S3    http://127.0.0.1:PORT (path-style, region us-east-1)
 * - NUTHATCH_TEST_S3_ACCESS_KEY_ID / NUTHATCH_TEST_S3_SECRET_ACCESS_KEY, and the same as
 *   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: s3rver accepts only the access key S3RVER
 * - NUTHATCH_TEST_S3_BUCKET  a bucket name tests may share (create your own if you need isolation)
 *
 * A test that needs its own server (to crash or restart it) uses startNats(),
 * startEtcd() or startS3() directly (runtime/devServices, re-exported here).
 */
import { startEtcd } from '../../runtime/devServices/etcdServer.js';
import { startNats } from '../../runtime/devServices/natsServer.js';
import { S3_TEST_CREDENTIALS, S3RVER_ENV, startS3 } from '../../runtime/devServices/s3Server.js';

export { startEtcd } from '../../runtime/devServices/etcdServer.js';
export { startNats, NATS_MAX_PAYLOAD } from '../../runtime/devServices/natsServer.js';
export { startS3, S3_TEST_CREDENTIALS } from '../../runtime/devServices/s3Server.js';

/** The running services and the environment that points tests at them. */
export interface Services {
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts every service it can; one that fails is reported on stderr and left out
 * of `env` (tests that need it then fail under CI=true, or skip otherwise).
 */
export async function startServices(): Promise<Services> {
  const [nats, etcd, s3] = await Promise.allSettled([startNats(), startEtcd(), startS3()]);
  // Shared by every test file: one that dies on its own is reported and started again.
  for (const r of [nats, etcd, s3]) if (r.status === 'fulfilled') r.value.keepAlive();
  const env: Record<string, string> = {};
  const stops: Array<() => Promise<void>> = [];
  const report = (what: string, r: PromiseSettledResult<unknown>): void => {
    if (r.status === 'rejected') console.error(`[services] ${what} did not start: ${(r.reason as Error)?.message ?? r.reason}`);
  };
  report('nats-server', nats);
  report('etcd', etcd);
  report('s3rver', s3);
  if (nats.status === 'fulfilled') {
    env.NUTHATCH_TEST_NATS = nats.value.url;
    stops.push(nats.value.stop);
  }
  if (etcd.status === 'fulfilled') {
    env.NUTHATCH_TEST_ETCD = etcd.value.url;
    stops.push(etcd.value.stop);
  }
  if (s3.status === 'fulfilled') {
    env.NUTHATCH_TEST_S3 = s3.value.url;
    env.NUTHATCH_TEST_S3_ACCESS_KEY_ID = S3_TEST_CREDENTIALS.accessKeyId;
    env.NUTHATCH_TEST_S3_SECRET_ACCESS_KEY = S3_TEST_CREDENTIALS.secretAccessKey;
    Object.assign(env, S3RVER_ENV);
    env.NUTHATCH_TEST_S3_BUCKET = 'nuthatch-test';
    stops.push(s3.value.stop);
  }
  console.log(`[services] ${Object.entries(env).filter(([k]) => k.startsWith('NUTHATCH_') && !/KEY/.test(k)).map(([k, v]) => `${k}=${v}`).join(' ') || 'none started'}`);
  return {
    env,
    stop: async () => { await Promise.allSettled(stops.map((s) => s())); },
  };
}

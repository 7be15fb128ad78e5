/**
 * The object WAL writer rides out an outage of either store it needs: appends
 * in flight while the S3 server or etcd restarts are delayed, not failed, and
 * the log holds each of them exactly once, in call order (outageCase.ts). A
 * commit whose answer etcd never sent is judged by its slot, not repeated
 * elsewhere. Uses a private S3 server and etcd it can stop.
 */
import { test } from 'uvu';
import type { ServerHandle } from '../../runtime/devServices/serverHandle.js';
import { createObjectWalBackend, type ObjectWalSpec } from '../../runtime/wal/object/createObjectWalBackend.js';
import { S3_TEST_CREDENTIALS, startEtcd, startS3 } from '../support/services.js';
import { rideOutOutage } from './outageCase.js';

function spec(s3: ServerHandle, etcd: ServerHandle): ObjectWalSpec {
  return {
    store: { kind: 's3', endpoint: s3.url, region: 'us-east-1', bucket: 'nuthatch-outage', forcePathStyle: true, credentials: S3_TEST_CREDENTIALS },
    meta: { kind: 'etcd', hosts: etcd.url },
    wal: { retryForMs: 30_000 },
  };
}

const restart = async (s: ServerHandle): Promise<void> => { await s.halt(); await new Promise((r) => setTimeout(r, 300)); await s.start(); };

test('appends in flight across an S3 server restart are delayed, then stored once each, in order', async () => {
  const [s3, etcd] = await Promise.all([startS3(), startEtcd()]);
  try {
    await rideOutOutage(() => createObjectWalBackend(spec(s3, etcd)), () => restart(s3));
  } finally { await Promise.all([s3.stop(), etcd.stop()]); }
});

test('appends in flight across an etcd restart are delayed, then stored once each, in order', async () => {
  const [s3, etcd] = await Promise.all([startS3(), startEtcd()]);
  try {
    await rideOutOutage(() => createObjectWalBackend(spec(s3, etcd)), () => restart(etcd));
  } finally { await Promise.all([s3.stop(), etcd.stop()]); }
});

test('appends in flight while etcd is frozen are delayed, then stored once each, in order', async () => {
  const [s3, etcd] = await Promise.all([startS3(), startEtcd()]);
  try {
    await rideOutOutage(() => createObjectWalBackend(spec(s3, etcd)), async () => { await etcd.pause(); await new Promise((r) => setTimeout(r, 2_000)); etcd.resume(); });
  } finally { etcd.resume(); await Promise.all([s3.stop(), etcd.stop()]); }
});

test.run();

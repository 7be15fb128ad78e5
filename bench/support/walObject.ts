/**
 * The object backend in the WAL benchmark (S3 + etcd), and its raw limit: plain
 * S3 PUTs of objects as large as the fragments the backend formed, to the same
 * server, as many in flight as the backend uploads at once (8) but never more
 * than the case's appends in flight fill (an ideal writer of 1,024 appends of
 * 1 KB has one 1 MB object to put at a time, not eight); no framing, no
 * checksums, no metadata commit. Raw read: GETs of the backend's fragment objects,
 * as many in flight as the backend reads ahead.
 *
 * Servers: NUTHATCH_TEST_S3 and NUTHATCH_TEST_ETCD when set, else a private s3rver
 * and etcd started for the run.
 */
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { WalBackend, WalWriter } from '../../runtime/ports/walBackend.js';
import { createObjectWalBackend, type ObjectWalSpec } from '../../runtime/wal/object/createObjectWalBackend.js';
import { startEtcd } from '../../runtime/devServices/etcdServer.js';
import { S3_TEST_CREDENTIALS, startS3 } from '../../runtime/devServices/s3Server.js';
import type { WalBenchStore, WalBenchTarget } from './walTargets.js';

const BUCKET = 'nuthatch-bench';
const UPLOADS = 8;
const READ_AHEAD = 4;

let servers: Promise<{ s3: string; etcd: string }> | undefined;
function endpoints(): Promise<{ s3: string; etcd: string }> {
  const env = process.env;
  servers ??= (async () => ({
    s3: env.NUTHATCH_TEST_S3 ?? (await startS3()).url,
    etcd: env.NUTHATCH_TEST_ETCD ?? (await startEtcd()).url,
  }))();
  return servers;
}

const credentials = {
  accessKeyId: process.env.NUTHATCH_TEST_S3_ACCESS_KEY_ID ?? S3_TEST_CREDENTIALS.accessKeyId,
  secretAccessKey: process.env.NUTHATCH_TEST_S3_SECRET_ACCESS_KEY ?? S3_TEST_CREDENTIALS.secretAccessKey,
};

async function client(): Promise<S3Client> {
  const c = new S3Client({ endpoint: (await endpoints()).s3, region: 'us-east-1', forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED' });
  await c.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
  return c;
}

async function listKeys(c: S3Client, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const r = await c.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    for (const o of r.Contents ?? []) keys.push(o.Key!);
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Frees the server's disk: the runs write gigabytes in all. */
async function deletePrefix(c: S3Client, prefix: string): Promise<void> {
  for (const k of await listKeys(c, prefix)) await c.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: k }));
}

let runs = 0;

export function objectWalTarget(): WalBenchTarget {
  let lastPrefix = '';
  return {
    name: 'object',
    unavailable: () => undefined,
    async open(): Promise<WalBenchStore> {
      const e = await endpoints();
      const id = `b${process.pid}-${++runs}`;
      lastPrefix = `${id}/wal/`;
      const spec: ObjectWalSpec = {
        store: { kind: 's3', endpoint: e.s3, bucket: BUCKET, region: 'us-east-1', forcePathStyle: true, credentials },
        meta: { kind: 'etcd', hosts: e.etcd },
        wal: { metaPrefix: `${id}/meta`, objectPrefix: `${id}/wal`, maxInFlightUploads: UPLOADS, readAhead: READ_AHEAD },
      };
      const made: WalBackend[] = [];
      const mk = async (): Promise<WalBackend> => { const b = await createObjectWalBackend(spec); made.push(b); return b; };
      const backend = await mk();
      return {
        backend, reopen: mk,
        cleanup: async () => {
          await Promise.allSettled(made.map((b) => b.close()));
          const c = await client();
          await deletePrefix(c, `${id}/`);
          c.destroy();
        },
      };
    },
    groupStats: (w: WalWriter) => (w as unknown as { stats?: { commits: number; bytes: number } }).stats,
    rawNote: (entryBytes, inFlight) => `raw: S3 PUTs of fragment-sized objects, min(${UPLOADS}, bytes in flight / object size) at once (${inFlight} x ${entryBytes} B in flight)`,
    async rawWrite(entryBytes, batchEntries, totalBytes, inFlight = UPLOADS) {
      const c = await client();
      const size = Math.max(1, entryBytes * batchEntries);
      const puts = Math.max(1, Math.min(UPLOADS, Math.floor((entryBytes * inFlight) / size)));
      const body = new Uint8Array(size).fill(0x5a);
      const count = Math.ceil(totalBytes / size);
      const prefix = `raw${process.pid}-${++runs}/`;
      let issued = 0;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: Math.min(puts, count) }, async () => {
        while (issued < count) {
          const k = issued++;
          await c.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}${String(k).padStart(8, '0')}`, Body: body }));
        }
      }));
      const seconds = (performance.now() - t0) / 1000;
      await deletePrefix(c, prefix);
      c.destroy();
      return (count * size) / seconds;
    },
    async rawRead() {
      const c = await client();
      const keys = await listKeys(c, lastPrefix);
      let next = 0;
      let bytes = 0;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: READ_AHEAD }, async () => {
        while (next < keys.length) {
          const r = await c.send(new GetObjectCommand({ Bucket: BUCKET, Key: keys[next++]! }));
          bytes += (await r.Body!.transformToByteArray()).length;
        }
      }));
      const seconds = (performance.now() - t0) / 1000;
      c.destroy();
      return bytes / seconds;
    },
  };
}

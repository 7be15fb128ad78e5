/**
 * The S3 object store adapter (@aws-sdk/client-s3), for AWS S3 and S3-compatible
 * servers (MinIO, s3rver). A put is durable when S3 acknowledges it.
 *
 * Conditional puts (`If-None-Match: *`) are what a fence without a lock needs, and
 * not every server enforces them (s3rver ignores the header), so open() probes
 * the server: it puts one key twice and sees whether the second put is refused.
 * Where they are not enforced, ifAbsent falls back to look-then-put, which is
 * correct only without concurrent writers: `supportsConditionalPut` tells callers
 * to fence some other way (etcd).
 */
import {
  CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand,
  ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { NuthatchError } from '../../messages/errors.js';
import type { ListOptions, ObjectInfo, ObjectStore } from '../ports/objectStore.js';
import { isS3NotFound, mapS3Error, s3Status } from './s3Errors.js';

export interface S3ObjectStoreOptions {
  bucket: string;
  /** e.g. `http://127.0.0.1:9000`; omit for AWS. */
  endpoint?: string;
  /** Default: AWS_REGION, else us-east-1. */
  region?: string;
  /** Path-style URLs (bucket in the path); default true when an endpoint is given. */
  forcePathStyle?: boolean;
  /** Default: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, else the SDK's provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A key prefix inside the bucket, so several stores can share one bucket. */
  prefix?: string;
  /** Create the bucket if it does not exist (default true). */
  createBucket?: boolean;
}

const byKey = (a: ObjectInfo, b: ObjectInfo): number => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key));

/** An ObjectStore on an S3 bucket. Create with `S3ObjectStore.open`. */
export class S3ObjectStore implements ObjectStore {
  private constructor(
    readonly client: S3Client,
    readonly bucket: string,
    private readonly root: string,
    readonly supportsConditionalPut: boolean,
  ) {}

  /** Connects, makes sure the bucket exists, and probes conditional-put support. */
  static async open(opts: S3ObjectStoreOptions): Promise<S3ObjectStore> {
    const env = process.env;
    const credentials = opts.credentials ?? (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN }
      : undefined);
    const client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region ?? env.AWS_REGION ?? 'us-east-1',
      forcePathStyle: opts.forcePathStyle ?? opts.endpoint !== undefined,
      credentials,
      // S3-compatible servers differ in their support of the newer default checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const root = opts.prefix ?? '';
    try {
      if (opts.createBucket !== false) await ensureBucket(client, opts.bucket);
      const conditional = await probeConditionalPut(client, opts.bucket, root);
      return new S3ObjectStore(client, opts.bucket, root, conditional);
    } catch (e) {
      client.destroy();
      throw mapS3Error(e, `open bucket ${opts.bucket}`);
    }
  }

  async put(key: string, data: Uint8Array, opts: { ifAbsent?: boolean } = {}): Promise<void> {
    const Key = this.keyOf(key);
    if (opts.ifAbsent && !this.supportsConditionalPut && (await this.exists(Key))) {
      throw new NuthatchError('Conflict', `object ${key} already exists`, { key });
    }
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: data, ...(opts.ifAbsent ? { IfNoneMatch: '*' } : {}) }));
    } catch (e) {
      const err = mapS3Error(e, `put ${key}`, key);
      if (err.code === 'Conflict') throw new NuthatchError('Conflict', `object ${key} already exists`, { key }, e);
      throw err;
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      return await r.Body!.transformToByteArray();
    } catch (e) {
      if (isS3NotFound(e)) return undefined;
      throw mapS3Error(e, `get ${key}`, key);
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    if (!(offset >= 0) || !(length >= 0)) throw new NuthatchError('InvalidArgument', `bad range ${offset}+${length}`, { key });
    const Key = this.keyOf(key);
    // An empty range cannot be written as an HTTP Range; answer it after checking the key exists.
    if (length === 0) {
      if (!(await this.exists(Key))) throw new NuthatchError('NotFound', `object ${key} not found`, { key });
      return new Uint8Array(0);
    }
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key, Range: `bytes=${offset}-${offset + length - 1}` }));
      const bytes = await r.Body!.transformToByteArray();
      // A server that ignores Range sends the whole object.
      return r.ContentRange || bytes.length <= length ? bytes : bytes.subarray(offset, offset + length);
    } catch (e) {
      if (s3Status(e) === 416) return new Uint8Array(0); // the range starts past the end
      throw mapS3Error(e, `getRange ${key}`, key);
    }
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    const limit = opts.limit ?? Infinity;
    let token: string | undefined;
    try {
      do {
        const r = await this.client.send(new ListObjectsV2Command({
          Bucket: this.bucket, Prefix: this.root + prefix, ContinuationToken: token,
          ...(token === undefined && opts.startAfter !== undefined ? { StartAfter: this.root + opts.startAfter } : {}),
          ...(Number.isFinite(limit) ? { MaxKeys: Math.min(1000, limit - out.length) } : {}),
        }));
        for (const o of r.Contents ?? []) if (o.Key !== undefined) out.push({ key: o.Key.slice(this.root.length), size: o.Size ?? 0 });
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token && out.length < limit);
    } catch (e) {
      throw mapS3Error(e, `list ${prefix}`);
    }
    return out.sort(byKey);
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
    } catch (e) {
      if (isS3NotFound(e)) return;
      throw mapS3Error(e, `delete ${key}`, key);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private keyOf(key: string): string {
    if (typeof key !== 'string' || key.length === 0) throw new NuthatchError('InvalidArgument', 'object key must be a non-empty string');
    return this.root + key;
  }

  private async exists(Key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return true;
    } catch (e) {
      if (isS3NotFound(e)) return false;
      throw mapS3Error(e, `head ${Key}`);
    }
  }
}

async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (e) {
    if (!isS3NotFound(e)) throw e;
  }
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw e;
  }
}

/**
 * Puts one probe key twice with If-None-Match: enforced only if the second put is
 * refused. The key is a file of its own beside the store's objects, not in a
 * folder of probes: s3rver removes a folder once its last object is deleted, and
 * a probe of another process writing into it then crashes s3rver (ENOENT on an
 * unhandled write stream; seen when a cluster's nodes open the store at once).
 */
async function probeConditionalPut(client: S3Client, bucket: string, root: string): Promise<boolean> {
  const Key = `${root}.nuthatch-probe-${randomUUID()}`;
  const put = () => client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: new Uint8Array([1]), IfNoneMatch: '*' }));
  try {
    try {
      await put();
    } catch (e) {
      if (s3Status(e) === 501 || s3Status(e) === 400) return false; // header not implemented
      throw e;
    }
    try {
      await put();
      return false;
    } catch (e) {
      if (s3Status(e) === 412 || s3Status(e) === 409) return true;
      throw e;
    }
  } finally {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key })).catch(() => undefined);
  }
}

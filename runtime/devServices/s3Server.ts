/**
 * Starts a private s3rver (from node_modules) in its own process, so its work does
 * not share the caller's event loop. s3rver checks the access key id: clients
 * must use `S3_TEST_CREDENTIALS` (any secret works, v4 signatures are not
 * verified). It does not enforce If-None-Match conditional PUTs.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { httpGet } from './probes.js';
import { startServer, type ServerHandle } from './serverHandle.js';

/** The only access key s3rver accepts. */
export const S3_TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** The AWS environment s3rver wants (the fixed access key, us-east-1). */
export const S3RVER_ENV: Record<string, string> = {
  AWS_ACCESS_KEY_ID: S3_TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3_TEST_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', // known: REFERENCE.md, Node 20
};

/** Starts s3rver on a free port with a temp directory; the url is path-style, region us-east-1. */
export async function startS3(): Promise<ServerHandle> {
  const bin = join(dirname(createRequire(import.meta.url).resolve('s3rver/package.json')), 'bin', 's3rver.js');
  return startServer({
    name: 's3rver',
    dirTag: 's3',
    ports: 1,
    url: (port) => `http://127.0.0.1:${port}`,
    command: (dir, [port]) => ({
      cmd: process.execPath,
      // s3rver's continuation tokens use DES, which OpenSSL 3 keeps in its legacy
      // provider: without it every truncated listing (a page) fails with HTTP 500.
      args: ['--openssl-legacy-provider', bin, '-d', join(dir, 'data'), '-a', '127.0.0.1', '-p', String(port), '--silent', '--no-vhost-buckets'],
      log: 's3rver.log',
    }),
    ready: async ([port]) => (await httpGet(`http://127.0.0.1:${port}/`)) !== undefined,
  });
}

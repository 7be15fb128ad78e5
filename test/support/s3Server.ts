/**
 * Starts a private s3rver (from node_modules) for tests, in its own process so its
 * work does not share the test's event loop. s3rver checks the access key id:
 * clients must use `S3_TEST_CREDENTIALS` (any secret works, v4 signatures are not
 * verified). It does not enforce If-None-Match conditional PUTs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, spawnServer, stopProcess, waitUntilReady, type Spawned } from './processes.js';
import { httpGet } from './probes.js';

/** The only access key s3rver accepts. */
export const S3_TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** A running test S3 server. */
export interface S3Handle {
  /** `http://127.0.0.1:PORT` (path-style, region us-east-1) */
  url: string;
  port: number;
  dir: string;
  /** Stops the server, keeping its data for `start()`. */
  halt(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops the server and removes its dir. */
  stop(): Promise<void>;
}

/** Starts s3rver on a free port with a temp directory. */
export async function startS3(): Promise<S3Handle> {
  const bin = join(dirname(createRequire(import.meta.url).resolve('s3rver/package.json')), 'bin', 's3rver.js');
  const dir = mkdtempSync(join(tmpdir(), 'nuthatch-s3-'));
  let port = 0;
  let proc: Spawned | undefined;

  const launch = async (): Promise<void> => {
    const s = spawnServer(process.execPath, [bin, '-d', join(dir, 'data'), '-a', '127.0.0.1', '-p', String(port), '--silent', '--no-vhost-buckets'], join(dir, 's3rver.log'));
    proc = s;
    await waitUntilReady(s, `s3rver on ${port}`, async () => (await httpGet(`http://127.0.0.1:${port}/`)) !== undefined);
  };

  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try { await launch(); break; } catch (e) {
      if (proc) await stopProcess(proc);
      if (attempt >= 3) { rmSync(dir, { recursive: true, force: true }); throw e; }
    }
  }

  const handle: S3Handle = {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    halt: async () => { if (proc) await stopProcess(proc); },
    start: launch,
    stop: async () => { await handle.halt(); rmSync(dir, { recursive: true, force: true }); },
  };
  return handle;
}

/**
 * Starts a private single-member etcd for tests, bound to 127.0.0.1 on free client
 * and peer ports with a temp data dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinaries, freePort, spawnServer, stopProcess, waitUntilReady, type Spawned } from './processes.js';
import { httpGet } from './probes.js';

/** A running test etcd. */
export interface EtcdHandle {
  /** `http://127.0.0.1:PORT` (the client URL) */
  url: string;
  port: number;
  dir: string;
  /** Stops etcd (SIGTERM), keeping its data for `start()`. */
  halt(): Promise<void>;
  /** Kills etcd with SIGKILL, keeping its data. */
  crash(): Promise<void>;
  /** Starts etcd again on the same ports and data (after halt or crash). */
  start(): Promise<void>;
  /** Stops etcd and removes its dir. */
  stop(): Promise<void>;
}

/** Starts etcd (installing Debian's etcd-server if missing). */
export async function startEtcd(): Promise<EtcdHandle> {
  const bin = ensureBinaries({ etcd: 'etcd-server' }).etcd!;
  const dir = mkdtempSync(join(tmpdir(), 'nuthatch-etcd-'));
  let client = 0;
  let peer = 0;
  let proc: Spawned | undefined;

  const launch = async (): Promise<void> => {
    const c = `http://127.0.0.1:${client}`;
    const p = `http://127.0.0.1:${peer}`;
    const args = [
      '--name', 'test', '--data-dir', join(dir, 'data'),
      '--listen-client-urls', c, '--advertise-client-urls', c,
      '--listen-peer-urls', p, '--initial-advertise-peer-urls', p,
      '--initial-cluster', `test=${p}`, '--initial-cluster-state', 'new',
      '--logger', 'zap', '--log-level', 'warn',
    ];
    const s = spawnServer(bin, args, join(dir, 'etcd.log'));
    proc = s;
    await waitUntilReady(s, `etcd on ${client}`, async () => (await httpGet(`${c}/health`))?.body.includes('"true"') ?? false);
  };

  for (let attempt = 1; ; attempt++) {
    client = await freePort();
    peer = await freePort();
    try { await launch(); break; } catch (e) {
      if (proc) await stopProcess(proc);
      rmSync(join(dir, 'data'), { recursive: true, force: true });
      if (attempt >= 3) { rmSync(dir, { recursive: true, force: true }); throw e; }
    }
  }

  const handle: EtcdHandle = {
    url: `http://127.0.0.1:${client}`,
    port: client,
    dir,
    halt: async () => { if (proc) await stopProcess(proc); },
    crash: async () => { if (proc) { proc.child.kill('SIGKILL'); await proc.exited; } },
    start: launch,
    stop: async () => { await handle.halt(); rmSync(dir, { recursive: true, force: true }); },
  };
  return handle;
}

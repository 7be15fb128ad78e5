/**
 * Starts a private nats-server for tests: JetStream on, a temp store dir, max
 * payload 8 MB (as Milvus runs NATS), bound to 127.0.0.1 on a free port.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBinaries, freePort, spawnServer, stopProcess, waitUntilReady, type Spawned } from './processes.js';
import { tcpGreets } from './probes.js';

/** A running test nats-server. */
export interface NatsHandle {
  /** `nats://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Holds the JetStream store (`jetstream/`), the config and the log. */
  dir: string;
  /** Stops the server (SIGTERM) and keeps the dir, so `start()` brings it back with its data. */
  halt(): Promise<void>;
  /** Kills the server with SIGKILL (a crash), keeping the dir. */
  crash(): Promise<void>;
  /** Starts the server again on the same port and store (after halt or crash). */
  start(): Promise<void>;
  /** Stops the server and removes its dir. */
  stop(): Promise<void>;
}

export const NATS_MAX_PAYLOAD = 8 * 1024 * 1024;

/** Starts nats-server with JetStream (installing the Debian package if missing). */
export async function startNats(): Promise<NatsHandle> {
  const bin = ensureBinaries({ 'nats-server': 'nats-server' })['nats-server']!;
  const dir = mkdtempSync(join(tmpdir(), 'nuthatch-nats-'));
  const conf = join(dir, 'nats.conf');
  let port = 0;
  let proc: Spawned | undefined;

  const launch = async (): Promise<void> => {
    writeFileSync(conf, `max_payload: ${NATS_MAX_PAYLOAD}\nmax_pending: ${8 * NATS_MAX_PAYLOAD}\n`);
    const p = spawnServer(bin, ['-c', conf, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'jetstream')], join(dir, 'nats.log'));
    proc = p;
    await waitUntilReady(p, `nats-server on ${port}`, () => tcpGreets(port, 'INFO'));
  };

  // A port picked as free can be taken before the server binds it: retry on a new one.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try { await launch(); break; } catch (e) {
      if (proc) await stopProcess(proc);
      if (attempt >= 3) { rmSync(dir, { recursive: true, force: true }); throw e; }
    }
  }

  const handle: NatsHandle = {
    url: `nats://127.0.0.1:${port}`,
    port,
    dir,
    halt: async () => { if (proc) await stopProcess(proc); },
    crash: async () => { if (proc) { proc.child.kill('SIGKILL'); await proc.exited; } },
    start: launch,
    stop: async () => { await handle.halt(); rmSync(dir, { recursive: true, force: true }); },
  };
  return handle;
}

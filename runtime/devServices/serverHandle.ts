/**
 * What the three dev servers (nats-server, etcd, s3rver) share: a temp dir, free
 * 127.0.0.1 ports, a start that retries on new ports, and a handle that can halt,
 * crash and restart the server on the same ports and data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './freePort.js';
import { spawnServer, stopAndWait, stopProcess, waitUntilReady, type Spawned } from './serverProcess.js';

/** A running private server. */
export interface ServerHandle {
  /** Where clients connect, e.g. `nats://127.0.0.1:PORT` or `http://127.0.0.1:PORT`. */
  url: string;
  /** The client port. */
  port: number;
  /** Holds the server's data, config and log. */
  dir: string;
  /** Stops the server (SIGTERM) and keeps the dir, so `start()` brings it back with its data. */
  halt(): Promise<void>;
  /** Kills the server with SIGKILL (a crash), keeping the dir. */
  crash(): Promise<void>;
  /** Starts the server again on the same ports and data (after halt or crash). */
  start(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered until `resume()`. Resolves once it is stopped. */
  pause(): Promise<void>;
  /** Lets a paused server run again (SIGCONT). */
  resume(): void;
  /** The server process's pid while it runs. */
  pid(): number | undefined;
  /**
   * From now on, a server that exits on its own is started again on the same
   * ports and data (the shared test servers: s3rver can die of a client that
   * vanished mid-request, which real S3 shrugs off).
   */
  keepAlive(): void;
  /** Stops the server and removes its dir. */
  stop(): Promise<void>;
}

/** How to run one kind of server. */
export interface ServerRecipe {
  /** Names the server in errors (`<name> on <port>`). */
  name: string;
  /** Its temp dir is `<tmpdir>/nuthatch-<dirTag>-XXXXXX`. */
  dirTag: string;
  /** How many free ports it listens on; the first is the client port. */
  ports: number;
  /** The client URL on `port`. */
  url(port: number): string;
  /** The command line to run in `dir` on `ports` (called before every start, so it may write config). */
  command(dir: string, ports: readonly number[]): { cmd: string; args: string[]; log: string };
  /** True once the server answers its own protocol on `ports`. */
  ready(ports: readonly number[]): Promise<boolean>;
  /** A subdir of `dir` to drop after a failed start (etcd keeps its peer URL in its data, so new ports need fresh data). */
  dropOnRetry?: string;
}

const ATTEMPTS = 3;

/** Starts a server from `recipe` in a new temp dir. */
export async function startServer(recipe: ServerRecipe): Promise<ServerHandle> {
  const dir = mkdtempSync(join(tmpdir(), `nuthatch-${recipe.dirTag}-`));
  let ports: number[] = [];
  let proc: Spawned | undefined;

  // Set while we stop the server ourselves; any other exit is reported, with the
  // log's tail, since the dir (and its log) may be gone by the time anyone looks.
  let stopping = false;
  let keepAlive = false;
  const launch = async (): Promise<void> => {
    const { cmd, args, log } = recipe.command(dir, ports);
    const s = spawnServer(cmd, args, join(dir, log));
    proc = s;
    stopping = false;
    void s.exited.then((code) => {
      if (stopping || proc !== s) return;
      console.error(`[services] ${recipe.name} on ${ports[0]} exited unexpectedly (code ${code}, signal ${s.child.signalCode})${keepAlive ? '; starting it again' : ''}:\n${s.tail()}`);
      if (keepAlive) launch().catch((e: unknown) => console.error(`[services] ${recipe.name} on ${ports[0]} did not start again: ${(e as Error).message}`));
    });
    await waitUntilReady(s, `${recipe.name} on ${ports[0]}`, () => recipe.ready(ports));
  };

  // A port picked as free can be taken before the server binds it: retry on new ones.
  for (let attempt = 1; ; attempt++) {
    ports = [];
    for (let i = 0; i < recipe.ports; i++) ports.push(await freePort());
    try { await launch(); break; } catch (e) {
      stopping = true;
      if (proc) await stopProcess(proc);
      if (recipe.dropOnRetry) rmSync(join(dir, recipe.dropOnRetry), { recursive: true, force: true });
      if (attempt >= ATTEMPTS) { rmSync(dir, { recursive: true, force: true }); throw e; }
    }
  }

  const port = ports[0]!;
  const handle: ServerHandle = {
    url: recipe.url(port),
    port,
    dir,
    halt: async () => { stopping = true; if (proc) await stopProcess(proc); },
    crash: async () => { stopping = true; if (proc) { proc.child.kill('SIGKILL'); await proc.exited; } },
    start: launch,
    pause: async () => { if (proc) await stopAndWait(proc); },
    resume: () => { proc?.child.kill('SIGCONT'); },
    keepAlive: () => { keepAlive = true; },
    pid: () => (proc && proc.child.exitCode === null && proc.child.signalCode === null ? proc.child.pid : undefined),
    stop: async () => { await handle.halt(); rmSync(dir, { recursive: true, force: true }); },
  };
  return handle;
}

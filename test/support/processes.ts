/**
 * Small process and network helpers for the test services: free ports, binary
 * lookup (with a one-time apt-get install), spawning a server with its output in a
 * log file, waiting until it answers, and stopping it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** A port on 127.0.0.1 that was free a moment ago (the caller retries on a clash). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

// Debian puts nats-server in /usr/sbin, which is not on a normal user's PATH.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The absolute path of an executable, or undefined. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const d of dirs) {
    const p = join(d, name);
    try { accessSync(p, constants.X_OK); return p; } catch { /* next */ }
  }
  return undefined;
}

let aptUpdated = false;

/**
 * Installs Debian packages non-interactively (`apt-get update` once per process).
 * Needs root or passwordless sudo; otherwise throws with the packages to install by hand.
 */
export function aptInstall(pkgs: string[]): void {
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Wait for a dpkg lock held by another install rather than failing at once.
  const lock = ['-o', 'DPkg::Lock::Timeout=120'];
  const run = (args: string[]): void => {
    const cmd = [...sudo, ...args];
    console.log(`[services] ${cmd.join(' ')}`);
    const r = spawnSync(cmd[0]!, cmd.slice(1), { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`'${cmd.join(' ')}' failed (${r.error?.message ?? `exit ${r.status}`}); install ${pkgs.join(' ')} by hand`);
  };
  if (!aptUpdated) { run(['apt-get', ...lock, 'update']); aptUpdated = true; }
  run(['apt-get', ...lock, 'install', '-y', '--no-install-recommends', ...pkgs]);
}

/** Returns the path of each binary, installing the Debian packages of the missing ones first. */
export function ensureBinaries(wanted: Record<string, string>): Record<string, string> {
  const missing = Object.keys(wanted).filter((b) => !findBinary(b));
  if (missing.length > 0) aptInstall([...new Set(missing.map((b) => wanted[b]!))]);
  const out: Record<string, string> = {};
  for (const b of Object.keys(wanted)) {
    const p = findBinary(b);
    if (!p) throw new Error(`${b} not found after installing ${wanted[b]}`);
    out[b] = p;
  }
  return out;
}

/** A spawned server process whose output goes to `logFile`. */
export interface Spawned {
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** The last lines of the log, for error messages. */
  tail(): string;
}

const live = new Set<ChildProcess>();
let hooked = false;
/** Servers die with the process that started them, also when it is interrupted. */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = (): void => { for (const c of live) c.kill('SIGKILL'); };
  process.on('exit', killAll);
  for (const [sig, n] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    process.once(sig, () => { killAll(); process.exit(128 + n); });
  }
}

/** Spawns a server with stdout and stderr appended to `logFile`. */
export function spawnServer(cmd: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): Spawned {
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  hookExit();
  live.add(child);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => { live.delete(child); resolve(code); });
    child.on('error', () => { live.delete(child); resolve(-1); });
  });
  const tail = (): string => { try { return readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n'); } catch { return ''; } };
  return { child, logFile, exited, tail };
}

/** Polls `probe` until it returns true; fails if the process exits or time runs out. */
export async function waitUntilReady(s: Spawned, what: string, probe: () => Promise<boolean>, limitMs = 30_000): Promise<void> {
  let exitCode: number | null | undefined;
  void s.exited.then((c) => { exitCode = c; });
  const start = Date.now();
  for (;;) {
    if (exitCode !== undefined) throw new Error(`${what} exited with ${exitCode} before answering:\n${s.tail()}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() - start > limitMs) throw new Error(`${what} did not answer within ${limitMs} ms:\n${s.tail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGTERM, then SIGKILL if the process has not exited within `graceMs`. */
export async function stopProcess(s: Spawned, graceMs = 5_000): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  s.child.kill('SIGTERM');
  const timer = setTimeout(() => s.child.kill('SIGKILL'), graceMs);
  await s.exited;
  clearTimeout(timer);
}

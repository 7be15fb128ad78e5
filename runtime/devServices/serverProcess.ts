/**
 * A dev server as a child process: spawned with its output in a log file, waited
 * on until it answers, stopped, and killed when the process that started it ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

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
/**
 * Servers die with the process that started them, also when it is interrupted.
 * A process that handles the signal itself (the cluster launcher stops its
 * nodes, then its servers, and removes their dirs) is left to do so: the
 * servers are still killed when it exits.
 */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = (): void => { for (const c of live) c.kill('SIGKILL'); };
  process.on('exit', killAll);
  for (const [sig, n] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    process.once(sig, () => {
      if (process.listenerCount(sig) > 0) return;
      killAll();
      process.exit(128 + n);
    });
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

/**
 * SIGSTOP, then waits until the kernel reports the process stopped (Linux:
 * /proc/<pid>/stat state 'T'), so nothing sent after this returns is answered
 * by a server that had not quite stopped yet. Elsewhere it waits 100 ms.
 */
export async function stopAndWait(s: Spawned, limitMs = 2_000): Promise<void> {
  const pid = s.child.pid;
  s.child.kill('SIGSTOP');
  if (pid === undefined) return;
  const end = Date.now() + limitMs;
  for (;;) {
    let state: string | undefined;
    try { state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0]; } catch { /* not Linux, or gone */ }
    if (state === undefined) { await new Promise((r) => setTimeout(r, 100)); return; }
    if (state === 'T' || state === 't' || Date.now() > end) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * `nuthatch replicate` as its own process (the real CLI, as an operator runs
 * it), for cross-cluster tests: its stderr is kept in memory so a test can wait
 * for what it logs and quote its tail when something fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../runtime/cli/main.js', import.meta.url));

export interface ReplicateProcess {
  readonly pid: number | undefined;
  /** Everything it logged so far. */
  log(): string;
  /** The last lines it logged (for failure messages). */
  tail(lines?: number): string;
  /** Resolves once a logged line matches `re`; rejects if the process exits first, or after `limitMs` (a broken test must not hang). */
  logged(re: RegExp, limitMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /** Sends `signal` (SIGKILL: a crash; SIGTERM: a clean stop) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => { for (const c of live) c.kill('SIGKILL'); });

/** Starts `nuthatch replicate <args>`. */
export function startReplicate(args: string[], env: NodeJS.ProcessEnv = process.env): ReplicateProcess {
  const child = spawn(process.execPath, ['--enable-source-maps', CLI, 'replicate', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let text = '';
  const waiters: Array<{ re: RegExp; resolve: (line: string) => void; reject: (e: Error) => void }> = [];
  const onData = (d: Buffer): void => {
    text += d.toString('utf8');
    for (let i = waiters.length - 1; i >= 0; i--) {
      const m = text.split('\n').find((l) => waiters[i]!.re.test(l));
      if (m !== undefined) waiters.splice(i, 1)[0]!.resolve(m);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, sig) => {
    live.delete(child);
    for (const w of waiters.splice(0)) w.reject(new Error(`nuthatch replicate exited (${code ?? sig}) before logging ${w.re}:\n${tail()}`));
    resolve(code ?? sig);
  }));
  const tail = (lines = 30): string => text.split('\n').slice(-lines).join('\n');
  return {
    get pid() { return child.pid; },
    log: () => text,
    tail,
    logged(re, limitMs = 60_000) {
      const m = text.split('\n').find((l) => re.test(l));
      if (m !== undefined) return Promise.resolve(m);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`nuthatch replicate has exited:\n${tail()}`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`nuthatch replicate did not log ${re} within ${limitMs} ms:\n${tail()}`)), limitMs);
        timer.unref();
        waiters.push({ re, resolve: (l) => { clearTimeout(timer); resolve(l); }, reject: (e) => { clearTimeout(timer); reject(e); } });
      });
    },
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

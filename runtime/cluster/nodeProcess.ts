import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_RESTART, type Role } from './nodeOptions.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** What to run: a role, its id, and its flags (besides --role and --node-id). */
export interface NodeSpec { role: Role; nodeId: string; args: string[] }

/**
 * One `nuthatch node` child process. Its stderr goes to `<logDir>/<nodeId>.log`;
 * `ready` resolves when it logs that it serves (or, for a coordinator, that it
 * stands by in the election). Signals are for fault tests: SIGKILL is a crash,
 * SIGSTOP a pause. Like compose's `restart: unless-stopped` for the code that asks
 * for it: a process exiting with EXIT_RESTART (a coordinator that lost
 * leadership) is started again, unless this launcher stopped or killed it.
 */
export class NodeProcess {
  child!: ChildProcess;
  exited!: Promise<number | null>;
  /** Resolves on 'ready' or 'standby'; rejects if the process exits first. */
  started!: Promise<'ready' | 'standby'>;
  /** Resolves on 'ready' (a standby coordinator: once it leads). */
  ready!: Promise<void>;
  readonly logFile: string;
  private listeners: Array<(line: string) => void> = [];
  /** Set by kill() and stop(): an exit this launcher caused is never followed by a restart. */
  private stopping = false;
  private static readonly live = new Set<ChildProcess>();

  constructor(readonly spec: NodeSpec, private readonly logDir: string, private readonly env: NodeJS.ProcessEnv, private readonly echo?: (line: string) => void) {
    this.logFile = join(logDir, `${spec.nodeId}.log`);
    this.launch();
  }

  get id(): string { return this.spec.nodeId; }
  get pid(): number | undefined { return this.child.pid; }
  get running(): boolean { return this.child.exitCode === null && this.child.signalCode === null; }

  /** Starts the process (again, after it exited: same id, same flags). */
  launch(): void {
    this.stopping = false;
    const { role, nodeId, args } = this.spec;
    const child = spawn(process.execPath, ['--enable-source-maps', CLI, 'node', '--role', role, '--node-id', nodeId, ...args], {
      env: this.env, stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    NodeProcess.live.add(child);
    const out = createWriteStream(this.logFile, { flags: 'a' });
    let buf = '';
    this.listeners = [];
    const failed = (code: number | null, sig: NodeJS.Signals | null) => new Error(`${nodeId} exited (${code ?? sig}) before it was ready:\n${this.tail()}`);
    this.started = new Promise((resolve, reject) => {
      this.onLine((l) => { if (/\) ready$/.test(l)) resolve('ready'); else if (/\) standby$/.test(l)) resolve('standby'); });
      child.once('exit', (code, sig) => reject(failed(code, sig)));
    });
    this.ready = new Promise((resolve, reject) => {
      this.onLine((l) => { if (/\) ready$/.test(l)) resolve(); });
      child.once('exit', (code, sig) => reject(failed(code, sig)));
    });
    this.started.catch(() => {});
    this.ready.catch(() => {});
    child.stderr!.on('data', (d: Buffer) => {
      out.write(d);
      buf += d.toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        for (const f of this.listeners) f(line);
        this.echo?.(line);
      }
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => { NodeProcess.live.delete(child); out.end(); resolve(code); }));
    void this.exited.then((code) => {
      if (code !== EXIT_RESTART || this.stopping || this.child !== child) return;
      console.error(`[cluster] ${nodeId} exited with ${code} (asks to be started again): restarting`);
      setTimeout(() => { if (!this.stopping && this.child === child) this.launch(); }, 500).unref();
    });
  }

  /** Calls `f` with every later log line (until the process is launched again). */
  onLine(f: (line: string) => void): void { this.listeners.push(f); }

  /** Resolves with the first later log line that matches. */
  waitForLine(re: RegExp): Promise<string> {
    return new Promise((resolve) => this.onLine((l) => { if (re.test(l)) resolve(l); }));
  }

  /** Sends a signal (SIGKILL: crash; SIGSTOP/SIGCONT: pause/resume). */
  signal(sig: NodeJS.Signals): void { if (this.running) this.child.kill(sig); }

  /** Crashes the process and waits until it is gone. */
  async kill(): Promise<void> {
    this.stopping = true;
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (a clean stop), then SIGKILL after `graceMs`; says how it went in the log. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    if (!this.running) return;
    const started = Date.now();
    this.child.kill('SIGCONT'); // a paused process cannot handle SIGTERM
    this.child.kill('SIGTERM');
    const t = setTimeout(() => {
      console.error(`[cluster] ${this.id} did not stop within ${graceMs} ms: killed (log: ${this.logFile})`);
      this.child.kill('SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(t);
    if (Date.now() - started > 3000) console.error(`[cluster] ${this.id} took ${Date.now() - started} ms to stop`);
  }

  /** The last lines of the log. */
  tail(lines = 30): string {
    try { return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return ''; }
  }

  /** The whole log so far. */
  log(): string {
    try { return readFileSync(this.logFile, 'utf8'); } catch { return ''; }
  }

  /** Kills every node process still running when the launcher's process exits. */
  static killAllOnExit(): void {
    process.on('exit', () => { for (const c of NodeProcess.live) c.kill('SIGKILL'); });
  }
}

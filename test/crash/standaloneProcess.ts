import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../runtime/devServices/freePort.js';

const CLI = fileURLToPath(new URL('../../runtime/cli/main.js', import.meta.url));

/** A `nuthatch standalone` child process, reachable over HTTP. */
export interface StandaloneProcess { child: ChildProcess; url: string; log: string[] }

export async function spawnStandalone(dataDir: string, extra: string[] = []): Promise<StandaloneProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--enable-source-maps', CLI, 'standalone', '--data-dir', dataDir, '--port', String(port), ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  child.stderr!.on('data', (d: Buffer) => { log.push(String(d)); if (log.length > 200) log.shift(); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`standalone exited with ${child.exitCode}:\n${log.join('')}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.status === 200, () => false);
    if (ok) return { child, url, log };
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`standalone did not become ready:\n${log.join('')}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function kill(p: StandaloneProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
    p.child.once('exit', () => resolve());
    p.child.kill(signal);
  });
}

/** POSTs a Milvus v2 request; returns the parsed body ({code, data|message}). */
export async function v2(url: string, path: string, body: unknown): Promise<{ code: number; data?: any; message?: string }> {
  const r = await fetch(`${url}/v2/vectordb/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return r.json() as Promise<{ code: number; data?: any; message?: string }>;
}

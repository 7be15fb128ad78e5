/**
 * Dev servers die with the process that started them. On SIGTERM, a process
 * without a handler of its own kills them and exits 143; a process with one
 * (the cluster launcher) is left to stop them itself, in order, before it exits.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const serverProcess = new URL('../../runtime/devServices/serverProcess.js', import.meta.url).href;

/** A child that starts a stand-in server (`sleep 60`), says its pid, and maybe handles SIGTERM itself. */
function host(ownHandler: boolean, dir: string) {
  const script = `
    import { spawnServer, stopProcess } from ${JSON.stringify(serverProcess)};
    const s = spawnServer('sleep', ['60'], ${JSON.stringify(join(dir, 'server.log'))});
    ${ownHandler ? `process.on('SIGTERM', async () => { await stopProcess(s); console.log('stopped by the host ' + s.child.signalCode); process.exit(0); });` : ''}
    console.log('server ' + s.child.pid);
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, out: () => out };
}

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(cond(), 'condition within 10 s');
};
const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };

for (const ownHandler of [false, true]) {
  test(ownHandler ? 'a host that handles SIGTERM stops its server itself and exits as it chooses'
    : 'a host without a SIGTERM handler kills its server and exits 143', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nuthatch-signals-'));
    try {
      const h = host(ownHandler, dir);
      await until(() => /server \d+/.test(h.out()));
      const pid = Number(/server (\d+)/.exec(h.out())![1]);
      assert.ok(alive(pid), 'the server runs');
      h.child.kill('SIGTERM');
      const code = await h.exited;
      assert.is(code, ownHandler ? 0 : 143);
      if (ownHandler) assert.match(h.out(), 'stopped by the host SIGTERM');
      await until(() => !alive(pid));
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
}

test.run();

/**
 * A stale writer that was paused (SIGSTOP) while a new owner took over cannot
 * append once it resumes: the storage refuses it, not a timer or its politeness.
 * Shared by the jetstream and object backend tests.
 *
 * The writer runs in a child process (conformanceChild.ts) with term 1 and appends
 * without pause; after some acknowledgements it is stopped, the parent opens term 2
 * and appends, then the child is continued. It must die with 'Fenced', every
 * acknowledgement it printed must lie before the new owner's first position, and
 * the log after that point holds only the new owner's entries.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import type { WalBackend } from '../../runtime/ports/walBackend.js';
import type { ChildOrder, WalChildSpec } from './conformanceChild.js';
import { checkedPayload, checkPayload } from './conformancePayload.js';
import { readAll, until } from './conformanceSupport.js';

export interface PausedWriterCase {
  spec: WalChildSpec;
  /** The parent's backend over the same storage as the child's. */
  backend: WalBackend;
  pchannel: string;
  limitMs: number;
}

export async function pausedWriterCase(c: PausedWriterCase): Promise<void> {
  const order: ChildOrder = { spec: c.spec, pchannel: c.pchannel, term: 1, round: 1, seed: 11, inFlight: 4, maxBody: 2048 };
  const script = fileURLToPath(new URL('./conformanceChild.js', import.meta.url));
  const child = spawn(process.execPath, [script], { env: { ...process.env, NUTHATCH_WAL_CHILD: JSON.stringify(order) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const acked: number[] = [];
  let rest = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  child.stdout.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) { const m = /^ack (\d+) /.exec(l); if (m) acked.push(Number(m[1])); }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    await until(() => acked.length >= 40 || child.exitCode !== null, c.limitMs, 'the child to acknowledge 40 appends');
    assert.is(child.exitCode, null, `child died early: ${err}`);
    child.kill('SIGSTOP');
    const w2 = await c.backend.openWriter(c.pchannel, 2);
    const firstNew = w2.lastPosition() + 1;
    const mine = Array.from({ length: 10 }, (_, i) => ({ tso: (99n << 32n) | BigInt(i), payload: checkedPayload({ round: 99, seq: i, batchLen: 1, batchIdx: 0 }, 100) }));
    for (const e of mine) await w2.append(e);
    child.kill('SIGCONT');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), c.limitMs))]);
    assert.is(code, 2, `the resumed stale writer must fail (exit ${String(code)}); stderr: ${err.slice(0, 500)}`);
    assert.match(err, /Fenced/, 'it failed because it was fenced');
    for (const p of acked) assert.ok(p < firstNew, `stale ack at ${p} is not after the new owner's first position ${firstNew}`);
    const log = await readAll(c.backend, c.pchannel);
    assert.is(log.length, firstNew + mine.length, 'nothing of the stale writer landed after the takeover');
    log.forEach((r, i) => {
      const id = checkPayload(r.payload);
      if (typeof id === 'string') return assert.unreachable(`entry ${i} corrupted: ${id}`);
      assert.is(id.round, i < firstNew ? 1 : 99, `entry ${i} belongs to the ${i < firstNew ? 'old' : 'new'} owner`);
    });
    await w2.close();
  } finally {
    if (child.exitCode === null && child.signalCode === null) { child.kill('SIGCONT'); child.kill('SIGKILL'); }
  }
}

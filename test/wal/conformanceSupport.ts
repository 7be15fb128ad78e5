/**
 * Small helpers shared by the WAL conformance cases: reading a whole range into
 * memory, waiting with a bound (never a timed assertion: the bound only stops a
 * hung test), percentiles for the figures the suite prints, and the crash child.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WalBackend, WalRecord } from '../../runtime/ports/walBackend.js';
import type { ChildOrder } from './conformanceChild.js';

/** Every record of [from, to) (or to the end), in order. */
export async function readAll(b: WalBackend, pchannel: string, from = 0, to?: number): Promise<WalRecord[]> {
  const out: WalRecord[] = [];
  for await (const batch of b.read(pchannel, from, to)) for (const r of batch) out.push(r);
  return out;
}

/** The error a promise rejects with, or a failure if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<{ code?: string; message?: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string };
  }
  throw new Error('expected a rejection, but it resolved');
}

/** Polls `cond` (cheaply, every few ms) until true; throws after `limitMs` so a hung test ends. */
export async function until(cond: () => boolean, limitMs: number, what: string): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what} after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** The q-quantile (0..1) of a list of numbers. */
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** An acknowledgement the crash child printed. */
export interface ChildAck { position: number; round: number; seq: number }

/**
 * Runs the crash child until it has printed `killAfterAcks` acknowledgements (plus
 * `extraMs`), then SIGKILLs it and returns every acknowledgement it printed.
 */
export function runChildUntilKilled(order: ChildOrder, killAfterAcks: number, extraMs: number, limitMs: number): Promise<ChildAck[]> {
  const script = fileURLToPath(new URL('./conformanceChild.js', import.meta.url));
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, NUTHATCH_WAL_CHILD: JSON.stringify(order) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acks: ChildAck[] = [];
  let rest = '';
  let err = '';
  let killed = false;
  let scheduled = false;
  return new Promise((resolve, reject) => {
    const kill = (): void => { if (!killed) { killed = true; child.kill('SIGKILL'); } };
    const limit = setTimeout(() => { kill(); reject(new Error(`crash child made ${acks.length} acks in ${limitMs} ms; stderr: ${err}`)); }, limitMs);
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^ack (\d+) (\d+) (\d+)$/.exec(line);
        if (m) acks.push({ position: Number(m[1]), round: Number(m[2]), seq: Number(m[3]) });
      }
      if (acks.length >= killAfterAcks && !scheduled) { scheduled = true; setTimeout(kill, extraMs); }
    });
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      if (signal === 'SIGKILL' && killed) resolve(acks);
      else reject(new Error(`crash child exited by itself (code ${code}, signal ${signal}); stderr: ${err}`));
    });
  });
}

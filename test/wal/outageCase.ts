/**
 * The outage case the jetstream and object WAL specs share: appends in flight
 * while a server the backend needs goes away and comes back are delayed, not
 * failed, and the log holds each of them exactly once, in call order.
 */
import * as assert from 'uvu/assert';
import type { WalBackend, WalWriter } from '../../runtime/ports/walBackend.js';
import { readAll, until } from './conformanceSupport.js';

const TOTAL = 1_500;
const LOOPS = 32;

export const outagePayload = (i: number): Uint8Array => new TextEncoder().encode(`entry ${i} `.padEnd(64 + (i % 50), '.'));

/**
 * Appends TOTAL entries from LOOPS concurrent callers; once a third are
 * acknowledged, runs `outage`. Returns each call's position (by call index) and
 * any rejections.
 */
async function appendThrough(w: WalWriter, outage: () => Promise<void>): Promise<{ positions: number[]; failures: unknown[]; longestMs: number }> {
  const positions: number[] = [];
  const failures: unknown[] = [];
  let issued = 0;
  let acked = 0;
  let longestMs = 0;
  const loops = Array.from({ length: LOOPS }, async () => {
    while (issued < TOTAL && failures.length === 0) {
      const i = issued++;
      const t0 = Date.now();
      try {
        positions[i] = await w.append({ tso: BigInt(i + 1), payload: outagePayload(i) });
        acked++;
      } catch (e) { failures.push(e); }
      longestMs = Math.max(longestMs, Date.now() - t0);
    }
  });
  await until(() => acked >= TOTAL / 3 || failures.length > 0, 30_000, 'a third of the appends');
  await outage();
  await Promise.all(loops);
  return { positions, failures, longestMs };
}

/**
 * Runs the case on a writer of `open()`'s backend, then checks the log with a
 * fresh one. Returns the longest any append waited.
 */
export async function rideOutOutage(open: () => Promise<WalBackend>, outage: () => Promise<void>): Promise<number> {
  const backend = await open();
  let longest = 0;
  try {
    const w = await backend.openWriter('p0', 1);
    const { positions, failures, longestMs } = await appendThrough(w, outage);
    longest = longestMs;
    assert.equal(failures.map((e) => (e as { code?: string }).code ?? String(e)), [], 'no append failed');
    // Call order is position order, from 0, with no gap.
    assert.equal(positions, Array.from({ length: TOTAL }, (_, i) => i));
    assert.is(w.lastPosition(), TOTAL - 1);
    await w.close();
  } finally { await backend.close(); }
  // A fresh backend sees each entry once, byte-identical.
  const reader = await open();
  try {
    const recs = await readAll(reader, 'p0', 0);
    assert.is(recs.length, TOTAL, 'each entry stored once');
    recs.forEach((r, i) => {
      assert.is(r.position, i);
      assert.is(r.tso, BigInt(i + 1));
      assert.equal(Buffer.from(r.payload), Buffer.from(outagePayload(i)), `payload of position ${i}`);
    });
    assert.is(await reader.lastPosition('p0'), TOTAL - 1);
  } finally { await reader.close(); }
  return longest;
}

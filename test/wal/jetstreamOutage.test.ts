/**
 * The jetstream WAL writer rides out a nats-server outage: appends in flight when
 * the server restarts (or freezes for longer than the publish timeout) are
 * delayed, not failed, and the log holds each of them exactly once, in call
 * order. A frozen server is the lost-ack case: the first attempts land when it
 * wakes up, after their callers stopped waiting, and the writer must find them
 * stored rather than store them twice. Uses a private nats-server it can stop.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WalBackend, WalWriter } from '../../runtime/ports/walBackend.js';
import { createJetStreamWalBackend } from '../../runtime/wal/jetstream/JetStreamWalBackend.js';
import type { ServerHandle } from '../../runtime/devServices/serverHandle.js';
import { startNats } from '../support/services.js';
import { readAll, until } from './conformanceSupport.js';

const TOTAL = 1_500;
const LOOPS = 32;

const payloadOf = (i: number): Uint8Array => new TextEncoder().encode(`entry ${i} `.padEnd(64 + (i % 50), '.'));

/**
 * Appends TOTAL entries from LOOPS concurrent callers; once a third are
 * acknowledged, runs `outage` on the server. Returns each call's position (by call
 * index) or the first rejection.
 */
async function appendThrough(w: WalWriter, outage: () => Promise<void>): Promise<{ positions: number[]; failures: unknown[] }> {
  const positions: number[] = [];
  const failures: unknown[] = [];
  let issued = 0;
  let acked = 0;
  const loops = Array.from({ length: LOOPS }, async () => {
    while (issued < TOTAL && failures.length === 0) {
      const i = issued++;
      try {
        positions[i] = await w.append({ tso: BigInt(i + 1), payload: payloadOf(i) });
        acked++;
      } catch (e) { failures.push(e); }
    }
  });
  await until(() => acked >= TOTAL / 3 || failures.length > 0, 30_000, 'a third of the appends');
  await outage();
  await Promise.all(loops);
  return { positions, failures };
}

async function check(server: ServerHandle, outage: (s: ServerHandle) => Promise<void>): Promise<void> {
  let backend: WalBackend | undefined;
  try {
    backend = await createJetStreamWalBackend({ servers: server.url, durability: 'unsynced', publishTimeoutMs: 1_000, retryForMs: 30_000 });
    const w = await backend.openWriter('p0', 1);
    const { positions, failures } = await appendThrough(w, () => outage(server));
    assert.equal(failures.map((e) => (e as { code?: string }).code ?? String(e)), [], 'no append failed');
    // Call order is position order, from 0, with no gap.
    assert.equal(positions, Array.from({ length: TOTAL }, (_, i) => i));
    assert.is(w.lastPosition(), TOTAL - 1);
    await w.close();
    // A fresh reader sees each entry once, byte-identical.
    const reader = await createJetStreamWalBackend({ servers: server.url, durability: 'unsynced' });
    try {
      const recs = await readAll(reader, 'p0', 0);
      assert.is(recs.length, TOTAL, 'each entry stored once');
      recs.forEach((r, i) => {
        assert.is(r.position, i);
        assert.is(r.tso, BigInt(i + 1));
        assert.equal(Buffer.from(r.payload), Buffer.from(payloadOf(i)), `payload of position ${i}`);
      });
      assert.is(await reader.lastPosition('p0'), TOTAL - 1);
    } finally { await reader.close(); }
  } finally {
    await backend?.close();
  }
}

test('appends in flight across a nats-server restart are delayed, then stored once each, in order', async () => {
  const server = await startNats();
  try {
    await check(server, async (s) => { await s.halt(); await new Promise((r) => setTimeout(r, 300)); await s.start(); });
  } finally { await server.stop(); }
});

test('appends whose acks were lost to a frozen server are found stored, not stored twice', async () => {
  const server = await startNats();
  try {
    // Frozen for longer than the publish timeout: every attempt in flight times out, then lands on waking.
    await check(server, async (s) => { s.pause(); await new Promise((r) => setTimeout(r, 2_500)); s.resume(); });
  } finally { server.resume(); await server.stop(); }
});

test('a writer still cut off after retryForMs fails its appends with WalUnavailable, and a reopened writer continues', async () => {
  const server = await startNats();
  let backend: WalBackend | undefined;
  try {
    backend = await createJetStreamWalBackend({ servers: server.url, durability: 'unsynced', publishTimeoutMs: 300, retryForMs: 1_000 });
    const w = await backend.openWriter('p0', 1);
    assert.is(await w.append({ tso: 1n, payload: payloadOf(0) }), 0);
    server.pause();
    let failure: { code?: string } | undefined;
    try {
      await w.append({ tso: 2n, payload: payloadOf(1) });
    } catch (e) { failure = e as { code?: string }; }
    assert.is(failure?.code, 'WalUnavailable');
    server.resume();
    const again = await backend.openWriter('p0', 2);
    // The failed append may or may not have landed before the server froze; either way the log stays gap-free.
    const next = again.lastPosition() + 1;
    assert.ok(next === 1 || next === 2, `next position ${next}`);
    assert.is(await again.append({ tso: 3n, payload: payloadOf(2) }), next);
    await again.close();
  } finally {
    server.resume();
    await backend?.close();
    await server.stop();
  }
});

test.run();

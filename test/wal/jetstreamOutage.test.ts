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
import type { WalBackend } from '../../runtime/ports/walBackend.js';
import { createJetStreamWalBackend } from '../../runtime/wal/jetstream/JetStreamWalBackend.js';
import type { ServerHandle } from '../../runtime/devServices/serverHandle.js';
import { startNats } from '../support/services.js';
import { readAll } from './conformanceSupport.js';
import { outagePayload, rideOutOutage } from './outageCase.js';

const payloadOf = outagePayload;

/** The shared outage case (outageCase.ts) on a private server, with a short publish timeout. */
function check(server: ServerHandle, outage: (s: ServerHandle) => Promise<void>, publishTimeoutMs = 1_000): Promise<number> {
  return rideOutOutage(
    () => createJetStreamWalBackend({ servers: server.url, durability: 'unsynced', publishTimeoutMs, retryForMs: 30_000 }),
    () => outage(server),
  );
}

const restart = async (s: ServerHandle): Promise<void> => { await s.halt(); await new Promise((r) => setTimeout(r, 300)); await s.start(); };

test('appends in flight across a nats-server restart are delayed, then stored once each, in order', async () => {
  const server = await startNats();
  try {
    await check(server, restart);
  } finally { await server.stop(); }
});

test('a restart does not make appends wait out the publish timeout: those in flight at the drop go again once reconnected', async () => {
  const server = await startNats();
  try {
    // Without failing them at the drop, the appends in flight would wait the full 120 s.
    const longest = await check(server, restart, 120_000);
    assert.ok(longest < 60_000, `the longest append waited ${longest} ms, not the publish timeout`);
  } finally { await server.stop(); }
});

test('appends whose acks were lost to a frozen server are found stored, not stored twice', async () => {
  const server = await startNats();
  try {
    // Frozen for longer than the publish timeout: every attempt in flight times out, then lands on waking.
    await check(server, async (s) => { await s.pause(); await new Promise((r) => setTimeout(r, 2_500)); s.resume(); });
  } finally { server.resume(); await server.stop(); }
});

test('a writer still cut off after retryForMs fails its appends with WalUnavailable, and a reopened writer continues', async () => {
  const server = await startNats();
  let backend: WalBackend | undefined;
  try {
    backend = await createJetStreamWalBackend({ servers: server.url, durability: 'unsynced', publishTimeoutMs: 300, retryForMs: 1_000 });
    const w = await backend.openWriter('p0', 1);
    assert.is(await w.append({ tso: 1n, payload: payloadOf(0) }), 0);
    await server.pause();
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

test("a writer repairing across a freeze still yields to a new owner's fence: an append it failed is not in the log, nothing of it follows the fence", async () => {
  const server = await startNats();
  const open = (): Promise<WalBackend> => createJetStreamWalBackend({ servers: server.url, durability: 'unsynced', publishTimeoutMs: 300, retryForMs: 30_000 });
  const [ba, bb] = [await open(), await open()];
  try {
    const a = await ba.openWriter('p0', 1);
    assert.is(await a.append({ tso: 1n, payload: payloadOf(0) }), 0);
    await server.pause();
    const pending = a.append({ tso: 2n, payload: payloadOf(1) });
    const settled = pending.then((p) => ({ ok: true as const, p }), (e: { code?: string }) => ({ ok: false as const, code: e.code }));
    await new Promise((r) => setTimeout(r, 800)); // its first attempt timed out: the writer is repairing
    server.resume();
    const b = await bb.openWriter('p0', 2);
    const first = await settled;
    let late: { code?: string } | undefined;
    try { await a.append({ tso: 3n, payload: payloadOf(2) }); } catch (e) { late = e as { code?: string }; }
    assert.is(late?.code, 'Fenced', 'the old writer is fenced');
    const recs = await readAll(bb, 'p0', 0);
    const payloads = recs.map((r) => Buffer.from(r.payload).toString());
    if (first.ok) {
      // Acknowledged: in the log, before the fence.
      assert.is(first.p, 1);
      assert.equal(payloads, [payloadOf(0), payloadOf(1)].map((x) => Buffer.from(x).toString()));
    } else {
      assert.is(first.code, 'Fenced');
      assert.equal(payloads, [Buffer.from(payloadOf(0)).toString()], 'a failed append is not in the log');
    }
    assert.is(await b.append({ tso: 4n, payload: payloadOf(3) }), recs.length, 'the new owner continues right after');
    await b.close();
  } finally {
    server.resume();
    await Promise.allSettled([ba.close(), bb.close()]);
    await server.stop();
  }
});

test.run();

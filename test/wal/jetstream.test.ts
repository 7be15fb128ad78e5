/**
 * The jetstream WAL backend against a real nats-server (NUTHATCH_TEST_NATS): the
 * shared conformance suite, then what is specific to JetStream — entries larger
 * than the server's max payload, a torn chunked group, a paused stale writer.
 *
 * Durability here is 'unsynced': the test server is one Debian nats-server 2.9.10,
 * which can neither sync every write (sync_interval: always needs 2.10) nor
 * replicate. Production uses 'replicated' or 'sync-always' (runtime/wal/jetstream/README.md).
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { fileURLToPath } from 'node:url';
import { suite, test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WalBackend, WalEntry, WalWriter } from '../../runtime/ports/walBackend.js';
import { createJetStreamWalBackend, type JetStreamWalConfig } from '../../runtime/wal/jetstream/JetStreamWalBackend.js';
import { encodeGroup, type FrameMessage } from '../../runtime/wal/jetstream/frame.js';
import { frameHeaders } from '../../runtime/wal/jetstream/frameHeaders.js';
import { streamLayout, versionAtLeast } from '../../runtime/wal/jetstream/streamLayout.js';
import { requireService } from '../support/requireService.js';
import { walConformance, type WalHarness } from './conformance.js';
import { randomBytes, sameBytes } from './conformancePayload.js';
import { readAll, rejection, until } from './conformanceSupport.js';
import { startNatsCluster } from './natsCluster.js';
import { pausedWriterCase } from './pausedWriterCase.js';

const url = requireService('NUTHATCH_TEST_NATS', 'jetstream WAL backend');

interface JsHarness extends WalHarness { config: JetStreamWalConfig; admin: NatsConnection }

let counter = 0;
async function makeHarness(): Promise<JsHarness> {
  const id = `${process.pid}_${++counter}`;
  const config: JetStreamWalConfig = { servers: url!, durability: 'unsynced', streamPrefix: `NT${id}_`, subjectPrefix: `nt${id}` };
  const made: WalBackend[] = [];
  const open = async (): Promise<WalBackend> => { const b = await createJetStreamWalBackend(config); made.push(b); return b; };
  const backend = await open();
  const admin = await connect({ servers: url! });
  return {
    backend, config, admin, reopen: open,
    cleanup: async () => {
      await Promise.allSettled(made.map((b) => b.close()));
      const jsm = await jetstreamManager(admin);
      for await (const s of jsm.streams.list()) if (s.config.name.startsWith(config.streamPrefix!)) await jsm.streams.delete(s.config.name);
      await admin.close();
    },
  };
}

async function streamMessages(h: JsHarness, pchannel: string): Promise<{ messages: number; bytes: number; lastSeq: number }> {
  const jsm = await jetstreamManager(h.admin);
  const info = await jsm.streams.info(streamLayout(h.config.streamPrefix!, h.config.subjectPrefix!, pchannel).stream);
  return { messages: info.state.messages, bytes: info.state.bytes, lastSeq: info.state.last_seq };
}

if (url) {
  walConformance('jetstream', makeHarness, {
    childSpec: (h) => ({ module: fileURLToPath(new URL('../../runtime/wal/jetstream/JetStreamWalBackend.js', import.meta.url)), factory: 'createJetStreamWalBackend', config: h.config }),
    storageBytes: async (h, p) => (await streamMessages(h, p)).bytes,
  });

  const s = suite('jetstream WAL specifics');
  const withHarness = (title: string, body: (h: JsHarness) => Promise<void>): void => {
    s(title, async () => { const h = await makeHarness(); try { await body(h); } finally { await h.cleanup(); } });
  };

  withHarness('entries larger than the server max payload are split into chunks and rejoined on read', async (h) => {
    const max = h.admin.info!.max_payload;
    const w = await h.backend.openWriter('big', 1);
    const big = randomBytes(1, max + 3 * 1024 * 1024);
    const batch = [randomBytes(2, Math.floor(max * 0.7)), randomBytes(3, Math.floor(max * 0.7)), randomBytes(4, 10)];
    assert.is(await w.append({ tso: 1n, payload: randomBytes(5, 100) }), 0);
    assert.is(await w.append({ tso: 2n, payload: big }), 1);
    assert.equal(await w.appendBatch(batch.map((payload, i) => ({ tso: BigInt(3 + i), payload }))), [2, 3, 4]);
    const { messages } = await streamMessages(h, 'big');
    assert.ok(messages >= 1 + 1 + 2 + 2, `chunked into several messages (fence + ${messages - 1})`);
    const other = await h.reopen();
    const all = await readAll(other, 'big');
    assert.equal(all.map((r) => r.position), [0, 1, 2, 3, 4]);
    assert.ok(sameBytes(all[1]!.payload, big), 'the oversize entry reads back byte-identical');
    batch.forEach((b, i) => assert.ok(sameBytes(all[2 + i]!.payload, b)));
    assert.equal((await readAll(other, 'big', 3)).map((r) => r.position), [3, 4], 'reading from inside a chunked group');
    await w.close();
  });

  withHarness('a large message after many small ones is read and tailed (a byte-bounded pull stalled here)', async (h) => {
    const w = await h.backend.openWriter('mixed', 1);
    for (let i = 0; i < 300; i++) await w.append({ tso: BigInt(i + 1), payload: randomBytes(i, 1000) });
    const big = randomBytes(999, 300_000);
    assert.is(await w.append({ tso: 301n, payload: big }), 300);
    const other = await h.reopen();
    const all = await readAll(other, 'mixed');
    assert.is(all.length, 301);
    assert.ok(sameBytes(all[300]!.payload, big));
    const seen: number[] = [];
    const sub = other.tail('mixed', 0).subscribe((r) => seen.push(r.position));
    await until(() => seen.length >= 301, 30_000, 'the tail to reach the large entry');
    sub.unsubscribe();
    assert.equal(seen, all.map((r) => r.position));
    await w.close();
  });

  withHarness('a group torn between chunks is never read, and the next owner reuses its positions', async (h) => {
    const w1 = await h.backend.openWriter('torn', 1);
    await w1.appendBatch([{ tso: 1n, payload: randomBytes(1, 10) }, { tso: 2n, payload: randomBytes(2, 10) }]);
    // What a writer leaves when it dies between two chunks: the first chunk only.
    const layout = streamLayout(h.config.streamPrefix!, h.config.subjectPrefix!, 'torn');
    const chunks = encodeGroup(1, 2, [{ tso: 3n, payload: randomBytes(3, 5000) }], 2048);
    assert.ok(chunks.length > 1);
    const before = await streamMessages(h, 'torn');
    await jetstream(h.admin).publish(layout.data, chunks[0]!.data, { headers: frameHeaders(chunks[0]!), expect: { lastSequence: before.lastSeq } });
    const other = await h.reopen();
    assert.is(await other.lastPosition('torn'), 1, 'a torn group is not durable');
    assert.equal((await readAll(other, 'torn')).map((r) => r.position), [0, 1]);
    const w2 = await other.openWriter('torn', 2);
    assert.is(w2.lastPosition(), 1);
    const fresh = randomBytes(4, 64);
    assert.is(await w2.append({ tso: 4n, payload: fresh }), 2);
    const log = await readAll(h.backend, 'torn');
    assert.equal(log.map((r) => r.position), [0, 1, 2]);
    assert.ok(sameBytes(log[2]!.payload, fresh), 'position 2 holds the new owner entry, not the torn one');
    assert.is((await rejection(w1.append({ tso: 9n, payload: fresh }))).code, 'Fenced');
    await w2.close();
  });

  withHarness('torn chunked groups published by hand: lastPosition is the last readable position, no torn entry is read, appends go on gap-free', async (h) => {
    const p = 'torn-by-hand';
    const layout = streamLayout(h.config.streamPrefix!, h.config.subjectPrefix!, p);
    const js = jetstream(h.admin);
    // What a writer leaves when it dies inside a group: some of its chunks, each following the one before.
    const put = async (msgs: FrameMessage[]): Promise<void> => {
      for (const m of msgs) await js.publish(layout.data, m.data, { headers: frameHeaders(m), expect: { lastSequence: (await streamMessages(h, p)).lastSeq } });
    };
    let seed = 0;
    const make = (n: number, size: number): WalEntry[] => Array.from({ length: n }, () => { seed++; return { tso: BigInt(seed), payload: randomBytes(seed, size) }; });
    const log: WalEntry[] = [];
    /** A fresh backend sees exactly `log`: from every start position, tailing too, and lastPosition agrees. */
    const check = async (what: string): Promise<void> => {
      const b = await h.reopen();
      assert.is(await b.lastPosition(p), log.length - 1, `${what}: lastPosition is the last readable position`);
      for (let from = 0; from <= log.length; from++) {
        const got = await readAll(b, p, from);
        assert.equal(got.map((r) => r.position), log.slice(from).map((_, i) => from + i), `${what}: positions read from ${from}`);
        got.forEach((r, i) => assert.ok(r.tso === log[from + i]!.tso && sameBytes(r.payload, log[from + i]!.payload), `${what}: entry ${from + i} is the one written, never a torn one`));
      }
      const seen: bigint[] = [];
      const sub = b.tail(p, 0).subscribe((r) => seen.push(r.tso));
      await until(() => seen.length >= log.length, 30_000, `${what}: the tail`);
      sub.unsubscribe();
      assert.equal(seen, log.map((e) => e.tso), `${what}: the tail delivers the same entries`);
    };

    const w1 = await h.backend.openWriter(p, 1);
    const first = make(2, 100);
    assert.equal(await w1.appendBatch(first), [0, 1]);
    log.push(...first);
    const torn1 = encodeGroup(1, 2, make(3, 3000), 2048);
    assert.ok(torn1.length >= 4, `${torn1.length} chunks`);
    await put(torn1.slice(0, -1));
    await check('torn at the tail, last chunk missing');

    // The same term recovers in place: its fence follows the torn group; the next group reuses position 2.
    const w1again = await (await h.reopen()).openWriter(p, 1);
    assert.is(w1again.lastPosition(), 1);
    const after = make(1, 50);
    assert.is(await w1again.append(after[0]!), 2);
    log.push(...after);
    await check('fence and a new group after a torn group');

    // A finished chunked group, then a group torn after its chunk 0, by hand.
    const whole = make(2, 1500);
    await put(encodeGroup(1, 3, whole, 1024));
    log.push(...whole);
    await put(encodeGroup(1, 5, make(4, 900), 1024).slice(0, 1));
    await check('a finished chunked group, then a torn one');

    // A new term takes over: appending goes on from the last readable position.
    const w2 = await (await h.reopen()).openWriter(p, 2);
    assert.is(w2.lastPosition(), 4);
    const later = make(3, 20);
    assert.equal(await w2.appendBatch(later), [5, 6, 7]);
    log.push(...later);
    await check('after a takeover');
    await w2.close();
  });

  withHarness("a stale writer's burst of appends after a takeover lands none of them (messages chain by id, not only by sequence)", async (h) => {
    const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
    const w1 = await h.backend.openWriter('burst', 1);
    for (let i = 0; i < 5; i++) await w1.append({ tso: BigInt(i), payload: enc(`old-${i}`) });
    const w2 = await (await h.reopen()).openWriter('burst', 2);
    // Fired in one tick: eight messages in flight; the second expects the sequence the fence took.
    const stale = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => w1.append({ tso: BigInt(100 + i), payload: enc(`stale-${i}`) })));
    stale.forEach((o, i) => assert.is(o.status === 'rejected' ? (o.reason as { code?: string }).code : `landed at ${String(o.value)}`, 'Fenced', `stale append ${i}`));
    assert.is(await w2.append({ tso: 1000n, payload: enc('new-0') }), 5, 'the new owner appends where it fenced');
    const log = await readAll(await h.reopen(), 'burst');
    assert.equal(log.map((r) => new TextDecoder().decode(r.payload)), ['old-0', 'old-1', 'old-2', 'old-3', 'old-4', 'new-0']);
    await w2.close();
  });

  withHarness('a stale writer paused with SIGSTOP cannot append after it resumes', async (h) => {
    await pausedWriterCase({
      spec: { module: fileURLToPath(new URL('../../runtime/wal/jetstream/JetStreamWalBackend.js', import.meta.url)), factory: 'createJetStreamWalBackend', config: h.config },
      backend: h.backend, pchannel: 'paused', limitMs: 60_000,
    });
  });

  withHarness("durability 'replicated' refuses a single server rather than acknowledge unsynced writes", async (h) => {
    const b = await createJetStreamWalBackend({ ...h.config, durability: 'replicated' });
    try {
      assert.is((await rejection(b.openWriter('r3', 1))).code, 'WalUnavailable');
    } finally { await b.close(); }
    if (!versionAtLeast(h.admin.info!.version, '2.10.0')) {
      assert.is((await rejection(createJetStreamWalBackend({ ...h.config, durability: 'sync-always' }))).code, 'WalUnavailable', 'sync-always needs nats-server >= 2.10');
    }
  });

  s("durability 'replicated' on a 3-server cluster: three replicas, and appends go on when a replica's host dies", async () => {
    const cluster = await startNatsCluster();
    const made: WalBackend[] = [];
    let admin: NatsConnection | undefined;
    try {
      const config: JetStreamWalConfig = { servers: [cluster.urls[0]!], durability: 'replicated', streamPrefix: 'NRC_', subjectPrefix: 'nrc', publishTimeoutMs: 5_000 };
      const open = async (): Promise<WalBackend> => { const b = await createJetStreamWalBackend(config); made.push(b); return b; };
      // The servers elect a JetStream meta leader, then stream leaders, after they
      // start (and again after a crash): until then requests time out. Retry for a while.
      const retrying = async <T>(f: () => Promise<T>): Promise<T> => {
        const until = Date.now() + 60_000;
        for (;;) {
          try { return await f(); } catch (e) {
            if (Date.now() > until) throw e;
            await new Promise((r) => setTimeout(r, 500));
          }
        }
      };
      const b1 = await retrying(open);
      const w1 = await retrying(() => b1.openWriter('r3', 1));
      const first = await Promise.all(Array.from({ length: 20 }, (_, i) => w1!.append({ tso: BigInt(i + 1), payload: randomBytes(i, 500) })));
      assert.equal(first, Array.from({ length: 20 }, (_, i) => i));
      admin = await connect({ servers: cluster.urls[0]! });
      const info = await (await jetstreamManager(admin)).streams.info('NRC_r3');
      assert.is(info.config.num_replicas, 3);
      assert.is(info.cluster?.replicas?.length, 2, 'a leader and two replicas');
      // Kill a host that is neither the stream leader nor the one we talk to.
      const victim = [1, 2].find((i) => `n${i}` !== info.cluster?.leader)!;
      await cluster.crash(victim);
      const more = await w1.appendBatch(Array.from({ length: 10 }, (_, i) => ({ tso: BigInt(100 + i), payload: randomBytes(100 + i, 500) })));
      assert.equal(more, Array.from({ length: 10 }, (_, i) => 20 + i), 'a quorum of two still acknowledges');
      const b2 = await retrying(open);
      const w2 = await retrying(() => b2.openWriter('r3', 2));
      assert.is(w2.lastPosition(), 29);
      assert.is((await rejection(w1.append({ tso: 999n, payload: randomBytes(1, 10) }))).code, 'Fenced');
      // Reading creates a consumer, which also waits out the elections a crash starts.
      assert.equal((await retrying(() => readAll(b2, 'r3'))).map((r) => r.position), Array.from({ length: 30 }, (_, i) => i));
    } finally {
      // Close everything on failure too: an open connection would keep the test process alive.
      await admin?.close().catch(() => {});
      await Promise.allSettled(made.map((b) => b.close()));
      await cluster.stop();
    }
  });

  s.run();
} else {
  test.run();
}

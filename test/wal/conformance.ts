/**
 * The WAL backend contract (runtime/ports/walBackend.ts) as one uvu suite that
 * every backend runs: `walConformance('local', make, opts)`. Each case gets a
 * fresh harness from `make` and cleans it up. Figures (catch-up MB/s, tail
 * latency) are printed, never asserted.
 *
 * Harness contract: `backend` is a ready backend over fresh storage; `reopen()`
 * returns another backend over the same storage, as another process would see it
 * (it must not close the others); `cleanup()` closes every backend it made and
 * frees the storage.
 */
import { performance } from 'node:perf_hooks';
import { suite, type Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WalBackend, WalEntry, WalPosition, WalRecord } from '../../runtime/ports/walBackend.js';
import type { WalChildSpec } from './conformanceChild.js';
import { crashRounds } from './conformanceCrash.js';
import { prng, randomBytes, sameBytes } from './conformancePayload.js';
import { quantile, readAll, rejection, until } from './conformanceSupport.js';

export type { WalChildSpec } from './conformanceChild.js';

/** What `make` returns: a backend over fresh storage and a way to open it again. */
export interface WalHarness {
  backend: WalBackend;
  reopen(): Promise<WalBackend>;
  cleanup(): Promise<void>;
}

/** Options of the conformance suite. */
export interface WalConformanceOptions<H extends WalHarness> {
  /**
   * How the crash child builds a backend over the harness's storage. Without it
   * the crash case is skipped with a printed reason.
   */
  childSpec?: (h: H) => WalChildSpec;
  /** SIGKILL rounds of the crash case (default 4). */
  crashRounds?: number;
  /** Largest entry body in the crash case's large-entry rounds (default 512 KiB). */
  crashLargeBody?: number;
  /** Entries of 32 bytes in the catch-up case (default 1,000,000). */
  catchUpEntries?: number;
  /** The truncation case writes this many entries of `truncationEntryBytes` (default 256 x 16 KiB). */
  truncationEntries?: number;
  truncationEntryBytes?: number;
  /** Bytes of storage the pchannel uses; when given, truncation must lower it. */
  storageBytes?: (h: H, pchannel: string) => Promise<number>;
  /** Bound on any single wait, only so a hung backend cannot hang CI (default 60 s). */
  limitMs?: number;
  /** Seed of every random choice (default 7). */
  seed?: number;
  /** Run the suite at once (default true); false returns it for the caller to extend and run. */
  run?: boolean;
}

const entry = (tso: number, payload: Uint8Array): WalEntry => ({ tso: BigInt(tso), payload });
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (r: WalRecord): string => new TextDecoder().decode(r.payload);

/**
 * uvu prints an error's `details` as a string and loses the whole report when it
 * is not one (NuthatchError's is an object), so give it a plain Error instead.
 */
function forUvu(e: unknown): unknown {
  if (!(e instanceof Error) || typeof (e as { details?: unknown }).details === 'string' || (e as { details?: unknown }).details === undefined) return e;
  const plain = new Error(`${e.name}: ${e.message} ${JSON.stringify((e as { details?: unknown }).details)}`);
  plain.stack = `${plain.message}\n${e.stack?.split('\n').slice(1).join('\n') ?? ''}`;
  return plain;
}

/** Registers the conformance cases for one backend as a uvu suite. */
export function walConformance<H extends WalHarness>(name: string, make: () => Promise<H>, opts: WalConformanceOptions<H> = {}): Test {
  const s = suite(`wal conformance: ${name}`);
  const limitMs = opts.limitMs ?? 60_000;
  const seed = opts.seed ?? 7;
  const withHarness = (title: string, body: (h: H) => Promise<void>): void => {
    s(title, async () => {
      const h = await make();
      try { await body(h); } catch (e) { throw forUvu(e); } finally { await h.cleanup(); }
    });
  };

  withHarness('positions follow call order under 32 concurrent appenders', async (h) => {
    const w = await h.backend.openWriter('order', 1);
    assert.is(w.lastPosition(), -1);
    const sent = new Map<WalPosition, string>();
    await Promise.all(Array.from({ length: 32 }, async (_, worker) => {
      let prev = -1;
      for (let i = 0; i < 40; i++) {
        const body = `w${worker}-${i}`;
        const p = await w.append(entry(worker * 1000 + i, text(body)));
        assert.ok(p > prev, 'one appender sees its positions grow');
        prev = p;
        assert.not.ok(sent.has(p), `position ${p} given twice`);
        sent.set(p, body);
      }
    }));
    // Fired together, without awaiting: positions and resolutions in call order.
    const resolved: number[] = [];
    const calls = Array.from({ length: 500 }, (_, i) => w.append(entry(100_000 + i, text(`burst-${i}`))).then((p) => { resolved.push(i); return p; }));
    const positions = await Promise.all(calls);
    positions.forEach((p, i) => { assert.is(p, 1280 + i); sent.set(p, `burst-${i}`); });
    assert.equal(resolved, [...resolved].sort((a, b) => a - b), 'acknowledgements come in call order');
    assert.is(w.lastPosition(), 1779);
    assert.is(await h.backend.lastPosition('order'), 1779);
    const back = await readAll(h.backend, 'order');
    assert.is(back.length, 1780);
    back.forEach((r, i) => { assert.is(r.position, i); assert.is(str(r), sent.get(i)); });
    await w.close();
  });

  withHarness('every acknowledged entry reads back byte-identical (0 B to 1 MB)', async (h) => {
    const rnd = prng(seed);
    const w = await h.backend.openWriter('bytes', 1);
    const sizes = [0, 1, 2, 31, 1000, 4096, 65535, 65536, 1_000_000, 0, 999_999];
    for (let i = 0; i < 100; i++) {
      const x = rnd();
      sizes.push(x < 0.1 ? 0 : x < 0.14 ? 900_000 + Math.floor(rnd() * 148_576) : Math.floor(rnd() * rnd() * 100_000));
    }
    const sent: WalEntry[] = sizes.map((n, i) => entry(i + 1, randomBytes(seed + i, n)));
    const acks: Promise<WalPosition[]>[] = [];
    for (let i = 0; i < sent.length;) {
      const k = rnd() < 0.3 ? 1 + Math.floor(rnd() * 5) : 1;
      const part = sent.slice(i, i + k);
      acks.push(k === 1 ? w.append(part[0]!).then((p) => [p]) : w.appendBatch(part));
      i += part.length;
    }
    assert.equal((await Promise.all(acks)).flat(), sent.map((_, i) => i));
    const check = (got: WalRecord[], from: number): void => {
      got.forEach((r, i) => {
        assert.is(r.position, from + i);
        assert.is(r.tso, sent[from + i]!.tso);
        assert.ok(sameBytes(r.payload, sent[from + i]!.payload), `bytes of entry ${from + i} (${sent[from + i]!.payload.length} B)`);
      });
    };
    const same = await readAll(h.backend, 'bytes');
    assert.is(same.length, sent.length);
    check(same, 0);
    const other = await h.reopen();
    const again = await readAll(other, 'bytes');
    assert.is(again.length, sent.length);
    check(again, 0);
    const mid = await readAll(other, 'bytes', 5, 12);
    assert.is(mid.length, 7);
    check(mid, 5);
    assert.is((await readAll(other, 'bytes', sent.length)).length, 0, 'reading from the end gives nothing');
    await w.close();
  });

  withHarness('a higher term fences the old writer; nothing it tried after is readable', async (h) => {
    const w1 = await h.backend.openWriter('fence', 1);
    for (let i = 0; i < 5; i++) await w1.append(entry(i + 1, text(`old-${i}`)));
    const other = await h.reopen();
    const w2 = await other.openWriter('fence', 2);
    assert.is(w2.lastPosition(), 4, 'the new writer continues after what the old one acknowledged');
    assert.is((await rejection(w1.append(entry(10, text('stale-0'))))).code, 'Fenced');
    assert.is((await rejection(w1.appendBatch([entry(11, text('stale-1')), entry(12, text('stale-2'))]))).code, 'Fenced');
    assert.is((await rejection(w1.append(entry(13, text('stale-3'))))).code, 'Fenced', 'a fenced writer stays fenced');
    assert.is((await rejection(h.backend.openWriter('fence', 1))).code, 'Fenced', 'a lower term cannot open');
    assert.is((await rejection(other.openWriter('fence', 1))).code, 'Fenced');
    assert.is(await w2.append(entry(20, text('new-0'))), 5);
    for (const b of [h.backend, other]) {
      assert.equal((await readAll(b, 'fence')).map(str), ['old-0', 'old-1', 'old-2', 'old-3', 'old-4', 'new-0']);
    }
    await w1.close().catch(() => {});
    await w2.close();
  });

  withHarness('a takeover during in-flight appends keeps the log consistent', async (h) => {
    const w1 = await h.backend.openWriter('race', 1);
    const inFlight = Array.from({ length: 64 }, (_, i) => w1.append(entry(i + 1, text(`old-${i}`))).then((p) => ({ i, p }), (e: { code?: string }) => ({ i, code: e.code })));
    const other = await h.reopen();
    const w2 = await other.openWriter('race', 2);
    const outcomes = await Promise.all(inFlight);
    const p = await w2.append(entry(1000, text('new-0')));
    const log = (await readAll(other, 'race')).map(str);
    assert.is(log.length, p + 1, 'positions are gap-free');
    assert.is(log[p], 'new-0');
    for (const o of outcomes) {
      if ('p' in o) assert.is(log[o.p], `old-${o.i}`, 'an acknowledged stale append is in the log where it was acknowledged');
      else assert.is(o.code, 'Fenced', 'a stale append fails only with Fenced');
    }
    // A failed in-flight append may or may not be in the log, but never after the new writer's entries.
    assert.ok(log.slice(0, p).every((x) => x.startsWith('old-')));
    assert.is((await rejection(w1.append(entry(2000, text('stale'))))).code, 'Fenced');
    assert.equal((await readAll(other, 'race')).map(str), log);
    await w1.close().catch(() => {});
    await w2.close();
  });

  s('a writer killed at a random moment loses no acknowledged entry and leaves no torn one', async () => {
    if (!opts.childSpec) { console.log(`  (skipped for ${name}: no childSpec to build the backend in a child process)`); return; }
    const h = await make();
    try {
      await crashRounds({ spec: opts.childSpec(h), reopen: () => h.reopen(), rounds: opts.crashRounds ?? 4, largeBody: opts.crashLargeBody ?? 512 * 1024, seed, limitMs }, 'crash');
    } catch (e) { throw forUvu(e); } finally { await h.cleanup(); }
  });

  withHarness('catch-up read of many small entries', async (h) => {
    const n = opts.catchUpEntries ?? 1_000_000;
    const w = await h.backend.openWriter('catchup', 1);
    const chunk = 8192;
    for (let base = 0; base < n; base += chunk) {
      const entries: WalEntry[] = [];
      for (let i = base; i < Math.min(n, base + chunk); i++) {
        const payload = new Uint8Array(32);
        new DataView(payload.buffer).setUint32(0, i, true);
        payload[31] = i & 0xff;
        entries.push({ tso: BigInt(i + 1), payload });
      }
      const ps = await w.appendBatch(entries);
      assert.is(ps[0], base);
      assert.is(ps[ps.length - 1], base + entries.length - 1);
    }
    const other = await h.reopen();
    const t0 = performance.now();
    let next = 0;
    for await (const batch of other.read('catchup', 0)) {
      for (const r of batch) {
        if (r.position !== next || r.payload.length !== 32 || new DataView(r.payload.buffer, r.payload.byteOffset).getUint32(0, true) !== next || r.payload[31] !== (next & 0xff) || r.tso !== BigInt(next + 1)) {
          assert.unreachable(`record ${next} read back wrong (position ${r.position})`);
        }
        next++;
      }
    }
    const ms = performance.now() - t0;
    assert.is(next, n);
    console.log(`  [${name}] catch-up read of ${n} x 32 B entries: ${ms.toFixed(0)} ms, ${((n * 32) / 1e6 / (ms / 1000)).toFixed(1)} MB/s of payload`);
    await w.close();
  });

  withHarness('tail delivers new appends, to this backend and to another one', async (h) => {
    const w = await h.backend.openWriter('tail', 1);
    for (let i = 0; i < 20; i++) await w.append(entry(i + 1, text(`e-${i}`)));
    const other = await h.reopen();
    const sentAt = new Map<number, number>();
    const follow = (b: WalBackend, from: number) => {
      const f = { got: [] as WalRecord[], lat: [] as number[], failure: undefined as unknown };
      const sub = b.tail('tail', from).subscribe({
        next: (r) => { f.got.push(r); const t = sentAt.get(r.position); if (t !== undefined) f.lat.push(performance.now() - t); },
        error: (e: unknown) => { f.failure = e ?? 'error'; },
      });
      return Object.assign(f, { sub });
    };
    const near = follow(h.backend, 10);
    const far = follow(other, 0);
    for (let i = 20; i < 220; i++) {
      sentAt.set(i, performance.now());
      await w.append(entry(i + 1, text(`e-${i}`)));
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await until(() => near.got.length >= 210 && far.got.length >= 220 || near.failure !== undefined || far.failure !== undefined, limitMs, 'tails to catch up');
    if (near.failure !== undefined || far.failure !== undefined) throw near.failure ?? far.failure;
    await new Promise((r) => setTimeout(r, 20));
    near.sub.unsubscribe();
    far.sub.unsubscribe();
    assert.equal(near.got.map((r) => r.position), Array.from({ length: 210 }, (_, i) => i + 10));
    assert.equal(far.got.map((r) => r.position), Array.from({ length: 220 }, (_, i) => i));
    assert.equal(far.got.map(str), Array.from({ length: 220 }, (_, i) => `e-${i}`));
    assert.equal(far.got.map((r) => r.tso), Array.from({ length: 220 }, (_, i) => BigInt(i + 1)));
    const ms = (x: number[]): string => `p50 ${quantile(x, 0.5).toFixed(2)} ms, p99 ${quantile(x, 0.99).toFixed(2)} ms`;
    console.log(`  [${name}] tail latency, append call to delivery: same backend ${ms(near.lat)}; another backend ${ms(far.lat)}`);
    await w.close();
  });

  withHarness('truncation frees storage and keeps everything from the checkpoint on', async (h) => {
    const n = opts.truncationEntries ?? 256;
    const size = opts.truncationEntryBytes ?? 16 * 1024;
    const w = await h.backend.openWriter('trunc', 1);
    const sent: Uint8Array[] = [];
    for (let base = 0; base < n; base += 16) {
      const part = Array.from({ length: Math.min(16, n - base) }, (_, i) => randomBytes(base + i, size));
      sent.push(...part);
      await w.appendBatch(part.map((p, i) => entry(base + i + 1, p)));
    }
    assert.is(await h.backend.firstPosition('trunc'), 0);
    const before = opts.storageBytes ? await opts.storageBytes(h, 'trunc') : 0;
    const checkpoint = Math.floor(n / 2);
    await h.backend.truncate('trunc', checkpoint);
    const first = await h.backend.firstPosition('trunc');
    assert.ok(first > 0 && first <= checkpoint, `first position ${first} is in (0, ${checkpoint}]`);
    if (opts.storageBytes) {
      const after = await opts.storageBytes(h, 'trunc');
      assert.ok(after < before, `storage shrank (${before} -> ${after} bytes)`);
    }
    await h.backend.truncate('trunc', 1);
    assert.is(await h.backend.firstPosition('trunc'), first, 'a lower truncation point changes nothing');
    const other = await h.reopen();
    assert.is(await other.firstPosition('trunc'), first);
    for (const b of [h.backend, other]) {
      const kept = await readAll(b, 'trunc', checkpoint);
      assert.is(kept.length, n - checkpoint);
      kept.forEach((r, i) => assert.ok(sameBytes(r.payload, sent[checkpoint + i]!), `entry ${checkpoint + i} kept intact`));
      const fromFirst = await readAll(b, 'trunc', first);
      assert.is(fromFirst[0]?.position, first);
    }
    assert.is(await w.append(entry(n + 1, text('after'))), n, 'the writer continues after truncation');
    assert.is(await other.lastPosition('trunc'), n);
    await w.close();
  });

  if (opts.run !== false) s.run();
  return s;
}

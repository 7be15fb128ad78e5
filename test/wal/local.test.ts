/**
 * The local WAL backend: the conformance suite with small segments (so rolling,
 * truncation and the chain are exercised), then what only a disk backend has:
 * recovery from bytes corrupted at random offsets in the tail, the segment chain
 * rule, a tail that falls out of the write-ahead buffer, and a tail following a
 * writer in another process.
 */
import { cp, open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { WalEntry, WalRecord } from '../../runtime/ports/walBackend.js';
import { LocalWalBackend } from '../../runtime/wal/local/index.js';
import { FRAME_HEADER } from '../../runtime/wal/local/frame.js';
import { liveChain, parseSegmentName, segmentFileName } from '../../runtime/wal/local/segmentChain.js';
import { walConformance } from './conformance.js';
import { checkPayload, prng, randomBytes, sameBytes } from './conformancePayload.js';
import { readAll, runChildUntilKilled, until } from './conformanceSupport.js';
import { localChildSpec, localHarness, pchannelBytes } from './localHarness.js';

const small = { segmentBytes: 256 * 1024 };
walConformance('local', () => localHarness(small), {
  childSpec: localChildSpec,
  storageBytes: (h, p) => pchannelBytes(h.root, p),
});

const local = suite('local wal');

local('open() cuts the tail at the first corrupted byte, wherever it is', async () => {
  const h = await localHarness();
  try {
    const rnd = prng(11);
    const w = await h.backend.openWriter('p', 1);
    // Frames and batches as written: [start, end) byte ranges of each batch.
    const sent: WalEntry[] = [];
    const batchEnds: { bytes: number; count: number }[] = [];
    let bytes = 0;
    while (sent.length < 300) {
      const k = rnd() < 0.3 ? 2 + Math.floor(rnd() * 4) : 1;
      const part = Array.from({ length: k }, (_, i) => ({ tso: BigInt(sent.length + i + 1), payload: randomBytes(sent.length + i, Math.floor(rnd() * 1500)) }));
      if (k === 1) await w.append(part[0]!); else await w.appendBatch(part);
      sent.push(...part);
      // A single small append is written alone here, so behind a block header of its own (frame.ts).
      if (k === 1) bytes += FRAME_HEADER;
      for (const e of part) bytes += FRAME_HEADER + e.payload.length;
      batchEnds.push({ bytes, count: sent.length });
    }
    await w.close();
    const [seg] = await readdir(join(h.root, 'p')).then((ns) => ns.filter((n) => n.endsWith('.wal')));
    const pristine = join(h.root, 'pristine');
    await cp(join(h.root, 'p'), pristine, { recursive: true });
    for (let trial = 0; trial < 40; trial++) {
      const dir = `t${trial}`;
      await cp(pristine, join(h.root, dir), { recursive: true });
      const file = join(h.root, dir, seg!);
      // Somewhere in the last ~60% of the file: flip a byte, or cut the file (a torn write).
      const at = Math.floor(bytes * (0.4 + 0.6 * rnd()));
      const fh = await open(file, 'r+');
      if (trial % 3 === 2) await fh.truncate(at);
      else {
        const b = Buffer.alloc(1);
        await fh.read(b, 0, 1, at);
        b[0] = b[0]! ^ (1 + Math.floor(rnd() * 255));
        await fh.write(b, 0, 1, at);
      }
      await fh.close();
      // Expected: every batch that ends at or before the damaged byte, nothing after.
      const keep = batchEnds.filter((b) => b.bytes <= at).pop() ?? { bytes: 0, count: 0 };
      const b = new LocalWalBackend(h.root);
      const before = await readAll(b, dir);
      assert.is(before.length, keep.count, `trial ${trial}: readers stop at the damage (byte ${at})`);
      const w2 = await b.openWriter(dir, 1);
      assert.is(w2.lastPosition(), keep.count - 1, `trial ${trial}: recovered end`);
      assert.is((await stat(file)).size, keep.bytes, `trial ${trial}: the file is cut at the last whole batch`);
      const back = await readAll(b, dir);
      back.forEach((r, i) => assert.ok(sameBytes(r.payload, sent[i]!.payload) && r.tso === sent[i]!.tso, `trial ${trial}: entry ${i} intact`));
      assert.is(await w2.append({ tso: 9999n, payload: randomBytes(1, 10) }), keep.count, 'appends continue after the cut');
      await b.close();
    }
  } finally { await h.cleanup(); }
});

local('the chain: a higher term supersedes what a stale writer wrote after the takeover', () => {
  const names = [segmentFileName(0, 1), segmentFileName(100, 2), segmentFileName(150, 1), segmentFileName(100, 1), segmentFileName(300, 2)];
  const { live, dead } = liveChain(names.map((n) => parseSegmentName(n)!));
  assert.equal(live.map((s) => [s.first, s.term]), [[0, 1], [100, 2], [300, 2]]);
  assert.equal(dead.map((s) => [s.first, s.term]).sort(), [[100, 1], [150, 1]]);
  assert.is(parseSegmentName('term'), undefined);
});

local('a stale writer that kept writing leaves nothing in the log', async () => {
  const h = await localHarness();
  try {
    const w1 = await h.backend.openWriter('p', 1);
    await w1.append({ tso: 1n, payload: new Uint8Array([1]) });
    const w2 = await (await h.reopen()).openWriter('p', 2);
    // Bytes a stale writer might still land in its old segment, after the cut.
    const old = join(h.root, 'p', segmentFileName(0, 1));
    const stale = await readFile(old);
    await writeFile(old, Buffer.concat([stale, stale]));
    await w2.append({ tso: 2n, payload: new Uint8Array([2]) });
    const other = await h.reopen();
    assert.equal((await readAll(other, 'p')).map((r) => r.payload[0]), [1, 2]);
    await w1.close();
  } finally { await h.cleanup(); }
});

local('segments roll over under load without losing or reordering anything', async () => {
  // Tiny segments and chunks: rolls happen while earlier writes still wait for their sync.
  const h = await localHarness({ segmentBytes: 48 * 1024, writeChunkBytes: 8 * 1024 });
  try {
    const w = await h.backend.openWriter('p', 1);
    const rnd = prng(3);
    const sizes = Array.from({ length: 3000 }, () => Math.floor(rnd() * 6000));
    let next = 0;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < sizes.length) {
        const i = next++;
        assert.is(await w.append({ tso: BigInt(i + 1), payload: randomBytes(i, sizes[i]!) }), i);
      }
    }));
    const segments = (await readdir(join(h.root, 'p'))).filter((n) => n.endsWith('.wal'));
    assert.ok(segments.length > 50, `rolled over (${segments.length} segments)`);
    for (const s of segments) {
      const size = (await stat(join(h.root, 'p', s))).size;
      assert.ok(size <= 48 * 1024 || size - FRAME_HEADER <= 6000, `segment ${s} (${size} bytes) is filled up to the segment size, no further`);
    }
    for (const b of [h.backend, await h.reopen()]) {
      const back = await readAll(b, 'p');
      assert.is(back.length, sizes.length);
      back.forEach((r, i) => assert.ok(r.position === i && sameBytes(r.payload, randomBytes(i, sizes[i]!)), `entry ${i}`));
    }
    await w.close();
  } finally { await h.cleanup(); }
});

local('groups go through O_DSYNC with little in flight and plain writes + fdatasync with much, across rolls, in order', async () => {
  const h = await localHarness({ segmentBytes: 1024 * 1024 });
  try {
    const w = await h.backend.openWriter('p', 1);
    const stats = (w as unknown as { stats: { writes: number; dsyncWrites: number } }).stats;
    const tailed: WalRecord[] = [];
    const sub = h.backend.tail('p', 0).subscribe((r) => tailed.push(r));
    const acked: number[] = [];
    const sizes: number[] = [];
    // Phases: little in flight (1 KB x 64), much (64 KB x 64 = 4 MiB), little again.
    for (const [count, bytes, inFlight] of [[2000, 1000, 64], [300, 64 * 1024, 64], [2000, 1000, 64]] as const) {
      const from = sizes.length;
      for (let i = 0; i < count; i++) sizes.push(bytes - (i % 7));
      let next = from;
      await Promise.all(Array.from({ length: inFlight }, async () => {
        while (next < sizes.length) {
          const i = next++;
          const at = await w.append({ tso: BigInt(i + 1), payload: randomBytes(i, sizes[i]!) });
          acked.push(at);
          assert.is(at, i);
        }
      }));
    }
    assert.ok(acked.every((p, i) => p === i), 'acknowledged in call order');
    await until(() => tailed.length >= sizes.length, 30_000, 'the tail');
    sub.unsubscribe();
    assert.ok(tailed.every((r, i) => r.position === i), 'the tail saw every record in order');
    assert.ok(stats.dsyncWrites > 0 && stats.dsyncWrites < stats.writes, `both kinds of writes (${stats.dsyncWrites} O_DSYNC of ${stats.writes})`);
    for (const b of [h.backend, await h.reopen()]) {
      const back = await readAll(b, 'p');
      assert.is(back.length, sizes.length);
      back.forEach((r, i) => assert.ok(r.position === i && r.tso === BigInt(i + 1) && sameBytes(r.payload, randomBytes(i, sizes[i]!)), `entry ${i}`));
    }
    await w.close();
  } finally { await h.cleanup(); }
});

local('a provisional segment left by a crash is not part of the log, and open() removes it', async () => {
  const h = await localHarness();
  try {
    const w = await h.backend.openWriter('p', 1);
    await w.appendBatch([{ tso: 1n, payload: new Uint8Array([1]) }, { tso: 2n, payload: new Uint8Array([2]) }]);
    await w.close();
    // A writer that rolled over and was killed before its sync round renamed the file.
    const seg = join(h.root, 'p', segmentFileName(0, 1));
    const next = join(h.root, 'p', `${segmentFileName(2, 1)}.next`);
    await writeFile(next, await readFile(seg));
    const other = await h.reopen();
    assert.equal((await readAll(other, 'p')).map((r) => r.payload[0]), [1, 2]);
    const w2 = await other.openWriter('p', 1);
    assert.is(w2.lastPosition(), 1);
    assert.not.ok((await readdir(join(h.root, 'p'))).includes(basename(next)), 'the provisional file is gone');
    assert.is(await w2.append({ tso: 3n, payload: new Uint8Array([3]) }), 2);
    await w2.close();
    assert.not.ok((await readdir(join(h.root, 'p'))).some((n) => n.endsWith('.next')), 'the spare opened for the next segment is gone too');
  } finally { await h.cleanup(); }
});

local('a tail that falls out of the write-ahead buffer reads the disk and rejoins', async () => {
  const h = await localHarness({ bufferBytes: 64 * 1024, segmentBytes: 128 * 1024 });
  try {
    const w = await h.backend.openWriter('p', 1);
    const payload = (i: number): Uint8Array => randomBytes(i, 1000);
    await w.appendBatch(Array.from({ length: 500 }, (_, i) => ({ tso: BigInt(i + 1), payload: payload(i) })));
    const got: WalRecord[] = [];
    const sub = h.backend.tail('p', 3).subscribe((r) => got.push(r));
    for (let i = 500; i < 1000; i += 10) {
      await w.appendBatch(Array.from({ length: 10 }, (_, k) => ({ tso: BigInt(i + k + 1), payload: payload(i + k) })));
    }
    await until(() => got.length >= 997, 30_000, 'the tail');
    sub.unsubscribe();
    assert.equal(got.map((r) => r.position), Array.from({ length: 997 }, (_, i) => i + 3));
    got.forEach((r) => assert.ok(sameBytes(r.payload, payload(r.position))));
  } finally { await h.cleanup(); }
});

local('a tail follows a writer in another process (fs.watch)', async () => {
  const h = await localHarness(small);
  try {
    const got: WalRecord[] = [];
    const sub = h.backend.tail('x', 0).subscribe((r) => got.push(r));
    const acks = await runChildUntilKilled({ spec: localChildSpec(h), pchannel: 'x', term: 1, round: 0, seed: 5, inFlight: 4, maxBody: 4096 }, 200, 0, 30_000);
    await until(() => got.length >= acks.length, 30_000, 'the tail to see every acknowledged entry');
    sub.unsubscribe();
    got.forEach((r, i) => { assert.is(r.position, i); assert.type(checkPayload(r.payload), 'object'); });
  } finally { await h.cleanup(); }
});

local.run();

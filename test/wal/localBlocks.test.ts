/**
 * Blocks in the local WAL (frame.ts): small single appends written together
 * share one crc in a block header. A block is taken whole or not at all by
 * recovery, a damaged block fails a read even when the read starts in its
 * middle, and reads from any position inside a block return the right records.
 * The first specs are of the pure scan; the rest write real files.
 */
import { appendFile, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import type { WalRecord } from '../../runtime/ports/walBackend.js';
import { FrameArena } from '../../runtime/wal/local/FrameArena.js';
import { FRAME_HEADER, FrameFlag, blockHeader, scanFrames, writeFrame } from '../../runtime/wal/local/frame.js';
import { randomBytes, sameBytes } from './conformancePayload.js';
import { readAll } from './conformanceSupport.js';
import { localHarness } from './localHarness.js';

const COVERED = FrameFlag.BatchBegin | FrameFlag.BatchEnd | FrameFlag.Covered;

/** `n` covered frames of `size` bytes (payload i filled from seed i) behind their block header. */
function block(n: number, size: number, seed = 0): Uint8Array {
  const arena = new FrameArena();
  const at = arena.frameSmall({ tso: BigInt(seed + 1), payload: randomBytes(seed, size) }, COVERED);
  for (let i = 1; i < n; i++) arena.frameSmall({ tso: BigInt(seed + i + 1), payload: randomBytes(seed + i, size) }, COVERED);
  const run = arena.chunk.subarray(at, at + n * (FRAME_HEADER + size));
  const out = new Uint8Array(FRAME_HEADER + run.length);
  out.set(blockHeader([run], run.length, n));
  out.set(run, FRAME_HEADER);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

test('scan: a block yields its frames, their offsets and its bounds', () => {
  const b = block(5, 100);
  const r = scanFrames(b, 0, 10, Infinity, true);
  assert.is(r.records.length, 5);
  assert.equal(r.records.map((x) => x.position), [10, 11, 12, 13, 14]);
  r.records.forEach((x, i) => assert.ok(sameBytes(x.payload, randomBytes(i, 100)) && x.tso === BigInt(i + 1), `record ${i}`));
  assert.equal(r.offsets, [0, 1, 2, 3, 4].map((i) => FRAME_HEADER + i * (FRAME_HEADER + 100)));
  assert.equal(r.blocks, [0, b.length]);
  assert.is(r.end, b.length);
});

test('scan: one flipped byte anywhere in a block drops the whole block, in either mode', () => {
  const good = block(3, 50);
  const b = concat(good, block(4, 60, 3));
  for (let at = good.length; at < b.length; at += 7) {
    const bad = b.slice();
    bad[at] ^= 0x40;
    for (const strict of [true, false]) {
      const r = scanFrames(bad, 0, 0, Infinity, strict);
      assert.is(r.records.length, 3, `byte ${at} (${strict ? 'strict' : 'trusted'}): only the first block`);
      assert.is(r.end, good.length);
      // A damaged length reads as a block cut short (more), anything else as bad.
      assert.ok(r.stop === 'bad' || r.stop === 'more', `byte ${at}: ${r.stop}`);
    }
  }
});

test('scan: a cut block asks for the rest and gives none of it', () => {
  const b = concat(block(2, 40), block(3, 40, 2));
  const first = FRAME_HEADER + 2 * (FRAME_HEADER + 40);
  const r = scanFrames(b.subarray(0, b.length - 10), 0, 0, Infinity, true);
  assert.is(r.records.length, 2);
  assert.is(r.stop, 'more');
  assert.is(r.end, first);
  assert.is(r.need, b.length - first, 'the bytes that complete the block');
});

test('scan: a covered frame outside a block is bad, and a scan takes blocks whole past its record limit', () => {
  const b = block(4, 30);
  const inside = scanFrames(b, FRAME_HEADER, 0, Infinity, false);
  assert.is(inside.records.length, 0, 'a scan cannot start inside a block');
  assert.is(inside.stop, 'bad');
  const limited = scanFrames(concat(b, block(2, 30, 4)), 0, 0, 2, true);
  assert.is(limited.records.length, 4, 'the whole first block');
  assert.is(limited.stop, 'limit');
});

test('scan: a block whose header counts other than the frames it holds is bad, even with a good crc', () => {
  const good = block(3, 20);
  const run = good.subarray(FRAME_HEADER);
  const miscounted = concat(blockHeader([run], run.length, 4), run);
  const r = scanFrames(miscounted, 0, 0, Infinity, true);
  assert.is(r.records.length, 0);
  assert.is(r.stop, 'bad');
});

/** Writes `n` small appends from 64 callers (so the writes hold blocks of many frames), closes, and returns the one segment file. */
async function writeBlocks(root: string, n: number, size: number, backend: { openWriter(p: string, t: number): Promise<{ append(e: { tso: bigint; payload: Uint8Array }): Promise<number>; close(): Promise<void> }> }) {
  const w = await backend.openWriter('p', 1);
  let next = 0;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < n) {
      const i = next++;
      assert.is(await w.append({ tso: BigInt(i + 1), payload: randomBytes(i, size) }), i);
    }
  }));
  await w.close();
  const [seg] = (await readdir(join(root, 'p'))).filter((f) => f.endsWith('.wal'));
  return join(root, 'p', seg!);
}

test('disk: reads from every position inside blocks return the right records, from a fresh backend', async () => {
  const h = await localHarness();
  try {
    const file = await writeBlocks(h.root, 2000, 300, h.backend);
    const { size } = await stat(file);
    assert.ok(size > 2000 * (FRAME_HEADER + 300), 'block headers were written');
    const b = await h.reopen();
    for (const from of [0, 1, 7, 63, 64, 65, 500, 1234, 1999]) {
      const got: WalRecord[] = [];
      for await (const batch of b.read('p', from, 2000)) got.push(...batch);
      assert.is(got.length, 2000 - from, `from ${from}`);
      got.forEach((r, k) => assert.ok(r.position === from + k && sameBytes(r.payload, randomBytes(from + k, 300)), `from ${from}: record ${from + k}`));
    }
    const part: WalRecord[] = [];
    for await (const batch of b.read('p', 70, 75)) part.push(...batch);
    assert.equal(part.map((r) => r.position), [70, 71, 72, 73, 74], 'a range inside one block');
  } finally { await h.cleanup(); }
});

test('disk: a byte damaged inside a block after it was indexed fails a read that starts in the middle of that block', async () => {
  const h = await localHarness();
  try {
    const file = await writeBlocks(h.root, 3000, 200, h.backend);
    const b = await h.reopen();
    assert.is((await readAll(b, 'p')).length, 3000, 'indexed whole');
    // Damage the last payload byte of record 2999, in the last block.
    const fh = await open(file, 'r+');
    const { size } = await fh.stat();
    const one = Buffer.alloc(1);
    await fh.read(one, 0, 1, size - 1);
    one[0] ^= 0xff;
    await fh.write(one, 0, 1, size - 1);
    await fh.close();
    // The same backend reads through its index from inside that block: the block's crc is checked anyway.
    let error: unknown;
    try { for await (const _ of b.read('p', 2995, 2997)); } catch (e) { error = e; }
    assert.ok(error instanceof NuthatchError && error.code === 'WalUnavailable', `the read fails: ${String(error)}`);
    // A fresh backend's recovery drops that whole block, not only the damaged record.
    const fresh = await h.reopen();
    const back = await readAll(fresh, 'p');
    assert.ok(back.length < 2999, `the block holding record 2999 is gone whole (${back.length} records kept)`);
    back.forEach((r, i) => assert.ok(r.position === i && sameBytes(r.payload, randomBytes(i, 200)), `record ${i}`));
  } finally { await h.cleanup(); }
});

/** A whole frame with its own good crc and the given flags (0x80: a flag no version knows yet). */
function frameWith(flags: number, payload: Uint8Array): Uint8Array {
  const buf = new Uint8Array(FRAME_HEADER + payload.length);
  writeFrame(buf, new DataView(buf.buffer), 0, { tso: 1n, payload }, flags, true);
  return buf;
}

test('disk: a well-formed frame of a newer format is refused, not cut as a torn tail; a damaged one is cut', async () => {
  const h = await localHarness();
  try {
    const file = await writeBlocks(h.root, 100, 64, h.backend);
    const { size } = await stat(file);
    await appendFile(file, frameWith(0x80 | FrameFlag.BatchBegin | FrameFlag.BatchEnd, randomBytes(1, 40)));
    const b = await h.reopen();
    let error: unknown;
    try { await b.openWriter('p', 2); } catch (e) { error = e; }
    assert.ok(error instanceof NuthatchError && error.code === 'StorageMismatch', `openWriter refuses: ${String(error)}`);
    assert.is((await stat(file)).size, size + FRAME_HEADER + 40, 'nothing was cut');
    // The same bytes with one flipped: a torn or damaged tail, cut as before.
    const fh = await open(file, 'r+');
    await fh.write(Buffer.from([0xee]), 0, 1, size + FRAME_HEADER + 5);
    await fh.close();
    const again = await h.reopen();
    const w = await again.openWriter('p', 2);
    assert.is(w.lastPosition(), 99);
    assert.is((await stat(file)).size, size, 'the damaged frame is cut');
  } finally { await h.cleanup(); }
});

test.run();

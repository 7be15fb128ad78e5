/**
 * FrameArena hands a chunk out again only once every frame in it has been
 * handed to the kernel: a chunk reused early would change bytes a write has
 * not copied yet. Pure memory, no files.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FrameArena } from '../../runtime/wal/local/FrameArena.js';
import { FRAME_HEADER, FrameFlag } from '../../runtime/wal/local/frame.js';

const COVERED = FrameFlag.BatchBegin | FrameFlag.BatchEnd | FrameFlag.Covered;
const payload = new Uint8Array(1000).fill(7);
const perChunk = Math.floor((64 * 1024) / (FRAME_HEADER + payload.length));

/** Frames `n` entries and returns the chunk each went into. */
function frameMany(a: FrameArena, n: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < n; i++) { a.frameSmall({ tso: 1n, payload }, COVERED); chunks.push(a.chunk); }
  return chunks;
}

test('without a handover no chunk comes back', () => {
  const a = new FrameArena(16 * 1024, 64 * 1024);
  const chunks = new Set(frameMany(a, perChunk * 10));
  assert.is(chunks.size, 10);
});

test('a chunk comes back once all its frames are handed over, never before', () => {
  const a = new FrameArena(16 * 1024, 64 * 1024);
  const first = frameMany(a, perChunk * 3); // chunks 0, 1, 2 filled; 2 is current
  a.handedOver(perChunk * 2 - 1); // chunk 1's last frame not yet
  const next = frameMany(a, perChunk); // leaves chunk 2, takes one
  assert.is(next[0], first[0], 'chunk 0 (all its frames handed over) is reused');
  a.handedOver(perChunk * 2 - 1);
  const more = frameMany(a, perChunk);
  assert.ok(!more.includes(first[perChunk]!), 'chunk 1 is not reused while a frame of it is still owed');
  a.handedOver(perChunk * 2);
  const after = frameMany(a, perChunk);
  assert.is(after[0], first[perChunk], 'chunk 1 is reused once its last frame is handed over');
});

test('batch and large frames count as frames too', () => {
  const a = new FrameArena(16 * 1024, 64 * 1024);
  const iov: Uint8Array[] = [];
  a.frame({ tso: 1n, payload: new Uint8Array(100 * 1024) }, FrameFlag.BatchBegin | FrameFlag.BatchEnd, iov); // only its header goes into the chunk
  const c0 = a.chunk;
  const fit = Math.floor((64 * 1024 - FRAME_HEADER) / (FRAME_HEADER + payload.length));
  frameMany(a, fit + 1); // chunk 0 holds frames 0..fit; frame fit + 1 opens chunk 1
  a.handedOver(fit);
  assert.ok(!frameMany(a, perChunk).includes(c0), `frame ${fit}, the last of chunk 0, is still owed`);
  a.handedOver(fit + 1);
  assert.ok(frameMany(a, perChunk * 2).includes(c0), 'chunk 0 is reused at the next chunk change');
});

test.run();

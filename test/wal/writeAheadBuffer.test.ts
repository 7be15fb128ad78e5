/**
 * The write-ahead buffer: recent records stay in memory up to a byte cap; a
 * reader behind the buffer reads storage and rejoins it; a reader at or ahead of
 * the buffer gets new records as they are pushed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WalRecord } from '../../runtime/ports/walBackend.js';
import { WriteAheadBuffer } from '../../runtime/wal/writeAheadBuffer.js';

const rec = (position: number, bytes = 100): WalRecord => ({ position, tso: BigInt(position + 1), payload: new Uint8Array(bytes).fill(position & 0xff) });
const range = (from: number, to: number): WalRecord[] => Array.from({ length: to - from }, (_, i) => rec(from + i));

/** Storage holding positions [0, n), read in batches of 7; counts its reads. */
function storage(n: number) {
  const reads: [number, number][] = [];
  return {
    reads,
    read: async function* (from: number, to: number) {
      reads.push([from, to]);
      for (let p = from; p < Math.min(to, n); p += 7) yield range(p, Math.min(p + 7, to, n));
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

test('keeps records up to the byte cap, evicting the oldest', () => {
  const b = new WriteAheadBuffer(10 * 164);
  b.reset(5);
  b.push(range(5, 25));
  assert.is(b.next, 25);
  assert.is(b.first, 15, 'ten records of 100 + 64 bytes fit');
  assert.equal(b.slice(20).map((r) => r.position), [20, 21, 22, 23, 24]);
  assert.throws(() => b.push([rec(30)]), /expected position 25/);
});

test('a reader inside the buffer gets it from memory, then every new record', async () => {
  const b = new WriteAheadBuffer();
  b.reset(0);
  b.push(range(0, 10));
  const st = storage(10);
  const got: number[] = [];
  const sub = b.follow(4, st.read).subscribe((r) => got.push(r.position));
  b.push(range(10, 12));
  await settle();
  sub.unsubscribe();
  b.push(range(12, 14));
  assert.equal(got, [4, 5, 6, 7, 8, 9, 10, 11]);
  assert.equal(st.reads, [], 'storage untouched');
});

test('a reader behind the buffer reads storage, then rejoins the buffer', async () => {
  const b = new WriteAheadBuffer(5 * 164);
  b.reset(0);
  b.push(range(0, 50)); // keeps 45..49
  const st = storage(50);
  const got: number[] = [];
  const sub = b.follow(3, st.read).subscribe((r) => got.push(r.position));
  b.push(range(50, 53)); // pushed while the reader is still on storage
  await settle();
  b.push(range(53, 55));
  sub.unsubscribe();
  assert.equal(got, Array.from({ length: 52 }, (_, i) => i + 3));
  assert.ok(st.reads.length >= 1 && st.reads[0]![0] === 3, 'read storage from its position');
});

test('a reader ahead of the buffer waits for its position', async () => {
  const b = new WriteAheadBuffer();
  b.reset(0);
  const got: number[] = [];
  const sub = b.follow(3, storage(0).read).subscribe((r) => got.push(r.position));
  b.push(range(0, 6));
  await settle();
  sub.unsubscribe();
  assert.equal(got, [3, 4, 5]);
});

test('a reset past a live reader sends it back to storage', async () => {
  const b = new WriteAheadBuffer();
  b.reset(0);
  b.push(range(0, 4));
  const st = storage(20);
  const got: number[] = [];
  const sub = b.follow(0, st.read).subscribe((r) => got.push(r.position));
  b.reset(10); // e.g. another writer took over and the buffer restarts at its end
  b.push(range(10, 12));
  await settle();
  sub.unsubscribe();
  assert.equal(got, Array.from({ length: 12 }, (_, i) => i));
});

test('storage missing what the buffer lacks is an error, not a silent gap', async () => {
  const b = new WriteAheadBuffer(164);
  b.reset(0);
  b.push(range(0, 10)); // keeps 9
  let err: { code?: string } | undefined;
  b.follow(0, storage(5).read).subscribe({ error: (e: { code?: string }) => { err = e; } });
  await settle();
  assert.is(err?.code, 'NotFound');
});

test('wraps and grows its ring without losing or reordering records', () => {
  // 2,500 records of 100 bytes under a cap of 1,500: the ring wraps while full, grows past 1,024, and evicts.
  const b = new WriteAheadBuffer(1500 * 164);
  b.reset(0);
  for (let p = 0; p < 2500; p++) b.add(BigInt(p) * 3n + (1n << 62n), new Uint8Array(100).fill(p & 0xff));
  b.publish();
  assert.is(b.length, 1500);
  assert.is(b.first, 1000);
  const recs = b.slice(1000);
  assert.is(recs.length, 1500);
  recs.forEach((r, k) => {
    const p = 1000 + k;
    assert.is(r.position, p);
    assert.is(r.tso, BigInt(p) * 3n + (1n << 62n));
    assert.is(r.payload[0], p & 0xff);
  });
});

test.run();

/**
 * The fragment format of the object WAL: what is encoded decodes to the same
 * entries at the same positions; any changed, missing or extra byte is refused
 * whole; a batch that cannot be encoded leaves nothing behind; a reused buffer
 * encodes the same bytes as a fresh one; fragments written in version 1 still read.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DecodeError } from '../../messages/errors.js';
import type { WalEntry } from '../../runtime/ports/walBackend.js';
import { decodeFragment, decodeFragmentHeader, encodeFragment, FragmentBuilder, fragmentHeaderCrc } from '../../runtime/wal/object/fragmentCodec.js';
import { randomBytes, sameBytes } from './conformancePayload.js';

const entries: WalEntry[] = [
  { tso: 7n, payload: randomBytes(1, 300) },
  { tso: 0n, payload: new Uint8Array(0) },
  { tso: 2n ** 64n - 1n, payload: randomBytes(2, 5000) },
];

const refused = (data: Uint8Array): boolean => {
  try { decodeFragment(data); return false; } catch (e) { if (e instanceof DecodeError) return true; throw e; }
};

test('entries come back at consecutive positions from the first, with their tso and bytes', () => {
  const data = encodeFragment({ term: 4, first: 1000 }, entries);
  assert.equal(decodeFragmentHeader(data), { version: 2, term: 4, first: 1000, count: 3 });
  const recs = decodeFragment(data);
  assert.equal(recs.map((r) => [r.position, r.tso]), [[1000, 7n], [1001, 0n], [1002, 2n ** 64n - 1n]]);
  recs.forEach((r, i) => assert.ok(sameBytes(r.payload, entries[i]!.payload)));
});

test('every changed byte, a cut, or an extra byte is refused', () => {
  const data = encodeFragment({ term: 1, first: 0 }, entries);
  for (let i = 0; i < data.length; i++) {
    const bad = new Uint8Array(data);
    bad[i] ^= 0x10;
    assert.ok(refused(bad), `a flipped bit at byte ${i} was not detected`);
  }
  for (const cut of [0, 20, 35, 36, 100, data.length - 1]) assert.ok(refused(data.subarray(0, cut)), `cut at ${cut}`);
  const longer = new Uint8Array(data.length + 1);
  longer.set(data);
  assert.ok(refused(longer));
});

test('a batch with an entry that cannot be encoded adds nothing', () => {
  const b = new FragmentBuilder(16);
  b.add(1n, randomBytes(3, 10));
  const before = b.bytes;
  assert.throws(() => b.addAll([{ tso: 2n, payload: randomBytes(4, 10) }, { tso: 3 as unknown as bigint, payload: randomBytes(5, 10) }]));
  assert.is(b.count, 1);
  assert.is(b.bytes, before);
  assert.equal(decodeFragment(b.finish(1, 0)).map((r) => r.tso), [1n]);
});

test('a reused buffer full of old bytes encodes what a fresh one does', () => {
  const fresh = encodeFragment({ term: 2, first: 9 }, entries);
  const dirty = new Uint8Array(fresh.length + 100).fill(0xee);
  const b = new FragmentBuilder(dirty);
  b.addAll(entries);
  const reused = b.finish(2, 9);
  assert.ok(sameBytes(reused, fresh));
  assert.is(b.buffer, dirty, 'encoded in place');
  // A buffer too small to start with is replaced as the fragment grows.
  const small = new FragmentBuilder(new Uint8Array(40).fill(0xee));
  small.addAll(entries);
  assert.ok(sameBytes(small.finish(2, 9), fresh));
});

// Written by the version 1 encoder (per-frame crc32, 32-byte header): term 3,
// positions 41..43, tso 7, 0, 2^63; payloads 'nuthatch', empty, [1, 2, 3].
const V1 = '4657484e0100000003000000000000002900000000000000030000003c301e12f00aecf00800000007000000000000006e757468617463686fc6d57b000000000000000000000000aa860a81030000000000000000000080010203';

test('a version 1 fragment still reads, and is still checked', () => {
  const data = new Uint8Array(Buffer.from(V1, 'hex'));
  assert.is(fragmentHeaderCrc(data), 303968316, 'the header crc its commit record names');
  const recs = decodeFragment(data);
  assert.equal(recs.map((r) => [r.position, r.tso, [...r.payload]]), [[41, 7n, [...new TextEncoder().encode('nuthatch')]], [42, 0n, []], [43, 2n ** 63n, [1, 2, 3]]]);
  for (let i = 0; i < data.length; i++) {
    const bad = new Uint8Array(data);
    bad[i] ^= 0x01;
    assert.ok(refused(bad), `a flipped bit at byte ${i} was not detected`);
  }
});

test.run();

/**
 * The fragment format of the object WAL: what is encoded decodes, against its
 * commit record, to the same entries at the same positions; any changed, missing
 * or extra byte, or a record naming another object, is refused whole; a batch
 * that cannot be encoded leaves nothing behind; a reused buffer encodes the same
 * bytes as a fresh one; fragments written in version 1 still read.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DecodeError } from '../../messages/errors.js';
import type { WalEntry } from '../../runtime/ports/walBackend.js';
import { encodeFragment, FragmentBuilder } from '../../runtime/wal/object/fragmentBuilder.js';
import { decodeFragment, decodeFragmentHeader, fragmentCrc, type FragmentSeal } from '../../runtime/wal/object/fragmentCodec.js';
import { randomBytes, sameBytes } from './conformancePayload.js';

const entries: WalEntry[] = [
  { tso: 7n, payload: randomBytes(1, 300) },
  { tso: 0n, payload: new Uint8Array(0) },
  { tso: 2n ** 64n - 1n, payload: randomBytes(2, 5000) },
];

const sealOf = (data: Uint8Array): FragmentSeal => ({ bytes: data.length, crc: fragmentCrc(data) });

const refused = (data: Uint8Array, seal: FragmentSeal): boolean => {
  try { decodeFragment(data, seal); return false; } catch (e) { if (e instanceof DecodeError) return true; throw e; }
};

test('entries come back at consecutive positions from the first, with their tso and bytes', () => {
  const data = encodeFragment({ term: 4, first: 1000 }, entries);
  assert.equal(decodeFragmentHeader(data), { version: 2, term: 4, first: 1000, count: 3 });
  const recs = decodeFragment(data, sealOf(data));
  assert.equal(recs.map((r) => [r.position, r.tso]), [[1000, 7n], [1001, 0n], [1002, 2n ** 64n - 1n]]);
  recs.forEach((r, i) => assert.ok(sameBytes(r.payload, entries[i]!.payload)));
});

test('every changed byte, a cut, an extra byte, or another fragment is refused', () => {
  const data = encodeFragment({ term: 1, first: 0 }, entries);
  const seal = sealOf(data);
  for (let i = 0; i < data.length; i++) {
    const bad = new Uint8Array(data);
    bad[i] ^= 0x10;
    assert.ok(refused(bad, seal), `a flipped bit at byte ${i} was not detected`);
  }
  for (const cut of [0, 20, 31, 32, 100, data.length - 1]) assert.ok(refused(data.subarray(0, cut), seal), `cut at ${cut}`);
  const longer = new Uint8Array(data.length + 1);
  longer.set(data);
  assert.ok(refused(longer, seal));
  // Same length, other contents: what a record names is what is read.
  const other = encodeFragment({ term: 1, first: 0 }, [entries[0]!, entries[1]!, { tso: 9n, payload: randomBytes(9, 5000) }]);
  assert.is(other.length, data.length);
  assert.ok(refused(other, seal));
});

test('a batch with an entry that cannot be encoded adds nothing', () => {
  const b = new FragmentBuilder(16);
  b.add(1n, randomBytes(3, 10));
  const before = b.bytes;
  assert.throws(() => b.addAll([{ tso: 2n, payload: randomBytes(4, 10) }, { tso: 3 as unknown as bigint, payload: randomBytes(5, 10) }]));
  assert.is(b.count, 1);
  assert.is(b.bytes, before);
  const data = b.finish(1, 0);
  assert.equal(decodeFragment(data, sealOf(data)).map((r) => r.tso), [1n]);
});

test('a reused buffer full of old bytes encodes what a fresh one does', () => {
  const fresh = encodeFragment({ term: 2, first: 9 }, entries);
  const dirty = new Uint8Array(fresh.length + 100).fill(0xee);
  const b = new FragmentBuilder(dirty);
  b.addAll(entries);
  assert.ok(sameBytes(b.finish(2, 9), fresh));
  assert.is(b.buffer, dirty, 'encoded in place');
  // A buffer too small to start with is replaced as the fragment grows.
  const small = new FragmentBuilder(new Uint8Array(40).fill(0xee));
  small.addAll(entries);
  assert.ok(sameBytes(small.finish(2, 9), fresh));
});

// Written by the version 1 encoder (a crc32 per frame; the commit record names the
// header's crc32): term 3, positions 41..43, tso 7, 0, 2^63; payloads 'nuthatch', empty, [1, 2, 3].
const V1 = '4657484e0100000003000000000000002900000000000000030000003c301e12f00aecf00800000007000000000000006e757468617463686fc6d57b000000000000000000000000aa860a81030000000000000000000080010203';
const V1_SEAL: FragmentSeal = { bytes: 91, crc: 303968316 };

test('a version 1 fragment still reads, and is still checked', () => {
  const data = new Uint8Array(Buffer.from(V1, 'hex'));
  const recs = decodeFragment(data, V1_SEAL);
  assert.equal(recs.map((r) => [r.position, r.tso, [...r.payload]]), [[41, 7n, [...new TextEncoder().encode('nuthatch')]], [42, 0n, []], [43, 2n ** 63n, [1, 2, 3]]]);
  for (let i = 0; i < data.length; i++) {
    const bad = new Uint8Array(data);
    bad[i] ^= 0x01;
    assert.ok(refused(bad, V1_SEAL), `a flipped bit at byte ${i} was not detected`);
  }
});

test.run();

/**
 * The partition key hash is Milvus's: murmur3_32 of an Int64's little-endian
 * bytes with the top bit cleared, CRC-32 of a string's first 100 UTF-8 bytes.
 * The expected numbers are the ones Milvus's own tests pin
 * (pkg/util/typeutil/hash_test.go), so a key lands where Milvus would put it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { murmur3, murmur3Int64 } from '../../actors/shared/partitionKey/murmur3.js';
import { hashPartitionKey, keyPartitionIndex } from '../../actors/shared/partitionKey/keyHash.js';
import { crc32 } from '../../actors/shared/segment/crc32.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

test('murmur3_32 gives the reference values', () => {
  assert.is(murmur3(new Uint8Array(0)), 0);
  assert.is(murmur3(new Uint8Array(0), 1), 0x514e28b7);
  assert.is(murmur3(utf8('hello')), 0x248bfa47);
  assert.is(murmur3(utf8('The quick brown fox jumps over the lazy dog')), 0x2e4ff723);
});

test('murmur3Int64 equals murmur3 of the eight little-endian bytes, negatives and the safe limits included', () => {
  const bytes = new Uint8Array(8), view = new DataView(bytes.buffer);
  const values = [0, 1, -1, 2, -2, 255, 256, 2 ** 31, -(2 ** 31), 2 ** 32 - 1, 2 ** 32, -(2 ** 32), 123_456_789_012, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
  for (let i = 0; i < 200; i++) values.push(Math.floor((i * 7919.37 - 500_000) ** 3 % Number.MAX_SAFE_INTEGER));
  for (const v of values) {
    view.setBigInt64(0, BigInt(v), true);
    assert.is(murmur3Int64(v), murmur3(bytes), `value ${v}`);
  }
});

test('Int64 keys hash as Milvus Hash32Int64 does', () => {
  const milvus: Array<[number, number]> = [
    [0, 1669671676], [1, 1392991556], [10, 1857498428], [100, 1177227376], [1000, 679959820],
    [10_000, 1785225994], [100_000, 258819970], [1_000_000, 1669527334], [10_000_000, 112035536],
    [100_000_000, 107125476], [1_000_000_000, 913068403], [10_000_000_000, 1151135],
    [100_000_000_000, 2136277055], [1_000_000_000_000, 636570700], [10_000_000_000_000, 469485073],
    [100_000_000_000_000, 745519692], [1_000_000_000_000_000, 1724407835],
  ];
  for (const [v, h] of milvus) assert.is(hashPartitionKey(v), h, `Hash32Int64(${v})`);
});

test('VarChar keys hash as Milvus HashString2Uint32 does: CRC-32 of at most the first 100 UTF-8 bytes', () => {
  assert.is(hashPartitionKey('abcdef'), 1267612143);
  // The start of the long text in Milvus's test; only its first 100 bytes count.
  const start = 'Milvus was created in 2019 with a singular goal: store, index, and manage massive embedding vectors generated';
  assert.is(hashPartitionKey(start), 2922592797);
  assert.is(hashPartitionKey(start + ' and anything after'), 2922592797);
  assert.is(hashPartitionKey(''), 0);
  // A multi-byte character cut at byte 100 is cut as Go cuts a string's bytes.
  const wide = 'é'.repeat(80);
  assert.is(hashPartitionKey(wide), crc32(utf8(wide).subarray(0, 100)));
  assert.is(hashPartitionKey('tenant-7'), crc32(utf8('tenant-7')));
});

test('the partition index is the hash modulo the partition count', () => {
  assert.is(keyPartitionIndex(0, 16), 1669671676 % 16);
  assert.is(keyPartitionIndex('abcdef', 7), 1267612143 % 7);
  for (const v of [5, 'a', -3, 'tenant']) assert.is(keyPartitionIndex(v, 1), 0);
});

test.run();

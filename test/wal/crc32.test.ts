/**
 * The runtime's crc32 (runtime/crc32.ts) gives zlib's values on every path: the
 * table loop for short ranges, the native binding for long ones, chained or
 * not, whole arrays or ranges of them, and an empty range keeps its start value
 * even when the array's buffer has been touched (zlib on Node 20.20 returns 0 then).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { NATIVE_FROM, crc32, crc32Range, nativeCrc32 } from '../../runtime/crc32.js';
import { crc32 as pureCrc32 } from '../../actors/shared/segment/crc32.js';

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 7) & 0xff);

test('whole arrays: zlib values below and above the native threshold, from 0 and chained', () => {
  for (const n of [1, 13, NATIVE_FROM - 1, NATIVE_FROM, NATIVE_FROM + 1, 1041, 65_536, 1_000_003]) {
    const b = bytes(n, n);
    assert.is(crc32(b), zlibCrc32(b), `${n} bytes`);
    assert.is(crc32(b, 0xdeadbeef), zlibCrc32(b, 0xdeadbeef), `${n} bytes chained`);
    assert.is(crc32(b), pureCrc32(b), `${n} bytes, the pure cores' crc32`);
  }
});

test('ranges and the native call agree with the crc of the same bytes copied out', () => {
  const b = bytes(5000, 3);
  for (const [s, e] of [[0, 0], [7, 20], [100, 100 + NATIVE_FROM], [17, 4999], [0, 5000]] as const) {
    assert.is(crc32Range(b, s, e, 42), zlibCrc32(b.slice(s, e), 42), `[${s}, ${e})`);
  }
  const long = bytes(NATIVE_FROM * 4, 9);
  assert.is(nativeCrc32(long, 7), zlibCrc32(long, 7));
});

test('an empty range keeps its start value, also over a touched buffer', () => {
  const empty = new Uint8Array(0);
  void new DataView(empty.buffer);
  assert.is(crc32(empty, 0x12345678), 0x12345678);
  assert.is(crc32Range(bytes(10, 1), 4, 4, 99), 99);
});

test.run();

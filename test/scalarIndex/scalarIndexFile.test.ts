import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DecodeError } from '../../messages/errors.js';
import { decodeScalarIndex, encodeScalarIndex } from '../../actors/shared/scalarIndex/scalarIndexFile.js';
import { buildSortedIndex, type SortedIndex } from '../../actors/shared/scalarIndex/sortedIndex.js';
import { rng } from '../filter/fixtures.js';

/**
 * A scalar index file gives back the index it was made from, strings exactly
 * (lone surrogates too); any flipped byte, a cut or a longer file is refused
 * whole with a DecodeError.
 */
const plain = (ix: SortedIndex) => ({ ...ix, values: Array.from(ix.values as ArrayLike<unknown>), rows: Array.from(ix.rows) });
const r = rng(7);
const samples: SortedIndex[] = [
  buildSortedIndex(Array.from({ length: 500 }, () => (r() < 0.1 ? null : Math.floor(r() * 50) - 25)), 500, { kind: 'number', elements: false }),
  buildSortedIndex(Array.from({ length: 300 }, () => (r() < 0.1 ? null : r() * 10 - 5)), 300, { kind: 'number', elements: false }),
  buildSortedIndex(Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? null : ['', 'a', 'ab', 'Å', 'x\uDC00', '🦜'][i % 6])), 200, { kind: 'string', elements: false }),
  buildSortedIndex(Array.from({ length: 64 }, (_, i) => (i % 5 === 0 ? null : i % 3 === 0)), 64, { kind: 'bool', elements: false }),
  buildSortedIndex(Array.from({ length: 50 }, (_, i) => (i % 9 === 0 ? null : ['red', 'blue', 'red'].slice(0, i % 4))), 50, { kind: 'string', elements: true }),
  buildSortedIndex(undefined, 30, { kind: 'number', elements: false }),
];

test('round trip: every kind, Array elements, an empty index', () => {
  for (const ix of samples) assert.equal(plain(decodeScalarIndex(encodeScalarIndex(ix))), plain(ix));
});

test('a decoded index answers from aligned sections, wherever its bytes lie in a buffer', () => {
  const bytes = encodeScalarIndex(samples[1]!);
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  assert.equal(plain(decodeScalarIndex(shifted.subarray(3))), plain(samples[1]!));
});

test('every flipped byte is refused, as are a cut file and trailing bytes', () => {
  for (const ix of samples.slice(2, 4)) {
    const bytes = encodeScalarIndex(ix);
    for (let i = 0; i < bytes.length; i++) {
      const bad = bytes.slice();
      bad[i]! ^= 0x10;
      assert.throws(() => decodeScalarIndex(bad), (e: unknown) => e instanceof DecodeError, `byte ${i}`);
    }
    assert.throws(() => decodeScalarIndex(bytes.subarray(0, bytes.length - 1)), (e: unknown) => e instanceof DecodeError);
    const longer = new Uint8Array(bytes.length + 4);
    longer.set(bytes);
    assert.throws(() => decodeScalarIndex(longer), (e: unknown) => e instanceof DecodeError);
  }
});

test('entries out of order are refused even under a good checksum', () => {
  const ix = samples[0]!;
  const swapped: SortedIndex = { ...ix, rows: Int32Array.from(ix.rows).reverse() };
  assert.throws(() => decodeScalarIndex(encodeScalarIndex(swapped)), (e: unknown) => e instanceof DecodeError && /out of order|twice/.test(e.message));
  const twice: SortedIndex = { ...ix, values: Float64Array.from([1, 2]), rows: Int32Array.from([3, 3]) };
  assert.throws(() => decodeScalarIndex(encodeScalarIndex(twice)), (e: unknown) => e instanceof DecodeError && /twice/.test(e.message));
});

test.run();

import { crc32 as zlibCrc32 } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crc32 } from '../../actors/shared/segment/crc32.js';
import {
  decodeSegmentFile, encodeSegmentFile, SEGMENT_FILE_MAGIC, type SealedSegment,
} from '../../actors/shared/segment/segmentFile.js';
import { DecodeError, ValidationError } from '../../messages/errors.js';
import { BinaryWriter } from '../../messages/binary.js';
import { encodeValue } from '../../messages/valueCodec.js';
import { mulberry32 } from '../../bench/support/dataset.js';

const rand = mulberry32(5);

function segment(count: number, dim: number, keys: 'int' | 'string' = 'int'): SealedSegment {
  return {
    segmentId: 4_000_000_001, collectionId: 7, partitionId: 8, vchannel: 'by-dev-rootcoord-dml_0_7v0',
    count, dim,
    pks: Array.from({ length: count }, (_, i) => (keys === 'int' ? 2 ** 40 + i * 3 : `doc-${i}`)),
    tsos: Array.from({ length: count }, (_, i) => (1n << 60n) + BigInt(i)),
    vectors: Float32Array.from({ length: count * dim }, () => rand() - 0.5),
    fields: {
      title: Array.from({ length: count }, (_, i) => `t${i}`),
      price: Array.from({ length: count }, (_, i) => (i % 4 === 0 ? null : i * 1.25)),
      $meta: Array.from({ length: count }, (_, i) => ({ tag: i % 2 === 0 ? 'a' : 'b', n: [i] })),
    },
  };
}

const isDecodeError = (e: unknown) => e instanceof DecodeError;

/** The value codec decodes objects with a null prototype (no __proto__ tricks); compare contents. */
function sameSegment(actual: SealedSegment, expected: SealedSegment): void {
  const { fields: fa, ...ra } = actual, { fields: fe, ...re } = expected;
  assert.equal(ra, re);
  assert.instance(actual.vectors, Float32Array);
  assert.equal(JSON.parse(JSON.stringify(fa)), JSON.parse(JSON.stringify(fe)));
}

test('crc32 agrees with zlib on every length remainder and on chained input', () => {
  const bytes = Uint8Array.from({ length: 1000 }, () => Math.floor(rand() * 256));
  for (const n of [0, 1, 7, 8, 9, 15, 16, 17, 999, 1000]) assert.is(crc32(bytes.subarray(0, n)), zlibCrc32(bytes.subarray(0, n)), `length ${n}`);
  assert.is(crc32(bytes.subarray(500), crc32(bytes.subarray(0, 500))), zlibCrc32(bytes));
});

test('a segment with Int64 keys, TSOs, vectors and scalar/dynamic fields round-trips exactly', () => {
  const seg = segment(300, 16);
  sameSegment(decodeSegmentFile(encodeSegmentFile(seg)), seg);
});

test('a file written with the pure crc32 reads with zlib crc32 and back (a shell may inject the fast one)', () => {
  const seg = segment(50, 8);
  sameSegment(decodeSegmentFile(encodeSegmentFile(seg), { crc32: zlibCrc32 }), seg);
  sameSegment(decodeSegmentFile(encodeSegmentFile(seg, { crc32: zlibCrc32 })), seg);
});

test('VarChar keys and an empty segment round-trip', () => {
  const s = segment(20, 3, 'string');
  sameSegment(decodeSegmentFile(encodeSegmentFile(s)), s);
  const empty = { ...segment(0, 8), fields: {} };
  sameSegment(decodeSegmentFile(encodeSegmentFile(empty)), empty);
});

test('decode accepts bytes at an unaligned offset (e.g. a slice of a larger read)', () => {
  const seg = segment(10, 4), bytes = encodeSegmentFile(seg);
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  sameSegment(decodeSegmentFile(shifted.subarray(3)), seg);
});

test('every flipped byte, a truncation, bad magic or a newer version is a DecodeError', () => {
  const bytes = encodeSegmentFile(segment(5, 4)).slice();
  for (let i = 0; i < bytes.length; i++) {
    const bad = bytes.slice();
    bad[i] = bad[i]! ^ 0x40;
    assert.throws(() => decodeSegmentFile(bad), isDecodeError, `flip at byte ${i}`);
  }
  for (const n of [0, 5, 12, bytes.length - 1]) assert.throws(() => decodeSegmentFile(bytes.subarray(0, n)), isDecodeError, `truncated to ${n}`);
  const v2 = bytes.slice();
  new DataView(v2.buffer).setUint32(4, 2, true);
  assert.throws(() => decodeSegmentFile(v2), (e: unknown) => isDecodeError(e) && /version 2/.test((e as Error).message));
});

/** Frames an arbitrary body with a valid header, as a buggy writer could. */
function framed(body: unknown): Uint8Array {
  const b = encodeValue(body).slice();
  const w = new BinaryWriter();
  w.u32(SEGMENT_FILE_MAGIC); w.u32(1); w.u32(crc32(b)); w.bytes(b);
  return w.finish();
}

test('a well-checksummed but inconsistent body is a DecodeError, not a half-built segment', () => {
  const good = segment(3, 2);
  const body = (over: Record<string, unknown>) => ({
    segmentId: 1, collectionId: 1, partitionId: 1, vchannel: 'v', count: 3, dim: 2, pkKind: 'varchar',
    pks: ['a', 'b', 'c'], tsos: new Uint8Array(24), vectors: good.vectors, fields: {}, ...over,
  });
  assert.not.throws(() => decodeSegmentFile(framed(body({}))));
  for (const over of [
    { count: 4 }, { dim: 3 }, { pks: ['a', 'b'] }, { pks: ['a', 1, 'c'] }, { pkKind: 'int64' }, { tsos: new Uint8Array(16) },
    { vectors: new Float32Array(5) }, { fields: { x: [1, 2] } }, { vchannel: 7 }, { segmentId: -1 }, { fields: [] },
  ]) assert.throws(() => decodeSegmentFile(framed(body(over))), isDecodeError, JSON.stringify(Object.keys(over)));
  assert.throws(() => decodeSegmentFile(framed([1, 2])), isDecodeError);
});

test('encoding an inconsistent segment is a ValidationError', () => {
  const isValidation = (e: unknown) => e instanceof ValidationError;
  const s = segment(4, 2);
  assert.throws(() => encodeSegmentFile({ ...s, count: 5 }), isValidation);
  assert.throws(() => encodeSegmentFile({ ...s, pks: [1, 2, 'x', 4] }), isValidation);
  assert.throws(() => encodeSegmentFile({ ...s, pks: [1, 2, 3, 0.5] }), isValidation);
  assert.throws(() => encodeSegmentFile({ ...s, tsos: [1n, 2n, 3n, -4n] }), isValidation);
  assert.throws(() => encodeSegmentFile({ ...s, fields: { a: [1] } }), isValidation);
});

test.run();

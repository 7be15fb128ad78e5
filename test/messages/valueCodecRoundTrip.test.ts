/**
 * The value codec: what decodes is what was encoded, strings keep their UTF-8
 * bytes on the wire whichever path writes or reads them, decoded objects inherit
 * nothing, and every encoding is an array of its own.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DecodeError } from '../../messages/errors.js';
import { decodeValue, encodeObjectWith, encodeValue } from '../../messages/valueCodec.js';

const utf8 = new TextEncoder();

/** The wire form of a string value: tag 6, u32 byte length (little-endian), UTF-8 bytes. */
function stringBytes(s: string): number[] {
  const b = utf8.encode(s);
  return [6, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, b.length >>> 24, ...b];
}

const strings = ['', 'a', 'pk', 'distance', 'x'.repeat(64), 'y'.repeat(65), 'z'.repeat(300), 'café', 'ключ', '向量', '🐦', 'a\u00ffb', 'lone \ud800 surrogate', '\u007f\u0080'];

test('strings are written as their UTF-8 bytes, short ASCII or not', () => {
  for (const s of strings) assert.equal([...encodeValue(s)], stringBytes(s), JSON.stringify(s));
});

test('strings and object keys decode to what was encoded', () => {
  for (const s of strings) {
    const expected = s.includes('\ud800') ? s.replace('\ud800', '\ufffd') : s; // UTF-8 cannot carry a lone surrogate
    assert.is(decodeValue(encodeValue(s)), expected);
    const o = decodeValue(encodeValue({ [s]: s })) as Record<string, unknown>;
    assert.equal(Object.keys(o), [expected]);
    assert.is(o[expected], expected);
  }
});

test('many distinct short strings decode right, the first time and when seen again', () => {
  const keys = Array.from({ length: 5000 }, (_, i) => `k${i.toString(36)}_${i % 7}`);
  const bytes = encodeValue(Object.fromEntries(keys.map((k, i) => [k, k + i])));
  for (let pass = 0; pass < 2; pass++) {
    const o = decodeValue(bytes) as Record<string, unknown>;
    assert.equal(Object.keys(o), keys);
    keys.forEach((k, i) => assert.is(o[k], k + i));
  }
});

test('objects keep their own keys in order and drop undefined values', () => {
  const v = { b: 1, a: [1.5, -0, 2 ** 40, null, true], 2: 'two', 1: 'one', gone: undefined, nested: { f: new Float32Array([1, 2.5]), t: 7n } };
  const o = decodeValue(encodeValue(v)) as Record<string, unknown>;
  assert.equal(Object.keys(o), ['1', '2', 'b', 'a', 'nested']);
  assert.equal(JSON.stringify(o.a), JSON.stringify([1.5, -0, 2 ** 40, null, true]));
  assert.ok(Object.is((o.a as number[])[1], -0));
  const nested = o.nested as { f: Float32Array; t: bigint };
  assert.instance(nested.f, Float32Array);
  assert.equal([...nested.f], [1, 2.5]);
  assert.is(nested.t, 7n);
  const inherited = Object.create({ fromProto: 1 }) as Record<string, unknown>;
  inherited.own = 2;
  assert.equal(Object.keys(decodeValue(encodeValue(inherited)) as object), ['own']);
});

test('decoded objects inherit nothing', () => {
  const o = decodeValue(encodeValue({ a: 1 })) as Record<string, unknown>;
  for (const k of ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf']) {
    assert.is(o[k], undefined, k);
    assert.not.ok(k in o, k);
  }
  // A key '__proto__' on the wire (tag, key count, key length, then the key at byte 9) is refused.
  const forged = encodeValue({ ['_'.repeat(9)]: 1 });
  forged.set(utf8.encode('__proto__'), 9);
  assert.throws(() => decodeValue(forged), (e: unknown) => e instanceof DecodeError);
});

test('an object plus one key encodes as the spread copy would', () => {
  const withOp = { a: 1, op: 'old', b: undefined, 1: 'x', c: { d: [2] } };
  const inherited = Object.create({ op: 'proto' }) as Record<string, unknown>;
  inherited.z = 1;
  for (const o of [withOp, { a: 1, c: 'c' }, {}, { op: undefined, q: 2 }, inherited]) {
    assert.equal([...encodeObjectWith(o, 'op', 'search')], [...encodeValue({ ...o, op: 'search' })]);
  }
});

test('each encoding is an array of its own', () => {
  const first = encodeValue({ a: 'first', v: new Float32Array(200).fill(1) });
  const copy = [...first];
  const second = encodeValue({ a: 'other', v: new Float32Array(300).fill(2) });
  assert.equal([...first], copy);
  assert.is.not(first.buffer, second.buffer);
  assert.is(first.byteLength, first.buffer.byteLength);
});

test.run();

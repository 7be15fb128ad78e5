/**
 * max_length counts bytes of the UTF-8 encoding, as Milvus does: é is 2
 * bytes, 中 3, an emoji (a surrogate pair) 4. The count equals Node's own
 * encoder on any string, lone surrogates too; every check that takes a
 * max_length (VarChar values, Array of VarChar elements, Struct sub-fields,
 * VarChar primary keys, default values) refuses one byte over the limit and
 * takes a value exactly at it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import { rowsProblem, scalarProblem, validateSchema, type CollectionSchema, type FieldSchema } from '../../messages/schema.js';
import { utf8Exceeds, utf8Length } from '../../messages/utf8Length.js';

/** Strings of exactly `bytes` UTF-8 bytes built from one multibyte character, and the same plus one ASCII byte. */
const CASES = [
  { ch: 'é', bytes: 2 }, { ch: '中', bytes: 3 }, { ch: '😀', bytes: 4 },
] as const;
const MIXED = 'aé中😀'; // 1 + 2 + 3 + 4 = 10 bytes in 5 UTF-16 units

test('utf8Length equals the bytes Node encodes, for every kind of code point and for lone surrogates', () => {
  const fixed = ['', 'abc', 'é', '中', '😀', MIXED, '\u07ff\u0800', '\uffff', '\ud800', '\udc00', 'a\ud83d', '\ude00\ud83d', '\ud83d\ud83d\ude00', '\u0000\u007f\u0080'];
  for (const s of fixed) assert.is(utf8Length(s), Buffer.byteLength(s, 'utf8'), JSON.stringify(s));
  // Strings of random code units (a fixed seed), surrogates and all.
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0);
  for (let k = 0; k < 500; k++) {
    const units = Array.from({ length: next() % 40 }, () => [0x7f, 0x7ff, 0xffff, 0xdbff][next() % 4]! & next());
    const s = String.fromCharCode(...units);
    assert.is(utf8Length(s), Buffer.byteLength(s, 'utf8'), JSON.stringify(s));
  }
});

test('utf8Exceeds: exactly at the limit fits, one byte over does not, for é, 中, emoji and a mix', () => {
  for (const { ch, bytes } of CASES) {
    for (const n of [1, 2, 5]) {
      const max = n * bytes, at = ch.repeat(n);
      assert.is(utf8Exceeds(at, max), false, `${at} at ${max}`);
      assert.is(utf8Exceeds(at + 'a', max), true, `${at}a over ${max}`);
      assert.is(utf8Exceeds(at, max - 1), true, `${at} over ${max - 1}`);
    }
  }
  assert.is(utf8Exceeds(MIXED, 10), false);
  assert.is(utf8Exceeds(MIXED, 9), true);
  // The short cuts: few units are under any limit (3 bytes a unit at most), more units than bytes are over it.
  assert.is(utf8Exceeds('中中中', 9), false);
  assert.is(utf8Exceeds('abcd', 3), true);
  assert.is(utf8Exceeds('', 1), false);
});

const pk: FieldSchema = { name: 'id', dataType: 'Int64', isPrimary: true };
const vec: FieldSchema = { name: 'v', dataType: 'FloatVector', dim: 1 };

test('VarChar values, Array of VarChar elements and Struct sub-fields are measured in UTF-8 bytes', () => {
  const title: FieldSchema = { name: 'title', dataType: 'VarChar', maxLength: 8 };
  const tags: FieldSchema = { name: 'tags', dataType: 'Array', elementType: 'VarChar', maxCapacity: 4, maxLength: 6 };
  const items: FieldSchema = { name: 'items', dataType: 'Array', elementType: 'Struct', maxCapacity: 4, structFields: [{ name: 'label', dataType: 'VarChar', maxLength: 4 }] };
  validateSchema({ fields: [pk, vec, title, tags, items] });
  assert.is(scalarProblem(title, 'éééé'), null, '8 bytes in 4 characters fit max_length 8');
  assert.is(scalarProblem(title, '😀😀'), null, 'two emoji are 8 bytes');
  assert.is(scalarProblem(title, 'éééé!'), "the length (9 UTF-8 bytes) of field 'title' exceeds max length (8)");
  assert.is(scalarProblem(title, '😀😀!'), "the length (9 UTF-8 bytes) of field 'title' exceeds max length (8)");
  assert.is(scalarProblem(tags, ['中中', 'ok']), null);
  assert.is(scalarProblem(tags, ['ok', '中中!']), "the length (7 UTF-8 bytes) of element [1] of Array field 'tags' exceeds max length (6), got \"中中!\"");
  assert.is(scalarProblem(items, [{ label: 'éé' }]), null);
  assert.match(scalarProblem(items, [{ label: 'ééx' }])!, /the length \(5 UTF-8 bytes\) of .*label.* exceeds max length \(4\)/);
});

test('a VarChar primary key is measured in UTF-8 bytes', () => {
  const schema: CollectionSchema = { fields: [{ name: 'id', dataType: 'VarChar', isPrimary: true, maxLength: 6 }, vec] };
  const rows = (...pks: string[]) => ({ count: pks.length, pks, vectors: new Float32Array(pks.map(() => 1)), fields: {} });
  assert.is(rowsProblem(schema, rows('中中', 'ééé', '😀a')), null);
  assert.is(rowsProblem(schema, rows('中中', '中中a')), "the length (7 UTF-8 bytes) of primary key 'id' exceeds max length (6)");
});

test('a VarChar default value is measured in UTF-8 bytes', () => {
  const field = (defaultValue: string): CollectionSchema => ({ fields: [pk, vec, { name: 's', dataType: 'VarChar', maxLength: 4, defaultValue }] });
  validateSchema(field('éé'));
  validateSchema(field('😀'));
  try {
    validateSchema(field('éé!'));
    assert.unreachable('a 5-byte default under max_length 4');
  } catch (e) {
    assert.instance(e, ValidationError);
    assert.is((e as Error).message, "the length (5 UTF-8 bytes) of the default value of field 's' exceeds max length (4)");
  }
});

test.run();

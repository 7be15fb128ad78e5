/**
 * Default values of scalar fields: which fields may declare one and which
 * values fit (Milvus's rules), how a row's missing or null value takes it,
 * and that a schema with defaults crosses the WAL in CreateCollection intact.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeMessage, encodeMessage } from '../../messages/codec.js';
import { DecodeError, ValidationError } from '../../messages/errors.js';
import { validateSchema, withDefault, type CollectionSchema, type FieldSchema } from '../../messages/schema.js';
import { newMessage } from '../../messages/types.js';

const pk: FieldSchema = { name: 'id', dataType: 'Int64', isPrimary: true };
const vec: FieldSchema = { name: 'v', dataType: 'FloatVector', dim: 2 };
const withField = (f: FieldSchema): CollectionSchema => ({ fields: [pk, vec, f] });

function refused(schema: CollectionSchema, field: string, message: string): void {
  try { validateSchema(schema); } catch (e) {
    assert.instance(e, ValidationError);
    assert.is((e as ValidationError).code, 'InvalidArgument');
    assert.is((e as ValidationError).message, message);
    assert.equal((e as ValidationError).info, { field });
    return;
  }
  assert.unreachable(`expected ${JSON.stringify(schema.fields)} to be refused`);
}
const refusedField = (f: FieldSchema, message: string) => refused(withField(f), f.name, message);

const MAX = Number.MAX_SAFE_INTEGER;

test('every plain scalar type takes a default that is one of its values, nullable or not', () => {
  const good: FieldSchema[] = [
    { name: 'b', dataType: 'Bool', defaultValue: false },
    { name: 'b', dataType: 'Bool', defaultValue: true, nullable: true },
    { name: 'i', dataType: 'Int8', defaultValue: -128 },
    { name: 'i', dataType: 'Int8', defaultValue: 127 },
    { name: 'i', dataType: 'Int16', defaultValue: -32768, nullable: true },
    { name: 'i', dataType: 'Int32', defaultValue: 2 ** 31 - 1 },
    { name: 'i', dataType: 'Int64', defaultValue: MAX },
    { name: 'i', dataType: 'Int64', defaultValue: -MAX, nullable: true },
    { name: 'f', dataType: 'Float', defaultValue: 3.4028234663852886e38 },
    { name: 'f', dataType: 'Float', defaultValue: -0.5 },
    { name: 'd', dataType: 'Double', defaultValue: -Number.MAX_VALUE },
    { name: 's', dataType: 'VarChar', maxLength: 6, defaultValue: 'active' },
    { name: 's', dataType: 'VarChar', maxLength: 1, defaultValue: '', nullable: true },
    // null asks for no default, as Milvus reads it.
    { name: 'n', dataType: 'Int32', defaultValue: null },
    { name: 'j', dataType: 'JSON', defaultValue: null },
  ];
  for (const f of good) validateSchema(withField(f));
});

test('a default that is not a value of its field is refused, naming the field', () => {
  const cases: [FieldSchema, string][] = [
    [{ name: 'b', dataType: 'Bool', defaultValue: 1 }, "the default value of field 'b' must be a boolean"],
    [{ name: 'b', dataType: 'Bool', defaultValue: 'true' }, "the default value of field 'b' must be a boolean"],
    [{ name: 'i', dataType: 'Int8', defaultValue: 128 }, "the default value of field 'i' must be an Int8 integer"],
    [{ name: 'i', dataType: 'Int8', defaultValue: -129, nullable: true }, "the default value of field 'i' must be an Int8 integer"],
    [{ name: 'i', dataType: 'Int16', defaultValue: 32768 }, "the default value of field 'i' must be an Int16 integer"],
    [{ name: 'i', dataType: 'Int32', defaultValue: 2 ** 31 }, "the default value of field 'i' must be an Int32 integer"],
    [{ name: 'i', dataType: 'Int32', defaultValue: 1.5 }, "the default value of field 'i' must be an Int32 integer"],
    [{ name: 'i', dataType: 'Int64', defaultValue: 2 ** 53 }, "the default value of field 'i' must be an Int64 integer"],
    [{ name: 'i', dataType: 'Int64', defaultValue: '5' }, "the default value of field 'i' must be an Int64 integer"],
    [{ name: 'f', dataType: 'Float', defaultValue: NaN }, "the default value of field 'f' must be a finite number"],
    [{ name: 'f', dataType: 'Float', defaultValue: Infinity }, "the default value of field 'f' must be a finite number"],
    [{ name: 'f', dataType: 'Float', defaultValue: 1e39 }, "the default value of field 'f' 1e+39 is out of the float32 range"],
    [{ name: 'f', dataType: 'Float', defaultValue: '0.5' }, "the default value of field 'f' must be a finite number"],
    [{ name: 'd', dataType: 'Double', defaultValue: -Infinity }, "the default value of field 'd' must be a finite number"],
    [{ name: 's', dataType: 'VarChar', maxLength: 5, defaultValue: 'active' }, "the length (6 UTF-8 bytes) of the default value of field 's' exceeds max length (5)"],
    [{ name: 's', dataType: 'VarChar', maxLength: 5, defaultValue: 5 }, "the default value of field 's' must be a string"],
    [{ name: 's', dataType: 'VarChar', maxLength: 5, defaultValue: ['a'] as never }, "the default value of field 's' must be a string"],
  ];
  for (const [f, message] of cases) refusedField(f, message);
});

test('JSON, Array and vector fields and the primary key take no default (Milvus refuses them too)', () => {
  const only = 'only Bool, Int8, Int16, Int32, Int64, Float, Double, VarChar, Timestamptz and Geometry fields can';
  refusedField({ name: 'j', dataType: 'JSON', defaultValue: 'x' }, `field 'j' is JSON and cannot have a default value; ${only}`);
  refusedField({ name: 'j', dataType: 'JSON', nullable: true, defaultValue: { a: 1 } as never }, `field 'j' is JSON and cannot have a default value; ${only}`);
  refusedField({ name: 'a', dataType: 'Array', elementType: 'Int32', maxCapacity: 2, defaultValue: [1] as never }, `field 'a' is Array and cannot have a default value; ${only}`);
  refused({ fields: [pk, { ...vec, defaultValue: 0 }] }, 'v', `field 'v' is FloatVector and cannot have a default value; ${only}`);
  refused({ fields: [{ ...pk, defaultValue: 7 }, vec] }, 'id', "primary key 'id' cannot have a default value");
  refused({ fields: [{ name: 'k', dataType: 'VarChar', maxLength: 4, isPrimary: true, defaultValue: 'a' }, vec] }, 'k', "primary key 'k' cannot have a default value");
});

test('a missing or null value takes the default, nullable or not; a given value (also false, 0 or "") stays', () => {
  const plain: FieldSchema = { name: 'n', dataType: 'Int32', defaultValue: 18 };
  const both: FieldSchema = { name: 's', dataType: 'VarChar', maxLength: 8, nullable: true, defaultValue: 'active' };
  for (const f of [plain, both]) {
    assert.is(withDefault(f, undefined), f.defaultValue, `${f.name}: missing`);
    assert.is(withDefault(f, null), f.defaultValue, `${f.name}: null`);
  }
  assert.is(withDefault(plain, 0), 0);
  assert.is(withDefault(plain, 30), 30);
  assert.is(withDefault(both, ''), '');
  assert.is(withDefault({ name: 'b', dataType: 'Bool', defaultValue: true }, false), false);
  // Without a default nothing is filled in: null stays null (stored as null when nullable, refused when not).
  for (const f of [{ name: 'x', dataType: 'Int32' }, { name: 'x', dataType: 'Int32', nullable: true }, { name: 'x', dataType: 'Int32', defaultValue: null }] as FieldSchema[]) {
    assert.is(withDefault(f, undefined), undefined);
    assert.is(withDefault(f, null), null);
  }
});

const schema: CollectionSchema = {
  enableDynamicField: true,
  fields: [pk, vec,
    { name: 'flag', dataType: 'Bool', defaultValue: false },
    { name: 'tiny', dataType: 'Int8', defaultValue: 0, nullable: true },
    { name: 'big', dataType: 'Int64', defaultValue: 2 ** 40 + 1 },
    { name: 'w', dataType: 'Float', defaultValue: -0 },
    { name: 'd', dataType: 'Double', defaultValue: 0.1 },
    { name: 'status', dataType: 'VarChar', maxLength: 8, defaultValue: '' },
    { name: 'none', dataType: 'Int32', nullable: true, defaultValue: null }],
};

test('a schema with defaults crosses the WAL in CreateCollection unchanged', () => {
  const m = newMessage('CreateCollection', 'dml_0_1v0', { collectionId: 1, name: 'c', schema, shardIndex: 0, shards: 1, partitions: [{ id: 2, name: '_default' }], metricType: 'L2', consistencyLevel: 'Strong' });
  m.header.tso = 5n;
  const back = decodeMessage(encodeMessage(m)).body as { schema: CollectionSchema };
  assert.equal(JSON.parse(JSON.stringify(back.schema)), JSON.parse(JSON.stringify(schema)));
  const d = Object.fromEntries(back.schema.fields.map((f) => [f.name, f.defaultValue]));
  assert.equal([d.flag, d.tiny, d.big, d.d, d.status, d.none, d.id], [false, 0, 2 ** 40 + 1, 0.1, '', null, undefined]);
  assert.ok(Object.is(d.w, -0), 'a -0 default stays -0');
  validateSchema(back.schema);
});

test('a decoded schema whose default is not a boolean, number or string is a DecodeError', () => {
  const bad: CollectionSchema = { fields: [pk, vec, { name: 'n', dataType: 'Int32', defaultValue: { x: 1 } as never }] };
  const m = newMessage('CreateCollection', 'dml_0_1v0', { collectionId: 1, name: 'c', schema: bad, shardIndex: 0, shards: 1, partitions: [{ id: 2, name: '_default' }], metricType: 'L2', consistencyLevel: 'Strong' });
  m.header.tso = 5n;
  assert.throws(() => decodeMessage(encodeMessage(m)), (e: unknown) => e instanceof DecodeError && /the default value of field 'n' must be a boolean, number or string/.test((e as Error).message));
});

test.run();

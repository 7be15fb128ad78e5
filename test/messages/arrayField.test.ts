/**
 * The Array field type: what a schema may declare (Milvus's rules), what row
 * values fit it, and that its values cross every codec (WAL message, sealed
 * segment file) unchanged.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeMessage, encodeMessage } from '../../messages/codec.js';
import { ValidationError } from '../../messages/errors.js';
import { rowsProblem, scalarProblem, validateSchema, type CollectionSchema, type FieldSchema, type Rows } from '../../messages/schema.js';
import { newMessage } from '../../messages/types.js';
import { decodeSegmentFile, encodeSegmentFile } from '../../actors/shared/segment/segmentFile.js';

const pk: FieldSchema = { name: 'id', dataType: 'Int64', isPrimary: true };
const vec: FieldSchema = { name: 'v', dataType: 'FloatVector', dim: 2 };
const withField = (f: FieldSchema): CollectionSchema => ({ fields: [pk, vec, f] });
const tags: FieldSchema = { name: 'tags', dataType: 'Array', elementType: 'VarChar', maxCapacity: 3, maxLength: 4, nullable: true };

function refused(f: FieldSchema, message: string): void {
  try { validateSchema(withField(f)); } catch (e) {
    assert.instance(e, ValidationError);
    assert.is((e as ValidationError).code, 'InvalidArgument');
    assert.is((e as ValidationError).message, message);
    return;
  }
  assert.unreachable(`expected ${JSON.stringify(f)} to be refused`);
}

test('an Array field of every scalar element type is a valid schema', () => {
  for (const elementType of ['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double'] as const) {
    validateSchema(withField({ name: 'a', dataType: 'Array', elementType, maxCapacity: 1 }));
  }
  validateSchema(withField(tags));
  validateSchema(withField({ name: 'a', dataType: 'Array', elementType: 'Int64', maxCapacity: 4096, nullable: true }));
});

test('element type, capacity and max_length are required and checked, naming the field', () => {
  const a = { name: 'a', dataType: 'Array' } as const;
  refused({ ...a, maxCapacity: 2 }, "Array field 'a' needs an elementType (Bool, Int8, Int16, Int32, Int64, Float, Double, VarChar, or Struct)");
  refused({ ...a, elementType: 'JSON' as never, maxCapacity: 2 }, "Array field 'a' has element type 'JSON'; it must be one of Bool, Int8, Int16, Int32, Int64, Float, Double, VarChar");
  refused({ ...a, elementType: 'FloatVector' as never, maxCapacity: 2 }, "Array field 'a' has element type 'FloatVector'; it must be one of Bool, Int8, Int16, Int32, Int64, Float, Double, VarChar");
  refused({ ...a, elementType: 'Array' as never, maxCapacity: 2 }, "Array field 'a' cannot hold arrays: arrays do not nest");
  refused({ ...a, elementType: 'Int32' }, "Array field 'a' needs max_capacity in 1..4096");
  for (const maxCapacity of [0, 4097, 1.5, -1]) refused({ ...a, elementType: 'Int32', maxCapacity }, "Array field 'a' needs max_capacity in 1..4096");
  refused({ ...a, elementType: 'VarChar', maxCapacity: 2 }, "Array field 'a' of VarChar needs max_length in 1..65535");
  refused({ ...a, elementType: 'VarChar', maxCapacity: 2, maxLength: 65536 }, "Array field 'a' of VarChar needs max_length in 1..65535");
  refused({ ...a, elementType: 'Int64', maxCapacity: 2, maxLength: 8 }, "Array field 'a' holds Int64: max_length is only for VarChar elements");
  refused({ name: 'n', dataType: 'Int32', elementType: 'Int32' }, "field 'n' is Int32: elementType and max_capacity are only for Array fields");
  refused({ name: 'n', dataType: 'JSON', maxCapacity: 3 }, "field 'n' is JSON: elementType and max_capacity are only for Array fields");
});

test('an Array field cannot be the primary key', () => {
  assert.throws(() => validateSchema({ fields: [{ name: 'ids', dataType: 'Array', elementType: 'Int64', maxCapacity: 2, isPrimary: true }, vec] }),
    (e: unknown) => e instanceof ValidationError && e.message === "primary key 'ids' must be Int64 or VarChar");
});

test('row values: a list within capacity of the element type, or null when nullable', () => {
  const ints: FieldSchema = { name: 'n', dataType: 'Array', elementType: 'Int8', maxCapacity: 2 };
  const floats: FieldSchema = { name: 'f', dataType: 'Array', elementType: 'Float', maxCapacity: 2 };
  const bools: FieldSchema = { name: 'b', dataType: 'Array', elementType: 'Bool', maxCapacity: 2 };
  const bigs: FieldSchema = { name: 'g', dataType: 'Array', elementType: 'Int64', maxCapacity: 2 };
  for (const [f, v] of [[tags, ['a', 'bcde']], [tags, []], [tags, null], [ints, [-128, 127]], [floats, [0.5, -1e300]], [bools, [true, false]],
    [bigs, [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]]] as const) {
    assert.is(scalarProblem(f, v), null, JSON.stringify(v));
  }
  const cases: [FieldSchema, unknown, string][] = [
    [ints, null, "field 'n' is null, but it is not nullable"],
    [ints, undefined, "field 'n' is missing"],
    [ints, 5, "Array field 'n' must be a list, got 5"],
    [tags, 'a', "Array field 'tags' must be a list, got \"a\""],
    [ints, { 0: 1 }, "Array field 'n' must be a list, got {\"0\":1}"],
    [ints, [1, 2, 3], "Array field 'n' holds 3 elements, more than its max_capacity 2"],
    [ints, [1, 128], "element [1] of Array field 'n' must be an Int8 integer, got 128"],
    [ints, [1.5], "element [0] of Array field 'n' must be an Int8 integer, got 1.5"],
    [ints, ['1'], "element [0] of Array field 'n' must be an Int8 integer, got \"1\""],
    [bigs, [2 ** 53], "element [0] of Array field 'g' must be an Int64 integer, got 9007199254740992"],
    [floats, [1, NaN], "element [1] of Array field 'f' must be a finite number, got NaN"],
    [floats, [Infinity], "element [0] of Array field 'f' must be a finite number, got Infinity"],
    [bools, [1], "element [0] of Array field 'b' must be a boolean, got 1"],
    [tags, ['abcde'], "the length (5 UTF-8 bytes) of element [0] of Array field 'tags' exceeds max length (4), got \"abcde\""],
    [tags, [1], "element [0] of Array field 'tags' must be a string, got 1"],
    [tags, ['a', null], "element [1] of Array field 'tags' is null; elements cannot be null"],
    [tags, [['a']], "element [0] of Array field 'tags' must be a string, got [\"a\"]"],
  ];
  for (const [f, v, message] of cases) assert.is(scalarProblem(f, v), message, JSON.stringify(v));
});

const schema: CollectionSchema = {
  fields: [pk, vec, tags,
    { name: 'nums', dataType: 'Array', elementType: 'Int64', maxCapacity: 4 },
    { name: 'ws', dataType: 'Array', elementType: 'Float', maxCapacity: 4 },
    { name: 'ds', dataType: 'Array', elementType: 'Double', maxCapacity: 4 },
    { name: 'flags', dataType: 'Array', elementType: 'Bool', maxCapacity: 4 }],
};
const rows: Rows = {
  count: 3, pks: [1, 2, 3], vectors: new Float32Array(6),
  fields: {
    tags: [['a', 'é', '🐦'], null, []],
    nums: [[Number.MAX_SAFE_INTEGER, -1, 0], [2 ** 31, -(2 ** 31) - 1], []],
    ws: [[0.1, -0], [3.4028234663852886e38], [1e-45]],
    ds: [[Number.MIN_VALUE, -Number.MAX_VALUE], [0.30000000000000004], []],
    flags: [[true, false, true], [false], []],
  },
};

test('the Insert payload invariant checks Array columns', () => {
  assert.is(rowsProblem(schema, rows), null);
  assert.is(rowsProblem(schema, { ...rows, fields: { ...rows.fields, nums: [[1], [1, 2, 3, 4, 5], []] } }), "Array field 'nums' holds 5 elements, more than its max_capacity 4");
  assert.is(rowsProblem(schema, { ...rows, fields: { ...rows.fields, flags: [[true], null, []] } }), "field 'flags' is null, but it is not nullable");
});

/** Values that must come back bit for bit: -0 stays -0, Int64 past int32 stays exact. */
function assertSameColumns(got: Record<string, unknown[]>, want: Record<string, unknown[]>): void {
  assert.equal(Object.keys(got).sort(), Object.keys(want).sort());
  for (const [name, col] of Object.entries(want)) {
    col.forEach((v, i) => {
      const g = got[name]![i];
      if (v === null) { assert.is(g, null); return; }
      assert.ok(Array.isArray(g), `${name}[${i}] is a list`);
      assert.is((g as unknown[]).length, (v as unknown[]).length);
      (v as unknown[]).forEach((x, j) => assert.ok(Object.is((g as unknown[])[j], x), `${name}[${i}][${j}]: ${String((g as unknown[])[j])} vs ${String(x)}`));
    });
  }
}

test('Array values cross the WAL message codec unchanged', () => {
  const m = newMessage('Insert', 'dml_0_1v0', { collectionId: 1, partitionId: 2, segmentId: 3, rows });
  m.header.tso = 99n;
  const back = decodeMessage(encodeMessage(m));
  assert.is(back.header.type, 'Insert');
  assertSameColumns((back.body as { rows: Rows }).rows.fields, rows.fields);
});

test('Array values cross the sealed segment file unchanged', () => {
  const seg = { segmentId: 3, collectionId: 1, partitionId: 2, vchannel: 'dml_0_1v0', count: 3, dim: 2, pks: rows.pks, tsos: [1n, 2n, 3n], vectors: rows.vectors, fields: rows.fields };
  assertSameColumns(decodeSegmentFile(encodeSegmentFile(seg)).fields, rows.fields);
});

test('a schema with Array fields crosses the WAL in CreateCollection', () => {
  const m = newMessage('CreateCollection', 'dml_0_1v0', { collectionId: 1, name: 'c', schema, shardIndex: 0, shards: 1, partitions: [{ id: 2, name: '_default' }], metricType: 'L2', consistencyLevel: 'Strong' });
  m.header.tso = 5n;
  const back = decodeMessage(encodeMessage(m)).body as { schema: CollectionSchema };
  assert.equal(JSON.parse(JSON.stringify(back.schema)), schema);
  validateSchema(back.schema);
});

test.run();

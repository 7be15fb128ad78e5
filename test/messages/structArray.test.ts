/**
 * Array of Structs (Milvus 2.6): what a schema may declare, what row values
 * fit it (as users write them and as stored), how they read back, and that
 * stored values cross the WAL message codec and the sealed segment file.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeMessage, encodeMessage } from '../../messages/codec.js';
import { ValidationError } from '../../messages/errors.js';
import { rowsProblem, validateSchema, type CollectionSchema, type FieldSchema, type Rows } from '../../messages/schema.js';
import { structArrayInput, structArrayOutput, structArrayProblem, structOutputPath, structVectorOf } from '../../messages/structArray.js';
import { newMessage } from '../../messages/types.js';
import { addedFieldProblem } from '../../messages/addedField.js';
import { decodeSegmentFile, encodeSegmentFile } from '../../actors/shared/segment/segmentFile.js';

const pk: FieldSchema = { name: 'id', dataType: 'Int64', isPrimary: true };
const vec: FieldSchema = { name: 'v', dataType: 'FloatVector', dim: 2 };
const chunks: FieldSchema = {
  name: 'chunks', dataType: 'Array', elementType: 'Struct', maxCapacity: 2,
  structFields: [{ name: 'text', dataType: 'VarChar', maxLength: 5 }, { name: 'n', dataType: 'Int8' }, { name: 'e', dataType: 'FloatVector', dim: 3 }],
};
const schema: CollectionSchema = { fields: [pk, vec, chunks] };
const withChunks = (over: Partial<FieldSchema>): CollectionSchema => ({ fields: [pk, vec, { ...chunks, ...over } as FieldSchema] });

function refused(s: CollectionSchema, says: RegExp): void {
  try { validateSchema(s); } catch (e) {
    assert.instance(e, ValidationError);
    assert.match((e as Error).message, says);
    return;
  }
  assert.unreachable(`expected refusal ${says}`);
}

test('a Struct holds the scalar types and FloatVector; every other type, and every key or nullable sub-field, is refused', () => {
  validateSchema(schema);
  for (const dataType of ['Bool', 'Int16', 'Int32', 'Int64', 'Float', 'Double'] as const) validateSchema(withChunks({ structFields: [{ name: 'x', dataType }] }));
  for (const dataType of ['JSON', 'Array', 'SparseFloatVector', 'BinaryVector', 'Timestamptz']) refused(withChunks({ structFields: [{ name: 'x', dataType } as never] }), /has type '.*'; a Struct holds/);
  refused(withChunks({ structFields: [{ name: 'e', dataType: 'FloatVector' }] }), /'chunks\[e\]' needs an integer dim/);
  refused(withChunks({ structFields: [{ name: 'e', dataType: 'FloatVector', dim: 0 }] }), /needs an integer dim/);
  refused(withChunks({ structFields: [{ name: 't', dataType: 'VarChar' }] }), /needs max_length/);
  refused(withChunks({ structFields: [{ name: 'n', dataType: 'Int8', dim: 2 }] }), /dim is only for FloatVector/);
  refused(withChunks({ structFields: [{ name: 'n', dataType: 'Int8' }, { name: 'n', dataType: 'Int8' }] }), /duplicate sub-field name 'n'/);
  refused(withChunks({ structFields: [{ name: 'n', dataType: 'Int8', isPrimary: true } as never] }), /cannot set 'isPrimary'/);
  refused(withChunks({ structFields: [{ name: 'n', dataType: 'Int8', defaultValue: 1 } as never] }), /cannot set 'defaultValue'/);
  refused(withChunks({ structFields: [{ name: '1n', dataType: 'Int8' }] }), /must not start with a digit/);
  refused(withChunks({ structFields: [] }), /needs structFields/);
  refused(withChunks({ maxCapacity: 0 }), /max_capacity in 1..4096/);
  refused(withChunks({ maxCapacity: 4097 }), /max_capacity in 1..4096/);
  refused(withChunks({ nullable: true }), /cannot be nullable/);
  refused(withChunks({ defaultValue: 1 }), /cannot have a default value/);
  refused({ fields: [pk, vec, { name: 'tags', dataType: 'Int64', structFields: [] } as never] }, /structFields are only for Array of Structs fields/);
  refused({ fields: [pk, vec, { name: 'tags', dataType: 'Array', elementType: 'Int64', maxCapacity: 2, structFields: [] }] }, /only for an Array of Structs/);
});

test('vector sub-fields count toward the vector field limit', () => {
  const many = [1, 2, 3].map((i) => ({ name: `e${i}`, dataType: 'FloatVector' as const, dim: 2 }));
  validateSchema(withChunks({ structFields: many }));
  refused(withChunks({ structFields: [...many, { name: 'e4', dataType: 'FloatVector', dim: 2 }] }), /5 vector fields \(dense, sparse and in Structs\), more than 4/);
});

test('an Array of Structs is declared at creation only: adding one to a live collection is refused', () => {
  assert.match(addedFieldProblem({ fields: [pk, vec] }, { ...chunks, nullable: true })!, /Array of Structs/);
});

test('row values: user input becomes stored (vectors Float32Array); each bad value gets its own message', () => {
  const good = [{ text: 'ab', n: 1, e: [1, 2, 3] }];
  const stored = structArrayInput(chunks, good) as Array<Record<string, unknown>>;
  assert.instance(stored[0]!.e, Float32Array);
  assert.is(structArrayProblem(chunks, stored), null);
  assert.equal(structArrayOutput(stored), good);
  assert.equal(structArrayOutput(stored, ['text']), [{ text: 'ab' }]);
  assert.equal(structArrayInput(chunks, []), [], 'an empty list is a value (a row with no chunks)');
  const bad: Array<[unknown, RegExp]> = [
    [null, /must be a list of objects/],
    [{ text: 'a' }, /must be a list of objects/],
    [[1], /element \[0\] of 'chunks' must be an object/],
    [[[1, 2]], /must be an object/],
    [[good[0], good[0], good[0]], /3 elements, more than its max_capacity 2/],
    [[{ text: 'ab', n: 1 }], /'chunks\[e\]' of element \[0\] is missing/],
    [[{ text: 'ab', n: 1, e: null }], /is missing; a Struct's fields are not nullable/],
    [[{ text: 'ab', n: 1, e: [1, 2] }], /has dimension 2, the sub-field's is 3/],
    [[{ text: 'ab', n: 1, e: [1, NaN, 3] }], /NaN/],
    [[{ text: 'ab', n: 1, e: [1, Infinity, 3] }], /Infinity/],
    [[{ text: 'ab', n: 1, e: 'xyz' }], /must be a list of numbers/],
    [[{ text: 'abcdef', n: 1, e: [1, 2, 3] }], /exceeds max length \(5\)/],
    [[{ text: 'ab', n: 300, e: [1, 2, 3] }], /must be an Int8 integer/],
    [[{ text: 'ab', n: 1, e: [1, 2, 3], more: 1 }], /unknown sub-field 'more'/],
  ];
  for (const [v, says] of bad) assert.match(String(structArrayInput(chunks, v)), says);
  // Stored values must hold Float32Array vectors: a number list reaching the WAL is refused there.
  assert.match(structArrayProblem(chunks, good)!, /must be a list of numbers/);
});

test('rowsProblem (the Insert payload invariant) checks Struct values', () => {
  const rows = (c: unknown): Rows => ({ count: 1, pks: [1], vectors: Float32Array.of(1, 2), fields: { chunks: [c] } });
  assert.is(rowsProblem(schema, rows(structArrayInput(chunks, [{ text: 'a', n: 1, e: [1, 2, 3] }]))), null);
  assert.match(rowsProblem(schema, rows([{ text: 'a', n: 1, e: Float32Array.of(1, 2) }]))!, /dimension 2/);
});

test('annsField and output field paths name a Struct sub-field', () => {
  assert.equal(structVectorOf(schema, 'chunks[e]')?.sub.name, 'e');
  assert.is(structVectorOf(schema, 'v'), undefined);
  assert.throws(() => structVectorOf(schema, 'chunks[text]'), /VarChar, not a vector sub-field/);
  assert.throws(() => structVectorOf(schema, 'chunks[x]'), /no sub-field 'x'/);
  assert.throws(() => structVectorOf(schema, 'v[e]'), /not an Array of Structs/);
  assert.equal(structOutputPath(schema, 'chunks[text]'), { field: 'chunks', sub: 'text' });
  assert.is(structOutputPath(schema, 'chunks'), undefined);
  assert.throws(() => structOutputPath(schema, 'chunks[x]'), /no sub-field 'x'/);
});

test('stored Struct values cross the WAL message codec and the sealed segment file unchanged', () => {
  const value = structArrayInput(chunks, [{ text: 'ab', n: -3, e: [0.5, -1, 2] }, { text: '', n: 0, e: [0, 0, 1e-3] }]);
  const rows: Rows = { count: 2, pks: [1, 2], vectors: Float32Array.of(1, 2, 3, 4), fields: { chunks: [value, []] } };
  const same = (fields: Record<string, unknown[]>) => {
    assert.equal(fields.chunks!.map((v) => structArrayOutput(v)), rows.fields.chunks!.map((v) => structArrayOutput(v)));
    assert.instance((fields.chunks![0] as Array<Record<string, unknown>>)[0]!.e, Float32Array);
  };
  const m = newMessage('Insert', 'dml_0_1v0', { collectionId: 1, partitionId: 2, segmentId: 3, rows });
  m.header.tso = 9n;
  same((decodeMessage(encodeMessage(m)).body as { rows: Rows }).rows.fields);
  same(decodeSegmentFile(encodeSegmentFile({ segmentId: 3, collectionId: 1, partitionId: 2, vchannel: 'dml_0_1v0', count: 2, dim: 2, pks: rows.pks, tsos: [1n, 2n], vectors: rows.vectors, fields: rows.fields })).fields);
  const c = newMessage('CreateCollection', 'dml_0_1v0', { collectionId: 1, name: 'c', schema, shardIndex: 0, shards: 1, partitions: [{ id: 2, name: '_default' }], metricType: 'L2', consistencyLevel: 'Strong' });
  c.header.tso = 5n;
  const back = (decodeMessage(encodeMessage(c)).body as { schema: CollectionSchema }).schema;
  assert.equal(JSON.parse(JSON.stringify(back)), schema);
  validateSchema(back);
});

test.run();

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '../../messages/errors.js';
import { addedFieldProblem } from '../../messages/addedField.js';
import { droppedAsDynamic, droppedFieldProblem, droppedKeyProblem, withDroppedField } from '../../messages/droppedField.js';
import { checkFilter, parseFilter } from '../../messages/filter/index.js';
import { rowsProblem, type CollectionSchema, type Rows } from '../../messages/schema.js';
import type { IndexParams } from '../../messages/types.js';

/** The pure rules of drop_collection_field: which fields may go, and that their names stay taken. */
const schema: CollectionSchema = {
  enableDynamicField: true,
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'vec', dataType: 'FloatVector', dim: 2 },
    { name: 'text', dataType: 'VarChar', maxLength: 64, enableAnalyzer: true },
    { name: 'sparse', dataType: 'SparseFloatVector' },
    { name: 'tenant', dataType: 'Int64', isPartitionKey: true },
    { name: 'ts', dataType: 'Int64', isClusteringKey: true },
    { name: 'color', dataType: 'VarChar', maxLength: 8 },
    { name: 'price', dataType: 'Double' },
    { name: 'v2', dataType: 'FloatVector', dim: 2 },
  ],
  functions: [{ name: 'bm25', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'] }],
};
const indexes: IndexParams[] = [{ indexName: 'price_idx', fieldName: 'price', indexType: 'STL_SORT', params: {} }];

test('a plain field goes: the schema lacks it and keeps its name', () => {
  const s = withDroppedField(schema, indexes, 'color');
  assert.not.ok(s.fields.some((f) => f.name === 'color'));
  assert.equal(s.droppedFields, ['color']);
  assert.equal(withDroppedField(s, indexes, 'v2').droppedFields, ['color', 'v2']);
  assert.is(schema.fields.length, 9, 'the input schema is untouched');
});

test('keys, function inputs and outputs, indexed fields, unknown fields and the last vector stay', () => {
  assert.match(droppedFieldProblem(schema, indexes, 'id')!, /primary key/);
  assert.match(droppedFieldProblem(schema, indexes, 'tenant')!, /partition key/);
  assert.match(droppedFieldProblem(schema, indexes, 'ts')!, /clustering key/);
  assert.match(droppedFieldProblem(schema, indexes, 'text')!, /an input of function 'bm25'/);
  assert.match(droppedFieldProblem(schema, indexes, 'sparse')!, /the output of function 'bm25'/);
  assert.match(droppedFieldProblem(schema, indexes, 'price')!, /has index 'price_idx': drop the index first/);
  assert.match(droppedFieldProblem(schema, indexes, 'nope')!, /no field 'nope'/);
  assert.match(droppedFieldProblem(schema, [{ indexName: 'i', fieldName: 'chunks[v]', indexType: 'HNSW', params: {} }], 'chunks')!, /no field 'chunks'/);
  assert.match(droppedFieldProblem(schema, indexes, 'vec')!, /first FloatVector, whose vectors every segment holds as its rows' vector block/);
  const nullableFirst: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'opt', dataType: 'FloatVector', dim: 2, nullable: true }, { name: 'vec', dataType: 'FloatVector', dim: 2 }] };
  assert.is(droppedFieldProblem(nullableFirst, [], 'opt'), null, 'a nullable FloatVector is a column, never the block');
  const one: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'vec', dataType: 'FloatVector', dim: 2 }] };
  const packedOnly: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'bin', dataType: 'BinaryVector', dim: 8 }, { name: 'f16', dataType: 'Float16Vector', dim: 2 }] };
  assert.is(droppedFieldProblem(packedOnly, [], 'f16'), null);
  assert.match(droppedFieldProblem({ ...packedOnly, fields: packedOnly.fields.slice(0, 2) }, [], 'bin')!, /schema would be invalid/);
  assert.match(droppedFieldProblem(one, [], 'vec')!, /first FloatVector/);
  assert.is(droppedFieldProblem(schema, [], 'price'), null);
  try { withDroppedField(schema, indexes, 'id'); assert.unreachable('dropped the primary key'); } catch (e) { assert.instance(e, ValidationError); }
});

test('a dropped name is never taken again, nor written, nor written as a dynamic key', () => {
  const s = withDroppedField(schema, indexes, 'color');
  assert.match(addedFieldProblem(s, { name: 'color', dataType: 'VarChar', maxLength: 8, nullable: true })!, /was dropped/);
  assert.is(addedFieldProblem(s, { name: 'colour', dataType: 'VarChar', maxLength: 8, nullable: true }), null);
  assert.match(droppedKeyProblem(s, 'color')!, /was dropped/);
  assert.is(droppedKeyProblem(s, 'colour'), null);
  const rows = (fields: Record<string, unknown[]>): Rows => ({ count: 1, pks: [1], vectors: Float32Array.from([0, 1]), fields: { text: ['t'], sparse: [new Uint8Array(0)], tenant: [1], ts: [1], price: [1], v2: [Float32Array.from([1, 0])], ...fields } });
  assert.match(rowsProblem(s, rows({ color: ['red'] }))!, /field 'color' was dropped/);
  assert.match(rowsProblem(s, rows({ $meta: [{ color: 'red' }] }))!, /field 'color' was dropped/);
  assert.is(rowsProblem(s, rows({ $meta: [{ colour: 'red' }] })), null);
});

test('a filter naming a dropped field reads it as the dynamic key the client sees, whatever schema compiles it', () => {
  const s = withDroppedField(schema, indexes, 'color');
  const parsed = parseFilter('color == "red" and price > 1 and color["x"] == 2');
  const resolved = droppedAsDynamic(parsed, s);
  const fields: unknown[] = [];
  const walk = (n: unknown): void => { if (Array.isArray(n)) n.forEach(walk); else if (n && typeof n === 'object') { const o = n as Record<string, unknown>; if (o.kind === 'field') fields.push([o.name, o.path]); Object.values(o).forEach(walk); } };
  walk(resolved);
  assert.equal(fields, [['$meta', ['color']], ['price', []], ['$meta', ['color', 'x']]]);
  // A schema (a query node's cached one) that still has the field compiles it as a dynamic key, not the column.
  assert.equal([...checkFilter(resolved, schema).fields].sort(), ['$meta', 'price']);
  assert.is(droppedAsDynamic(parsed, schema), parsed, 'nothing dropped: the same tree');
  assert.is(droppedAsDynamic(parsed, { ...s, enableDynamicField: false }), parsed);
});

test.run();

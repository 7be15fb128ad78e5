import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { annsVectors, columnBlock, fieldVectors, packVectorColumns } from '../../actors/shared/vector/vectorColumn.js';
import { annsFieldOf, rowsProblem, validateSchema, type CollectionSchema } from '../../messages/schema.js';
import { metricOfField } from '../../actors/shared/vector/fieldMetric.js';

/** A vector field after the first: a column of per-row vectors, read as one block, checked on the way in. */
const schema: CollectionSchema = validateSchema({ fields: [
  { name: 'id', dataType: 'Int64', isPrimary: true },
  { name: 'a', dataType: 'FloatVector', dim: 2 },
  { name: 'b', dataType: 'FloatVector', dim: 3 },
] });
const seg = {
  count: 2, dim: 2, vectors: Float32Array.from([1, 2, 3, 4]),
  fields: { b: [Float32Array.from([5, 6, 7]), Float32Array.from([8, 9, 10])] as unknown[] },
};

test('a column reads as one block; the same block comes back for the same column', () => {
  const block = columnBlock(seg.fields.b!, 2, 3);
  assert.equal(Array.from(block), [5, 6, 7, 8, 9, 10]);
  assert.is(columnBlock(seg.fields.b!, 2, 3), block, 'flattened once');
  assert.equal(Array.from(columnBlock([null, Float32Array.from([1, 1])], 2, 2)), [0, 0, 1, 1], 'a missing row reads as zeros');
});

test('the first field is the holder\'s own block; another is its column, its dimension read off the column when not given', () => {
  const own = annsVectors(seg, undefined, 2);
  assert.is(own.type === 'FloatVector' ? own.vectors : undefined, seg.vectors);
  assert.equal(annsVectors(seg, { field: 'b', dim: 3 }, 2).dim, 3);
  assert.is(fieldVectors(seg, undefined).vectors, seg.vectors);
  const b = fieldVectors(seg, 'b');
  assert.is(b.dim, 3);
  assert.equal(Array.from(b.vectors), [5, 6, 7, 8, 9, 10]);
});

test('an insert must carry every vector field, each row at its dimension and finite', () => {
  const rows = (b: unknown[]) => ({ count: 2, pks: [1, 2], vectors: Float32Array.from([1, 2, 3, 4]), fields: { b } });
  assert.is(rowsProblem(schema, rows(seg.fields.b!)), null);
  assert.match(rowsProblem(schema, rows([Float32Array.from([1, 2, 3])]))!, /one vector per row/);
  assert.match(rowsProblem(schema, rows([Float32Array.from([1, 2, 3]), Float32Array.from([1, 2])]))!, /needs 3 floats at row 1/);
  assert.match(rowsProblem(schema, rows([Float32Array.from([1, 2, 3]), Float32Array.from([1, Number.NaN, 2])]))!, /NaN or Infinity at row 1/);
  assert.match(rowsProblem(schema, { count: 2, pks: [1, 2], vectors: Float32Array.from([1, 2, 3, 4]), fields: {} })!, /'b' needs one vector per row/);
});

test('annsField: required when there are several vector fields, and must name one', () => {
  assert.throws(() => annsFieldOf(schema, undefined), /name one as annsField/);
  assert.is(annsFieldOf(schema, 'b').dim, 3);
  assert.throws(() => annsFieldOf(schema, 'id'), /not a vector field/);
  assert.throws(() => annsFieldOf(schema, 'zz'), /does not exist/);
  assert.throws(() => validateSchema({ fields: [schema.fields[0]!, ...['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, dataType: 'FloatVector' as const, dim: 2 }))] }), /1 to 4 FloatVector fields, has 5/);
});

test('a field is searched with its index\'s metric, else the collection\'s', () => {
  const rec = { metricType: 'COSINE' as const, indexes: [{ indexName: 'bi', fieldName: 'b', indexType: 'HNSW', metricType: 'L2' as const, params: {} }] };
  assert.is(metricOfField(rec, 'b'), 'L2');
  assert.is(metricOfField(rec, 'a'), 'COSINE');
});

test('packing makes a column\'s rows views of one block, the block its search reads; other columns stay as they were', () => {
  const fields: Record<string, unknown[]> = { v: [Float32Array.from([1, 2]), Float32Array.from([3, 4])], tag: ['x', 'y'], odd: [Float32Array.from([1]), Float32Array.from([1, 2])] };
  const before = { tag: fields.tag, odd: [...fields.odd!] };
  packVectorColumns(fields, 2);
  const block = columnBlock(fields.v!, 2, 2);
  assert.equal(Array.from(block), [1, 2, 3, 4]);
  assert.is((fields.v![1] as Float32Array).buffer, block.buffer, 'row 1 is a view of the block');
  assert.equal(Array.from(fields.v![1] as Float32Array), [3, 4]);
  assert.is(fields.tag, before.tag);
  assert.equal(fields.odd, before.odd, 'rows of two lengths are left alone');
});

test.run();

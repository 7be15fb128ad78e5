import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeSegmentFile, encodeSegmentFile, type SealedSegment } from '../../actors/shared/segment/segmentFile.js';
import { searchBlock } from '../../actors/shared/vector/bruteForce.js';
import { annsVectors, columnBlock, columnPresence, packedBlock, packVectorColumns, presentRows, withPresentRows } from '../../actors/shared/vector/vectorColumn.js';
import { addedFieldProblem } from '../../messages/addedField.js';
import { ValidationError } from '../../messages/errors.js';
import { checkFilter, parseFilter } from '../../messages/filter/index.js';
import { blockDim, columnVectorFields, rowsProblem, validateSchema, vectorField, type CollectionSchema, type FieldSchema } from '../../messages/schema.js';
import { toColumns } from '../../runtime/client/rows.js';
import { hnswIndexFactory } from '../../runtime/vectorIndex/hnswIndex.js';
import { ivfFlatFactory } from '../../runtime/vectorIndex/ivf/ivfFactory.js';
import { rowMapped } from '../../runtime/vectorIndex/rowMappedIndex.js';
import { vectors } from '../standalone/harness.js';

/**
 * Nullable vector fields, pure: the schema rules, rows with null vectors,
 * the presence of a column's vectors, packed columns and segment files
 * holding nulls, and indexes built over the non-null rows only.
 */
const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'opt', dataType: 'FloatVector', dim: 3, nullable: true },
    { name: 'dense', dataType: 'FloatVector', dim: 2 },
    { name: 'half', dataType: 'Float16Vector', dim: 2, nullable: true },
    { name: 'sp', dataType: 'SparseFloatVector', nullable: true },
  ],
};

const small: CollectionSchema = { fields: schema.fields.slice(0, 3) };

test('schema: every vector type may be nullable; the block is the first non-nullable FloatVector; BM25 outputs and Structs may not be', () => {
  validateSchema(schema);
  assert.is(vectorField(schema)!.name, 'dense', 'a nullable FloatVector is never the rows\' block');
  assert.equal(columnVectorFields(schema).map((f) => f.name), ['opt']);
  const only: CollectionSchema = { fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'v', dataType: 'FloatVector', dim: 4, nullable: true }] };
  validateSchema(only);
  assert.is(blockDim(only), 0, 'its only vector nullable: the block is empty, the field a column');
  for (const t of ['BinaryVector', 'Int8Vector', 'BFloat16Vector'] as const) validateSchema({ fields: [...small.fields, { name: 'x', dataType: t, dim: 16, nullable: true }] });
  const bm25: CollectionSchema = {
    fields: [{ name: 'id', dataType: 'Int64', isPrimary: true }, { name: 'dense', dataType: 'FloatVector', dim: 2 }, { name: 'text', dataType: 'VarChar', maxLength: 99, enableAnalyzer: true }, { name: 'sparse', dataType: 'SparseFloatVector', nullable: true }],
    functions: [{ name: 'f', type: 'BM25', inputFieldNames: ['text'], outputFieldNames: ['sparse'] }],
  };
  assert.throws(() => validateSchema(bm25), (e: unknown) => e instanceof ValidationError && /cannot be nullable/.test((e as Error).message));
  const struct = { name: 'chunks', dataType: 'Array', elementType: 'Struct', maxCapacity: 4, nullable: true, structFields: [{ name: 'v', dataType: 'FloatVector', dim: 2 }] } as FieldSchema;
  assert.throws(() => validateSchema({ fields: [...schema.fields, struct] }), (e: unknown) => e instanceof ValidationError && /cannot be nullable/.test((e as Error).message));
});

test('added field: a nullable vector field may be added, a required one may not', () => {
  assert.is(addedFieldProblem(small, { name: 'late', dataType: 'FloatVector', dim: 4, nullable: true }), null);
  assert.is(addedFieldProblem(small, { name: 'late', dataType: 'BinaryVector', dim: 8, nullable: true }), null);
  assert.match(addedFieldProblem(small, { name: 'late', dataType: 'FloatVector', dim: 4 })!, /must be nullable/);
  assert.match(addedFieldProblem(schema, { name: 'late', dataType: 'FloatVector', dim: 4, nullable: true })!, /more than 4/, 'still at most 4 vector fields');
});

test('rows: a nullable vector left out or null holds null; a given one is still checked; a required one may not be null', () => {
  const rows = toColumns(schema, [
    { id: 1, dense: [1, 2], opt: [1, 2, 3], half: [0.5, 1], sp: { 3: 0.5 } },
    { id: 2, dense: [3, 4], opt: null, half: null, sp: null },
    { id: 3, dense: [5, 6] },
  ], null);
  assert.equal(Array.from(rows.vectors), [1, 2, 3, 4, 5, 6]);
  assert.equal(rows.fields.opt!.map((v) => (v === null ? null : Array.from(v as Float32Array))), [[1, 2, 3], null, null]);
  assert.equal(rows.fields.half!.map((v) => v === null), [false, true, true]);
  assert.equal(rows.fields.sp!.map((v) => v === null), [false, true, true]);
  assert.is(rowsProblem(schema, rows), null);
  assert.is(rowsProblem(schema, { ...rows, fields: {} }), null, 'nullable columns may be absent altogether');
  const refuses = (row: Record<string, unknown>, says: RegExp) => assert.throws(() => toColumns(schema, [row], null), (e: unknown) => e instanceof ValidationError && says.test((e as Error).message));
  refuses({ id: 4, dense: [1, 2], opt: [1, 2] }, /'opt' has dimension 2/);
  refuses({ id: 4, dense: [1, 2], opt: [1, Number.NaN, 2] }, /non-finite/);
  refuses({ id: 4, dense: [1, 2], half: [1, 1e9] }, /Float16Vector/);
  refuses({ id: 4, opt: [1, 2, 3] }, /'dense' is missing/);
  assert.match(rowsProblem(schema, { ...rows, fields: { ...rows.fields, opt: [new Float32Array(3), new Float32Array(2), null] } })!, /needs 3 floats at row 1/);
});

test('filters: IS NULL and IS NOT NULL on a vector field are refused, nullable or not', () => {
  for (const text of ['opt is null', 'opt is not null', 'dense is null']) {
    assert.throws(() => checkFilter(parseFilter(text), schema), (e: unknown) => e instanceof ValidationError && /cannot test vector field/.test((e as Error).message), text);
  }
});

test('presence: which rows hold a vector; absent columns hold none; full columns need no filter', () => {
  const col = [new Float32Array([1, 0]), null, new Float32Array([0, 1]), undefined];
  assert.equal(Array.from(columnPresence(col, 4)!), [1, 0, 1, 0]);
  assert.equal(Array.from(presentRows(col, 4)!), [0, 2]);
  assert.is(columnPresence([new Float32Array(2), new Float32Array(2)], 2), undefined);
  assert.is(presentRows([new Float32Array(2)], 1), undefined);
  assert.equal(Array.from(columnPresence(undefined, 3)!), [0, 0, 0], 'a segment older than an added field');
  const holder = { count: 4, fields: { v: col } };
  const ok = withPresentRows(holder, { field: 'v', dim: 2 }, (row) => row !== 2)!;
  assert.equal([0, 1, 2, 3].map(ok), [true, false, false, false]);
  assert.is(withPresentRows(holder, undefined, undefined), undefined, 'the block field: no filter');
});

test('packed columns with null rows: the block holds only the vectors, the rows stay null, searches skip them', () => {
  const fields: Record<string, unknown[]> = {
    f: [new Float32Array([1, 1]), null, new Float32Array([3, 3]), null],
    b: [null, Uint8Array.of(1, 2), null, Uint8Array.of(3, 4)],
  };
  packVectorColumns(fields, 4);
  assert.is(fields.f![1], null);
  const fb = annsVectors({ count: 4, vectors: new Float32Array(0), fields }, { field: 'f', dim: 2 }, 0);
  assert.equal(fb.type === 'FloatVector' ? Array.from(fb.vectors) : [], [1, 1, 3, 3], 'only the non-null rows, densely');
  assert.ok(fb.type === 'FloatVector' && (fields.f![2] as Float32Array).buffer === fb.vectors.buffer, 'rows are views of one block');
  assert.equal(Array.from(columnBlock(fields.f!, 4, 2)), [1, 1, 0, 0, 3, 3, 0, 0], 'an index build still reads it row-addressed');
  assert.equal(Array.from(packedBlock(fields.b!, 4, 2)), [0, 0, 1, 2, 0, 0, 3, 4]);
  assert.is(fields.b![0], null);
  // The null rows are zeros, nearest to the origin: a search must leave them out.
  const holder = { count: 4, vectors: new Float32Array(0), fields };
  const anns = { field: 'f', dim: 2 };
  const hits = searchBlock({ block: annsVectors(holder, anns, 0), count: 4, metric: 'L2', queries: [new Float32Array([0, 0])], k: 4, accept: withPresentRows(holder, anns, undefined)! })[0]!;
  assert.equal(hits.map((h) => h.row), [0, 2]);
});

test('segment files keep null vectors; a file without the column (older than the field) reads all null', () => {
  const seg: SealedSegment = {
    segmentId: 1, collectionId: 2, partitionId: 3, vchannel: 'v', count: 3, dim: 2,
    pks: [1, 2, 3], tsos: [1n, 2n, 3n], vectors: new Float32Array([1, 2, 3, 4, 5, 6]),
    fields: { opt: [new Float32Array([1, 2, 3]), null, new Float32Array([7, 8, 9])], half: [null, null, Uint8Array.of(0, 60, 0, 60)] },
  };
  const back = decodeSegmentFile(encodeSegmentFile(seg));
  assert.equal(back.fields.opt!.map((v) => (v === null ? null : Array.from(v as Float32Array))), [[1, 2, 3], null, [7, 8, 9]]);
  assert.equal(back.fields.half!.map((v) => (v === null ? null : Array.from(v as Uint8Array))), [null, null, [0, 60, 0, 60]]);
  assert.equal(Array.from(presentRows(back.fields.opt, 3)!), [0, 2]);
  const old = decodeSegmentFile(encodeSegmentFile({ ...seg, fields: {} }));
  assert.equal(Array.from(presentRows(old.fields.opt, 3)!), []);
});

/** Every present row's exact top-k by L2. */
function exact(block: Float32Array, dim: number, rows: Int32Array, q: Float32Array, k: number): number[] {
  return searchBlock({ block: { type: 'FloatVector', dim, vectors: block }, count: block.length / dim, metric: 'L2', queries: [q], k, accept: (r) => rows.includes(r) })[0]!.map((h) => h.row);
}

test('an index over some rows: answers name only those rows, by their row numbers, as brute force does; the file round-trips; old files load', async () => {
  const dim = 4, n = 300, flat = new Float32Array(vectors(n, dim, 5).flat());
  const rows = Int32Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 0);
  const q = new Float32Array([0.1, -0.2, 0.3, 0]);
  for (const [name, inner, opts] of [['HNSW', hnswIndexFactory, { ef: 400 }], ['IVF_FLAT', ivfFlatFactory, { nprobe: 64 }]] as const) {
    const factory = rowMapped(inner);
    const index = await factory.build(flat, dim, 'L2', { rows, nlist: 4 });
    assert.is(index.count, rows.length, `${name}: only the present rows`);
    const want = exact(flat, dim, rows, q, 20);
    assert.equal(index.search(q, 20, opts).map((h) => h.row), want, `${name}: the present rows' exact answer`);
    assert.equal(index.search(q, 20, { ...opts, accept: (r) => r % 2 === 0 }).map((h) => h.row), exact(flat, dim, rows.filter((r) => r % 2 === 0), q, 20), `${name}: accept sees segment rows`);
    const loaded = await factory.load(await index.serialize(), dim, 'L2');
    assert.equal(loaded.search(q, 20, opts).map((h) => h.row), want, `${name}: after a round trip`);
    // A file of the inner index (written before row maps, every row indexed) loads as before.
    const plain = await factory.load(await (await inner.build(flat, dim, 'L2', { nlist: 4 })).serialize(), dim, 'L2');
    assert.is(plain.count, n);
    assert.equal(plain.search(q, 5, opts).map((h) => h.row), exact(flat, dim, Int32Array.from({ length: n }, (_, i) => i), q, 5));
  }
  const empty = rowMapped(hnswIndexFactory);
  const none = await empty.load(await (await empty.build(flat, dim, 'L2', { rows: new Int32Array(0) })).serialize(), dim, 'L2');
  assert.equal(none.search(q, 5), [], 'no row has a vector: nothing to find');
});

test.run();

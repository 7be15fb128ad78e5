import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { termFrequencies, termHash, tokenize } from '../../messages/analyzer.js';
import { idf, mergeStats, weightQuery } from '../../messages/bm25.js';
import { NuthatchError } from '../../messages/errors.js';
import { validateSchema, type CollectionSchema, type FieldSchema } from '../../messages/schema.js';
import { decodeSparse, encodeSparse, parseSparse, sparseDot, sparseToObject, type SparseVector } from '../../messages/sparse.js';

/** The standard analyzer, sparse vectors, BM25 counts and the schema rules of BM25 functions. */

test('the standard analyzer lowercases and splits on anything but letters and digits, Unicode included', () => {
  assert.equal(tokenize('Hello, World! hello-world_42 x2'), ['hello', 'world', 'hello', 'world', '42', 'x2']);
  assert.equal(tokenize('Ça coûte 3€ — naïve Straße'), ['ça', 'coûte', '3', 'naïve', 'straße']);
  assert.equal(tokenize('  ...  '), []);
  const tf = termFrequencies('The cat and THE hat');
  assert.equal(sparseToObject(encodeSparse(tf)), { [termHash('the')]: 2, [termHash('cat')]: 1, [termHash('and')]: 1, [termHash('hat')]: 1 });
  // FNV-1a 32 of "a": a fixed hash, so stored rows keep their meaning.
  assert.is(termHash('a'), 0xe40c292c);
});

test('sparse values parse from both forms, sort, drop zeros and refuse what Milvus refuses', () => {
  const a = parseSparse({ '7': 0.5, '2': 1, '9': 0 }, 'v') as SparseVector;
  assert.equal([...a.indices], [2, 7]);
  assert.equal([...a.values], [1, 0.5]);
  const b = parseSparse({ indices: [7, 4294967295], values: [2, 3] }, 'v') as SparseVector;
  assert.equal(sparseToObject(encodeSparse(b)), { '7': 2, '4294967295': 3 });
  assert.equal(decodeSparse(encodeSparse(b)), b);
  assert.is(sparseDot(a, b), 1);
  assert.match(parseSparse({ '1': NaN }, 'v') as string, /non-finite/);
  assert.match(parseSparse({ '-1': 1 }, 'v') as string, /uint32/);
  assert.match(parseSparse({ x: 1 }, 'v') as string, /uint32/);
  assert.match(parseSparse({ indices: [1, 1], values: [1, 2] }, 'v') as string, /twice/);
  assert.match(parseSparse({ indices: [1], values: [1, 2] }, 'v') as string, /one length/);
  assert.match(parseSparse([1, 2], 'v') as string, /must be a sparse vector/);
  assert.match(parseSparse({ '1': 1e39 }, 'v') as string, /non-finite/);
});

test('BM25 weights: idf of summed counts, Lucene form', () => {
  // N = 3, df = 2: ln(1 + 1.5 / 2.5) = ln 1.6.
  assert.ok(Math.abs(idf(3, 2) - 0.47000362924573563) < 1e-15);
  const merged = mergeStats([{ docs: 2, totalLength: 7, df: [1, 0] }, { docs: 1, totalLength: 2, df: [1, 1] }], 2);
  assert.equal(merged, { docs: 3, totalLength: 9, df: [2, 1] });
  const q = { indices: Uint32Array.of(10, 20), values: Float32Array.of(1, 2) };
  const w = weightQuery(q, [10, 20], merged);
  assert.ok(Math.abs(w.weights[0]! - Math.log(1.6)) < 1e-15);
  assert.ok(Math.abs(w.weights[1]! - 2 * Math.log(1 + 2.5 / 1.5)) < 1e-15, 'a query term given twice weighs twice');
});

const base: FieldSchema[] = [
  { name: 'id', dataType: 'Int64', isPrimary: true },
  { name: 'vec', dataType: 'FloatVector', dim: 2 },
  { name: 'text', dataType: 'VarChar', maxLength: 100, enableAnalyzer: true },
  { name: 'sparse', dataType: 'SparseFloatVector' },
];
const fn = { name: 'bm', type: 'BM25' as const, inputFieldNames: ['text'], outputFieldNames: ['sparse'] };
function refused(s: CollectionSchema, says: RegExp): void {
  try { validateSchema(s); } catch (e) {
    assert.instance(e, NuthatchError);
    assert.is((e as NuthatchError).code, 'InvalidArgument');
    assert.match((e as Error).message, says);
    return;
  }
  assert.unreachable(`accepted (${says})`);
}

test('schema: a BM25 function reads an analyzed VarChar and writes a SparseFloatVector; mistakes are refused', () => {
  validateSchema({ fields: base, functions: [fn] });
  validateSchema({ fields: base });
  refused({ fields: base.map((f) => (f.name === 'text' ? { ...f, enableAnalyzer: false } : f)), functions: [fn] }, /enableAnalyzer/);
  refused({ fields: base, functions: [{ ...fn, outputFieldNames: ['vec'] }] }, /must be a SparseFloatVector/);
  refused({ fields: base, functions: [{ ...fn, inputFieldNames: ['nope'] }] }, /does not exist/);
  refused({ fields: base, functions: [{ ...fn, type: 'TEXT_EMBEDDING' as 'BM25' }] }, /supports BM25/);
  refused({ fields: base, functions: [fn, { ...fn, name: 'again' }] }, /output of two functions/);
  refused({ fields: base.map((f) => (f.name === 'sparse' ? { ...f, dim: 8 } : f)) }, /has no dim/);
  refused({ fields: base.map((f) => (f.name === 'id' ? { ...f, enableAnalyzer: true } : f)) }, /enableAnalyzer is a boolean of VarChar/);
  refused({ fields: base.filter((f) => f.name !== 'vec') }, /1 to 4 FloatVector fields, has 0/);
});

test.run();

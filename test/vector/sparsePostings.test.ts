import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { termFrequencies, termHash } from '../../messages/analyzer.js';
import { BM25_DEFAULTS, weightQuery } from '../../messages/bm25.js';
import { encodeSparse } from '../../messages/sparse.js';
import { postingsOf, statsOfPostings } from '../../actors/shared/vector/sparsePostings.js';
import { searchPostings } from '../../actors/shared/vector/sparseSearch.js';

/** The in-memory inverted lists of a sparse column: BM25 and IP scores by hand, counts under MVCC-style acceptance. */

const docs = ['the cat sat', 'the cat cat dog', 'a dog'];
const column = docs.map((d) => encodeSparse(termFrequencies(d)));
const cat = termHash('cat'), dog = termHash('dog');

test('BM25 scores match a hand computation (N 3, avgdl 3, df(cat) 2)', () => {
  const p = postingsOf(column, 3);
  assert.equal([...p.lengths], [3, 4, 2]);
  const stats = statsOfPostings(p, 3, [cat], undefined);
  assert.equal(stats, { docs: 3, totalLength: 9, df: [2] });
  const q = weightQuery(termFrequencies('Cat!'), [cat], stats);
  const hits = searchPostings(p, q, { metric: 'BM25', params: BM25_DEFAULTS, avgdl: 3 }, 10, undefined);
  // d0: idf · 1·2.2/(1 + 1.2·1) = ln 1.6; d1: idf · 2·2.2/(2 + 1.2·1.25) = ln 1.6 · 4.4/3.5. d2 holds no "cat": not a hit.
  assert.equal(hits.map((h) => h.row), [1, 0]);
  assert.ok(Math.abs(hits[0]!.distance - 0.5908617053374963) < 1e-12);
  assert.ok(Math.abs(hits[1]!.distance - 0.47000362924573563) < 1e-12);
});

test('counts and hits leave out rows the read does not accept', () => {
  const p = postingsOf(column, 3);
  const notFirst = (row: number) => row !== 0;
  assert.equal(statsOfPostings(p, 3, [cat, dog], notFirst), { docs: 2, totalLength: 6, df: [1, 2] });
  const q = { indices: Uint32Array.of(cat), weights: Float64Array.of(1) };
  assert.equal(searchPostings(p, q, { metric: 'IP' }, 10, notFirst).map((h) => [h.row, h.distance]), [[1, 2]]);
});

test('plain sparse IP: the dot product over shared indices, best first, top k', () => {
  const rows = [{ '1': 0.5, '3': 2 }, { '3': 1, '9': 4 }, { '2': 7 }].map((o) => encodeSparse({ indices: Uint32Array.from(Object.keys(o).map(Number)), values: Float32Array.from(Object.values(o)) }));
  const p = postingsOf(rows, 3);
  const q = { indices: Uint32Array.of(1, 3, 9), weights: Float64Array.of(2, 1, 0.5) };
  assert.equal(searchPostings(p, q, { metric: 'IP' }, 10, undefined).map((h) => [h.row, h.distance]), [[0, 3], [1, 3]]);
  assert.equal(searchPostings(p, q, { metric: 'IP' }, 1, undefined).length, 1);
});

test.run();

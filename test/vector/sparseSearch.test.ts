/**
 * Pruned sparse top-k (actors/shared/vector/sparseSearch.ts) against scoring
 * every row: the same rows and the same scores, to the last bit, over random
 * Zipf-like corpora, BM25 and IP (negative values too), filters and k; and
 * both against a plain per-row reference computed here.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BM25_DEFAULTS, bm25DocWeight, type QueryTerms } from '../../messages/bm25.js';
import { encodeSparse } from '../../messages/sparse.js';
import { postingsOf } from '../../actors/shared/vector/sparsePostings.js';
import { exhaustive, searchPostings, type SparseScoring } from '../../actors/shared/vector/sparseSearch.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

/** Rows of term counts drawn Zipf-like from `vocab` terms (a few common, many rare), or signed values when `signed`. */
function corpus(n: number, vocab: number, r: () => number, signed: boolean): Uint8Array[] {
  return Array.from({ length: n }, () => {
    const m = new Map<number, number>();
    const len = 1 + Math.floor(r() * 12);
    for (let i = 0; i < len; i++) {
      const t = Math.floor(vocab * r() ** 3);
      m.set(t, signed ? (m.get(t) ?? 0) + (r() - 0.3) : (m.get(t) ?? 0) + 1);
    }
    const kept = [...m].filter(([, v]) => v !== 0).sort((a, b) => a[0] - b[0]);
    return encodeSparse({ indices: Uint32Array.from(kept, (e) => e[0]), values: Float32Array.from(kept, (e) => e[1]) });
  });
}

function query(vocab: number, r: () => number, signed: boolean): QueryTerms {
  const terms = [...new Set(Array.from({ length: 1 + Math.floor(r() * 6) }, () => Math.floor(vocab * r() ** 2)))];
  return { indices: Uint32Array.from(terms), weights: Float64Array.from(terms, () => (signed ? r() - 0.2 : 0.1 + r() * 3)) };
}

/** Each row's score summed row by row, with no lists at all. */
function referenceScore(col: Uint8Array[], q: QueryTerms, scoring: SparseScoring, lengths: Float64Array, row: number): number | undefined {
  const v = new DataView(col[row]!.buffer, col[row]!.byteOffset, col[row]!.byteLength);
  let s = 0, shared = false;
  for (let o = 0; o < v.byteLength; o += 8) {
    const t = v.getUint32(o, true), x = v.getFloat32(o + 4, true);
    const i = q.indices.indexOf(t);
    if (i < 0) continue;
    shared = true;
    s += q.weights[i]! * (scoring.metric === 'IP' ? x : bm25DocWeight(x, lengths[row]!, scoring.avgdl, scoring.params));
  }
  return shared ? s : undefined;
}

for (const [name, signed] of [['BM25', false], ['IP, positive', false], ['IP, signed', true]] as const) {
  test(`${name}: pruned top-k equals scoring every row, over 300 random searches`, () => {
    const r = rng(name.length * 7919);
    for (let round = 0; round < 6; round++) {
      const n = 200 + Math.floor(r() * 3000), vocab = 50 + Math.floor(r() * 400);
      const col = corpus(n, vocab, r, signed);
      const p = postingsOf(col, n);
      let avgdl = 0;
      for (const x of p.lengths) avgdl += x / n;
      const scoring: SparseScoring = name === 'BM25' ? { metric: 'BM25', params: BM25_DEFAULTS, avgdl } : { metric: 'IP' };
      for (let i = 0; i < 50; i++) {
        const q = query(vocab, r, signed);
        const k = [1, 3, 10, 50, 500][Math.floor(r() * 5)]!;
        const mod = 2 + Math.floor(r() * 5);
        const accept = r() < 0.5 ? undefined : (row: number) => row % mod !== 0;
        const want = exhaustive(p, q, scoring, k, accept);
        const got = searchPostings(p, q, scoring, k, accept);
        assert.equal(got, want, `round ${round} search ${i} (k ${k})`);
        const eligible = Array.from({ length: n }, (_, row) => row).filter((row) => (accept ? accept(row) : true) && referenceScore(col, q, scoring, p.lengths, row) !== undefined);
        assert.is(want.length, Math.min(k, eligible.length), 'as many hits as rows sharing a term, up to k');
        const all = eligible.map((row) => referenceScore(col, q, scoring, p.lengths, row)!).sort((a, b) => b - a);
        want.forEach((h, j) => {
          assert.ok(Math.abs(h.distance - referenceScore(col, q, scoring, p.lengths, h.row)!) < 1e-9, 'a hit scores what its row does');
          assert.ok(Math.abs(h.distance - all[j]!) < 1e-9, 'the j-th hit has the j-th best score');
        });
      }
    }
  });
}

test('scratch space is reset between searches of different sizes', () => {
  const small = corpus(10, 5, rng(1), false), big = corpus(500, 20, rng(2), false);
  const q: QueryTerms = { indices: Uint32Array.of(0, 1, 2), weights: Float64Array.of(1, 1, 1) };
  const once = exhaustive(postingsOf(small, 10), q, { metric: 'IP' }, 5, undefined);
  searchPostings(postingsOf(big, 500), q, { metric: 'IP' }, 3, (row) => row % 2 === 0);
  assert.equal(exhaustive(postingsOf(small, 10), q, { metric: 'IP' }, 5, undefined), once);
  assert.equal(searchPostings(postingsOf(small, 10), q, { metric: 'IP' }, 5, undefined), once);
});

test.run();

import { decodeSparse } from '../../../messages/sparse.js';
import { bm25DocWeight, emptyStats, type Bm25Params, type Bm25Stats, type QueryTerms } from '../../../messages/bm25.js';
import type { RowHit } from './bruteForce.js';

/**
 * The inverted lists of a sparse column (pure): term → the rows holding it
 * with their values, and each row's length (the sum of its values: a BM25
 * document's term count). Built in memory the first time a column is
 * searched and kept while the column lives (a growing chunk or a sealed
 * segment: both immutable), so SPARSE_INVERTED_INDEX has no file. Rows
 * sharing no term with a query are never scored, as in Milvus: a sparse
 * search returns only rows with a non-zero score.
 */
export interface SparsePostings {
  lists: Map<number, { rows: Int32Array; values: Float32Array }>;
  lengths: Float64Array;
}

const built = new WeakMap<readonly unknown[], SparsePostings>();

export function postingsOf(column: readonly unknown[] | undefined, count: number): SparsePostings {
  const col = column ?? [];
  const cached = built.get(col);
  if (cached && cached.lengths.length === count) return cached;
  const rows = new Map<number, number[]>(), values = new Map<number, number[]>();
  const lengths = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    const v = col[r];
    if (!(v instanceof Uint8Array)) continue;
    const s = decodeSparse(v);
    for (let i = 0; i < s.indices.length; i++) {
      const t = s.indices[i]!, x = s.values[i]!;
      let rl = rows.get(t);
      if (!rl) { rl = []; rows.set(t, rl); values.set(t, []); }
      rl.push(r); values.get(t)!.push(x);
      lengths[r]! += x;
    }
  }
  const lists = new Map<number, { rows: Int32Array; values: Float32Array }>();
  for (const [t, rl] of rows) lists.set(t, { rows: Int32Array.from(rl), values: Float32Array.from(values.get(t)!) });
  const p = { lists, lengths };
  built.set(col, p);
  return p;
}

/** How a row's value for a term weighs: as is (IP), or BM25's saturated, length-normalised tf. */
export type SparseScoring = { metric: 'IP' } | { metric: 'BM25'; params: Bm25Params; avgdl: number };

/** The best `k` accepted rows by score (Σ over shared terms of query weight × row weight), best first. */
export function searchPostings(p: SparsePostings, q: QueryTerms, scoring: SparseScoring, k: number, accept: ((row: number) => boolean) | undefined): RowHit[] {
  const scores = new Map<number, number>();
  for (let i = 0; i < q.indices.length; i++) {
    const list = p.lists.get(q.indices[i]!);
    if (!list) continue;
    const w = q.weights[i]!;
    for (let j = 0; j < list.rows.length; j++) {
      const row = list.rows[j]!, x = list.values[j]!;
      const dw = scoring.metric === 'IP' ? x : bm25DocWeight(x, p.lengths[row]!, scoring.avgdl, scoring.params);
      scores.set(row, (scores.get(row) ?? 0) + w * dw);
    }
  }
  const hits: RowHit[] = [];
  for (const [row, distance] of scores) if (accept === undefined || accept(row)) hits.push({ row, distance });
  // Ties by row, so a read gives the same order every time.
  return hits.sort((a, b) => b.distance - a.distance || a.row - b.row).slice(0, k);
}

/** BM25 counts of the accepted rows for `terms` (Bm25Stats). */
export function statsOfPostings(p: SparsePostings, count: number, terms: readonly number[], accept: ((row: number) => boolean) | undefined): Bm25Stats {
  const out = emptyStats(terms.length);
  for (let r = 0; r < count; r++) if (accept === undefined || accept(r)) { out.docs++; out.totalLength += p.lengths[r]!; }
  terms.forEach((t, i) => {
    const list = p.lists.get(t);
    if (!list) return;
    let n = 0;
    for (const row of list.rows) if (accept === undefined || accept(row)) n++;
    out.df[i] = n;
  });
  return out;
}

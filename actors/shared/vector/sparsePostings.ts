import { decodeSparse } from '../../../messages/sparse.js';
import { emptyStats, type Bm25Stats } from '../../../messages/bm25.js';

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
  lists: Map<number, PostingList>;
  lengths: Float64Array;
}

/**
 * The rows holding one term (ascending) with their values, and what bounds a
 * row's score for the term (sparseSearch.ts): the largest and smallest value
 * and the shortest row length among them.
 */
export interface PostingList { rows: Int32Array; values: Float32Array; maxValue: number; minValue: number; minLength: number }

function listOf(rows: Int32Array, values: Float32Array, lengths: Float64Array): PostingList {
  let maxValue = -Infinity, minValue = Infinity, minLength = Infinity;
  for (let j = 0; j < rows.length; j++) {
    const x = values[j]!, len = lengths[rows[j]!]!;
    if (x > maxValue) maxValue = x;
    if (x < minValue) minValue = x;
    if (len < minLength) minLength = len;
  }
  return { rows, values, maxValue, minValue, minLength };
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
  const lists = new Map<number, PostingList>();
  for (const [t, rl] of rows) lists.set(t, listOf(Int32Array.from(rl), Float32Array.from(values.get(t)!), lengths));
  const p = { lists, lengths };
  built.set(col, p);
  return p;
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

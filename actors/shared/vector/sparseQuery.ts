import { weightQuery, type QueryTerms } from '../../../messages/bm25.js';
import { NuthatchError } from '../../../messages/errors.js';
import type { SparseQuery } from '../../../messages/rpc/sparseRead.js';
import { decodeSparse, sparseProblem } from '../../../messages/sparse.js';
import type { SparseScoring } from './sparseSearch.js';

/**
 * A shard's reading of a sparse search request (pure): each query's terms
 * with their weights, and how rows are scored: BM25 with the summed counts
 * (idf per term, the mean document length), or the plain dot product.
 */
export function readSparseQuery(q: SparseQuery, nq: number, bm25Field: boolean): { queries: QueryTerms[]; scoring: SparseScoring } {
  if (!Array.isArray(q.queries) || q.queries.length !== nq) throw new NuthatchError('InvalidArgument', `a sparse search needs ${nq} query vectors`);
  q.queries.forEach((v, i) => { const p = sparseProblem(v, `sparse query ${i}`); if (p) throw new NuthatchError('InvalidArgument', p); });
  const vectors = q.queries.map(decodeSparse);
  if (!bm25Field) return { queries: vectors.map((v) => ({ indices: v.indices, weights: Float64Array.from(v.values) })), scoring: { metric: 'IP' } };
  const b = q.bm25;
  if (!b || !Array.isArray(b.terms) || !Array.isArray(b.stats?.df) || b.stats.df.length !== b.terms.length) throw new NuthatchError('InvalidArgument', 'a BM25 search needs the collection-wide counts of its terms');
  const { stats } = b;
  return {
    queries: vectors.map((v) => weightQuery(v, b.terms, stats)),
    scoring: { metric: 'BM25', params: { k1: b.k1, b: b.b }, avgdl: stats.docs > 0 ? stats.totalLength / stats.docs : 0 },
  };
}

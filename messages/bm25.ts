import type { SparseVector } from './sparse.js';

/**
 * BM25 scoring (pure), Milvus's and Lucene's form:
 *   score(q, d) = Σ_t qtf(t) · idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·|d|/avgdl))
 *   idf(t)      = ln(1 + (N − df + 0.5) / (df + 0.5))
 * where tf is the term's count in d, |d| the document's term count and N, df,
 * avgdl collection-wide: every shard counts its live rows at the read TSO
 * (round one), the client sums the counts, and every shard scores with the
 * sums (round two), so scores of two shards or segments compare.
 */
export const BM25_DEFAULTS = { k1: 1.2, b: 0.75 } as const;
export interface Bm25Params { k1: number; b: number }

/** Counts of one shard (or segment) for some terms; they add up. */
export interface Bm25Stats {
  /** Live documents. */
  docs: number;
  /** Their summed lengths (term counts). */
  totalLength: number;
  /** Documents holding each asked term, in the order asked. */
  df: number[];
}

export function emptyStats(terms: number): Bm25Stats { return { docs: 0, totalLength: 0, df: new Array<number>(terms).fill(0) }; }

/** The sum of several shards' counts for the same terms. */
export function mergeStats(parts: readonly Bm25Stats[], terms: number): Bm25Stats {
  const out = emptyStats(terms);
  for (const p of parts) {
    out.docs += p.docs; out.totalLength += p.totalLength;
    for (let i = 0; i < terms; i++) out.df[i]! += p.df[i] ?? 0;
  }
  return out;
}

export function idf(docs: number, df: number): number { return Math.log(1 + (docs - df + 0.5) / (df + 0.5)); }

/**
 * A query's term counts weighted by idf: the vector shards score documents
 * against with `bm25DocWeight`. `terms` are the indices `stats.df` counts.
 */
export function weightQuery(q: SparseVector, terms: readonly number[], stats: Bm25Stats): QueryTerms {
  const dfOf = new Map(terms.map((t, i) => [t, stats.df[i] ?? 0]));
  return { indices: q.indices, weights: Float64Array.from(q.indices, (t, i) => q.values[i]! * idf(stats.docs, dfOf.get(t) ?? 0)) };
}

/** A query as shards score with it: term indices and their weights (float64, so BM25 sums stay exact). */
export interface QueryTerms { indices: Uint32Array; weights: Float64Array }

/** A document's weight for a term it holds `tf` times. */
export function bm25DocWeight(tf: number, docLength: number, avgdl: number, p: Bm25Params): number {
  const norm = avgdl > 0 ? 1 - p.b + (p.b * docLength) / avgdl : 1;
  return (tf * (p.k1 + 1)) / (tf + p.k1 * norm);
}

import { tokenize } from '../../messages/analyzer.js';

/**
 * BM25 (k1 1.2, b 0.75) of a query over documents by id (each a row's terms;
 * [] for a row with none), idf and mean length counted over all of them: the
 * scores a full-text search must rank by.
 */
export function bm25Reference(docs: ReadonlyMap<number, readonly string[]>, query: string): Map<number, number> {
  const avgdl = [...docs.values()].reduce((n, d) => n + d.length, 0) / docs.size;
  const scores = new Map<number, number>();
  for (const term of tokenize(query)) {
    const df = [...docs.values()].filter((d) => d.includes(term)).length;
    const idf = Math.log(1 + (docs.size - df + 0.5) / (df + 0.5));
    for (const [id, d] of docs) {
      const tf = d.filter((t) => t === term).length;
      if (tf === 0) continue;
      scores.set(id, (scores.get(id) ?? 0) + idf * ((tf * 2.2) / (tf + 1.2 * (1 - 0.75 + (0.75 * d.length) / avgdl))));
    }
  }
  return scores;
}

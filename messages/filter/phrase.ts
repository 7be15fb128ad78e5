/**
 * Milvus's PHRASE_MATCH (Tantivy's, and Lucene's, sloppy phrase), pure: a
 * text matches when each of the phrase's terms can be given a position of its
 * own in the text so that the offsets (position minus the term's place in
 * the phrase) spread over at most `slop`. Slop 0 is the exact phrase; 1 lets
 * one word come between; 2 also lets two adjacent terms swap.
 */
export function phraseMatches(tokens: readonly string[], phrase: readonly string[], slop: number): boolean {
  if (phrase.length === 0) return false;
  const at = new Map<string, number[]>();
  tokens.forEach((t, p) => { const l = at.get(t); if (l) l.push(p); else at.set(t, [p]); });
  const lists: number[][] = [];
  for (const term of phrase) {
    const l = at.get(term);
    if (!l) return false;
    lists.push(l);
  }
  return best(lists, phrase.length, 0, new Set(), Infinity, -Infinity, slop);
}

/**
 * Whether terms from `i` on can take positions (not yet taken) keeping the
 * spread of offsets within `slop`. A depth-first search that gives up on a
 * branch as soon as its spread is too wide: phrases are a few terms, and
 * every offset must lie within `slop` of the first, so few branches live.
 */
function best(lists: number[][], n: number, i: number, taken: Set<number>, lo: number, hi: number, slop: number): boolean {
  if (i === n) return true;
  for (const p of lists[i]!) {
    if (taken.has(p)) continue;
    const off = p - i, nlo = Math.min(lo, off), nhi = Math.max(hi, off);
    if (nhi - nlo > slop) continue;
    taken.add(p);
    const ok = best(lists, n, i + 1, taken, nlo, nhi, slop);
    taken.delete(p);
    if (ok) return true;
  }
  return false;
}

import { ValidationError } from '../../../messages/errors.js';
import { likeRuns } from '../../../messages/filter/like.js';
import type { GramRange, IndexedShape } from './scalarIndexTypes.js';
import type { SortedIndex } from './sortedIndex.js';

/**
 * NGRAM indexes (Milvus 2.6): every substring of a row's text of min_gram to
 * max_gram characters (Unicode code points, case kept, spaces and
 * punctuation included), with the rows holding it. Kept as the one sorted
 * (value, row) layout (sortedIndex.ts), values the grams, one entry per
 * distinct gram of a row. It only narrows a `like` to the rows holding the
 * grams of the pattern's literal runs; the `like` itself is always checked
 * after (indexPlan.ts). Pure: no I/O.
 */

/** The largest max_gram (nuthatch's limit, Milvus has none): the file keeps a gram length in a byte, and grams cost rows x range. */
export const MAX_GRAM_LIMIT = 255;

/**
 * min_gram and max_gram of an NGRAM index's params, checked as Milvus checks
 * them (both given, integers, 0 < min_gram <= max_gram), as numbers.
 */
export function gramRangeOf(params: Readonly<Record<string, unknown>>): GramRange {
  const { min_gram: minText, max_gram: maxText } = params;
  if (minText === undefined || maxText === undefined) throw new ValidationError('NGRAM index must specify both min_gram and max_gram', { field: 'params' });
  const min = integerOf('min_gram', minText), max = integerOf('max_gram', maxText);
  if (min <= 0 || max <= 0 || min > max) throw new ValidationError(`invalid min_gram or max_gram value for NGRAM index, min_gram: ${min}, max_gram: ${max} (0 < min_gram <= max_gram)`, { field: 'params' });
  if (max > MAX_GRAM_LIMIT) throw new ValidationError(`max_gram of an NGRAM index is at most ${MAX_GRAM_LIMIT}, got ${max}`, { field: 'params.max_gram' });
  return { min, max };
}

function integerOf(name: string, v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new ValidationError(`${name} for NGRAM index must be an integer, got: ${String(v)}`, { field: `params.${name}` });
  return n;
}

/** The distinct grams of `text`: every run of min..max code points. */
export function gramsOf(text: string, range: GramRange): Set<string> {
  const cps = Array.from(text), out = new Set<string>();
  for (let n = range.min; n <= range.max && n <= cps.length; n++) {
    for (let i = 0; i + n <= cps.length; i++) out.add(cps.slice(i, i + n).join(''));
  }
  return out;
}

/**
 * The index of a column of strings (undefined and null rows hold nothing;
 * absent column: every row null). Rows are visited in order, so each gram's
 * rows come out ascending; only the distinct grams are sorted.
 */
export function buildNgramIndex(column: ArrayLike<unknown> | undefined, rowCount: number, shape: IndexedShape, range: GramRange): SortedIndex {
  const postings = new Map<string, number[]>();
  for (let row = 0; column && row < rowCount; row++) {
    const v = column[row];
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string') throw new ValidationError(`row ${row} holds ${JSON.stringify(v)}, not a string`);
    for (const g of gramsOf(v, range)) {
      const rows = postings.get(g);
      if (rows) rows.push(row); else postings.set(g, [row]);
    }
  }
  const grams = [...postings.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let n = 0;
  for (const g of grams) n += postings.get(g)!.length;
  const values = new Array<string>(n), rows = new Int32Array(n);
  let at = 0;
  for (const g of grams) for (const r of postings.get(g)!) { values[at] = g; rows[at++] = r; }
  return { ...shape, kind: 'string', elements: true, grams: range, rowCount, values, rows };
}

/**
 * The grams every string matching a `like` pattern holds, for an index of
 * `range`: of each literal run at least min_gram long, the run itself when
 * it is at most max_gram, else each of its max_gram windows. Null when no
 * run is long enough (the index cannot narrow the pattern). A run with a
 * lone surrogate is left out: `like` matches it by UTF-16 unit inside a
 * pair, where the code-point grams do not see it.
 */
export function likeGrams(pattern: string, range: GramRange): string[] | null {
  const out = new Set<string>();
  for (const run of likeRuns(pattern)) {
    if (/[\uD800-\uDFFF]/u.test(run)) continue;
    const cps = Array.from(run);
    if (cps.length < range.min) continue;
    if (cps.length <= range.max) { out.add(run); continue; }
    for (let i = 0; i + range.max <= cps.length; i++) out.add(cps.slice(i, i + range.max).join(''));
  }
  return out.size === 0 ? null : [...out];
}

import { compileFilter, type CompiledFilter } from '../../../messages/filter/evaluate.js';
import { fieldDefaults, type CollectionSchema } from '../../../messages/schema.js';
import { planFilter, type IndexTerm } from '../../shared/scalarIndex/indexPlan.js';
import type { SortedIndex } from '../../shared/scalarIndex/sortedIndex.js';

/** A read's filter on a segment with scalar indexes: the candidates' term, and what they must still pass (null: nothing). */
export interface SegmentPlan { term: IndexTerm; residual: CompiledFilter | null }

/** The plan of a read's filter over a segment's scalar indexes by field, or null when they do not narrow it. */
export type FilterPlanner = (indexes: ReadonlyMap<string, SortedIndex>) => SegmentPlan | null;

/**
 * Plans a read's filter once per set of indexed fields: the segments of a
 * read mostly have the same indexes (one differs while its build is under
 * way), and compiling a residual is the costly part.
 */
export function filterPlanner(filter: CompiledFilter, schema: CollectionSchema): FilterPlanner {
  const plans = new Map<string, SegmentPlan | null>();
  const defaults = fieldDefaults(schema);
  return (all) => {
    const indexes = usable(all, defaults);
    if (indexes.size === 0) return null;
    // An NGRAM index's gram lengths shape its plan: a segment built before the index was made again may differ.
    const key = [...indexes].map(([f, ix]) => (ix.grams ? `${f}\u0001${ix.grams.min}-${ix.grams.max}` : f)).sort().join('\u0000');
    let plan = plans.get(key);
    if (plan === undefined) {
      const p = planFilter(filter.expr, (f) => indexes.get(f));
      plan = p && { term: p.term, residual: p.residual && compileFilter(p.residual, schema) };
      plans.set(key, plan);
    }
    return plan;
  };
}

/**
 * The indexes a plan may use: not one of a field with a default that holds no
 * entry for some rows (rows written before the field was added), since those
 * rows read as the default, which the index does not know. An NGRAM index
 * cannot tell such rows from short texts, so it is not used on such a field.
 */
function usable(indexes: ReadonlyMap<string, SortedIndex>, defaults: ReadonlyMap<string, unknown>): ReadonlyMap<string, SortedIndex> {
  if (defaults.size === 0) return indexes;
  const out = new Map(indexes);
  for (const [f, ix] of indexes) if (defaults.has(f) && (ix.grams || (!ix.elements && ix.rows.length < ix.rowCount))) out.delete(f);
  return out;
}

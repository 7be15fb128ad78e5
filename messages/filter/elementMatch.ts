/**
 * The row test of a StructArray element operator (element_filter, MATCH_*): how
 * many of a row's elements pass the inner condition, compiled once against the
 * element schema (`$[sub]` columns). The condition is bound once, to scratch
 * columns that each row's elements are copied into (a bound predicate reads
 * its columns at call time), so a row costs no allocation and no binding.
 */
import type { Column, CompiledFilter, RowPredicate } from './evaluate.js';

type Element = Readonly<Record<string, unknown>>;

/**
 * `c`: the StructArray column (each row a list of element objects, or null);
 * `enough(m, n)`: whether m of n elements passing satisfies the operator.
 */
export function elementMatchRows(c: Column | null, inner: CompiledFilter, enough: (m: number, n: number) => boolean, negated: boolean): RowPredicate {
  if (!c) { const none = enough(0, 0) !== negated; return () => none; }
  const subs = inner.fields.map((n) => n.slice(2, -1));
  const scratch = subs.map((): unknown[] => []);
  const p = inner.bind(Object.fromEntries(inner.fields.map((n, j) => [n, scratch[j]!])));
  return (i) => {
    const els = (c[i] ?? []) as readonly Element[];
    for (let j = 0; j < subs.length; j++) {
      const col = scratch[j]!, sub = subs[j]!;
      col.length = els.length;
      for (let k = 0; k < els.length; k++) col[k] = els[k]![sub];
    }
    let m = 0;
    for (let k = 0; k < els.length; k++) if (p(k)) m++;
    return enough(m, els.length) !== negated;
  };
}

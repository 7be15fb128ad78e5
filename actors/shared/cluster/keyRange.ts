/**
 * A sealed segment's range of its collection's clustering key (KeyRange,
 * pure): the least and greatest non-null value it holds, ordered as the filter evaluator
 * orders them (JS `<` on numbers, on strings by UTF-16 code units), so a
 * range test agrees with the filter row by row. Nulls and NaN are left out:
 * no comparison holds for them, so they never make a segment match.
 */
import type { KeyRange } from '../../../messages/rpc/records.js';
export type { KeyRange };

/** Whether a value takes part in a range (a number that is not NaN, or a string). */
export function rangeable(v: unknown): v is number | string {
  return (typeof v === 'number' && !Number.isNaN(v)) || typeof v === 'string';
}

/** The range of a column's values; undefined when none is rangeable (every value null, or no rows). */
export function rangeOf(values: readonly unknown[], count = values.length): KeyRange | undefined {
  let min: number | string | undefined, max: number | string | undefined;
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (!rangeable(v)) continue;
    if (min === undefined || v < min) min = v;
    if (max === undefined || v > max) max = v;
  }
  return min === undefined ? undefined : { min, max: max! };
}

/** The smallest range holding both (a merge of segments); undefined when either is unknown, since its rows could hold anything. */
export function unionRange(a: KeyRange | undefined, b: KeyRange | undefined): KeyRange | undefined {
  if (!a || !b || typeof a.min !== typeof b.min) return undefined;
  return { min: a.min < b.min ? a.min : b.min, max: a.max > b.max ? a.max : b.max };
}

/** Orders two key values as the filter does; null and NaN sort first, so a sort by key groups them. */
export function compareKeys(a: unknown, b: unknown): number {
  const ra = rangeable(a), rb = rangeable(b);
  if (!ra || !rb) return ra === rb ? 0 : ra ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

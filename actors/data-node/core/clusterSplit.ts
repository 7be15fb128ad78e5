import { compareKeys } from '../../shared/cluster/keyRange.js';

/**
 * Where clustering compaction cuts a partition's rows, sorted by the
 * clustering key (pure): into about `ceil(n / targetRows)` groups of equal
 * size (the key's quantiles), each cut moved forward past any run of equal
 * keys, so no key value (nor null) spans two groups and the groups' ranges
 * are disjoint. Returns the first row index of every group but the first,
 * ascending; empty for one group.
 */
export function splitPoints(sortedKeys: readonly unknown[], targetRows: number): number[] {
  const n = sortedKeys.length;
  if (!(targetRows >= 1)) throw new RangeError(`targetRows must be at least 1, got ${targetRows}`);
  const groups = Math.ceil(n / targetRows);
  const cuts: number[] = [];
  for (let g = 1; g < groups; g++) {
    let at = Math.max(Math.round((g * n) / groups), (cuts.at(-1) ?? 0) + 1);
    while (at < n && compareKeys(sortedKeys[at - 1], sortedKeys[at]) === 0) at++;
    if (at >= n) break;
    cuts.push(at);
  }
  return cuts;
}

/** Row order by key (nulls first), ties by primary key then insert order, so a rewrite is deterministic. */
export function orderByKey(keys: readonly unknown[], pks: readonly (number | string)[]): number[] {
  const order = Array.from({ length: keys.length }, (_, i) => i);
  return order.sort((a, b) => compareKeys(keys[a], keys[b]) || (pks[a]! < pks[b]! ? -1 : pks[a]! > pks[b]! ? 1 : 0) || a - b);
}

import { tsoAddMs, type Tso } from '../../../messages/types.js';
import { valueExpired, type FieldExpiry } from '../../../messages/entityTtl.js';

/**
 * Row expiry (a collection's TTL): a row inserted at TSO t has expired for a
 * read at r when t is more than `ttlSeconds` before r. Measured from the read,
 * not the clock, so a read at a TSO answers the same whenever it runs.
 * Returns the TSO below which rows are expired, or undefined when none are.
 */
export function expiredBelow(readTso: Tso, ttlSeconds: number | undefined): Tso | undefined {
  if (!ttlSeconds) return undefined;
  const t = tsoAddMs(readTso, -ttlSeconds * 1000);
  return t > 0n ? t : undefined;
}

/** Least value of a column (a stored null read as `nullAs`; Infinity when none): memoized per column, segments being immutable. */
const columnMins = new WeakMap<readonly unknown[], Map<number | undefined, number>>();
function columnMin(col: readonly unknown[], nullAs: number | undefined): number {
  let byNull = columnMins.get(col);
  if (!byNull) columnMins.set(col, byNull = new Map());
  let min = byNull.get(nullAs);
  if (min === undefined) {
    min = Infinity;
    for (const v of col) {
      const t = v === null || v === undefined ? nullAs : v;
      if (typeof t === 'number' && t < min) min = t;
    }
    byNull.set(nullAs, min);
  }
  return min;
}

/**
 * Entity-level TTL on a block of rows (a growing chunk, a sealed segment):
 * a test that says whether a row has expired by one of `rules`
 * (messages/entityTtl.ts), or undefined when no row can have — no rule, or
 * every value of the rules' fields is later than their times (judged from
 * the column's least value when `immutable`). `tsoOf` is a row's write TSO.
 */
export function entityExpiry(fields: Readonly<Record<string, readonly unknown[] | undefined>>, tsoOf: (row: number) => Tso, rules: readonly FieldExpiry[] | undefined, immutable = false): ((row: number) => boolean) | undefined {
  if (!rules || rules.length === 0) return undefined;
  const live = rules.filter((x) => {
    const col = fields[x.field];
    // A column the rows lack (a field added after them) reads null: its default, if any.
    if (!col) return x.nullAs !== undefined && x.nullAs <= x.atUs;
    return !immutable || columnMin(col, x.nullAs) <= x.atUs;
  });
  if (live.length === 0) return undefined;
  return (row) => {
    for (const x of live) {
      if (x.writtenBefore !== undefined && tsoOf(row) >= x.writtenBefore) continue;
      if (valueExpired(fields[x.field]?.[row], x.atUs, x.nullAs)) return true;
    }
    return false;
  };
}

/**
 * The next time a row of a block expires by the active ttl_field rule (the
 * one without `writtenBefore`): the least value later than the rule's time,
 * or null when none is (every value NULL, or none left). Compaction keeps it
 * on the segment record, so the segment is looked at again only once it has passed.
 */
export function nextExpiryUs(fields: Readonly<Record<string, readonly unknown[] | undefined>>, count: number, rules: readonly FieldExpiry[] | undefined): number | null {
  const rule = rules?.find((x) => x.writtenBefore === undefined);
  if (!rule) return null;
  const col = fields[rule.field];
  let next = Infinity;
  for (let r = 0; r < count; r++) {
    const v = col?.[r];
    const t = v === null || v === undefined ? rule.nullAs : v;
    if (typeof t === 'number' && t > rule.atUs && t < next) next = t;
  }
  return next === Infinity ? null : next;
}

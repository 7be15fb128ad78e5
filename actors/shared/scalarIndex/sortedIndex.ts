import { ValidationError } from '../../../messages/errors.js';
import type { IndexedShape, ValueKind } from './scalarIndexTypes.js';
import type { RTree } from './rtree.js';

/**
 * A scalar index of one segment column: every non-null (value, row) pair,
 * sorted by value and then row. Equality, `in` and ranges are binary searches
 * that give runs of entries; every scalar index type is this one layout.
 * Values order as the filter orders them: numbers numerically, strings by
 * UTF-16 code unit (`<`, never localeCompare), booleans false before true.
 * An Array field's index holds one entry per distinct element of each row's
 * list. Pure: no I/O.
 */
export interface SortedIndex extends IndexedShape {
  /** Rows of the segment; entry rows lie in 0..rowCount-1. */
  rowCount: number;
  /** Entry values, ascending: strings, or numbers (booleans as 0 and 1). */
  values: Float64Array | readonly string[];
  /** Entry rows, ascending among entries of one value (an RTREE's: its leaves' rows, in tree order). */
  rows: Int32Array;
  /** An RTREE index's tree (rtree.ts); its `values` are empty. */
  tree?: RTree;
}

/** A value as the index keys it: booleans as 0 and 1. */
export type Key = number | string;

/** The key of a filter value for an index of `kind`, or undefined when no entry of that kind can equal it. */
export function keyOf(kind: ValueKind, v: unknown): Key | undefined {
  if (kind === 'bool') return typeof v === 'boolean' ? Number(v) : undefined;
  if (kind === 'number') return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  return typeof v === 'string' ? v : undefined;
}

/**
 * Builds the index of a column (absent: every row null). A value of another
 * kind than the field's is a ValidationError: segment columns are checked on
 * insert, so it means the column is not the field's.
 */
export function buildSortedIndex(column: ArrayLike<unknown> | undefined, rowCount: number, shape: IndexedShape): SortedIndex {
  const keys: Key[] = [], rows: number[] = [];
  const add = (v: unknown, row: number) => {
    if (v === null || v === undefined) return;
    const k = keyOf(shape.kind, v);
    if (k === undefined) throw new ValidationError(`row ${row} holds ${JSON.stringify(v)}, not a ${shape.kind} value`);
    keys.push(k); rows.push(row);
  };
  for (let row = 0; column && row < rowCount; row++) {
    const v = column[row];
    if (!shape.elements) { add(v, row); continue; }
    if (v === null || v === undefined) continue;
    if (!Array.isArray(v)) throw new ValidationError(`row ${row} holds ${JSON.stringify(v)}, not a list`);
    for (const x of new Set(v)) add(x, row);
  }
  const order = Int32Array.from(keys, (_, i) => i);
  order.sort((a, b) => compareKeys(keys[a]!, keys[b]!) || rows[a]! - rows[b]!);
  const sortedRows = Int32Array.from(order, (i) => rows[i]!);
  const values = shape.kind === 'string' ? Array.from(order, (i) => keys[i] as string) : Float64Array.from(order, (i) => keys[i] as number);
  return { ...shape, rowCount, values, rows: sortedRows };
}

export function compareKeys(a: Key, b: Key): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The first entry whose value is at or above `k` (`strict`: above it). */
export function boundOf(ix: SortedIndex, k: Key, strict: boolean): number {
  const values = ix.values as ArrayLike<Key>;
  let lo = 0, hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = values[mid]!;
    if (v < k || (strict && v === k)) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** A run of entries, [start, end). */
export type Run = readonly [number, number];

/** The entries whose value is one of `keys`, as runs in value order. */
export function equalRuns(ix: SortedIndex, keys: readonly Key[]): Run[] {
  const out: Run[] = [];
  for (const k of [...new Set(keys)].sort(compareKeys)) {
    const start = boundOf(ix, k, false), end = boundOf(ix, k, true);
    if (end > start) out.push([start, end]);
  }
  return out;
}

/** The entries whose value is none of `keys`: the gaps between their runs. */
export function otherRuns(ix: SortedIndex, keys: readonly Key[]): Run[] {
  const out: Run[] = [];
  let at = 0;
  for (const [start, end] of equalRuns(ix, keys)) {
    if (start > at) out.push([at, start]);
    at = end;
  }
  if (at < ix.rows.length) out.push([at, ix.rows.length]);
  return out;
}

/** One end of a range. */
export interface Bound { key: Key; inclusive: boolean }

/** The entries between `lower` and `upper` (either absent: unbounded on that side). */
export function rangeRun(ix: SortedIndex, lower?: Bound, upper?: Bound): Run {
  const start = lower ? boundOf(ix, lower.key, !lower.inclusive) : 0;
  const end = upper ? boundOf(ix, upper.key, upper.inclusive) : ix.rows.length;
  return [start, Math.max(start, end)];
}

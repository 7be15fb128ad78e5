/**
 * The rows a bound predicate can tell apart from the rest. A leaf on a
 * shredded JSON path kept as *shared* (shreddedJson.ts) knows the only rows
 * that hold the path; on every other row its test sees "missing", so its
 * answer there is one constant. A predicate carrying a support
 * `{ rows, outside }` answers `outside` on every row not in `rows`, so a scan
 * need call it only on `rows` (and count the others wholesale) instead of on
 * every row of the segment.
 *
 * Supports combine through `and`/`or` exactly: an `and` with a part false
 * outside its rows is false outside them (the intersection, for several such
 * parts); an `or` of parts each false outside their rows is false outside the
 * union; and dually for parts true outside their rows. Any other combination
 * has no support and is scanned row by row, as before.
 */
import type { RowPredicate } from './evaluate.js';

/** Rows (ascending, distinct) outside which the predicate answers `outside`. */
export interface RowSupport { readonly rows: Int32Array; readonly outside: boolean }

const supports = new WeakMap<RowPredicate, RowSupport>();

/** Records `s` as the support of `p`; returns `p`. */
export function withSupport(p: RowPredicate, s: RowSupport): RowPredicate {
  supports.set(p, s);
  return p;
}

/** The support of a bound predicate, if it has one. */
export const supportOf = (p: RowPredicate): RowSupport | undefined => supports.get(p);

/**
 * The support of a conjunction (`and`) of predicates, or with `conj` false of
 * a disjunction (`or`). A part whose outside answer is the absorbing one
 * (false for `and`, true for `or`) decides every row outside its rows; else,
 * when every part has the neutral outside answer, so does the whole outside
 * the union of their rows.
 */
export function combinedSupport(parts: readonly RowPredicate[], conj: boolean): RowSupport | undefined {
  const absorbing = !conj;
  let decisive: Int32Array | undefined, allHave = true;
  const neutral: Int32Array[] = [];
  for (const p of parts) {
    const s = supports.get(p);
    if (s === undefined) allHave = false;
    else if (s.outside === absorbing) decisive = decisive === undefined ? s.rows : intersect(decisive, s.rows);
    else neutral.push(s.rows);
  }
  if (decisive !== undefined) return { rows: decisive, outside: absorbing };
  if (allHave && neutral.length > 0) return { rows: neutral.reduce(union), outside: !absorbing };
  return undefined;
}

/** The rows in [0, count) where `p` holds, ascending; only the support's rows are tested when `p` has one. */
export function matchingRows(p: RowPredicate, count: number): number[] {
  const s = supports.get(p), out: number[] = [];
  if (s === undefined) { for (let i = 0; i < count; i++) if (p(i)) out.push(i); return out; }
  const { rows } = s;
  if (!s.outside) { for (let j = 0; j < rows.length; j++) { const i = rows[j]!; if (i < count && p(i)) out.push(i); } return out; }
  let j = 0;
  for (let i = 0; i < count; i++) {
    if (j < rows.length && rows[j] === i) { j++; if (p(i)) out.push(i); } else out.push(i);
  }
  return out;
}

/** How many rows in [0, count) `p` holds on; only the support's rows are tested when `p` has one. */
export function countMatching(p: RowPredicate, count: number): number {
  const s = supports.get(p);
  let n = 0;
  if (s === undefined) { for (let i = 0; i < count; i++) if (p(i)) n++; return n; }
  const { rows } = s;
  let inside = 0;
  for (let j = 0; j < rows.length; j++) { const i = rows[j]!; if (i < count) { inside++; if (p(i)) n++; } }
  return s.outside ? n + (count - inside) : n;
}

/** Rows in both ascending lists. */
function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let i = 0, j = 0, n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!, y = b[j]!;
    if (x === y) { out[n++] = x; i++; j++; } else if (x < y) i++; else j++;
  }
  return out.subarray(0, n);
}

/** Rows in either ascending list. */
function union(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0, j = 0, n = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i]! : Infinity, y = j < b.length ? b[j]! : Infinity;
    if (x === y) { out[n++] = x; i++; j++; } else if (x < y) { out[n++] = x; i++; } else { out[n++] = y; j++; }
  }
  return out.subarray(0, n);
}

/**
 * Run-time value semantics shared by the compiled predicates. A filter uses
 * three-valued logic: a test on a null or missing value is *unknown*, and a row
 * matches only when the whole filter is *true*. So `a > 1`, `not (a > 1)` and
 * `a != 1` are all false for a row whose `a` is null.
 *
 * - Equality (`==`, `!=`, `in`) is defined for any two non-null scalars; scalars of
 *   different kinds are unequal (a JSON `"1"` is not `1`). Objects and arrays are unknown.
 * - Ordering is defined only number-to-number and string-to-string (UTF-16 order);
 *   anything else is unknown.
 * - Arithmetic yields null unless both sides are numbers and the result is finite.
 * - `like` is unknown unless the value is a string.
 */
import type { ArithOp, CompareOp } from './ast.js';

/** Whether `v` is a value equality is defined on: a number, string or boolean. */
export const isScalar = (v: unknown): v is number | string | boolean =>
  typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';

/** Reads a JSON path; a missing key, a wrong container or an inherited property gives undefined. */
export function jsonGet(v: unknown, path: readonly (string | number)[]): unknown {
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    if (typeof k === 'number') { v = Array.isArray(v) ? v[k] : undefined; continue; }
    if (Array.isArray(v) || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/**
 * jsonGet for one path of object keys, unrolled for the common depths. A key
 * Object.prototype lacks reads as a plain property (undefined when absent), so
 * the own-key check jsonGet makes is needed only for keys like `constructor`.
 */
export function jsonPathReader(path: readonly (string | number)[]): (v: unknown) => unknown {
  const plain = path.every((k) => typeof k === 'string' && !(k in Object.prototype));
  if (!plain) return (v) => jsonGet(v, path);
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const [a, b] = path as string[];
  if (path.length === 1) return (v) => (isObj(v) ? v[a!] : undefined);
  if (path.length === 2) return (v) => { if (!isObj(v)) return undefined; const x = v[a!]; return isObj(x) ? x[b!] : undefined; };
  return (v) => jsonGet(v, path);
}

/** Whether `a op b` is definitely true; unknown counts as false. */
export function holds(op: CompareOp, a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  switch (op) {
    case '==': return isScalar(a) && isScalar(b) && a === b;
    case '!=': return isScalar(a) && isScalar(b) && a !== b;
  }
  const ta = typeof a;
  if (ta !== typeof b || (ta !== 'number' && ta !== 'string')) return false;
  const x = a as number, y = b as number;
  switch (op) {
    case '<': return x < y;
    case '<=': return x <= y;
    case '>': return x > y;
    default: return x >= y;
  }
}

/** The comparison that is true exactly when `op` is false, for comparable operands. */
export const NEGATE: Record<CompareOp, CompareOp> = { '==': '!=', '!=': '==', '<': '>=', '<=': '>', '>': '<=', '>=': '<' };

/** Evaluates arithmetic; `integer` truncates division, as Milvus does for integer fields. */
export function arith(op: ArithOp, a: unknown, b: unknown, integer: boolean): number | null {
  if (typeof a !== 'number' || typeof b !== 'number') return null;
  let r: number;
  switch (op) {
    case '+': r = a + b; break;
    case '-': r = a - b; break;
    case '*': r = a * b; break;
    case '/': r = integer ? Math.trunc(a / b) : a / b; break;
    default: r = a % b;
  }
  return Number.isFinite(r) ? r : null;
}

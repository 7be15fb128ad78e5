/**
 * Row predicates over a shredded JSON path (shreddedJson.ts). A leaf of a
 * filter is a test of one value (`v > 10`, `v in [..]`, `v like "a%"`, ...);
 * over a shredded path the test runs once per distinct string (a table by
 * dictionary code), once for each boolean and once for "missing", and only
 * numbers are tested per row, so the answer is the generic one by
 * construction: the same test applied to the same values.
 */
import type { CompareOp } from './ast.js';
import { TAG, bit, bitmapOf, type ShreddedPath } from './shreddedJson.js';
import { jsonGet, jsonPathReader } from './values.js';
import { withSupport } from './rowSupport.js';

/** A leaf test of the value a path reads (undefined: missing or null). */
export type ValueTest = (v: unknown) => boolean;
/** A comparison with a literal, for closures that compare numbers without calling the test. */
export interface LiteralCompare { op: CompareOp; k: unknown }

/** Row `i` matches `test` at the path; `column` (the rows) serves what the shredded form does not hold. */
export function shreddedPredicate(sp: ShreddedPath, column: ArrayLike<unknown>, path: readonly (string | number)[], test: ValueTest, cmp?: LiteralCompare): (i: number) => boolean {
  const miss = test(undefined);
  const numeric = cmp !== undefined && typeof cmp.k === 'number' ? cmp as { op: CompareOp; k: number } : undefined;
  switch (sp.kind) {
    case 'typed': {
      if (sp.type === 'number') return numeric ? typedNumberCompare(numeric.op, numeric.k, sp.present, sp.values, miss) : typedNumbers(sp.present, sp.values, test, miss);
      if (sp.type === 'string') {
        const { codes } = sp, ok = stringTable(sp.dict, test);
        return (i) => { const c = codes[i]!; return c >= 0 ? ok[c] === 1 : miss; };
      }
      const { present, values } = sp, t = test(true), f = test(false);
      return (i) => (bit(present, i) ? (bit(values, i) ? t : f) : miss);
    }
    case 'dynamic': {
      const { tags, numbers, codes } = sp, ok = stringTable(sp.dict, test);
      const fixed = new Uint8Array(6);
      fixed[TAG.absent] = +miss; fixed[TAG.true] = +test(true); fixed[TAG.false] = +test(false);
      const num = numeric ? numberTest(numeric.op, numeric.k) : test;
      return (i) => {
        const t = tags[i]!;
        if (t === TAG.number) return num(numbers[i]);
        if (t === TAG.string) return ok[codes[i]!] === 1;
        if (t === TAG.other) return test(jsonGet(column[i], path));
        return fixed[t] === 1;
      };
    }
    default: {
      // Only the rows holding the path are read; the rest are "missing", so the predicate's support
      // (rowSupport.ts) is those rows: a scan jumps to them. The bitmap serves calls on any other row.
      let has: Uint8Array | undefined;
      const rows = sp.rows;
      const get = jsonPathReader(path);
      const p = (i: number): boolean => ((has ??= bitmapOf(rows, column.length)), bit(has, i) ? test(get(column[i])) : miss);
      return withSupport(p, { rows, outside: miss });
    }
  }
}

/** The test's answer for each dictionary string, by code. */
function stringTable(dict: readonly string[], test: ValueTest): Uint8Array {
  const ok = new Uint8Array(dict.length);
  for (let c = 0; c < dict.length; c++) ok[c] = +test(dict[c]);
  return ok;
}

function typedNumbers(present: Uint8Array, values: Float64Array | Int32Array, test: ValueTest, miss: boolean): (i: number) => boolean {
  return (i) => (bit(present, i) ? test(values[i]) : miss);
}

/** `x op k` for a number x: the comparison holds() makes for two numbers. */
function numberTest(op: CompareOp, k: number): (x: unknown) => boolean {
  switch (op) {
    case '==': return (x) => x === k;
    case '!=': return (x) => x !== k;
    case '<': return (x) => (x as number) < k;
    case '<=': return (x) => (x as number) <= k;
    case '>': return (x) => (x as number) > k;
    default: return (x) => (x as number) >= k;
  }
}

/** The hot path: a typed number column against a number literal, one closure an operator. */
function typedNumberCompare(op: CompareOp, k: number, p: Uint8Array, v: Float64Array | Int32Array, miss: boolean): (i: number) => boolean {
  switch (op) {
    case '==': return (i) => ((p[i >>> 3]! & (1 << (i & 7))) !== 0 ? v[i] === k : miss);
    case '!=': return (i) => ((p[i >>> 3]! & (1 << (i & 7))) !== 0 ? v[i] !== k : miss);
    case '<': return (i) => ((p[i >>> 3]! & (1 << (i & 7))) !== 0 ? v[i]! < k : miss);
    case '<=': return (i) => ((p[i >>> 3]! & (1 << (i & 7))) !== 0 ? v[i]! <= k : miss);
    case '>': return (i) => ((p[i >>> 3]! & (1 << (i & 7))) !== 0 ? v[i]! > k : miss);
    default: return (i) => ((p[i >>> 3]! & (1 << (i & 7))) !== 0 ? v[i]! >= k : miss);
  }
}


/**
 * Builders of one shredded path (messages/filter/shreddedJson.ts), fed each
 * row's non-null value at the path in one pass over the rows
 * (jsonShredding.ts shredColumn), so shredding costs one walk of the rows
 * whatever the number of paths.
 */
import { TAG, bitmapOf, type ShreddedPath } from '../../../messages/filter/shreddedJson.js';

/** Takes row `i`'s value (never null) at the path; `finish` gives the shredded path. */
export interface PathBuilder { put(i: number, v: unknown): void; finish(): ShreddedPath }

/** What a builder needs to know of the path: its class, and for numbers whether Int32Array holds them. */
export type BuildPlan = { kind: 'typed'; type: 'number' | 'string' | 'bool'; int32: boolean } | { kind: 'dynamic'; numbers: boolean; strings: boolean } | { kind: 'shared' };

/** A builder for a column of `n` rows. */
export function pathBuilder(plan: BuildPlan, n: number): PathBuilder {
  if (plan.kind === 'shared') {
    const rows: number[] = [];
    return { put: (i) => { rows.push(i); }, finish: () => ({ kind: 'shared', rows: Int32Array.from(rows) }) };
  }
  const dict: string[] = [], codeOf = new Map<string, number>();
  const code = (x: string): number => { let c = codeOf.get(x); if (c === undefined) { c = dict.length; dict.push(x); codeOf.set(x, c); } return c; };
  if (plan.kind === 'typed') {
    if (plan.type === 'string') {
      const codes = new Int32Array(n).fill(-1);
      return { put: (i, v) => { codes[i] = code(v as string); }, finish: () => ({ kind: 'typed', type: 'string', codes, dict }) };
    }
    const present = bitmapOf([], n);
    const mark = (bits: Uint8Array, i: number) => { bits[i >>> 3]! |= 1 << (i & 7); };
    if (plan.type === 'number') {
      const values = plan.int32 ? new Int32Array(n) : new Float64Array(n);
      return { put: (i, v) => { values[i] = v as number; mark(present, i); }, finish: () => ({ kind: 'typed', type: 'number', present, values }) };
    }
    const truths = bitmapOf([], n);
    return { put: (i, v) => { mark(present, i); if (v === true) mark(truths, i); }, finish: () => ({ kind: 'typed', type: 'bool', present, values: truths }) };
  }
  const tags = new Uint8Array(n);
  const numbers = new Float64Array(plan.numbers ? n : 0), codes = new Int32Array(plan.strings ? n : 0);
  return {
    put: (i, v) => {
      switch (typeof v) {
        case 'number': tags[i] = TAG.number; numbers[i] = v; break;
        case 'string': tags[i] = TAG.string; codes[i] = code(v); break;
        case 'boolean': tags[i] = v ? TAG.true : TAG.false; break;
        default: tags[i] = TAG.other;
      }
    },
    finish: () => ({ kind: 'dynamic', tags, numbers, codes, dict }),
  };
}

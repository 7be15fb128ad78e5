/**
 * Filter templating (Milvus's `filter_params`): `age > {min} and id in {ids}`
 * with the values given beside the text. A value becomes literals as the
 * parser reads the text, so a template and the text written out give the same
 * tree, and a long `in` list costs no parsing of its digits. Pure.
 */
import { filterError, type LiteralNode } from './ast.js';
import { LIMITS } from '../schema.js';

/** Values of a filter template's parameters, by name. */
export type FilterParams = Record<string, unknown>;

export const PARAM_LIMITS = {
  /** Values in one list parameter (as many rows as one insert may carry). */
  maxListValues: LIMITS.maxBatchRows,
  /** Characters of one string value. */
  maxStringLength: LIMITS.maxVarCharLength,
} as const;

/** The value of `{name}`; an unknown name is refused (a typo must not select every row). */
export function paramValue(params: FilterParams | undefined, name: string, pos: number): unknown {
  if (!params || !Object.prototype.hasOwnProperty.call(params, name)) throw filterError(`template parameter {${name}} has no value in filter params`, pos);
  return params[name];
}

/** One scalar value as a literal: a finite number (an integer must be safe), a string or a boolean. */
export function scalarLiteral(v: unknown, name: string, pos: number): LiteralNode {
  if (typeof v === 'bigint') {
    if (v < BigInt(Number.MIN_SAFE_INTEGER) || v > BigInt(Number.MAX_SAFE_INTEGER)) throw filterError(`template parameter {${name}}: integer ${v} is outside the safe integer range`, pos);
    return { kind: 'literal', type: 'int', value: Number(v), pos };
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw filterError(`template parameter {${name}}: ${v} is not a finite number`, pos);
    if (Number.isInteger(v) && !Number.isSafeInteger(v)) throw filterError(`template parameter {${name}}: integer ${v} is outside the safe integer range`, pos);
    return { kind: 'literal', type: Number.isInteger(v) ? 'int' : 'float', value: v, pos };
  }
  if (typeof v === 'string') {
    if (v.length > PARAM_LIMITS.maxStringLength) throw filterError(`template parameter {${name}}: a string longer than ${PARAM_LIMITS.maxStringLength}`, pos);
    return { kind: 'literal', type: 'string', value: v, pos };
  }
  if (typeof v === 'boolean') return { kind: 'literal', type: 'bool', value: v, pos };
  throw filterError(`template parameter {${name}} must be a number, string or boolean here, got ${describeValue(v)}`, pos);
}

/** A list value as literals (for `in` and the array functions). */
export function listLiterals(v: unknown, name: string, pos: number): LiteralNode[] {
  if (!Array.isArray(v)) throw filterError(`template parameter {${name}} must be a list here, got ${describeValue(v)}`, pos);
  if (v.length > PARAM_LIMITS.maxListValues) throw filterError(`template parameter {${name}} holds more than ${PARAM_LIMITS.maxListValues} values`, pos);
  return v.map((x) => scalarLiteral(x, name, pos));
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : typeof v;
}

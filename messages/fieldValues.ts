import { parseWkt } from './geometry/wkt.js';
import { structArrayProblem } from './structArray.js';
import { varCharLengthProblem } from './utf8Length.js';
import type { DataType, ElementType, FieldSchema } from './fieldTypes.js';

/** The range of each integer type; Int64 keeps to safe integers, as JavaScript numbers carry them. */
const INT_RANGE: Partial<Record<DataType, [number, number]>> = {
  Int8: [-128, 127], Int16: [-32768, 32767], Int32: [-2147483648, 2147483647],
  Int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** Checks that a value fits a scalar field; returns an error text or null. */
export function scalarProblem(f: FieldSchema, v: unknown): string | null {
  if (v === null || v === undefined) return f.nullable ? null : v === null ? `field '${f.name}' is null, but it is not nullable` : `field '${f.name}' is missing`;
  if (f.dataType === 'Array') return arrayProblem(f, v);
  return valueProblem(`field '${f.name}'`, f.dataType, f.maxLength, v);
}

/** Checks a non-null value of `type`; `what` names it in the error text. */
export function valueProblem(what: string, type: DataType, maxLength: number | undefined, v: unknown): string | null {
  switch (type) {
    case 'Bool': return typeof v === 'boolean' ? null : `${what} must be a boolean`;
    case 'Float': case 'Double':
      return typeof v === 'number' && Number.isFinite(v) ? null : `${what} must be a finite number`;
    case 'VarChar':
      if (typeof v !== 'string') return `${what} must be a string`;
      return varCharLengthProblem(what, v, maxLength!);
    case 'JSON': return null;
    case 'Geometry': {
      const g = parseWkt(v);
      return typeof g === 'string' ? `${what} ${g}` : null;
    }
    case 'Timestamptz':
      return typeof v === 'number' && Number.isSafeInteger(v) ? null : `${what} must be a Timestamptz: integer microseconds since the epoch, as stored`;
    default: {
      const r = INT_RANGE[type];
      if (r && (typeof v !== 'number' || !Number.isInteger(v) || v < r[0] || v > r[1])) return `${what} must be an ${type} integer`;
      return null;
    }
  }
}

/** A value as an error shows it: JSON, cut short. */
function shown(x: unknown): string {
  const text = typeof x === 'number' || typeof x === 'bigint' ? String(x) : JSON.stringify(x) ?? String(x);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** An Array value: a list of at most maxCapacity elements, none null, each of the element type. */
function arrayProblem(f: FieldSchema, v: unknown): string | null {
  if (f.elementType === 'Struct') return structArrayProblem(f, v);
  if (!Array.isArray(v)) return `Array field '${f.name}' must be a list, got ${shown(v)}`;
  if (v.length > f.maxCapacity!) return `Array field '${f.name}' holds ${v.length} elements, more than its max_capacity ${f.maxCapacity}`;
  for (let i = 0; i < v.length; i++) {
    const what = `element [${i}] of Array field '${f.name}'`;
    const x: unknown = v[i];
    if (x === null || x === undefined) return `${what} is null; elements cannot be null`;
    const p = valueProblem(what, f.elementType as ElementType, f.maxLength, x);
    if (p) return `${p}, got ${shown(x)}`;
  }
  return null;
}

import { NuthatchError, ValidationError } from '../../messages/index.js';
import { describe } from './JsonReader.js';

/**
 * Checks one vector from JSON and returns it as float32. JSON has no NaN, but a
 * client can send strings ("NaN"), nulls, nested lists or objects in its place,
 * and a number such as 1e39 is finite in JSON yet Infinity once stored as
 * float32: each is refused with the index of the first bad element.
 */
export function vectorFrom(v: unknown, path: string, dim?: number): Float32Array {
  if (!Array.isArray(v)) throw new ValidationError(`'${path}' must be a list of numbers (a vector), got ${describe(v)}`, { field: path });
  if (v.length === 0) throw new ValidationError(`'${path}' must not be an empty vector`, { field: path });
  if (dim !== undefined && v.length !== dim) throw dimensionError(path, v.length, dim);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number') throw new ValidationError(`'${path}[${i}]' must be a number, got ${describe(x)}`, { field: `${path}[${i}]` });
    out[i] = x;
    if (!Number.isFinite(out[i]!)) throw new ValidationError(`'${path}[${i}]' = ${x} is out of the float32 range`, { field: `${path}[${i}]` });
  }
  return out;
}

/** The error for a vector of the wrong length: it does not fit the collection (SchemaMismatch). */
export function dimensionError(path: string, got: number, dim: number): NuthatchError {
  return new NuthatchError('SchemaMismatch', `'${path}' has ${got} numbers, but the vector field has dimension ${dim}`, { field: path });
}

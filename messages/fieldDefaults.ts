import { ValidationError } from './errors.js';
import { parseTimestamptz } from './timestamptz.js';
import { ELEMENT_TYPES, type CollectionSchema, type DefaultValue, type FieldSchema } from './fieldTypes.js';
import { valueProblem } from './fieldValues.js';

/**
 * Milvus's rules for a default value: only the plain scalar types (those an
 * Array may hold; not JSON, Array or vectors), not the primary key, and the
 * default must itself be a value the field accepts.
 */
export function checkDefaultValue(f: FieldSchema): void {
  const v: unknown = f.defaultValue;
  if (v === undefined || v === null) return;
  const field = { field: f.name };
  if (f.isPrimary) throw new ValidationError(`primary key '${f.name}' cannot have a default value`, field);
  if (!(ELEMENT_TYPES as readonly string[]).includes(f.dataType) && f.dataType !== 'Timestamptz' && f.dataType !== 'Geometry') throw new ValidationError(`field '${f.name}' is ${f.dataType} and cannot have a default value; only ${ELEMENT_TYPES.join(', ')}, Timestamptz and Geometry fields can`, field);
  const what = `the default value of field '${f.name}'`;
  // A Timestamptz default may be ISO text until the coordinator stores it as microseconds, in the collection's zone (timestamptzFields.ts).
  if (f.dataType === 'Timestamptz' && typeof v === 'string') {
    const t = parseTimestamptz(v);
    if (typeof t === 'string') throw new ValidationError(`${what}: ${t}`, field);
    return;
  }
  const problem = valueProblem(what, f.dataType, f.maxLength, v);
  if (problem) throw new ValidationError(problem, field);
  // Milvus keeps a Float default as a float32 and the gateway refuses Float values past its range: so must a default.
  if (f.dataType === 'Float' && !Number.isFinite(Math.fround(v as number))) throw new ValidationError(`${what} ${String(v)} is out of the float32 range`, field);
}

/**
 * A row's value for a field: its default when the row omits it or gives null,
 * whether or not the field is nullable (Milvus's rule); else the value as given.
 */
export function withDefault(f: FieldSchema, v: unknown): unknown {
  return v === undefined || v === null ? f.defaultValue ?? v : v;
}

/**
 * The default of every field that has one. A stored null of such a field is
 * its default: writes never store null there (withDefault), so a null is a
 * row written before the field was added (messages/addedField.ts), and reads
 * show it the default, as Milvus does.
 */
export function fieldDefaults(s: CollectionSchema): ReadonlyMap<string, DefaultValue> {
  const out = new Map<string, DefaultValue>();
  for (const f of s.fields) if (f.defaultValue !== undefined && f.defaultValue !== null) out.set(f.name, f.defaultValue);
  return out;
}

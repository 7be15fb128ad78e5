import { warmupValue, type Warmup } from './collectionProperties.js';
import { ValidationError } from './errors.js';
import { LIMITS, type CollectionSchema, type FieldSchema } from './schema.js';

/**
 * A field's limits changed on a live collection (Milvus's
 * alter_collection_field), pure. Only what nuthatch checks can change:
 * `max_length` of a VarChar field or of an Array of VarChar's elements, and
 * `max_capacity` of an Array field. Both are write-time limits: rows are
 * checked against the limit in force at their TSO (the vchannel machine folds
 * the change at the TSO of its WAL message), and stored rows are never
 * re-checked: a lowered limit leaves longer values already written as they
 * are, readable, as Milvus does. And `warmup` (Milvus 2.6.11's field-level
 * warm-up, any field): read by tiered-storage query nodes at load, so it is
 * kept in the collection's record alone (no shard sees it) and refused while
 * the collection is loaded, as Milvus refuses it.
 */
export interface FieldParams {
  maxLength?: number;
  maxCapacity?: number;
  warmup?: Warmup;
}

/** Milvus's keys for the params nuthatch takes, and what they set. */
const KEYS = { max_length: 'maxLength', max_capacity: 'maxCapacity', warmup: 'warmup' } as const;
/** Keys Milvus takes that nuthatch refuses rather than store and ignore. */
const MMAP_KEYS = ['mmap.enabled', 'mmap_enabled'];

/**
 * Reads Milvus's `field_params` (`{max_length: 1024}`; the Java SDK sends
 * `"1024"`): integers, or strings of one; `warmup` is `sync` or `disable`.
 * Throws ValidationError for an empty set, an unknown key, mmap (nuthatch
 * keeps no memory-mapped files, so the setting would do nothing), or a value
 * that is not an integer in range or a warm-up.
 */
export function parseFieldParams(raw: unknown): FieldParams {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ValidationError('fieldParams must be an object of field params, e.g. {"max_length": 1024}', { field: 'fieldParams' });
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) throw new ValidationError('fieldParams names no param: give max_length, max_capacity or warmup', { field: 'fieldParams' });
  const out: FieldParams = {};
  for (const [key, value] of entries) {
    if (MMAP_KEYS.includes(key)) throw new ValidationError(`'${key}' is refused: nuthatch keeps no memory-mapped field data, so the setting would be stored and do nothing`, { field: `fieldParams.${key}` });
    if (!(key in KEYS)) throw new ValidationError(`unknown field param '${key}' (nuthatch alters max_length, max_capacity and warmup)`, { field: `fieldParams.${key}` });
    const name = KEYS[key as keyof typeof KEYS];
    if (name === 'warmup') { out.warmup = warmupValue(value, 'fieldParams.warmup'); continue; }
    out[name] = integerIn(value, 1, name === 'maxLength' ? LIMITS.maxVarCharLength : LIMITS.maxArrayCapacity, key);
  }
  return out;
}

function integerIn(v: unknown, min: number, max: number, key: string): number {
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw new ValidationError(`${key} must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`, { field: `fieldParams.${key}` });
  return n;
}

/** Why `params` cannot apply to field `fieldName` of `schema`, or null. */
export function alteredFieldProblem(schema: CollectionSchema, fieldName: string, params: FieldParams): string | null {
  const f = schema.fields.find((x) => x.name === fieldName);
  if (!f) return `the collection has no field '${fieldName}' (its fields: ${schema.fields.map((x) => x.name).join(', ')})`;
  if (params === null || typeof params !== 'object') return 'field params must be an object';
  const unknown = Object.keys(params).find((k) => k !== 'maxLength' && k !== 'maxCapacity' && k !== 'warmup');
  if (unknown !== undefined) return `unknown field param '${unknown}' (nuthatch alters max_length, max_capacity and warmup)`;
  if (params.maxLength === undefined && params.maxCapacity === undefined && params.warmup === undefined) return 'no field param to change';
  if (params.warmup !== undefined && params.warmup !== 'sync' && params.warmup !== 'disable') return `warmup must be sync or disable, got ${JSON.stringify(params.warmup)}`;
  // A key field's limits are fixed; its warm-up (how a query node loads it) is not.
  if (params.maxLength === undefined && params.maxCapacity === undefined) return null;
  if (f.isPrimary) return `field '${fieldName}' is the primary key: its properties are fixed at creation`;
  if (f.isPartitionKey) return `field '${fieldName}' is the partition key: it is fixed at creation`;
  if (params.maxLength !== undefined) {
    const strings = f.dataType === 'VarChar' || (f.dataType === 'Array' && f.elementType === 'VarChar');
    if (!strings) return `max_length is for VarChar fields and Arrays of VarChar, and '${fieldName}' is ${f.dataType === 'Array' ? `an Array of ${f.elementType}` : f.dataType}`;
    if (!inRange(params.maxLength, LIMITS.maxVarCharLength)) return `max_length must be an integer in 1..${LIMITS.maxVarCharLength}`;
  }
  if (params.maxCapacity !== undefined) {
    if (f.dataType !== 'Array') return `max_capacity is for Array fields, and '${fieldName}' is ${f.dataType}`;
    if (!inRange(params.maxCapacity, LIMITS.maxArrayCapacity)) return `max_capacity must be an integer in 1..${LIMITS.maxArrayCapacity}`;
  }
  return null;
}

const inRange = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;

/** The field with the params laid over it. */
export function alterField(f: FieldSchema, params: FieldParams): FieldSchema {
  return {
    ...f, ...(params.maxLength !== undefined ? { maxLength: params.maxLength } : {}), ...(params.maxCapacity !== undefined ? { maxCapacity: params.maxCapacity } : {}),
    ...(params.warmup !== undefined ? { warmup: params.warmup } : {}),
  };
}

/** The schema with the field altered; throws ValidationError when it cannot be. */
export function withAlteredField(schema: CollectionSchema, fieldName: string, params: FieldParams): CollectionSchema {
  const problem = alteredFieldProblem(schema, fieldName, params);
  if (problem) throw new ValidationError(problem, { field: fieldName });
  return { ...schema, fields: schema.fields.map((f) => (f.name === fieldName ? alterField(f, params) : f)) };
}

/** Whether the params would leave the field as it is. */
export function changesNothing(schema: CollectionSchema, fieldName: string, params: FieldParams): boolean {
  const f = schema.fields.find((x) => x.name === fieldName);
  return f !== undefined && (params.maxLength ?? f.maxLength) === f.maxLength && (params.maxCapacity ?? f.maxCapacity) === f.maxCapacity && (params.warmup ?? f.warmup) === f.warmup;
}

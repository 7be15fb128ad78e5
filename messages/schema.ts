import { ValidationError } from './errors.js';

/** Field data types, named as Milvus names them. */
export const DataType = {
  Bool: 'Bool', Int8: 'Int8', Int16: 'Int16', Int32: 'Int32', Int64: 'Int64',
  Float: 'Float', Double: 'Double', VarChar: 'VarChar', JSON: 'JSON', FloatVector: 'FloatVector',
} as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

export const MetricType = { L2: 'L2', IP: 'IP', COSINE: 'COSINE' } as const;
export type MetricType = (typeof MetricType)[keyof typeof MetricType];

export interface FieldSchema {
  name: string;
  dataType: DataType;
  isPrimary?: boolean;
  autoId?: boolean;
  /** FloatVector only. */
  dim?: number;
  /** VarChar only. */
  maxLength?: number;
  nullable?: boolean;
}

export interface CollectionSchema {
  fields: FieldSchema[];
  /** Unknown keys of inserted rows go into a hidden JSON field `$meta`. */
  enableDynamicField?: boolean;
  description?: string;
}

export const LIMITS = {
  maxDim: 32768,
  maxFields: 64,
  maxVarCharLength: 65535,
  maxNameLength: 255,
  maxShards: 16,
  /** Rows per insert message; a larger batch is refused, never truncated. */
  maxBatchRows: 100_000,
  /** Bytes per encoded WAL message. */
  maxMessageBytes: 64 * 1024 * 1024,
  maxTopK: 16384,
} as const;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INT_RANGE: Partial<Record<DataType, [number, number]>> = {
  Int8: [-128, 127], Int16: [-32768, 32767], Int32: [-2147483648, 2147483647],
  Int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** Checks a name of a collection, partition, field or index. */
export function checkName(kind: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw new ValidationError(`${kind} name must be a non-empty string`);
  if (name.length > LIMITS.maxNameLength) throw new ValidationError(`${kind} name is longer than ${LIMITS.maxNameLength}`);
  if (!NAME.test(name)) throw new ValidationError(`${kind} name '${name}' may hold only letters, digits and '_', and must not start with a digit`);
  return name;
}

/** Validates a collection schema: one primary key, one float vector, unique names. */
export function validateSchema(s: CollectionSchema): CollectionSchema {
  if (!s || !Array.isArray(s.fields) || s.fields.length === 0) throw new ValidationError('schema must have fields');
  if (s.fields.length > LIMITS.maxFields) throw new ValidationError(`schema has more than ${LIMITS.maxFields} fields`);
  const seen = new Set<string>();
  let primary = 0, vectors = 0;
  for (const f of s.fields) {
    checkName('field', f.name);
    if (seen.has(f.name)) throw new ValidationError(`duplicate field name '${f.name}'`, { field: f.name });
    seen.add(f.name);
    if (!Object.values(DataType).includes(f.dataType)) throw new ValidationError(`field '${f.name}' has unknown data type '${String(f.dataType)}'`);
    if (f.isPrimary) {
      primary++;
      if (f.dataType !== 'Int64' && f.dataType !== 'VarChar') throw new ValidationError(`primary key '${f.name}' must be Int64 or VarChar`);
      if (f.nullable) throw new ValidationError('the primary key cannot be nullable');
      if (f.autoId && f.dataType !== 'Int64') throw new ValidationError('autoId needs an Int64 primary key');
    } else if (f.autoId) throw new ValidationError(`autoId is only for the primary key, not '${f.name}'`);
    if (f.dataType === 'FloatVector') {
      vectors++;
      if (!Number.isInteger(f.dim) || f.dim! < 1 || f.dim! > LIMITS.maxDim) throw new ValidationError(`vector field '${f.name}' needs an integer dim in 1..${LIMITS.maxDim}`);
      if (f.nullable) throw new ValidationError('a vector field cannot be nullable');
    }
    if (f.dataType === 'VarChar') {
      if (!Number.isInteger(f.maxLength) || f.maxLength! < 1 || f.maxLength! > LIMITS.maxVarCharLength) throw new ValidationError(`VarChar field '${f.name}' needs max_length in 1..${LIMITS.maxVarCharLength}`);
    }
  }
  if (primary !== 1) throw new ValidationError(`schema needs exactly one primary key field, has ${primary}`);
  if (vectors !== 1) throw new ValidationError(`schema needs exactly one FloatVector field, has ${vectors}`);
  return s;
}

export function primaryField(s: CollectionSchema): FieldSchema { return s.fields.find((f) => f.isPrimary)!; }
export function vectorField(s: CollectionSchema): FieldSchema { return s.fields.find((f) => f.dataType === 'FloatVector')!; }
export function scalarFields(s: CollectionSchema): FieldSchema[] { return s.fields.filter((f) => !f.isPrimary && f.dataType !== 'FloatVector'); }

/** A primary key value. Int64 keys are safe integers. */
export type PrimaryKey = number | string;

/** Rows of one insert, columnar: vectors are one Float32Array of count * dim. */
export interface Rows {
  count: number;
  pks: PrimaryKey[];
  vectors: Float32Array;
  /** One column per scalar field (and `$meta` for dynamic fields). */
  fields: Record<string, unknown[]>;
}

/** Checks that a value fits a scalar field; returns an error text or null. */
export function scalarProblem(f: FieldSchema, v: unknown): string | null {
  if (v === null || v === undefined) return f.nullable ? null : `field '${f.name}' is missing`;
  switch (f.dataType) {
    case 'Bool': return typeof v === 'boolean' ? null : `field '${f.name}' must be a boolean`;
    case 'Float': case 'Double':
      return typeof v === 'number' && Number.isFinite(v) ? null : `field '${f.name}' must be a finite number`;
    case 'VarChar':
      if (typeof v !== 'string') return `field '${f.name}' must be a string`;
      return v.length <= f.maxLength! ? null : `field '${f.name}' is longer than max_length ${f.maxLength}`;
    case 'JSON': return null;
    default: {
      const r = INT_RANGE[f.dataType];
      if (r && (typeof v !== 'number' || !Number.isInteger(v) || v < r[0] || v > r[1])) return `field '${f.name}' must be an ${f.dataType} integer`;
      return null;
    }
  }
}

/** Validates columnar rows against a schema: the payload invariant of Insert. */
export function rowsProblem(s: CollectionSchema, rows: Rows): string | null {
  if (!Number.isInteger(rows.count) || rows.count < 1) return 'an insert needs at least one row';
  if (rows.count > LIMITS.maxBatchRows) return `an insert holds at most ${LIMITS.maxBatchRows} rows, got ${rows.count}`;
  const pk = primaryField(s), vf = vectorField(s);
  if (!Array.isArray(rows.pks) || rows.pks.length !== rows.count) return 'primary key column length differs from row count';
  const seen = new Set<PrimaryKey>();
  for (const k of rows.pks) {
    if (pk.dataType === 'Int64' ? !(typeof k === 'number' && Number.isSafeInteger(k)) : typeof k !== 'string') return `primary key '${pk.name}' must be ${pk.dataType === 'Int64' ? 'an Int64 (safe integer)' : 'a string'}`;
    if (typeof k === 'string' && k.length > (pk.maxLength ?? LIMITS.maxVarCharLength)) return `primary key is longer than max_length ${pk.maxLength}`;
    if (seen.has(k)) return `duplicate primary key ${JSON.stringify(k)} in one batch`;
    seen.add(k);
  }
  if (!(rows.vectors instanceof Float32Array) || rows.vectors.length !== rows.count * vf.dim!) return `vector field '${vf.name}' needs ${rows.count} x ${vf.dim} floats`;
  for (let i = 0; i < rows.vectors.length; i++) if (!Number.isFinite(rows.vectors[i]!)) return `vector field '${vf.name}' holds a NaN or Infinity at row ${Math.floor(i / vf.dim!)}`;
  const known = new Set(s.fields.map((f) => f.name));
  for (const name of Object.keys(rows.fields)) {
    if (name === '$meta' && s.enableDynamicField) continue;
    if (!known.has(name) || name === pk.name || name === vf.name) return `unknown field '${name}'`;
  }
  for (const f of scalarFields(s)) {
    const col = rows.fields[f.name];
    if (col === undefined) { if (f.nullable) continue; return `field '${f.name}' is missing`; }
    if (!Array.isArray(col) || col.length !== rows.count) return `field '${f.name}' column length differs from row count`;
    for (const v of col) { const p = scalarProblem(f, v); if (p) return p; }
  }
  return null;
}

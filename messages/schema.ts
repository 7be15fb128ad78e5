import { ANALYZER_VERSION, checkAnalyzerParams, type AnalyzerParams } from './text/analyzerParams.js';
import { checkMultiAnalyzerParams } from './text/multiAnalyzer.js';
import { ValidationError } from './errors.js';
import { checkFunctions, type FunctionSchema } from './schemaFunctions.js';
import { sparseProblem } from './sparse.js';
import { isPackedVectorType, storedProblem, type PackedVectorType } from './packedVectors.js';
import { parseTimestamptz } from './timestamptz.js';
import { parseWkt } from './geometry/wkt.js';
import { checkStructArrayField, structArrayProblem, structVectorCount, type StructSubField } from './structArray.js';

/** Field data types, named as Milvus names them. */
export const DataType = {
  Bool: 'Bool', Int8: 'Int8', Int16: 'Int16', Int32: 'Int32', Int64: 'Int64',
  Float: 'Float', Double: 'Double', VarChar: 'VarChar', JSON: 'JSON', Array: 'Array', FloatVector: 'FloatVector',
  SparseFloatVector: 'SparseFloatVector',
  Float16Vector: 'Float16Vector', BFloat16Vector: 'BFloat16Vector', BinaryVector: 'BinaryVector', Int8Vector: 'Int8Vector',
  /** An instant: ISO 8601 text in and out, stored as integer microseconds since the epoch, UTC (messages/timestamptz.ts). */
  Timestamptz: 'Timestamptz',
  /** A planar geometry: WKT in and out, kept as canonical WKT text (messages/geometry/wkt.ts, geometryFields.ts). */
  Geometry: 'Geometry',
} as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

/** What an Array field may hold: any scalar type but JSON (Milvus's rule); arrays do not nest. */
export const ELEMENT_TYPES = ['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double', 'VarChar'] as const;
export type ElementType = (typeof ELEMENT_TYPES)[number];

/**
 * BM25 is only for the output of a BM25 function (messages/schemaFunctions.ts);
 * L2 and COSINE only for dense fields; HAMMING, JACCARD and MHJACCARD (MinHash
 * signatures, actors/shared/vector/minhashDistance.ts) only for BinaryVector.
 */
export const MetricType = { L2: 'L2', IP: 'IP', COSINE: 'COSINE', BM25: 'BM25', HAMMING: 'HAMMING', JACCARD: 'JACCARD', MHJACCARD: 'MHJACCARD' } as const;
export type MetricType = (typeof MetricType)[keyof typeof MetricType];
/** The metrics of float fields (FloatVector, the halves, Int8Vector), and so of a collection. */
export const FLOAT_METRICS: readonly MetricType[] = ['L2', 'IP', 'COSINE'];
/** The metrics of BinaryVector fields. */
export const BINARY_METRICS: readonly MetricType[] = ['HAMMING', 'JACCARD', 'MHJACCARD'];

export interface FieldSchema {
  name: string;
  dataType: DataType;
  isPrimary?: boolean;
  autoId?: boolean;
  /** Dense vector fields only (FloatVector and the packed types); a multiple of 8 for BinaryVector. */
  dim?: number;
  /** VarChar, and Array of VarChar (the length of each element). */
  maxLength?: number;
  /** Array only: the type of every element; 'Struct' makes an Array of Structs (messages/structArray.ts). */
  elementType?: ElementType | 'Struct';
  /** Array of Structs only: the fields every Struct element holds. */
  structFields?: StructSubField[];
  /** Array only: the most elements a value holds. */
  maxCapacity?: number;
  nullable?: boolean;
  /**
   * Bool, Int*, Float, Double, VarChar, Timestamptz (ISO text as given,
   * stored as integer microseconds: timestamptzDefaults) and Geometry (WKT,
   * written to rows in canonical form: geometryFields.ts), never the primary key: what a
   * row that omits the field, or gives null for it, holds instead. Filled in
   * where rows are checked, before they reach the WAL; null means no default.
   */
  defaultValue?: DefaultValue | null;
  /**
   * Int64 or VarChar, never the primary key nor nullable, at most one field:
   * rows are spread over the collection's `_default_<i>` partitions by a hash
   * of this value, and a filter that pins it reads only their partitions.
   */
  isPartitionKey?: boolean;
  /**
   * Int8, Int16, Int32, Int64, Float, Double or VarChar, at most one field
   * (Milvus's clustering key): clustering compaction rewrites a partition's
   * sealed segments so each holds a contiguous range of it, and a filter that
   * constrains it skips segments whose range cannot match (actors/shared/cluster/clusterPrune.ts).
   */
  isClusteringKey?: boolean;
  /** VarChar only: the text is analyzed (messages/analyzer.ts), so a BM25 function may read it. */
  enableAnalyzer?: boolean;
  /** With enableAnalyzer: the analyzer (Milvus's analyzer_params, messages/text/analyzerParams.ts); absent: the standard one. Fixed at creation. */
  analyzerParams?: AnalyzerParams;
  /** With enableAnalyzer, instead of analyzerParams: Milvus's multi_analyzer_params (messages/text/multiAnalyzer.ts). Fixed at creation. */
  multiAnalyzerParams?: AnalyzerParams;
  /**
   * The analyzer revision (text/analyzerParams.ts ANALYZER_VERSION) the field
   * was created with, recorded by the coordinator: its stored BM25 rows hold
   * hashes of that revision's terms. Absent on fields stored before revisions
   * were recorded: 1 (the Porter 1980 stemmer).
   */
  analyzerVersion?: number;
}

/** A value a field may default to. */
export type DefaultValue = boolean | number | string;

export interface CollectionSchema {
  fields: FieldSchema[];
  /** Unknown keys of inserted rows go into a hidden JSON field `$meta`. */
  enableDynamicField?: boolean;
  description?: string;
  /** Fields computed from others on insert (messages/schemaFunctions.ts). */
  functions?: FunctionSchema[];
  /**
   * Names of fields dropped from the live collection (messages/droppedField.ts):
   * files written before keep their columns, so the names are never taken again
   * and writes naming them are refused.
   */
  droppedFields?: string[];
}

export const LIMITS = {
  maxDim: 32768,
  maxFields: 64,
  maxVarCharLength: 65535,
  maxArrayCapacity: 4096,
  maxNameLength: 255,
  maxShards: 16,
  /** Rows per insert message; a larger batch is refused, never truncated. */
  maxBatchRows: 100_000,
  /** Bytes per encoded WAL message. */
  maxMessageBytes: 64 * 1024 * 1024,
  maxTopK: 16384,
  /** Vector fields (FloatVector and SparseFloatVector) per collection (Milvus's proxy.maxVectorFieldNum). */
  maxVectorFields: 4,
  /** Partitions of a collection, and of a partition key (Milvus's rootCoord.maxPartitionNum). */
  maxPartitions: 1024,
} as const;

/** Partitions a partition-key collection gets when it names no number (Milvus's DefaultPartitionsWithPartitionKey). */
export const DEFAULT_KEY_PARTITIONS = 16;

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

/**
 * The schema as the coordinator records it: each analyzed field that names no
 * analyzer revision gets the current one, so the stemmer its rows are hashed
 * with stays fixed when a later nuthatch changes the default (fields stored
 * before have none and keep revision 1).
 */
export function withAnalyzerVersion(s: CollectionSchema): CollectionSchema {
  return { ...s, fields: s.fields.map((f) => (f.enableAnalyzer === true && f.analyzerVersion === undefined ? { ...f, analyzerVersion: ANALYZER_VERSION } : f)) };
}

/** Validates a collection schema: one primary key, one float vector, unique names. */
export function validateSchema(s: CollectionSchema): CollectionSchema {
  if (!s || !Array.isArray(s.fields) || s.fields.length === 0) throw new ValidationError('schema must have fields');
  if (s.fields.length > LIMITS.maxFields) throw new ValidationError(`schema has more than ${LIMITS.maxFields} fields`);
  const seen = new Set<string>();
  let primary = 0, vectors = 0, sparse = 0, packed = 0;
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
    }
    if (isPackedVectorType(f.dataType)) {
      packed++;
      if (!Number.isInteger(f.dim) || f.dim! < 1 || f.dim! > LIMITS.maxDim) throw new ValidationError(`vector field '${f.name}' needs an integer dim in 1..${LIMITS.maxDim}`, { field: f.name });
      if (f.dataType === 'BinaryVector' && f.dim! % 8 !== 0) throw new ValidationError(`binary vector field '${f.name}' needs a dim that is a multiple of 8, got ${f.dim}`, { field: f.name });
    }
    if (f.dataType === 'SparseFloatVector') {
      sparse++;
      if (f.dim !== undefined) throw new ValidationError(`sparse vector field '${f.name}' has no dim`, { field: f.name });
    }
    if (isVectorType(f.dataType) && f.nullable !== undefined && typeof f.nullable !== 'boolean') throw new ValidationError(`nullable of vector field '${f.name}' must be a boolean`, { field: f.name });
    if (f.enableAnalyzer !== undefined && f.enableAnalyzer !== false && !(f.dataType === 'VarChar' && f.enableAnalyzer === true)) throw new ValidationError(`enableAnalyzer is a boolean of VarChar fields, and '${f.name}' is ${f.dataType}`, { field: f.name });
    if (f.analyzerParams !== undefined) {
      if (f.enableAnalyzer !== true) throw new ValidationError(`analyzer_params of '${f.name}' need enable_analyzer: true`, { field: f.name });
      checkAnalyzerParams(f.analyzerParams);
    }
    if (f.multiAnalyzerParams !== undefined) {
      if (f.enableAnalyzer !== true) throw new ValidationError(`multi_analyzer_params of '${f.name}' need enable_analyzer: true`, { field: f.name });
      if (f.analyzerParams !== undefined) throw new ValidationError(`'${f.name}' takes analyzer_params or multi_analyzer_params, not both`, { field: f.name });
      checkMultiAnalyzerParams(f.multiAnalyzerParams, f.name, s.fields);
    }
    if (f.analyzerVersion !== undefined && !(Number.isInteger(f.analyzerVersion) && f.analyzerVersion >= 1 && f.analyzerVersion <= ANALYZER_VERSION)) {
      throw new ValidationError(`analyzerVersion of '${f.name}' must be an integer in 1..${ANALYZER_VERSION}`, { field: f.name });
    }
    if (f.dataType === 'VarChar') {
      if (!Number.isInteger(f.maxLength) || f.maxLength! < 1 || f.maxLength! > LIMITS.maxVarCharLength) throw new ValidationError(`VarChar field '${f.name}' needs max_length in 1..${LIMITS.maxVarCharLength}`);
    }
    checkArrayField(f);
    checkDefaultValue(f);
    checkPartitionKey(f);
    checkClusteringKey(f);
  }
  const keys = s.fields.filter((f) => f.isPartitionKey);
  if (keys.length > 1) throw new ValidationError(`a collection has at most one partition key, got ${keys.map((f) => `'${f.name}'`).join(' and ')}`, { field: keys[1]!.name });
  const clustering = s.fields.filter((f) => f.isClusteringKey === true);
  if (clustering.length > 1) throw new ValidationError(`a collection has at most one clustering key, got ${clustering.map((f) => `'${f.name}'`).join(' and ')}`, { field: clustering[1]!.name, reason: 'clusteringKeyCount' });
  if (primary !== 1) throw new ValidationError(`schema needs exactly one primary key field, has ${primary}`);
  // The first FloatVector is the rows' float32 block (Rows.vectors); without one the block is empty and a packed field is searched.
  if (vectors > LIMITS.maxVectorFields || vectors + packed < 1) throw new ValidationError(`schema needs 1 to ${LIMITS.maxVectorFields} FloatVector fields, has ${vectors}${vectors === 0 ? ' (or a Float16Vector, BFloat16Vector, BinaryVector or Int8Vector field)' : ''}`);
  // Vector sub-fields of Structs count with the collection's own, as in Milvus.
  const all = vectors + sparse + packed + structVectorCount(s);
  if (all > LIMITS.maxVectorFields) throw new ValidationError(`schema has ${all} vector fields (dense, sparse and in Structs), more than ${LIMITS.maxVectorFields}`);
  checkFunctions(s, checkName);
  return s;
}

/** The rules of an Array field (and that no other field claims an element type or capacity). */
function checkArrayField(f: FieldSchema): void {
  const field = { field: f.name };
  if (f.dataType !== 'Array') {
    if (f.elementType !== undefined || f.maxCapacity !== undefined) throw new ValidationError(`field '${f.name}' is ${f.dataType}: elementType and max_capacity are only for Array fields`, field);
    if (f.structFields !== undefined) throw new ValidationError(`field '${f.name}' is ${f.dataType}: structFields are only for Array of Structs fields`, field);
    return;
  }
  const et = f.elementType as string | undefined;
  if (et === 'Struct') return checkStructArrayField(f);
  if (f.structFields !== undefined) throw new ValidationError(`Array field '${f.name}' holds ${String(et)}: structFields are only for an Array of Structs`, field);
  if (et === undefined) throw new ValidationError(`Array field '${f.name}' needs an elementType (${ELEMENT_TYPES.join(', ')}, or Struct)`, field);
  if (et === 'Array') throw new ValidationError(`Array field '${f.name}' cannot hold arrays: arrays do not nest`, field);
  if (!(ELEMENT_TYPES as readonly string[]).includes(et)) throw new ValidationError(`Array field '${f.name}' has element type '${String(et)}'; it must be one of ${ELEMENT_TYPES.join(', ')}`, field);
  if (!Number.isInteger(f.maxCapacity) || f.maxCapacity! < 1 || f.maxCapacity! > LIMITS.maxArrayCapacity) throw new ValidationError(`Array field '${f.name}' needs max_capacity in 1..${LIMITS.maxArrayCapacity}`, field);
  if (et === 'VarChar') {
    if (!Number.isInteger(f.maxLength) || f.maxLength! < 1 || f.maxLength! > LIMITS.maxVarCharLength) throw new ValidationError(`Array field '${f.name}' of VarChar needs max_length in 1..${LIMITS.maxVarCharLength}`, field);
  } else if (f.maxLength !== undefined) throw new ValidationError(`Array field '${f.name}' holds ${et}: max_length is only for VarChar elements`, field);
}

/** Milvus's rules for the partition key field (proxy's validatePartitionKey). */
function checkPartitionKey(f: FieldSchema): void {
  if (f.isPartitionKey === undefined || f.isPartitionKey === false) return;
  const field = { field: f.name };
  if (f.isPartitionKey !== true) throw new ValidationError(`isPartitionKey of field '${f.name}' must be a boolean`, field);
  if (f.isPrimary) throw new ValidationError(`the partition key '${f.name}' cannot be the primary key`, field);
  if (f.dataType !== 'Int64' && f.dataType !== 'VarChar') throw new ValidationError(`the partition key '${f.name}' must be Int64 or VarChar, not ${f.dataType}`, field);
  if (f.nullable) throw new ValidationError(`the partition key '${f.name}' cannot be nullable`, field);
}

/** The types a clustering key may have (Milvus's: the integers, the floats and VarChar). */
export const CLUSTERING_KEY_TYPES: readonly DataType[] = ['Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double', 'VarChar'];

/** Milvus's rules for the clustering key field: a plain scalar, not a vector. */
function checkClusteringKey(f: FieldSchema): void {
  if (f.isClusteringKey === undefined || f.isClusteringKey === false) return;
  const field = { field: f.name };
  if (f.isClusteringKey !== true) throw new ValidationError(`isClusteringKey of field '${f.name}' must be a boolean`, field);
  if (isVectorType(f.dataType)) throw new ValidationError(`the clustering key '${f.name}' is a vector field (${f.dataType}): nuthatch clusters by a scalar field only`, { ...field, reason: 'clusteringKeyVector' });
  if (!CLUSTERING_KEY_TYPES.includes(f.dataType)) throw new ValidationError(`the clustering key '${f.name}' must be ${CLUSTERING_KEY_TYPES.join(', ')}, not ${f.dataType}`, { ...field, reason: 'clusteringKeyType' });
}

/**
 * Milvus's rules for a default value: only the plain scalar types (those an
 * Array may hold; not JSON, Array or vectors), not the primary key, and the
 * default must itself be a value the field accepts.
 */
function checkDefaultValue(f: FieldSchema): void {
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

/** Whether every name is a field of the schema (or `$meta`, the dynamic fields): false means the schema is older than a read. */
export function namesFields(s: CollectionSchema, names: readonly string[]): boolean {
  return names.every((n) => n === '$meta' || s.fields.some((f) => f.name === n));
}

export function primaryField(s: CollectionSchema): FieldSchema { return s.fields.find((f) => f.isPrimary)!; }
/**
 * The collection's first FloatVector field: its vectors travel and are stored
 * as one float32 block (`Rows.vectors`, `SealedSegment.vectors`). Any further
 * vector field is a column of `fields`, one Float32Array (or packed
 * Uint8Array) per row (actors/shared/vector/vectorColumn.ts reads either as a
 * block). Undefined for a collection of packed fields only: its block is
 * empty (dim 0).
 */
export function vectorField(s: CollectionSchema): FieldSchema | undefined { return s.fields.find((f) => f.dataType === 'FloatVector' && f.nullable !== true); }

/**
 * Every FloatVector field but the block's (vectorField): columns of `fields`,
 * one Float32Array per row, or null for a row of a nullable field that has
 * none. A nullable FloatVector is always such a column, never the block.
 */
export function columnVectorFields(s: CollectionSchema): FieldSchema[] {
  const block = vectorField(s);
  return vectorFields(s).filter((f) => f !== block);
}

/** Whether a vector field's row holds no vector: null or absent, which only a nullable field allows. */
export function isNullVector(v: unknown): boolean { return v === null || v === undefined; }

/** The dim of the rows' float32 block: the first FloatVector's, 0 without one. */
export function blockDim(s: CollectionSchema): number { return vectorField(s)?.dim ?? 0; }

/** A dense vector field's dimension. */
export function fieldDim(s: CollectionSchema, name: string): number {
  const f = s.fields.find((x) => x.name === name);
  if (!f || (f.dataType !== 'FloatVector' && !isPackedVectorType(f.dataType))) throw new ValidationError(`'${name}' is not a vector field`);
  return f.dim!;
}

/** Every dense (FloatVector) field, the first one first. */
export function vectorFields(s: CollectionSchema): FieldSchema[] { return s.fields.filter((f) => f.dataType === 'FloatVector'); }

/**
 * Every Float16Vector, BFloat16Vector, BinaryVector and Int8Vector field: a
 * column of `fields`, one Uint8Array of packed values per row (messages/packedVectors.ts).
 */
export function packedVectorFields(s: CollectionSchema): Array<FieldSchema & { dataType: PackedVectorType }> {
  return s.fields.filter((f): f is FieldSchema & { dataType: PackedVectorType } => isPackedVectorType(f.dataType));
}

/** Whether a type is a vector type, dense or sparse. */
export function isVectorType(t: DataType): boolean {
  return t === 'FloatVector' || t === 'SparseFloatVector' || isPackedVectorType(t);
}

/** Every SparseFloatVector field: a column of `fields`, one encoded vector per row (messages/sparse.ts). */
export function sparseFields(s: CollectionSchema): FieldSchema[] { return s.fields.filter((f) => f.dataType === 'SparseFloatVector'); }

/** The vector field a search names (`annsField`), the first one when it names none. */
export function annsFieldOf(s: CollectionSchema, name: string | undefined): FieldSchema {
  if (name === undefined || name === '') {
    const all = [...vectorFields(s), ...packedVectorFields(s), ...sparseFields(s)];
    if (all.length > 1) throw new ValidationError(`the collection has ${all.length} vector fields (${all.map((f) => f.name).join(', ')}): name one as annsField`, { field: 'annsField' });
    return all[0]!;
  }
  const f = s.fields.find((x) => x.name === name);
  if (!f) throw new ValidationError(`annsField '${name}' does not exist`, { field: 'annsField' });
  if (!isVectorType(f.dataType)) throw new ValidationError(`annsField '${name}' is ${f.dataType}, not a vector field`, { field: 'annsField' });
  return f;
}
/** The partition key field, if the collection has one. */
export function partitionKeyField(s: CollectionSchema): FieldSchema | undefined { return s.fields.find((f) => f.isPartitionKey === true); }
/** The clustering key field, if the collection has one. */
export function clusteringKeyField(s: CollectionSchema): FieldSchema | undefined { return s.fields.find((f) => f.isClusteringKey === true); }
export function scalarFields(s: CollectionSchema): FieldSchema[] { return s.fields.filter((f) => !f.isPrimary && !isVectorType(f.dataType)); }

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
      return v.length <= maxLength! ? null : `${what} is longer than max_length ${maxLength}`;
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

/** An Array value: a list of at most maxCapacity elements, none null, each of the element type. */
function arrayProblem(f: FieldSchema, v: unknown): string | null {
  if (f.elementType === 'Struct') return structArrayProblem(f, v);
  if (!Array.isArray(v)) return `Array field '${f.name}' must be a list`;
  if (v.length > f.maxCapacity!) return `Array field '${f.name}' holds ${v.length} elements, more than its max_capacity ${f.maxCapacity}`;
  for (let i = 0; i < v.length; i++) {
    const what = `element [${i}] of Array field '${f.name}'`;
    const x: unknown = v[i];
    if (x === null || x === undefined) return `${what} is null; elements cannot be null`;
    const p = valueProblem(what, f.elementType as ElementType, f.maxLength, x);
    if (p) return p;
  }
  return null;
}

/** A dynamic key of some row that names a dropped field (messages/droppedField.ts), as an error text. */
function droppedMetaKey(s: CollectionSchema, meta: unknown[]): string | null {
  if (!s.droppedFields?.length || !Array.isArray(meta)) return null;
  for (const m of meta) {
    if (m === null || typeof m !== 'object') continue;
    const key = s.droppedFields.find((d) => Object.hasOwn(m, d));
    if (key !== undefined) return `field '${key}' was dropped from the collection: writes may not name it`;
  }
  return null;
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
  const dim = vf?.dim ?? 0;
  if (!(rows.vectors instanceof Float32Array) || rows.vectors.length !== rows.count * dim) return vf ? `vector field '${vf.name}' needs ${rows.count} x ${dim} floats` : 'the collection has no FloatVector: its rows hold no float32 block';
  for (let i = 0; i < rows.vectors.length; i++) if (!Number.isFinite(rows.vectors[i]!)) return `vector field '${vf!.name}' holds a NaN or Infinity at row ${Math.floor(i / dim)}`;
  const known = new Set(s.fields.map((f) => f.name));
  for (const name of Object.keys(rows.fields)) {
    if (s.droppedFields?.includes(name)) return `field '${name}' was dropped from the collection: writes may not name it`;
    if (name === '$meta' && s.enableDynamicField) { const p = droppedMetaKey(s, rows.fields.$meta!); if (p) return p; continue; }
    if (!known.has(name) || name === pk.name || name === vf?.name) return `unknown field '${name}'`;
  }
  for (const f of scalarFields(s)) {
    const col = rows.fields[f.name];
    if (col === undefined) { if (f.nullable) continue; return `field '${f.name}' is missing`; }
    if (!Array.isArray(col) || col.length !== rows.count) return `field '${f.name}' column length differs from row count`;
    for (const v of col) { const p = scalarProblem(f, v); if (p) return p; }
  }
  // A nullable vector field's column may be absent (every row null) or hold null rows.
  const nullOk = (f: FieldSchema, col: unknown[] | undefined) => f.nullable === true && col === undefined;
  for (const f of columnVectorFields(s)) {
    const col = rows.fields[f.name];
    if (nullOk(f, col)) continue;
    if (!Array.isArray(col) || col.length !== rows.count) return `vector field '${f.name}' needs one vector per row`;
    for (const [r, v] of col.entries()) {
      if (f.nullable && isNullVector(v)) continue;
      if (!(v instanceof Float32Array) || v.length !== f.dim) return `vector field '${f.name}' needs ${f.dim} floats at row ${r}`;
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return `vector field '${f.name}' holds a NaN or Infinity at row ${r}`;
    }
  }
  for (const f of packedVectorFields(s)) {
    const col = rows.fields[f.name];
    if (nullOk(f, col)) continue;
    if (!Array.isArray(col) || col.length !== rows.count) return `vector field '${f.name}' needs one vector per row`;
    for (const [r, v] of col.entries()) { if (f.nullable && isNullVector(v)) continue; const p = storedProblem(f.dataType, f.dim!, v, `${f.dataType} field '${f.name}' at row ${r}`); if (p) return p; }
  }
  for (const f of sparseFields(s)) {
    const col = rows.fields[f.name];
    if (nullOk(f, col)) continue;
    if (!Array.isArray(col) || col.length !== rows.count) return `sparse vector field '${f.name}' needs one vector per row`;
    for (const [r, v] of col.entries()) { if (f.nullable && isNullVector(v)) continue; const p = sparseProblem(v, `sparse vector field '${f.name}' at row ${r}`); if (p) return p; }
  }
  return null;
}

import { ANALYZER_VERSION, checkAnalyzerParams } from './text/analyzerParams.js';
import { checkMultiAnalyzerParams } from './text/multiAnalyzer.js';
import { ValidationError } from './errors.js';
import { checkFunctions } from './schemaFunctions.js';
import { isPackedVectorType } from './packedVectors.js';
import { checkStructArrayField, structVectorCount } from './structArray.js';
import { DataType, ELEMENT_TYPES, LIMITS, type CollectionSchema, type FieldSchema } from './fieldTypes.js';
import { isVectorType } from './schemaFields.js';
import { checkDefaultValue } from './fieldDefaults.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

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
    if (f.warmup !== undefined && f.warmup !== 'sync' && f.warmup !== 'disable') throw new ValidationError(`warmup of field '${f.name}' must be sync or disable, got ${JSON.stringify(f.warmup)}`, { field: f.name });
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

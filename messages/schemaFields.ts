import { ValidationError } from './errors.js';
import { isPackedVectorType, type PackedVectorType } from './packedVectors.js';
import type { CollectionSchema, DataType, FieldSchema } from './fieldTypes.js';

/*
 * Which field of a schema plays which part: the primary key, the float32
 * block's vector field, the vector columns, the scalar columns, the keys.
 */

/** Whether every name is a field of the schema (or `$meta`, the dynamic fields): false means the schema is older than a read. */
export function namesFields(s: CollectionSchema, names: readonly string[]): boolean {
  return names.every((n) => n === '$meta' || s.fields.some((f) => f.name === n));
}

/** The primary key field: a validated schema has exactly one. */
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

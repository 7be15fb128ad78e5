import { ValidationError } from './errors.js';
import { validateSchema, vectorField, type CollectionSchema } from './schema.js';
import type { IndexParams } from './types.js';

/**
 * A field dropped from a live collection (Milvus's drop_collection_field),
 * pure. Reads never show it again and writes naming it are refused; segment
 * files written before keep its column, unread. nuthatch keys columns by
 * field name (Milvus by field id), so the name is kept in
 * `schema.droppedFields` and never taken again: a field added later under it
 * would read the old values from those files.
 */
export function droppedFieldProblem(schema: CollectionSchema, indexes: readonly IndexParams[], fieldName: string): string | null {
  if (typeof fieldName !== 'string' || fieldName.length === 0) return 'fieldName must be a non-empty string';
  const f = schema.fields.find((x) => x.name === fieldName);
  if (!f) return `the collection has no field '${fieldName}' (its fields: ${schema.fields.map((x) => x.name).join(', ')})`;
  if (f.isPrimary) return `field '${fieldName}' is the primary key: it cannot be dropped`;
  if (f.isPartitionKey) return `field '${fieldName}' is the partition key: rows are placed by it, so it cannot be dropped`;
  if (f.isClusteringKey) return `field '${fieldName}' is the clustering key: compaction orders segments by it, so it cannot be dropped`;
  // Every segment holds this field's vectors as its rows' float32 block (schema.ts vectorField): without it the
  // next FloatVector would be read from that block, which holds the dropped field's vectors.
  if (vectorField(schema)?.name === fieldName) return `field '${fieldName}' is the collection's first FloatVector, whose vectors every segment holds as its rows' vector block: it cannot be dropped`;
  const fn = (schema.functions ?? []).find((x) => x.inputFieldNames.includes(fieldName) || x.outputFieldNames.includes(fieldName));
  if (fn) return `field '${fieldName}' is ${fn.inputFieldNames.includes(fieldName) ? 'an input' : 'the output'} of function '${fn.name}': it cannot be dropped while the function uses it`;
  const index = indexOnField(indexes, fieldName);
  if (index) return `field '${fieldName}' has index '${index.indexName}': drop the index first`;
  try {
    validateSchema(withoutField(schema, fieldName));
  } catch (e) {
    return `without field '${fieldName}' the schema would be invalid: ${(e as Error).message}`;
  }
  return null;
}

/** An index of the field (a Struct's vector sub-field is indexed as `field[sub]`), or undefined. */
export function indexOnField(indexes: readonly IndexParams[], fieldName: string): IndexParams | undefined {
  return indexes.find((i) => i.fieldName === fieldName || i.fieldName.startsWith(`${fieldName}[`));
}

function withoutField(schema: CollectionSchema, fieldName: string): CollectionSchema {
  return { ...schema, fields: schema.fields.filter((f) => f.name !== fieldName), droppedFields: [...(schema.droppedFields ?? []), fieldName] };
}

/** The schema without the field, its name kept in `droppedFields`; throws ValidationError when it cannot be dropped. */
export function withDroppedField(schema: CollectionSchema, indexes: readonly IndexParams[], fieldName: string): CollectionSchema {
  const problem = droppedFieldProblem(schema, indexes, fieldName);
  if (problem) throw new ValidationError(problem, { field: fieldName });
  return withoutField(schema, fieldName);
}

/** Why a row key may not be written: it names a dropped field. */
export function droppedKeyProblem(schema: CollectionSchema, key: string): string | null {
  return schema.droppedFields?.includes(key) ? `field '${key}' was dropped from the collection: writes may not name it` : null;
}

/**
 * A parsed filter with every reference to a dropped field made an explicit
 * dynamic key (`$meta["name"]`), as the client's schema reads it. Query nodes
 * and delegators compile filters against their own cached record, which may
 * still hold the field: resolved here, a filter never reaches the column the
 * dropped field left in older segment files. Other nodes are left as they are.
 */
export function droppedAsDynamic<T>(expr: T, schema: CollectionSchema): T {
  const dropped = schema.droppedFields;
  if (!dropped?.length || schema.enableDynamicField !== true) return expr;
  const live = new Set(schema.fields.map((f) => f.name));
  const walk = (n: unknown): unknown => {
    // Only plain objects and arrays are tree nodes (typed arrays, dates and the like are values).
    if (n === null || typeof n !== 'object' || (!Array.isArray(n) && Object.getPrototypeOf(n) !== Object.prototype)) return n;
    if (Array.isArray(n)) return n.map(walk);
    const o = n as Record<string, unknown>;
    if (o.kind === 'field' && typeof o.name === 'string' && dropped.includes(o.name) && !live.has(o.name)) {
      return { ...o, name: '$meta', path: [o.name, ...(Array.isArray(o.path) ? o.path : [])] };
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, walk(v)]));
  };
  return walk(expr) as T;
}

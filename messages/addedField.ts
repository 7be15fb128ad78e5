import { ValidationError } from './errors.js';
import { validateSchema, type CollectionSchema, type FieldSchema } from './schema.js';

/**
 * A field added to a live collection (Milvus 2.6's add_collection_field), pure:
 * a nullable field, scalar or vector (Milvus 2.6's nullable vectors), never a
 * key. Rows written before it hold no value for it and read as null (a vector
 * field's rows are then left out of its searches until back-filled), or as its default when it has one (reads
 * show a stored null of a field with a default as the default: schema.ts
 * fieldDefaults), which is why it must be nullable.
 */
export function addedFieldProblem(schema: CollectionSchema, field: FieldSchema): string | null {
  if (field === null || typeof field !== 'object') return 'the added field must be a field schema';
  if (field.isPrimary || field.autoId) return `field '${field.name}' cannot be the primary key: a collection's key is fixed at creation`;
  if (field.isPartitionKey) return `field '${field.name}' cannot be the partition key: rows already written are placed by the key the collection was created with`;
  if (field.isClusteringKey) return `field '${field.name}' cannot be the clustering key: a collection's clustering key is fixed at creation`;
  if (field.dataType === 'Array' && field.elementType === 'Struct') return `field '${field.name}' is an Array of Structs: Milvus 2.6 adds those only when a collection is created`;
  if (schema.droppedFields?.includes(field.name)) return `field '${field.name}' was dropped from this collection, and files written before still hold its old values: give the new field another name`;
  if (field.nullable !== true) return `field '${field.name}' must be nullable: rows written before it have no value for it`;
  try {
    validateSchema({ ...schema, fields: [...schema.fields, field] });
  } catch (e) {
    return (e as Error).message;
  }
  return null;
}

/** The schema with the field added; throws ValidationError when it cannot be. */
export function withAddedField(schema: CollectionSchema, field: FieldSchema): CollectionSchema {
  const problem = addedFieldProblem(schema, field);
  if (problem) throw new ValidationError(problem, { field: field?.name });
  return { ...schema, fields: [...schema.fields, field] };
}

import { DB_NAME, readCollectionName, readDbName, readName } from './common.js';
import { ValidationError } from '../../messages/errors.js';
import { JsonReader } from './JsonReader.js';
import { parseField } from './parseSchema.js';
import type { FieldSchema } from '../../messages/schema.js';
import { parseFieldParams } from '../../messages/alteredField.js';
import type { AlterCollectionFieldRequest } from '../client/api.js';

/**
 * Parsers of the collection endpoints that take only a name (describe, has,
 * drop, get_stats, load, release, get_load_state, flush) and of list.
 * Create has its own module (parseCreateCollection.ts).
 */

/** `{dbName?, collectionName}` -> the collection name. */
export function parseCollectionName(body: unknown): string {
  return readCollectionName(JsonReader.object(body, '', [DB_NAME, 'collectionName']));
}

/** compact: `{dbName?, collectionName, isClustering?}` (isClustering: a clustering compaction). */
export function parseCompact(body: unknown): { collectionName: string; isClustering?: boolean } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'isClustering']);
  const collectionName = readCollectionName(r);
  return r.has('isClustering') ? { collectionName, isClustering: r.bool('isClustering') } : { collectionName };
}

/** get_load_state: `{dbName?, collectionName, partitionNames?}` (with names: their load state). */
export function parseLoadState(body: unknown): { collectionName: string; partitionNames?: string[] } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'partitionNames']);
  const collectionName = readCollectionName(r);
  const partitionNames = r.has('partitionNames') ? r.strList('partitionNames', { allowEmptyList: true }) : undefined;
  return partitionNames && partitionNames.length > 0 ? { collectionName, partitionNames } : { collectionName };
}

/** load: `{collectionName, replicaNumber?, resourceGroups?}`; Milvus's `refresh`, `loadFields` and `skipLoadDynamicField` are not ours. */
export function parseLoad(body: unknown): { collectionName: string; replicaNumber?: number; resourceGroups?: string[]; loadFields?: string[]; skipLoadDynamicField?: boolean } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'replicaNumber', 'resourceGroups', 'loadFields', 'skipLoadDynamicField'], ['refresh']);
  const collectionName = readCollectionName(r);
  const replicaNumber = r.optInt('replicaNumber', 1, 16);
  const resourceGroups = r.optStrList('resourceGroups');
  // Milvus's load_fields and skip_load_dynamic_field (messages/loadFields.ts).
  const loadFields = r.optStrList('loadFields');
  const skipLoadDynamicField = r.optBool('skipLoadDynamicField');
  return {
    collectionName, ...(replicaNumber === undefined ? {} : { replicaNumber }), ...(resourceGroups?.length ? { resourceGroups } : {}),
    ...(loadFields?.length ? { loadFields } : {}), ...(skipLoadDynamicField === undefined ? {} : { skipLoadDynamicField }),
  };
}

/** get_compaction_state: `{dbName?, jobID}` (pymilvus's job_id; `compactionID` is taken too). */
export function parseCompactionId(body: unknown): number {
  const r = JsonReader.object(body, '', [DB_NAME, 'jobID', 'compactionID']);
  return r.has('jobID') ? r.int('jobID', 0, Number.MAX_SAFE_INTEGER) : r.int('compactionID', 0, Number.MAX_SAFE_INTEGER);
}

/** list: `{dbName?}`. */
export function parseListCollections(body: unknown): void {
  readDbName(JsonReader.object(body, '', [DB_NAME]));
}

/** alter_properties: `{dbName?, collectionName, properties: {key: value}}`; keys and values are checked by the api. */
export function parseAlterProperties(body: unknown): { collectionName: string; properties: Record<string, string | number | boolean> } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'properties']);
  return { collectionName: readCollectionName(r), properties: readProperties(r) };
}

/** `properties`: collection properties by Milvus's names, each a string, a number or a boolean. */
export function readProperties(r: JsonReader): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(r.map('properties'))) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new ValidationError(`field 'properties.${k}' must be a string, a number or a boolean`, { field: `properties.${k}` });
    out[k] = v;
  }
  return out;
}

/** drop_properties: `{dbName?, collectionName, propertyKeys: [names]}`. */
export function parseDropProperties(body: unknown): { collectionName: string; keys: string[] } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'propertyKeys']);
  return { collectionName: readCollectionName(r), keys: r.strList('propertyKeys') };
}

/** rename: `{dbName?, collectionName, newCollectionName, newDbName?}`; with `newDbName`, the collection moves to that database. */
export function parseRename(body: unknown): { collectionName: string; newName: string; newDbName?: string } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'newCollectionName', 'newDbName']);
  const collectionName = readCollectionName(r);
  const newDbName = r.has('newDbName') && r.raw('newDbName') !== '' ? readDbName(r, 'newDbName') : undefined;
  return { collectionName, newName: readName(r, 'newCollectionName', 'collection'), ...(newDbName === undefined ? {} : { newDbName }) };
}

/** fields/add: `{dbName?, collectionName, schema: {fieldName, dataType, nullable: true, elementTypeParams?, ...}}` (one field, as in create). */
export function parseAddField(body: unknown): { collectionName: string; field: FieldSchema } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'schema']);
  return { collectionName: readCollectionName(r), field: parseField(r.required('schema'), 'schema') };
}

/**
 * fields/alter_properties: `{dbName?, collectionName, fieldName, fieldParams: {max_length?, max_capacity?, warmup?}}`
 * (Milvus's shape). The params are checked here (messages/alteredField.ts) so a bad one is refused
 * before any call, and passed on by Milvus's names, as the client takes them.
 */
export function parseAlterField(body: unknown): AlterCollectionFieldRequest {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'fieldName', 'fieldParams']);
  const collectionName = readCollectionName(r);
  const fieldName = r.str('fieldName');
  const fieldParams = r.required('fieldParams');
  parseFieldParams(fieldParams);
  return { collectionName, fieldName, fieldParams: fieldParams as Record<string, unknown> };
}

/**
 * fields/drop: `{dbName?, collectionName, fieldName}` (Milvus's shape). Milvus also takes `fieldId`;
 * nuthatch's fields have no ids, so it is refused rather than guessed at.
 */
export function parseDropField(body: unknown): { collectionName: string; fieldName: string } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'fieldName', 'fieldId']);
  if (r.has('fieldId')) throw new ValidationError(`'fieldId' is not taken: nuthatch's fields have no ids; name the field with 'fieldName'`, { field: 'fieldId' });
  return { collectionName: readCollectionName(r), fieldName: r.str('fieldName') };
}

import { DB_NAME, readCollectionName, readDbName } from './common.js';
import { JsonReader } from './JsonReader.js';

/**
 * Parsers of the collection endpoints that take only a name (describe, has,
 * drop, get_stats, load, release, get_load_state, flush) and of list.
 * Create has its own module (parseCreateCollection.ts).
 */

/** `{dbName?, collectionName}` -> the collection name. */
export function parseCollectionName(body: unknown): string {
  return readCollectionName(JsonReader.object(body, '', [DB_NAME, 'collectionName']));
}

/**
 * get_load_state: Milvus also takes `partitionNames` for the load state of
 * partitions; nuthatch loads whole collections, so that field is refused.
 */
export function parseLoadState(body: unknown): string {
  return readCollectionName(JsonReader.object(body, '', [DB_NAME, 'collectionName'], ['partitionNames']));
}

/** load: Milvus's `replicaNumber`, `resourceGroups` and `refresh` are not ours. */
export function parseLoad(body: unknown): string {
  return readCollectionName(JsonReader.object(body, '', [DB_NAME, 'collectionName'], ['replicaNumber', 'resourceGroups', 'refresh', 'loadFields', 'skipLoadDynamicField']));
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

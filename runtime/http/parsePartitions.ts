import { DB_NAME, readCollectionName, readName } from './common.js';
import { checkName } from '../../messages/schema.js';
import { JsonReader } from './JsonReader.js';

/** Parsers of /v2/vectordb/partitions/{create,list,has,drop}. */

export interface PartitionRef { collectionName: string; partitionName: string }

/** create, has, drop: `{dbName?, collectionName, partitionName}`. */
export function parsePartitionRef(body: unknown): PartitionRef {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'partitionName']);
  return { collectionName: readCollectionName(r), partitionName: readName(r, 'partitionName', 'partition') };
}

/** list: `{dbName?, collectionName}`. */
export function parseListPartitions(body: unknown): string {
  return readCollectionName(JsonReader.object(body, '', [DB_NAME, 'collectionName']));
}

/** load and release: `{dbName?, collectionName, partitionNames: [...]}`. */
export function parsePartitionNames(body: unknown): { collectionName: string; partitionNames: string[] } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'partitionNames']);
  const collectionName = readCollectionName(r);
  return { collectionName, partitionNames: r.strList('partitionNames').map((n) => checkName('partition', n)) };
}

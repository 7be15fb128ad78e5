import { DB_NAME, readCollectionName, readName } from './common.js';
import { JsonReader } from './JsonReader.js';
import { parseIndexParams, type IndexSpec } from './parseIndexParams.js';

/** Parsers of /v2/vectordb/indexes/{create,describe,list,drop}. */

/** create: `{collectionName, indexParams: [...]}`; each entry becomes one createIndex call. */
export function parseCreateIndex(body: unknown): { collectionName: string; indexes: IndexSpec[] } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'indexParams']);
  const collectionName = readCollectionName(r);
  return { collectionName, indexes: parseIndexParams(r.required('indexParams'), 'indexParams') };
}

/** describe: `{collectionName, indexName?}`; without a name, every index is described. */
export function parseDescribeIndex(body: unknown): { collectionName: string; indexName?: string } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'indexName']);
  const collectionName = readCollectionName(r);
  return r.has('indexName') ? { collectionName, indexName: readName(r, 'indexName', 'index') } : { collectionName };
}

/** drop: `{collectionName, indexName}`. */
export function parseDropIndex(body: unknown): { collectionName: string; indexName: string } {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'indexName']);
  return { collectionName: readCollectionName(r), indexName: readName(r, 'indexName', 'index') };
}

/** list: `{collectionName}`. */
export function parseListIndexes(body: unknown): string {
  return readCollectionName(JsonReader.object(body, '', [DB_NAME, 'collectionName']));
}

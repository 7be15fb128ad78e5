import { DB_NAME, readCollectionName, readDbName, readName } from './common.js';
import { JsonReader } from './JsonReader.js';

/** Parsers of /v2/vectordb/aliases/{create,alter,drop,describe,list}. */

export interface AliasRef { aliasName: string; collectionName: string }

/** create, alter: `{dbName?, collectionName, aliasName}`. */
export function parseAliasRef(body: unknown): AliasRef {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName', 'aliasName']);
  return { collectionName: readCollectionName(r), aliasName: readName(r, 'aliasName', 'alias') };
}

/** drop, describe: `{dbName?, aliasName}`. */
export function parseAliasName(body: unknown): string {
  const r = JsonReader.object(body, '', [DB_NAME, 'aliasName']);
  readDbName(r);
  return readName(r, 'aliasName', 'alias');
}

/** list: `{dbName?, collectionName?}` (every alias without a collection). */
export function parseListAliases(body: unknown): string | undefined {
  const r = JsonReader.object(body, '', [DB_NAME, 'collectionName']);
  return r.has('collectionName') ? readCollectionName(r) : (readDbName(r), undefined);
}

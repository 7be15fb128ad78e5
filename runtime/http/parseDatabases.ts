import { ValidationError } from '../../messages/errors.js';
import { DB_NAME, readDbName } from './common.js';
import { JsonReader } from './JsonReader.js';

/** Parsers of /v2/vectordb/databases/{create,drop,list,describe,alter,drop_properties}. */

/** drop, describe: `{dbName}` (required: the database acted on, not a scope). */
export function parseDatabaseName(body: unknown): string {
  const r = JsonReader.object(body, '', [DB_NAME]);
  r.required(DB_NAME);
  return readDbName(r);
}

/** create: `{dbName, properties?}`; alter: `{dbName, properties}` (values strings, numbers or booleans). */
export function parseDatabaseProperties(body: unknown, propertiesRequired: boolean): { dbName: string; properties: Record<string, string | number | boolean> } {
  const r = JsonReader.object(body, '', [DB_NAME, 'properties']);
  r.required(DB_NAME);
  const dbName = readDbName(r);
  if (!propertiesRequired && !r.has('properties')) return { dbName, properties: {} };
  const properties: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(r.map('properties'))) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new ValidationError(`field 'properties.${k}' must be a string, a number or a boolean`, { field: `properties.${k}` });
    properties[k] = v;
  }
  return { dbName, properties };
}

/** drop_properties: `{dbName, propertyKeys: [names]}`. */
export function parseDropDatabaseProperties(body: unknown): { dbName: string; keys: string[] } {
  const r = JsonReader.object(body, '', [DB_NAME, 'propertyKeys']);
  r.required(DB_NAME);
  return { dbName: readDbName(r), keys: r.strList('propertyKeys') };
}

/** list: `{}` (a `dbName` is allowed and means nothing here). */
export function parseListDatabases(body: unknown): void {
  JsonReader.object(body, '', [DB_NAME]);
}

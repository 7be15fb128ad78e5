import { ValidationError } from './errors.js';
import { checkKnownProperty } from './databaseProperties.js';
import { checkName } from './schema.js';
import type { Tso } from './types.js';

/**
 * Databases (Milvus's): named namespaces of collections and aliases. Every
 * collection is in exactly one; 'default' always exists and cannot be dropped.
 */
export const DEFAULT_DB = 'default';

/** Most databases a cluster holds, 'default' included (Milvus's rootCoord.maxDatabaseNum). */
export const MAX_DATABASES = 64;
/** Most properties a database carries. */
export const MAX_DATABASE_PROPERTIES = 64;

/** A database as the coordinator keeps it. */
export interface DatabaseRecord {
  name: string;
  id: number;
  createdTso: Tso;
  /**
   * Properties by Milvus's names, values as strings. Kept and described; the
   * ones nuthatch acts on are in databaseProperties.ts.
   */
  properties: Record<string, string>;
}

/** A database name, checked as collection names are. */
export function checkDatabaseName(name: unknown): string {
  return checkName('database', name);
}

/** The database a request names: absent or empty means 'default'. */
export function databaseOr(name: string | null | undefined): string {
  return name === undefined || name === null || name === '' ? DEFAULT_DB : checkDatabaseName(name);
}

/** The database a collection or alias record is in: records written before databases are in 'default'. */
export const dbOf = (r: { dbName?: string }): string => r.dbName ?? DEFAULT_DB;

/** Properties as given (strings, numbers or booleans by key), as the strings a database keeps. */
export function checkDatabaseProperties(input: unknown): Record<string, string> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new ValidationError('database properties must be an object of key: value', { field: 'properties' });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) {
    if (k.trim() === '' || k.length > 255) throw new ValidationError(`database property key '${k}' must be 1..255 characters`, { field: 'properties' });
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new ValidationError(`database property '${k}' must be a string, a number or a boolean`, { field: `properties.${k}` });
    out[k] = String(v);
    checkKnownProperty(k, out[k]!);
  }
  if (Object.keys(out).length > MAX_DATABASE_PROPERTIES) throw new ValidationError(`a database carries at most ${MAX_DATABASE_PROPERTIES} properties`, { field: 'properties' });
  return out;
}

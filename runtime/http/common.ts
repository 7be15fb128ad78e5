import { checkName, LIMITS, ValidationError, type PrimaryKey } from '../../messages/index.js';
import { checkDatabaseName, DEFAULT_DB } from '../../messages/database.js';
import { ConsistencyLevel } from '../client/api.js';
import { describe, type JsonReader } from './JsonReader.js';

/**
 * Request pieces that many endpoints share: names, consistency levels, output
 * fields, partition lists, filters, primary keys. Pure: JSON in, typed value or
 * a ValidationError naming the field out.
 */

/** Every v2 request may carry `dbName`: the database it works in ('default' when absent or empty). */
export const DB_NAME = 'dbName';

/** Longest filter expression accepted (characters). */
export const MAX_FILTER_LENGTH = 65_536;

/** `dbName` (or another key naming a database): absent or empty is 'default'; otherwise a valid name. */
export function readDbName(r: JsonReader, key: string = DB_NAME): string {
  const db = r.optStr(key, { allowEmpty: true });
  return db === undefined || db === '' ? DEFAULT_DB : named(() => checkDatabaseName(db), r.at(key));
}

/**
 * The database a request body names, read before its route parses the body:
 * the gateway binds the api to it, as Milvus's REST layer reads `dbName` from
 * every request before its handler runs. Whether it exists is the api's to say.
 */
export function requestDatabase(body: unknown): string {
  const v = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)[DB_NAME] : undefined;
  if (v === undefined || v === null || v === '') return DEFAULT_DB;
  if (typeof v !== 'string') throw new ValidationError(`field '${DB_NAME}' must be a string, got ${describe(v)}`, { field: DB_NAME });
  return named(() => checkDatabaseName(v), DB_NAME);
}

/** A name check's ValidationError, naming the request field. */
function named(check: () => string, field: string): string {
  try { return check(); } catch (e) { throw e instanceof ValidationError ? new ValidationError(e.message, { field }) : e; }
}

/** A collection, partition or index name: present, a string, and a valid name. */
export function readName(r: JsonReader, key: string, kind: string): string {
  return checkName(kind, r.str(key));
}

/** `dbName` and `collectionName` of a request; returns the collection name. */
export function readCollectionName(r: JsonReader): string {
  readDbName(r);
  return readName(r, 'collectionName', 'collection');
}

const LEVEL_BY_NUMBER = ['Strong', 'Session', 'Bounded', 'Eventually'] as const;

/**
 * A consistency level as Milvus spells it: "Strong", "STRONG", or (in collection
 * params) the commonpb number 0..3. "Customized" has no meaning in nuthatch.
 */
export function consistencyFrom(v: unknown, path: string, allowNumber = false): ConsistencyLevel {
  if (allowNumber && typeof v === 'number' && Number.isInteger(v) && LEVEL_BY_NUMBER[v]) return LEVEL_BY_NUMBER[v]!;
  if (typeof v === 'string') {
    const found = Object.values(ConsistencyLevel).find((l) => l.toLowerCase() === v.toLowerCase());
    if (found) return found;
  }
  throw new ValidationError(`field '${path}' must be one of ${Object.values(ConsistencyLevel).join(', ')}, got ${describe(v)}`, { field: path });
}

/** An optional `consistencyLevel` (an empty string counts as absent). */
export function readConsistency(r: JsonReader, key = 'consistencyLevel'): ConsistencyLevel | undefined {
  if (!r.has(key) || r.raw(key) === '') return undefined;
  return consistencyFrom(r.raw(key), r.at(key));
}

/** `outputFields`: a list of field names (or "*"); checked against the schema later. */
export function readOutputFields(r: JsonReader): string[] | undefined {
  const list = r.optStrList('outputFields');
  if (!list) return undefined;
  for (const [i, f] of list.entries()) if (f !== '*') checkFieldRef(f, `${r.at('outputFields')}[${i}]`);
  return list;
}

/** `partitionNames` and, where Milvus also takes it, a single `partitionName`, merged. */
export function readPartitionNames(r: JsonReader, alsoSingle = false): string[] | undefined {
  const names = r.optStrList('partitionNames')?.map((n) => checkName('partition', n));
  const single = alsoSingle && r.has('partitionName') ? readName(r, 'partitionName', 'partition') : undefined;
  if (single === undefined) return names && names.length > 0 ? names : undefined;
  return [...new Set([...(names ?? []), single])];
}

/** `filter`: required and non-empty for delete; elsewhere optional, blank meaning none. */
/** `exprParams`: the values of the filter's template parameters (`age > {min}`), checked where the filter is parsed. */
export function readExprParams(r: JsonReader): { filterParams?: Record<string, unknown> } {
  return r.has('exprParams') ? { filterParams: r.map('exprParams') } : {};
}

export function readFilter(r: JsonReader, required: boolean): string | undefined {
  if (required) return r.str('filter', { maxLength: MAX_FILTER_LENGTH });
  const f = r.optStr('filter', { allowEmpty: true, maxLength: MAX_FILTER_LENGTH });
  return f === undefined || f.trim() === '' ? undefined : f;
}

/** `limit` and `offset` of a search or query: limit in 1..16384 and limit + offset <= 16384. */
export function readPaging(r: JsonReader, defaultLimit: number | undefined): { limit: number | undefined; offset: number | undefined } {
  const limit = r.optInt('limit', 1, LIMITS.maxTopK) ?? defaultLimit;
  const offset = r.optInt('offset', 0, LIMITS.maxTopK);
  if ((limit ?? 0) + (offset ?? 0) > LIMITS.maxTopK) {
    throw new ValidationError(`limit + offset must be at most ${LIMITS.maxTopK}, got ${limit ?? 0} + ${offset ?? 0}`, { field: r.at('offset') });
  }
  return { limit, offset };
}

/**
 * Primary keys as JSON carries them: a safe integer or a string. An integer
 * beyond 2^53-1 has already lost digits in JSON.parse, so it is refused rather
 * than silently turned into a neighbouring key.
 */
export function primaryKeyFrom(v: unknown, path: string): PrimaryKey {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'number' && Number.isInteger(v)) {
    throw new ValidationError(`'${path}' is ${describe(v)}: Int64 keys must be within ±${Number.MAX_SAFE_INTEGER} to survive JSON`, { field: path });
  }
  throw new ValidationError(`'${path}' must be an integer or a string primary key, got ${describe(v)}`, { field: path });
}

/** `id` of entities/get: one key or a non-empty list of at most 16384 keys. */
export function readIds(r: JsonReader, key = 'id'): PrimaryKey[] {
  const v = r.required(key);
  if (!Array.isArray(v)) return [primaryKeyFrom(v, r.at(key))];
  if (v.length === 0) throw new ValidationError(`field '${r.at(key)}' must not be an empty list`, { field: r.at(key) });
  if (v.length > LIMITS.maxTopK) throw new ValidationError(`field '${r.at(key)}' holds at most ${LIMITS.maxTopK} keys, got ${v.length}`, { field: r.at(key) });
  return v.map((x, i) => primaryKeyFrom(x, `${r.at(key)}[${i}]`));
}

/** A field name used in outputFields or annsField (schema names, or dynamic keys). */
export function checkFieldRef(name: string, path: string): string {
  if (name.length > LIMITS.maxNameLength) throw new ValidationError(`'${path}' is longer than ${LIMITS.maxNameLength} characters`, { field: path });
  return name;
}

/** An integer parameter; Milvus documents these as numbers but its examples send strings ("512"). */
export function intParam(v: unknown, path: string, min: number, max: number): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ValidationError(`field '${path}' must be an integer in ${min}..${max}, got ${describe(v)}`, { field: path });
  }
  return n;
}

/** A boolean parameter: true/false, or the strings "true"/"false" that Milvus documents. */
export function boolParam(v: unknown, path: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ValidationError(`field '${path}' must be true or false, got ${describe(v)}`, { field: path });
}

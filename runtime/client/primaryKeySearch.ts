import { NuthatchError, ValidationError } from '../../messages/errors.js';
import { annsFieldOf, primaryField, type CollectionSchema, type FieldSchema, type PrimaryKey } from '../../messages/schema.js';
import { bm25FunctionOf } from '../../messages/schemaFunctions.js';
import { structVectorOf } from '../../messages/structArray.js';
import type { SearchRequest } from './api.js';

/**
 * The client's side of a primary-key search (Milvus 2.6.9's): a search that
 * gives `ids` instead of `data` searches with the vectors those rows hold in
 * `annsField`, one result list per key, in the order given. The client (the
 * proxy) reads the rows by key at the search's guarantee TSO, in the
 * partitions it searches, then runs the search with the vectors as `data`.
 * The keys only fetch vectors: they filter nothing, so a key's own row is a
 * hit of its search like any other (usually the first), as in Milvus.
 *
 * Pure: the checks before the read, the read's filter, and the queries made
 * of the rows it returns.
 */

/** As many keys as a search takes query vectors. */
export const MAX_SEARCH_KEYS = 1024;

/** Where a search's queries come from: `data` or `ids`, exactly one (both or neither is refused). */
export function querySourceOf(req: { data?: unknown; ids?: unknown }): 'data' | 'ids' {
  const hasData = req.data !== undefined, hasIds = req.ids !== undefined;
  if (hasData && hasIds) throw new ValidationError('a search takes data (query vectors) or ids (primary keys), not both', { field: 'ids' });
  if (!hasData && !hasIds) throw new ValidationError('a search needs data (query vectors) or ids (primary keys of rows whose vectors are the queries)', { field: 'data' });
  return hasIds ? 'ids' : 'data';
}

/**
 * What a primary-key search reads: the field whose vectors are the queries,
 * and the keys, checked (each of the primary key's type, no key twice, as
 * Milvus refuses a repeated one). Refused: a BM25 field (its vectors are made
 * from text; search it with texts) and an embedding list (Milvus leaves
 * fetching and arranging those to the caller).
 */
export function checkKeySearch(schema: CollectionSchema, req: Pick<SearchRequest, 'ids' | 'annsField'>): { field: FieldSchema; pk: FieldSchema; ids: PrimaryKey[] } {
  if (structVectorOf(schema, req.annsField)) {
    throw new ValidationError(`a primary-key search cannot search the embedding lists of '${req.annsField}' (as in Milvus): read the row's list with get and search with it as data`, { field: 'ids' });
  }
  const field = annsFieldOf(schema, req.annsField);
  if (bm25FunctionOf(schema, field.name)) throw new ValidationError(`a primary-key search cannot search BM25 field '${field.name}': its vectors are made from text, so search it with texts as data`, { field: 'ids' });
  const pk = primaryField(schema);
  return { field, pk, ids: checkKeys(req.ids, pk) };
}

/** The keys of a primary-key search, each checked against the primary key's type and named when wrong. */
export function checkKeys(ids: unknown, pk: Pick<FieldSchema, 'name' | 'dataType'>): PrimaryKey[] {
  if (!Array.isArray(ids) || ids.length === 0) throw new ValidationError('ids must be a non-empty list of primary keys', { field: 'ids' });
  if (ids.length > MAX_SEARCH_KEYS) throw new ValidationError(`a search takes at most ${MAX_SEARCH_KEYS} ids at once, got ${ids.length}`, { field: 'ids' });
  const int = pk.dataType === 'Int64', seen = new Set<PrimaryKey>();
  ids.forEach((k: unknown, i) => {
    if (int ? !(typeof k === 'number' && Number.isSafeInteger(k)) : typeof k !== 'string') {
      throw new ValidationError(`ids[${i}] is ${JSON.stringify(k) ?? String(k)}: primary key '${pk.name}' is ${pk.dataType}, so ids must be ${int ? 'integers' : 'strings'}`, { field: `ids[${i}]`, id: k });
    }
    if (seen.has(k as PrimaryKey)) throw new ValidationError(`ids[${i}] repeats primary key ${JSON.stringify(k)}: give each key once`, { field: `ids[${i}]`, id: k });
    seen.add(k as PrimaryKey);
  });
  return ids as PrimaryKey[];
}

/** The keyed read's filter: the rows of these keys, by a template parameter (no quoting of VarChar keys). */
export function keyedFilter(pkName: string, ids: PrimaryKey[]): { filter: string; filterParams: Record<string, unknown> } {
  return { filter: `${pkName} in {ids}`, filterParams: { ids } };
}

/**
 * The search's queries: each key's vector, in the keys' order. A key no row
 * holds (never written, deleted at the read's TSO, or in a partition not
 * searched) is refused NotFound, naming every such key; a row whose nullable
 * vector field is null has nothing to search with, refused naming it.
 */
export function queriesOf(ids: PrimaryKey[], rows: ReadonlyArray<Record<string, unknown>>, pkName: string, fieldName: string, collection: string): unknown[] {
  const byKey = new Map(rows.map((row) => [row[pkName] as PrimaryKey, row[fieldName]]));
  const missing = ids.filter((id) => !byKey.has(id));
  if (missing.length > 0) {
    throw new NuthatchError('NotFound', `primary key${missing.length > 1 ? 's' : ''} ${missing.map((k) => JSON.stringify(k)).join(', ')} name${missing.length > 1 ? '' : 's'} no row of '${collection}' to search with (at the search's consistency level, in the partitions it searches)`, { field: 'ids', ids: missing });
  }
  return ids.map((id) => {
    const v = byKey.get(id);
    if (v === null || v === undefined) throw new ValidationError(`primary key ${JSON.stringify(id)} names a row whose vector field '${fieldName}' is null: it has no vector to search with`, { field: 'ids', id });
    return v;
  });
}

/** Hybrid searches and search iterators take no `ids` (as in Milvus): refused rather than ignored. */
export function refuseKeys(req: object, what: string, at = 'ids'): void {
  if ((req as { ids?: unknown }).ids !== undefined) throw new ValidationError(`${what} takes no ids: a primary-key search is a plain search (search with ids)`, { field: at });
}

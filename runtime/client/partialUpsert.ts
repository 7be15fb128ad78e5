import { ValidationError } from '../../messages/errors.js';
import { isFunctionOutput } from '../../messages/schemaFunctions.js';
import { isStructArray } from '../../messages/structArray.js';
import { primaryField, type CollectionSchema, type PrimaryKey } from '../../messages/schema.js';
import type { RowObject } from './api.js';

/**
 * An upsert in merge mode (Milvus 2.6's partial_update), pure: each given row
 * names its key and only the fields it changes; the rest come from the row as
 * stored. A key not stored yet is an insert, so its row must then be whole
 * (the usual row checks say what is missing). Computed fields (a BM25
 * function's output) are never carried over: they are recomputed from the
 * merged input text.
 */

/** The keys of a partial upsert's rows: each row names one, and no key twice (which of two changes wins would be a guess). */
export function partialKeys(schema: CollectionSchema, data: readonly RowObject[], allowInsertAutoId = false): PrimaryKey[] {
  const pk = primaryField(schema);
  if (pk.autoId && !allowInsertAutoId) throw new ValidationError(`a partial upsert names rows by key: an autoID collection takes given keys only with allow_insert_auto_id`);
  const seen = new Set<PrimaryKey>();
  const structs = schema.fields.filter(isStructArray).map((f) => f.name);
  return data.map((row, i) => {
    const k = row?.[pk.name];
    // Milvus 2.6: Structs take no merge-mode upsert; an upsert that replaces whole rows may change them.
    const struct = structs.find((name) => row?.[name] !== undefined);
    if (struct !== undefined) throw new ValidationError(`row ${i} of a partial upsert changes Array of Structs field '${struct}': Structs cannot be upserted in merge mode; upsert whole rows`, { field: `data[${i}].${struct}` });
    const fits = pk.dataType === 'Int64' ? typeof k === 'number' && Number.isSafeInteger(k) : typeof k === 'string';
    if (!fits) throw new ValidationError(`row ${i} of a partial upsert needs its primary key '${pk.name}' (${pk.dataType === 'Int64' ? 'an integer' : 'a string'})`, { field: `data[${i}].${pk.name}` });
    if (seen.has(k as PrimaryKey)) throw new ValidationError(`primary key ${JSON.stringify(k)} appears twice in one partial upsert`, { field: `data[${i}].${pk.name}` });
    seen.add(k as PrimaryKey);
    return k as PrimaryKey;
  });
}

/** The whole rows to write: each given row laid over its stored row (by key), without the stored computed fields. */
export function mergePartialRows(schema: CollectionSchema, data: readonly RowObject[], stored: readonly RowObject[]): RowObject[] {
  const pk = primaryField(schema).name;
  const computed = schema.fields.filter((f) => isFunctionOutput(schema, f)).map((f) => f.name);
  const byKey = new Map(stored.map((row) => [row[pk] as PrimaryKey, row]));
  return data.map((row) => {
    const old = byKey.get(row[pk] as PrimaryKey);
    if (!old) return row;
    const base: RowObject = { ...old };
    for (const name of computed) delete base[name];
    for (const [k, v] of Object.entries(row)) if (v !== undefined) base[k] = v;
    return base;
  });
}

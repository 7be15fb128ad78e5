import { ValidationError } from '../../../messages/errors.js';
import type { CollectionSchema, FieldSchema } from '../../../messages/schema.js';
import type { IndexParams } from '../../../messages/types.js';
import { JSON_CAST_FUNCTIONS, JSON_CAST_TYPES, jsonCastTypeOf, scalarIndexKey } from '../../shared/scalarIndex/jsonIndex.js';
import { formatJsonPath, parseJsonPath } from '../../shared/scalarIndex/jsonPath.js';
import { gramRangeOf } from '../../shared/scalarIndex/ngramIndex.js';

/**
 * A JSON path index (Milvus's JSON indexing) as the collection records it:
 * INVERTED (AUTOINDEX becomes it) or NGRAM (cast VARCHAR, with min_gram and
 * max_gram as numbers), `json_path` written canonically
 * (`meta["a"]["b"]`, or `color["x"]` for a dynamic key), `json_cast_type`
 * upper case, `json_cast_function` STRING_TO_DOUBLE when asked. `field` is
 * the index's JSON field, or undefined for a key of the dynamic field.
 */
export function normaliseJsonIndex(schema: Pick<CollectionSchema, 'enableDynamicField'>, field: FieldSchema | undefined, p: Partial<IndexParams> & Pick<IndexParams, 'fieldName' | 'indexName'>): IndexParams {
  const on = field ? `JSON field '${field.name}'` : `dynamic key '${p.fieldName}'`;
  if (field && field.dataType !== 'JSON') throw new ValidationError(`${field.dataType} field '${field.name}' takes no json_path: only JSON fields and dynamic keys have paths`, { field: 'params.json_path' });
  if (!field && !schema.enableDynamicField) throw new ValidationError(`index field '${p.fieldName}' is not a field of the collection`, { field: 'fieldName' });
  const { json_path: pathText, json_cast_type: castText, json_cast_function: fnText, ...rest } = p.params ?? {};
  const asked = String(p.indexType ?? 'AUTOINDEX').toUpperCase();
  if (asked !== 'AUTOINDEX' && asked !== 'INVERTED' && asked !== 'NGRAM') throw new ValidationError(`an index of ${on} is INVERTED, NGRAM (or AUTOINDEX), not ${asked}`, { field: 'indexType' });
  const ngram = asked === 'NGRAM';
  if (ngram && castText === undefined) throw new ValidationError(`an NGRAM index of ${on} must specify json_cast_type VARCHAR`, { field: 'params.json_cast_type' });
  if (ngram && jsonCastTypeOf(castText) !== 'VARCHAR') throw new ValidationError(`an NGRAM index of ${on} only supports json_cast_type VARCHAR, got: ${String(castText)}`, { field: 'params.json_cast_type' });
  if (pathText === undefined || castText === undefined) throw new ValidationError(`an index of ${on} needs params json_path and json_cast_type (${JSON_CAST_TYPES.join(', ')})`, { field: 'params' });
  if (p.metricType) throw new ValidationError(`an index of ${on} takes no metricType (got ${String(p.metricType)})`, { field: 'metricType' });
  const json_path = formatJsonPath({ name: p.fieldName, path: pathUnder(field, p.fieldName, pathText) });
  const cast = jsonCastTypeOf(castText);
  if (!cast) {
    const why = String(castText).toUpperCase() === 'JSON' ? 'casting whole objects (JSON) is not supported' : `it is not one of ${JSON_CAST_TYPES.join(', ')}`;
    throw new ValidationError(`json_cast_type ${JSON.stringify(castText)} of an index of ${on}: ${why}`, { field: 'params.json_cast_type' });
  }
  const params: Record<string, number | string> = { ...rest, json_path, json_cast_type: cast };
  if (ngram) { const g = gramRangeOf(rest); params.min_gram = g.min; params.max_gram = g.max; }
  if (fnText !== undefined) {
    const fn = JSON_CAST_FUNCTIONS.find((f) => f === String(fnText).toUpperCase());
    if (!fn) throw new ValidationError(`json_cast_function ${JSON.stringify(fnText)} is not one of ${JSON_CAST_FUNCTIONS.join(', ')}`, { field: 'params.json_cast_function' });
    if (cast !== 'DOUBLE') throw new ValidationError(`json_cast_function ${fn} casts to DOUBLE; json_cast_type is ${cast}`, { field: 'params.json_cast_function' });
    params.json_cast_function = fn;
  }
  return { indexName: p.indexName, fieldName: p.fieldName, indexType: ngram ? 'NGRAM' : 'INVERTED', params };
}

/**
 * The keys of a json_path below the index's field: the path must start at
 * that field (`meta[...]`), or for a dynamic key at the key itself (`color`,
 * `color["x"]`) or at the dynamic field (`$meta["color"]`).
 */
function pathUnder(field: FieldSchema | undefined, fieldName: string, text: unknown): (string | number)[] {
  const { name, path } = parseJsonPath(text);
  if (name === fieldName) return path;
  if (!field && name === '$meta' && path[0] === fieldName) return path.slice(1);
  throw new ValidationError(`json_path ${JSON.stringify(text)} is a path of '${name}', not of the index's ${field ? 'field' : 'dynamic key'} '${fieldName}'`, { field: 'params.json_path' });
}

/** The key of what an index reads (jsonIndex.ts scalarIndexKey): two indexes of one key are one too many. */
export const indexTargetKey = (schema: Pick<CollectionSchema, 'fields'>, ix: Pick<IndexParams, 'fieldName' | 'params'>): string =>
  scalarIndexKey(ix, schema.fields.find((f) => f.name === ix.fieldName));

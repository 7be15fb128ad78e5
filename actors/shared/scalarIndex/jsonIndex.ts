import { ValidationError } from '../../../messages/errors.js';
import { jsonGet } from '../../../messages/filter/values.js';
import type { FieldSchema } from '../../../messages/schema.js';
import type { IndexParams } from '../../../messages/types.js';
import { pathKeyOf, parseJsonPath } from './jsonPath.js';
import type { IndexedShape, ValueKind } from './scalarIndexTypes.js';
import { keyOf } from './sortedIndex.js';

/**
 * JSON path indexes (Milvus's JSON indexing): a scalar index of the values
 * found at one path of a JSON field (or of a dynamic key), cast to one type.
 * A row whose value there is not of the type is simply absent, so the
 * planner (indexPlan.ts) lets such an index answer only terms that are
 * false for every value of another type.
 */
export const JSON_CAST_TYPES = ['BOOL', 'DOUBLE', 'VARCHAR', 'ARRAY_BOOL', 'ARRAY_DOUBLE', 'ARRAY_VARCHAR'] as const;
export type JsonCastType = (typeof JSON_CAST_TYPES)[number];
export const JSON_CAST_FUNCTIONS = ['STRING_TO_DOUBLE'] as const;

const KIND_OF: Record<JsonCastType, ValueKind> = { BOOL: 'bool', DOUBLE: 'number', VARCHAR: 'string', ARRAY_BOOL: 'bool', ARRAY_DOUBLE: 'number', ARRAY_VARCHAR: 'string' };

/** The cast type named `asked` in any case, or undefined. */
export const jsonCastTypeOf = (asked: unknown): JsonCastType | undefined =>
  typeof asked === 'string' ? JSON_CAST_TYPES.find((t) => t === asked.toUpperCase()) : undefined;

/** The shape of a JSON path index: its kind, lists for ARRAY_*, `json` always, `converted` with STRING_TO_DOUBLE. */
export function jsonShapeOf(cast: JsonCastType, castFunction?: string): IndexedShape {
  return { kind: KIND_OF[cast], elements: cast.startsWith('ARRAY_'), json: true, ...(castFunction ? { converted: true } : {}) };
}

/** Where a JSON path index reads: a column (a JSON field, or `$meta`) and the path in it. */
export interface JsonIndexTarget { column: string; path: (string | number)[]; shape: IndexedShape }

/** Whether an index (as normalised by the coordinator) is a JSON path index. */
export const isJsonPathIndex = (ix: Pick<IndexParams, 'params'>): boolean => typeof ix.params.json_path === 'string';

/**
 * Where a normalised JSON path index reads. `field` is the schema of the
 * index's field; none means the index is of a dynamic key (the coordinator
 * checked that), whose values live in `$meta` under the key (or of `$meta`
 * itself, named so).
 */
export function jsonIndexTarget(ix: Pick<IndexParams, 'fieldName' | 'params'>, field: Pick<FieldSchema, 'name' | 'dataType'> | undefined): JsonIndexTarget {
  const { name, path } = parseJsonPath(ix.params.json_path);
  const cast = jsonCastTypeOf(ix.params.json_cast_type);
  if (!cast) throw new ValidationError(`index on '${ix.fieldName}' has json_cast_type ${String(ix.params.json_cast_type)}, not one of ${JSON_CAST_TYPES.join(', ')}`);
  const shape = jsonShapeOf(cast, typeof ix.params.json_cast_function === 'string' ? ix.params.json_cast_function : undefined);
  if (field?.dataType === 'JSON') return { column: field.name, path, shape };
  if (field) throw new ValidationError(`${field.dataType} field '${field.name}' takes no json_path`);
  return { column: '$meta', path: name === '$meta' ? path : [name, ...path], shape };
}

/** The key a planner finds a normalised index by (jsonPath.ts pathKeyOf): its field's name, or its JSON target's path. */
export function scalarIndexKey(ix: Pick<IndexParams, 'fieldName' | 'params'>, field: Pick<FieldSchema, 'name' | 'dataType'> | undefined): string {
  if (!isJsonPathIndex(ix)) return ix.fieldName;
  const t = jsonIndexTarget(ix, field);
  return pathKeyOf(t.column, t.path);
}

/**
 * The column a JSON path index holds: each row's value at the path when it
 * is of the index's kind (a list's elements of that kind, for ARRAY_*), else
 * undefined. STRING_TO_DOUBLE also takes strings that read as numbers, for
 * candidates only: the filter never compares a string with a number.
 */
export function castColumn(column: ArrayLike<unknown> | undefined, rowCount: number, target: Pick<JsonIndexTarget, 'path' | 'shape'>): unknown[] {
  const { shape, path } = target;
  const cast = (v: unknown): unknown => keyOf(shape.kind, v) !== undefined ? v : shape.converted ? numberIn(v) : undefined;
  const out = new Array<unknown>(rowCount);
  for (let row = 0; row < rowCount; row++) {
    const v = column ? jsonGet(column[row], path) : undefined;
    if (!shape.elements) { out[row] = cast(v); continue; }
    out[row] = Array.isArray(v) ? v.map(cast).filter((x) => x !== undefined) : undefined;
  }
  return out;
}

/** A string that reads as a finite number (not blank), as that number. */
function numberIn(v: unknown): number | undefined {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The name an index's files go by: its name, and for a JSON path index a
 * hash of its path and cast, so an index dropped and created again under
 * the same name on another path never shares a file, nor a cached record's
 * reading of one (segmentKeys.ts keyFitsIndex), with the old one.
 */
export function indexFileName(ix: Pick<IndexParams, 'indexName' | 'params'>): string {
  if (!isJsonPathIndex(ix)) return ix.indexName;
  const text = [ix.params.json_path, ix.params.json_cast_type, ix.params.json_cast_function ?? ''].join('\u0000');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `${ix.indexName}-p${h.toString(16).padStart(8, '0')}`;
}

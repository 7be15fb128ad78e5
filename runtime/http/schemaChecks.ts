import {
  NuthatchError, parseTimestamptz, isStructArray, structArrayInput, structOutputPath, structVectorOf, packedVectorFields, primaryField, scalarFields, scalarProblem, sparseFields, vectorFields, withDefault, isFunctionOutput,
  type CollectionSchema, type DataType, type FieldSchema, type PrimaryKey,
} from '../../messages/index.js';
import type { RowObject, SearchRequest } from '../client/api.js';
import { describe } from './JsonReader.js';
import { varCharLengthProblem } from '../../messages/utf8Length.js';
import { dimensionError, vectorFrom } from './vectors.js';
import { aggregateCall } from '../../messages/queryAggregation.js';

/**
 * Checks a parsed request against the collection's schema, before the api sees
 * it: rows (every field's type, the primary key, the dimension, unknown keys),
 * query vectors, output field names and primary keys. Pure. A mismatch is a
 * SchemaMismatch error whose message names the row and the field.
 */

/** Deepest nesting accepted inside JSON and dynamic field values (the binary codec allows 64). */
export const MAX_JSON_DEPTH = 32;

function mismatch(message: string, field: string): NuthatchError {
  return new NuthatchError('SchemaMismatch', message, { field });
}

/** Checks and normalizes the rows of an insert or upsert (defaults filled in), or of a partial upsert (only the fields given); returns fresh row objects. */
export function checkRows(schema: CollectionSchema, rows: Record<string, unknown>[], op: 'insert' | 'upsert' | 'partial', rules: { allowInsertAutoId?: boolean } = {}): RowObject[] {
  const pk = primaryField(schema), vectors = vectorFields(schema), scalars = scalarFields(schema);
  const known = new Set(schema.fields.map((f) => f.name));
  // allow_insert_auto_id: an inserted row of an autoID collection may give its key (the others get generated ones).
  const generatedFor = (row: Record<string, unknown>) => op === 'insert' && pk.autoId === true && !(rules.allowInsertAutoId === true && row[pk.name] !== undefined);
  const seen = new Set<PrimaryKey>();
  return rows.map((row, i) => {
    const at = `data[${i}]`;
    const out: RowObject = {};
    for (const key of Object.keys(row)) {
      if (known.has(key)) continue;
      if (schema.enableDynamicField && key === '$meta') throw mismatch(`'${at}' names '$meta', the dynamic field's own column: give dynamic keys as fields of the row`, `${at}.${key}`);
      if (!schema.enableDynamicField) {
        throw mismatch(`'${at}' has unknown field '${key}' (the collection's fields: ${[...known].join(', ')})`, `${at}.${key}`);
      }
      out[key] = checkDepth(row[key], `${at}.${key}`);
    }
    if (generatedFor(row)) {
      if (row[pk.name] !== undefined) throw mismatch(`'${at}.${pk.name}': the primary key is generated (autoID); leave it out of inserted rows`, `${at}.${pk.name}`);
    } else {
      const key = keyFor(pk, row[pk.name], `${at}.${pk.name}`);
      if (seen.has(key)) throw mismatch(`'${at}.${pk.name}': primary key ${JSON.stringify(key)} appears twice in one request`, `${at}.${pk.name}`);
      seen.add(key);
      out[pk.name] = key;
    }
    // A partial upsert's row holds only the fields it changes: those are checked, the rest come from the stored row.
    const partial = op === 'partial';
    for (const vec of vectors) {
      if (partial && row[vec.name] === undefined) continue;
      // A nullable vector field (Milvus 2.6) may be left out or null: the row then holds no vector there.
      if (vec.nullable && (row[vec.name] === undefined || row[vec.name] === null)) { out[vec.name] = null; continue; }
      if (row[vec.name] === undefined || row[vec.name] === null) throw mismatch(`'${at}' is missing the vector field '${vec.name}'`, `${at}.${vec.name}`);
      vectorFrom(row[vec.name], `${at}.${vec.name}`, vec.dim);
      out[vec.name] = row[vec.name];
    }
    // Packed values (a list of numbers or, as Milvus takes them, base64 bytes) are parsed by the client (runtime/client/rows.ts).
    for (const f of packedVectorFields(schema)) {
      if (isFunctionOutput(schema, f)) {
        if (row[f.name] !== undefined) throw mismatch(`'${at}.${f.name}' is the output of a MINHASH function, computed from its input text: leave it out`, `${at}.${f.name}`);
        continue;
      }
      if (f.nullable && (row[f.name] === null || (!partial && row[f.name] === undefined))) { out[f.name] = null; continue; }
      if (row[f.name] === undefined || row[f.name] === null) throw mismatch(`'${at}' is missing the vector field '${f.name}'`, `${at}.${f.name}`);
      out[f.name] = row[f.name];
    }
    // Sparse values are parsed by the client (runtime/client/rows.ts); a function's output is computed, never given.
    for (const f of sparseFields(schema)) {
      if (isFunctionOutput(schema, f)) {
        if (row[f.name] !== undefined) throw mismatch(`'${at}.${f.name}' is the output of a BM25 function, computed from its input text: leave it out`, `${at}.${f.name}`);
      } else if (partial && row[f.name] === undefined) continue;
      else if (f.nullable && (row[f.name] === undefined || row[f.name] === null)) out[f.name] = null;
      else if (row[f.name] === undefined || row[f.name] === null) throw mismatch(`'${at}' is missing the sparse vector field '${f.name}'`, `${at}.${f.name}`);
      else out[f.name] = row[f.name];
    }
    for (const f of scalars) {
      if (partial && !(f.name in row)) continue;
      // Timestamptz text is read by the client, in the collection's zone; here only whether it is a timestamp at all.
      if (f.dataType === 'Timestamptz') { const v = timestamptzText(f, row[f.name], `${at}.${f.name}`, partial); if (v !== undefined) out[f.name] = v; continue; }
      if (isStructArray(f)) {
        if (partial) throw mismatch(`'${at}.${f.name}': an Array of Structs cannot be changed by a partial upsert (Milvus's merge mode); upsert whole rows`, `${at}.${f.name}`);
        const v = structArrayInput(f, row[f.name] ?? null);
        if (typeof v === 'string') throw mismatch(`'${at}': ${v}`, `${at}.${f.name}`);
        out[f.name] = v;
        continue;
      }
      let v = fromJson(f.dataType, withDefault(f, row[f.name]), `${at}.${f.name}`);
      if (f.elementType && f.elementType !== 'Struct' && Array.isArray(v)) v = v.map((x, j) => fromJson(f.elementType as DataType, x, `${at}.${f.name}[${j}]`));
      const problem = scalarProblem(f, v);
      // An Array field's problem names the element it got; the list itself says less.
      if (problem) throw mismatch(`'${at}': ${problem}${v === undefined || v === null || f.dataType === 'Array' ? '' : `, got ${describe(v)}`}`, `${at}.${f.name}`);
      // A partial upsert's null clears the stored value; elsewhere an absent value is simply left out.
      if (v === undefined || v === null) { if (partial) out[f.name] = null; continue; }
      out[f.name] = f.dataType === 'JSON' ? checkDepth(v, `${at}.${f.name}`) : v;
    }
    return out;
  });
}

/** A Timestamptz value as REST gives it: ISO 8601 text (null or absent when the field is nullable or has a default). */
function timestamptzText(f: FieldSchema, v: unknown, path: string, partial: boolean): unknown {
  if (v === undefined || v === null) {
    if (f.nullable || f.defaultValue !== undefined && f.defaultValue !== null) return partial ? null : undefined;
    throw mismatch(`'${path}' is missing: field '${f.name}' is not nullable and has no default`, path);
  }
  const t = parseTimestamptz(v);
  if (typeof t === 'string') throw mismatch(`'${path}': Timestamptz field '${f.name}' ${t}, got ${describe(v)}`, path);
  return v;
}

/**
 * A JSON value as a field (or an Array element) of `type` takes it: Int64 also
 * from a decimal string; an integer past ±(2^53-1) and a Float past float32 refused.
 */
function fromJson(type: DataType, v: unknown, path: string): unknown {
  if (type === 'Int64' && typeof v === 'string' && /^-?\d+$/.test(v)) v = Number(v);
  if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v) && type === 'Int64') {
    throw mismatch(`'${path}' is ${describe(v)}: Int64 values must be within ±${Number.MAX_SAFE_INTEGER} to survive JSON`, path);
  }
  if (type === 'Float' && typeof v === 'number' && !Number.isFinite(Math.fround(v))) {
    throw mismatch(`'${path}' = ${v} is out of the float32 range`, path);
  }
  return v;
}

/** A primary key for this schema: Int64 as a safe integer (or its decimal string), VarChar as a string. */
export function keyFor(pk: FieldSchema, v: unknown, path: string): PrimaryKey {
  if (v === undefined || v === null) throw mismatch(`'${path}' is missing: every row needs its primary key`, path);
  if (pk.dataType === 'Int64') {
    const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
    if (typeof n === 'number' && Number.isSafeInteger(n)) return n;
    if (typeof n === 'number' && Number.isInteger(n)) throw mismatch(`'${path}' is ${describe(v)}: Int64 keys must be within ±${Number.MAX_SAFE_INTEGER} to survive JSON`, path);
    throw mismatch(`'${path}' must be an Int64 primary key (an integer), got ${describe(v)}`, path);
  }
  if (typeof v !== 'string') throw mismatch(`'${path}' must be a VarChar primary key (a string), got ${describe(v)}`, path);
  const tooLong = pk.maxLength === undefined ? null : varCharLengthProblem(`'${path}' (primary key '${pk.name}')`, v, pk.maxLength);
  if (tooLong) throw mismatch(tooLong, path);
  return v;
}

/** Normalizes the keys of a primary-key search (`ids`) to the primary key's type, naming a wrong one. */
export function checkSearchIds(schema: CollectionSchema, ids: PrimaryKey[]): PrimaryKey[] {
  const pk = primaryField(schema);
  return ids.map((id, i) => keyFor(pk, id, `ids[${i}]`));
}

/** Normalizes the keys of a get to the primary key's type. */
export function checkIds(schema: CollectionSchema, ids: PrimaryKey[]): PrimaryKey[] {
  const pk = primaryField(schema);
  return ids.map((id, i) => keyFor(pk, id, ids.length === 1 ? 'id' : `id[${i}]`));
}

/**
 * Output fields must name schema fields (or, with the dynamic field on, any key);
 * "*" stands for every field (the dynamic field's keys included), as in Milvus.
 */
export function checkOutputFields(schema: CollectionSchema, fields: string[] | undefined): string[] | undefined {
  if (!fields) return undefined;
  const names = schema.fields.map((f) => f.name);
  const out = new Set<string>();
  for (const [i, f] of fields.entries()) {
    // Left for the client: it shows the dynamic field's keys too, and under a partial load only the loaded fields.
    if (f === '*') { out.add('*'); continue; }
    // An aggregate (count(*), sum(x), ...): its field is checked by the client with the query's groupByFields.
    if (aggregateCall(f)) { out.add(f); continue; }
    if (!names.includes(f) && !schema.enableDynamicField && !structOutputPath(schema, f)) throw mismatch(`'outputFields[${i}]' names '${f}', which is not a field of the collection (fields: ${names.join(', ')})`, `outputFields[${i}]`);
    out.add(f);
  }
  return [...out];
}

/** The searched field must be a vector field (named, when there are several) and every query vector must have its dimension. */
export function checkSearch(schema: CollectionSchema, req: Pick<SearchRequest, 'annsField'> & { data?: ReadonlyArray<unknown> }, at = ''): void {
  // An embedding-list search of a Struct's vector sub-field (`chunks[text_vector]`): its lists are checked by the client.
  if (structVectorOf(schema, req.annsField)) return;
  const vectors = [...vectorFields(schema), ...packedVectorFields(schema), ...sparseFields(schema)];
  let vec = vectors[0]!;
  if (req.annsField !== undefined) {
    const named = vectors.find((f) => f.name === req.annsField);
    if (!named) throw mismatch(`'${at}annsField' names '${req.annsField}', which is not a vector field of the collection (${vectors.map((f) => f.name).join(', ')})`, `${at}annsField`);
    vec = named;
  } else if (vectors.length > 1) throw mismatch(`'${at}annsField' is needed: the collection has vector fields ${vectors.map((f) => f.name).join(', ')}`, `${at}annsField`);
  // A sparse field's queries (texts or sparse vectors) are checked by the client, which knows its function.
  if (vec.dataType === 'SparseFloatVector') return;
  // A packed field's queries (numbers, bytes or base64) are checked by the client as its rows are.
  if (vec.dataType !== 'FloatVector') return;
  // A primary-key search's vectors are the rows' own (checkSearchIds checks its keys).
  (req.data ?? []).forEach((v, i) => {
    if (!(v instanceof Float32Array)) throw mismatch(`'${at}data[${i}]' must be a list of numbers: '${vec.name}' is a dense vector field`, `${at}data[${i}]`);
    if (v.length !== vec.dim) throw dimensionError(`${at}data[${i}]`, v.length, vec.dim!);
  });
}

function checkDepth(v: unknown, path: string): unknown {
  const deep = (x: unknown, d: number): boolean => {
    if (typeof x !== 'object' || x === null) return false;
    if (d >= MAX_JSON_DEPTH) return true;
    return Object.values(x).some((y) => deep(y, d + 1));
  };
  if (deep(v, 0)) throw mismatch(`'${path}' is nested deeper than ${MAX_JSON_DEPTH} levels`, path);
  return v;
}

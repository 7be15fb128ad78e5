import { droppedKeyProblem } from '../../messages/droppedField.js';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import { columnVectorFields, isNullVector, LIMITS, packedVectorFields, primaryField, scalarFields, scalarProblem, sparseFields, vectorField, withDefault, type CollectionSchema, type PrimaryKey, type Rows } from '../../messages/schema.js';
import { isPackedVectorType, packRow, unpackRow } from '../../messages/packedVectors.js';
import { bm25FunctionOf, minhashFunctionOf } from '../../messages/schemaFunctions.js';
import { minhashParamsOf } from '../../messages/minhash/minhashParams.js';
import { minhashBytes } from '../../messages/minhash/minhashSignature.js';
import { isStructArray, structArrayInput, structArrayOutput } from '../../messages/structArray.js';
import { fieldAnalyzer, termFrequencies, textAnalysis } from '../../messages/analyzer.js';
import { encodeSparse, parseSparse, sparseToObject } from '../../messages/sparse.js';
import type { RowObject } from './api.js';
import { DEFAULT_TIMEZONE } from '../../messages/timestamptz.js';
import { renderTimestamptz, timestamptzInput } from '../../messages/timestamptzFields.js';
import { geometryInput } from '../../messages/geometryFields.js';

/**
 * Turns rows as users write them (objects, vectors as number arrays) into columnar
 * batches, checking each value on the way so a bad row is refused with a message
 * naming the row and field, before anything is appended. A field the row omits
 * or leaves null takes the field's default value, when it has one.
 */
export function toColumns(schema: CollectionSchema, rows: RowObject[], pks: Array<PrimaryKey | undefined> | null, tz: string = DEFAULT_TIMEZONE): Rows {
  if (!Array.isArray(rows) || rows.length === 0) throw new ValidationError('no rows to insert: data must be a non-empty list');
  if (rows.length > LIMITS.maxBatchRows) throw new NuthatchError('PayloadTooLarge', `an insert holds at most ${LIMITS.maxBatchRows} rows, got ${rows.length}`);
  // Without a FloatVector the rows' float32 block is empty (dim 0).
  const pk = primaryField(schema), vf = vectorField(schema), dim = vf?.dim ?? 0;
  const scalars = scalarFields(schema), moreVectors = columnVectorFields(schema), packed = packedVectorFields(schema);
  const known = new Set(schema.fields.map((f) => f.name));
  const vectors = new Float32Array(rows.length * dim);
  const sparse = sparseFields(schema).map((f) => {
    const input = bm25FunctionOf(schema, f.name)?.inputFieldNames[0];
    return { f, input, analysis: input === undefined ? undefined : textAnalysis(schema, input) };
  });
  // MINHASH outputs, each with its input, params and analyzer, picked once per batch.
  const minhash = packed.flatMap((f) => {
    const fn = minhashFunctionOf(schema, f.name);
    if (!fn) return [];
    const input = fn.inputFieldNames[0]!;
    return [{ f, input, params: minhashParamsOf(fn.params, f.dim!, fn.name), analyzer: fieldAnalyzer(schema.fields.find((x) => x.name === input)) }];
  });
  const computed = new Set(minhash.map((m) => m.f.name));
  const fields: Record<string, unknown[]> = Object.fromEntries([...scalars, ...moreVectors, ...packed, ...sparse.map((x) => x.f)].map((f) => [f.name, new Array(rows.length)]));
  const meta: unknown[] | null = schema.enableDynamicField ? new Array(rows.length) : null;
  // Generated keys (autoID), one per row; a hole is a row that gives its own (allow_insert_auto_id).
  const keys = (pks ?? new Array(rows.length)) as PrimaryKey[];
  // A plain loop, not forEach: under load, Node 20 (V8 11.3) was seen to refuse a good key here, in a forEach callback
  // optimised part way through a batch (row N "must be an integer" where N was the key); see the closing note of session 10.
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new ValidationError(`row ${i} must be an object`);
    if (pks?.[i] !== undefined) { if (pk.name in row) throw new ValidationError(`row ${i}: primary key '${pk.name}' is auto-generated (autoId) and must not be given`); }
    else {
      const k = row[pk.name];
      if (k === undefined || k === null) throw new ValidationError(`row ${i}: primary key '${pk.name}' is missing`);
      if (pk.dataType === 'Int64' ? !(typeof k === 'number' && Number.isSafeInteger(k)) : typeof k !== 'string') throw new ValidationError(`row ${i}: primary key '${pk.name}' must be ${pk.dataType === 'Int64' ? 'an integer' : 'a string'}`);
      keys[i] = k as PrimaryKey;
    }
    if (vf) readVector(row[vf.name], vf.name, dim, i, vectors, i * dim);
    // Further vector fields are columns of one Float32Array per row (messages/schema.ts vectorField);
    // a nullable one's row that omits it or gives null holds null (Milvus 2.6's nullable vectors).
    for (const f of moreVectors) {
      if (f.nullable && isNullVector(row[f.name])) { fields[f.name]![i] = null; continue; }
      const out = new Float32Array(f.dim!);
      readVector(row[f.name], f.name, f.dim!, i, out, 0);
      fields[f.name]![i] = out;
    }
    // Packed fields (Float16Vector, BinaryVector, ...) hold their bytes, rounded to the type once here.
    for (const f of packed) {
      if (computed.has(f.name)) continue;
      if (f.nullable && isNullVector(row[f.name])) { fields[f.name]![i] = null; continue; }
      const v = packRow(f.dataType, f.dim!, row[f.name], `row ${i}: ${f.dataType} field '${f.name}'`);
      if (typeof v === 'string') throw new ValidationError(v, { field: f.name });
      fields[f.name]![i] = v;
    }
    for (const f of scalars) {
      // The default goes in here, once, so the WAL and every reader hold the same value.
      // Timestamptz text becomes the stored instant (text without an offset read in `tz`) before the default rule.
      if (isStructArray(f)) {
        // Vector sub-fields become Float32Array here, once, so the WAL holds them as vectors.
        const v = structArrayInput(f, row[f.name] ?? null);
        if (typeof v === 'string') throw new ValidationError(`row ${i}: ${v}`, { field: f.name });
        fields[f.name]![i] = v;
        continue;
      }
      const given = f.dataType === 'Timestamptz' ? timestamptzInput(f, row[f.name], tz, `row ${i}`) : row[f.name];
      let x = withDefault(f, given);
      // Geometry WKT (a default too) is stored in canonical form; bad WKT names the row and field.
      if (f.dataType === 'Geometry') x = geometryInput(f, x, `row ${i}`);
      const p = scalarProblem(f, x);
      if (p) throw new ValidationError(`row ${i}: ${p}`);
      fields[f.name]![i] = x ?? null;
    }
    // A MINHASH function's output is computed here, from its input text as stored (default applied), never given.
    for (const { f, input, params, analyzer } of minhash) {
      if (row[f.name] !== undefined) throw new ValidationError(`row ${i}: '${f.name}' is the output of a MINHASH function and is computed from '${input}'; leave it out`, { field: f.name });
      const text = fields[input]![i];
      fields[f.name]![i] = minhashBytes(typeof text === 'string' ? text : '', params, analyzer);
    }
    // A BM25 function's output is computed here, from its input text as stored (default applied), never given.
    for (const { f, input, analysis } of sparse) {
      if (input !== undefined && analysis !== undefined) {
        if (row[f.name] !== undefined) throw new ValidationError(`row ${i}: '${f.name}' is the output of a BM25 function and is computed from '${input}'; leave it out`, { field: f.name });
        const text = fields[input]![i];
        // With multi_analyzer_params the row's by_field value (as stored: default applied) picks its analyzer.
        const analyzer = analysis.forRow(analysis.byField === undefined ? undefined : fields[analysis.byField]![i]);
        fields[f.name]![i] = encodeSparse(termFrequencies(typeof text === 'string' ? text : '', analyzer));
        continue;
      }
      if (f.nullable && isNullVector(row[f.name])) { fields[f.name]![i] = null; continue; }
      const v = parseSparse(row[f.name], `row ${i}: sparse vector field '${f.name}'`);
      if (typeof v === 'string') throw new ValidationError(v, { field: f.name });
      fields[f.name]![i] = encodeSparse(v);
    }
    let extra: Record<string, unknown> | null = null;
    for (const key of Object.keys(row)) {
      if (known.has(key)) continue;
      const dropped = droppedKeyProblem(schema, key);
      if (dropped) throw new ValidationError(`row ${i}: ${dropped}`, { field: key });
      if (!meta) throw new ValidationError(`row ${i}: unknown field '${key}' (the collection has no dynamic fields)`);
      (extra ??= {})[key] = row[key];
    }
    if (meta) meta[i] = extra ?? {};
  }
  if (meta) fields.$meta = meta;
  return { count: rows.length, pks: keys, vectors, fields };
}

/** Checks row `i`'s value of a vector field and copies it into `out` at `at`. */
function readVector(v: unknown, name: string, dim: number, i: number, out: Float32Array, at: number): void {
  if (!Array.isArray(v) && !(v instanceof Float32Array)) throw new ValidationError(`row ${i}: vector field '${name}' is missing or not a list of numbers`);
  if (v.length !== dim) throw new ValidationError(`row ${i}: vector field '${name}' has dimension ${v.length}, the field's is ${dim}`);
  for (let j = 0; j < dim; j++) {
    const x = v[j];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new ValidationError(`row ${i}: vector field '${name}' holds a non-finite or non-numeric value at ${j}`);
    out[at + j] = x;
  }
}

/** Selects rows [from, to) of a columnar batch. */
export function sliceRows(r: Rows, idx: number[], dim: number): Rows {
  const vectors = new Float32Array(idx.length * dim);
  idx.forEach((src, i) => vectors.set(r.vectors.subarray(src * dim, (src + 1) * dim), i * dim));
  const fields: Record<string, unknown[]> = {};
  for (const [k, col] of Object.entries(r.fields)) fields[k] = idx.map((i) => col[i]);
  return { count: idx.length, pks: idx.map((i) => r.pks[i]!), vectors, fields };
}

/** The shard of a primary key: a stable hash modulo the shard count. */
export function shardOf(pk: PrimaryKey, shards: number): number {
  if (shards === 1) return 0;
  const s = typeof pk === 'number' ? `i${pk}` : `s${pk}`;
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
  return (h >>> 0) % shards;
}

/**
 * Output rows as users read them: vectors become number arrays (a packed
 * field's by its type, from `schema`), sparse ones `{index: value}`, `$meta`
 * keys are spread, Timestamptz values are RFC 3339 text in `tz`.
 */
export function toRowObject(fields: Record<string, unknown>, schema?: CollectionSchema, tz: string = DEFAULT_TIMEZONE): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (k === '$meta' && v && typeof v === 'object') Object.assign(out, v);
    else if (v instanceof Uint8Array) {
      const f = schema?.fields.find((x) => x.name === k);
      out[k] = f && isPackedVectorType(f.dataType) ? unpackRow(f.dataType, f.dim!, v) : sparseToObject(v);
    } else if (Array.isArray(v) && schema?.fields.some((x) => x.name === k && isStructArray(x))) out[k] = structArrayOutput(v);
    else out[k] = v instanceof Float32Array ? Array.from(v) : v;
  }
  return renderTimestamptz(out, schema, tz);
}


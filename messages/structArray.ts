import { ValidationError } from './errors.js';
import { LIMITS, type CollectionSchema, type FieldSchema } from './fieldTypes.js';
import { checkName } from './schemaValidation.js';
import { valueProblem } from './fieldValues.js';

/**
 * Array of Structs (Milvus 2.6.4+), pure: an Array field whose elementType is
 * 'Struct' holds, per row, a list of at most maxCapacity objects that share
 * one schema (`structFields`) of scalar and FloatVector sub-fields. A vector
 * sub-field is searched as an embedding list (actors/shared/vector/maxSim.ts),
 * named `<field>[<sub-field>]` as Milvus names it. Stored, a vector
 * sub-field's value is a Float32Array; users write and read number lists.
 */

/** What a Struct may hold (Milvus 2.6's table: FLOAT_VECTOR; VARCHAR, INT8/16/32/64, FLOAT, DOUBLE, BOOLEAN). */
export const STRUCT_SUBFIELD_TYPES = ['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double', 'VarChar', 'FloatVector'] as const;
export type StructSubFieldType = (typeof STRUCT_SUBFIELD_TYPES)[number];

/**
 * The metrics of an embedding-list search (Milvus 2.6 with HNSW or
 * AUTOINDEX on a vector sub-field; MAX_SIM alone is MAX_SIM_COSINE).
 */
export const EMB_LIST_METRICS = ['MAX_SIM_COSINE', 'MAX_SIM_IP', 'MAX_SIM_L2'] as const;
export type EmbListMetric = (typeof EMB_LIST_METRICS)[number];

/** A shard search's embedding lists (ShardSearch.embList): nq lists, each its vectors back to back. */
export interface EmbListQuery { lists: Float32Array[]; metric: EmbListMetric }

/** One field of the Struct elements. */
export interface StructSubField {
  name: string;
  dataType: StructSubFieldType;
  /** FloatVector only. */
  dim?: number;
  /** VarChar only. */
  maxLength?: number;
  description?: string;
}

/** Keys a sub-field may carry: it is never a key, nullable, defaulted, analyzed or a partition key (Milvus's rule). */
const SUBFIELD_KEYS = new Set(['name', 'dataType', 'dim', 'maxLength', 'description']);

export function isStructArray(f: Pick<FieldSchema, 'dataType' | 'elementType'>): boolean {
  return f.dataType === 'Array' && f.elementType === 'Struct';
}

/** Every Array of Structs field of a schema. */
export function structArrayFields(s: CollectionSchema): FieldSchema[] { return s.fields.filter(isStructArray); }

/** How many FloatVector sub-fields the schema's Structs hold: they count toward the vector field limit. */
export function structVectorCount(s: CollectionSchema): number {
  return structArrayFields(s).reduce((n, f) => n + (f.structFields ?? []).filter((x) => x.dataType === 'FloatVector').length, 0);
}

/** The rules of an Array of Structs field (Milvus 2.6): not nullable, no default, 1..4096 elements, typed sub-fields. */
export function checkStructArrayField(f: FieldSchema): void {
  const field = { field: f.name };
  if (f.nullable) throw new ValidationError(`Array of Structs field '${f.name}' cannot be nullable`, field);
  if (f.defaultValue !== undefined && f.defaultValue !== null) throw new ValidationError(`Array of Structs field '${f.name}' cannot have a default value`, field);
  if (f.maxLength !== undefined || f.dim !== undefined) throw new ValidationError(`Array of Structs field '${f.name}' takes max_length and dim on its sub-fields, not on itself`, field);
  if (f.isPrimary || f.isPartitionKey) throw new ValidationError(`Array of Structs field '${f.name}' cannot be the primary or the partition key`, field);
  if (!Number.isInteger(f.maxCapacity) || f.maxCapacity! < 1 || f.maxCapacity! > LIMITS.maxArrayCapacity) throw new ValidationError(`Array of Structs field '${f.name}' needs max_capacity in 1..${LIMITS.maxArrayCapacity}`, field);
  const subs = f.structFields;
  if (!Array.isArray(subs) || subs.length === 0) throw new ValidationError(`Array of Structs field '${f.name}' needs structFields: a non-empty list of sub-fields`, field);
  const seen = new Set<string>();
  for (const x of subs) {
    if (x === null || typeof x !== 'object') throw new ValidationError(`every sub-field of '${f.name}' must be a field schema`, field);
    checkName('sub-field', x.name);
    const at = { field: `${f.name}[${x.name}]` };
    if (seen.has(x.name)) throw new ValidationError(`duplicate sub-field name '${x.name}' in '${f.name}'`, at);
    seen.add(x.name);
    const extra = Object.keys(x).find((k) => !SUBFIELD_KEYS.has(k) && (x as unknown as Record<string, unknown>)[k] !== undefined && (x as unknown as Record<string, unknown>)[k] !== false);
    if (extra) throw new ValidationError(`sub-field '${f.name}[${x.name}]' cannot set '${extra}': a Struct's fields are never keys, nullable, defaulted or analyzed`, at);
    if (!(STRUCT_SUBFIELD_TYPES as readonly string[]).includes(x.dataType)) throw new ValidationError(`sub-field '${f.name}[${x.name}]' has type '${String(x.dataType)}'; a Struct holds ${STRUCT_SUBFIELD_TYPES.join(', ')}`, at);
    if (x.dataType === 'FloatVector') {
      if (!Number.isInteger(x.dim) || x.dim! < 1 || x.dim! > LIMITS.maxDim) throw new ValidationError(`vector sub-field '${f.name}[${x.name}]' needs an integer dim in 1..${LIMITS.maxDim}`, at);
    } else if (x.dim !== undefined) throw new ValidationError(`sub-field '${f.name}[${x.name}]' is ${x.dataType}: dim is only for FloatVector`, at);
    if (x.dataType === 'VarChar') {
      if (!Number.isInteger(x.maxLength) || x.maxLength! < 1 || x.maxLength! > LIMITS.maxVarCharLength) throw new ValidationError(`VarChar sub-field '${f.name}[${x.name}]' needs max_length in 1..${LIMITS.maxVarCharLength}`, at);
    } else if (x.maxLength !== undefined) throw new ValidationError(`sub-field '${f.name}[${x.name}]' is ${x.dataType}: max_length is only for VarChar`, at);
  }
}

/**
 * A stored value of an Array of Structs field (vectors as Float32Array): an
 * error text or null. Every element is an object with every sub-field and no
 * other key; no value is null (sub-fields are not nullable).
 */
export function structArrayProblem(f: FieldSchema, v: unknown): string | null {
  return checkElements(f, v, (x, what, dim) => {
    if (!(x instanceof Float32Array)) return `${what} must be a list of numbers`;
    return vectorProblem(x, dim, what);
  });
}

/** A value as a user writes it (vectors as number lists, or Float32Array), made stored; an error text when it cannot be. */
export function structArrayInput(f: FieldSchema, v: unknown): unknown[] | string {
  const vectors = new Map<unknown, Float32Array>();
  const problem = checkElements(f, v, (x, what, dim) => {
    if (!Array.isArray(x) && !(x instanceof Float32Array)) return `${what} must be a list of numbers`;
    const p = vectorProblem(x, dim, what);
    if (p) return p;
    vectors.set(x, x instanceof Float32Array ? x : Float32Array.from(x as number[]));
    return null;
  });
  if (problem) return problem;
  const subs = f.structFields!;
  return (v as Array<Record<string, unknown>>).map((e) => Object.fromEntries(subs.map((x) => [x.name, x.dataType === 'FloatVector' ? vectors.get(e[x.name]) : e[x.name]])));
}

/** A stored value as users read it: vectors as number lists; `only` keeps those sub-fields alone (output field `chunks[text]`). */
export function structArrayOutput(v: unknown, only?: readonly string[]): unknown {
  if (!Array.isArray(v)) return v;
  return v.map((e: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(e)) if (!only || only.includes(k)) out[k] = x instanceof Float32Array ? Array.from(x) : x;
    return out;
  });
}

function vectorProblem(x: ArrayLike<unknown>, dim: number, what: string): string | null {
  if (x.length !== dim) return `${what} has dimension ${x.length}, the sub-field's is ${dim}`;
  for (let i = 0; i < x.length; i++) if (typeof x[i] !== 'number' || !Number.isFinite(x[i])) return `${what} holds a NaN, Infinity or non-number at ${i}`;
  return null;
}

function checkElements(f: FieldSchema, v: unknown, vector: (x: unknown, what: string, dim: number) => string | null): string | null {
  if (!Array.isArray(v)) return `Array of Structs field '${f.name}' must be a list of objects`;
  if (v.length > f.maxCapacity!) return `Array of Structs field '${f.name}' holds ${v.length} elements, more than its max_capacity ${f.maxCapacity}`;
  const subs = f.structFields!;
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    const at = `element [${i}] of '${f.name}'`;
    if (e === null || typeof e !== 'object' || Array.isArray(e) || e instanceof Float32Array || e instanceof Uint8Array) return `${at} must be an object of its sub-fields`;
    const o = e as Record<string, unknown>;
    const unknown = Object.keys(o).find((k) => !subs.some((x) => x.name === k));
    if (unknown !== undefined) return `${at} has unknown sub-field '${unknown}'`;
    for (const x of subs) {
      const what = `sub-field '${f.name}[${x.name}]' of element [${i}]`;
      const val = o[x.name];
      if (val === undefined || val === null) return `${what} is missing; a Struct's fields are not nullable`;
      const p = x.dataType === 'FloatVector' ? vector(val, what, x.dim!) : valueProblem(what, x.dataType, x.maxLength, val);
      if (p) return p;
    }
  }
  return null;
}

/**
 * The elements of an Array of Structs field as a filter condition sees them
 * (element_filter, MATCH_*): one field per sub-field, named `$[sub]`.
 */
export function elementSchema(f: FieldSchema): CollectionSchema {
  return { fields: f.structFields!.map((x) => ({ name: `$[${x.name}]`, dataType: x.dataType, ...(x.maxLength === undefined ? {} : { maxLength: x.maxLength }), ...(x.dim === undefined ? {} : { dim: x.dim }) })) };
}

/** A search's `annsField` naming a vector sub-field, `chunks[text_vector]`: the Struct field and the sub-field; undefined when it names none. */
export function structVectorOf(s: CollectionSchema, name: string | undefined): { field: FieldSchema; sub: StructSubField } | undefined {
  const m = name === undefined ? null : /^([A-Za-z_][A-Za-z0-9_]*)\[([A-Za-z_][A-Za-z0-9_]*)\]$/.exec(name);
  if (!m) return undefined;
  const field = s.fields.find((f) => f.name === m[1]);
  if (!field || !isStructArray(field)) throw new ValidationError(`annsField '${name}': '${m[1]}' is not an Array of Structs field`, { field: 'annsField' });
  const sub = field.structFields!.find((x) => x.name === m[2]);
  if (!sub) throw new ValidationError(`annsField '${name}': '${m[1]}' has no sub-field '${m[2]}'`, { field: 'annsField' });
  if (sub.dataType !== 'FloatVector') throw new ValidationError(`annsField '${name}' is ${sub.dataType}, not a vector sub-field`, { field: 'annsField' });
  return { field, sub };
}

/** An output field naming a Struct sub-field, `chunks[text]`: the Struct field and the sub-field; undefined for any other name. */
export function structOutputPath(s: CollectionSchema, name: string): { field: string; sub: string } | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\[([A-Za-z_][A-Za-z0-9_]*)\]$/.exec(name);
  const f = m ? s.fields.find((x) => x.name === m[1]) : undefined;
  if (!m || !f || !isStructArray(f)) return undefined;
  if (!f.structFields!.some((x) => x.name === m[2])) throw new ValidationError(`output field '${name}': '${m[1]}' has no sub-field '${m[2]}'`, { field: name });
  return { field: m[1]!, sub: m[2]! };
}

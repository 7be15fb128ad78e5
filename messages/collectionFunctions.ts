import { indexOnField } from './droppedField.js';
import { ValidationError } from './errors.js';
import { checkName, type CollectionSchema } from './schema.js';
import { checkFunctions, type FunctionSchema } from './schemaFunctions.js';
import type { IndexParams } from './types.js';

/**
 * Functions added to, changed on and dropped from a live collection (Milvus
 * 2.6's add_collection_function, alter_collection_function,
 * drop_collection_function), pure. The function's fields must already exist:
 * 2.6 adds only the function (3.0's add_function_field adds the output field
 * with it). A function's output is computed where rows enter, so it holds for
 * writes stamped after the TSO its WAL message takes; rows written before keep
 * what they were written with (no back-fill, as in 2.6: a BM25 output field
 * keeps the vectors users gave it, and full-text search finds the rows written
 * after). While a function's output field is indexed the function can be
 * neither added nor dropped: the index's metric (BM25, MHJACCARD) follows from
 * the function, so an index built for one is wrong for the other.
 */

/** Why `fn` cannot be added to `schema` (indexes: the collection's), or null. */
export function addedFunctionProblem(schema: CollectionSchema, indexes: readonly IndexParams[], fn: FunctionSchema): string | null {
  if (fn === null || typeof fn !== 'object' || Array.isArray(fn)) return 'the function must be an object {name, type, inputFieldNames, outputFieldNames, params?}';
  const shape = shapeProblem(fn);
  if (shape) return shape;
  if ((schema.functions ?? []).some((f) => f.name === fn.name)) return `function '${fn.name}' already exists in the collection`;
  const output = fn.outputFieldNames[0]!;
  const owner = (schema.functions ?? []).find((f) => f.outputFieldNames.includes(output));
  if (owner) return `field '${output}' is already the output of function '${owner.name}'`;
  const index = indexOnField(indexes, output);
  if (index) return `output field '${output}' has index '${index.indexName}', built for the vectors users gave it: drop the index first, then index the function's output`;
  return schemaProblem({ ...schema, functions: [...(schema.functions ?? []), fn] });
}

/**
 * Why `fn` cannot replace the function of its name, or null. Its type and
 * output field stay (the output field's metric and index follow from them:
 * drop the function and add another to change them); its input field and
 * params may change, for writes after it.
 */
export function alteredFunctionProblem(schema: CollectionSchema, fn: FunctionSchema): string | null {
  if (fn === null || typeof fn !== 'object' || Array.isArray(fn)) return 'the function must be an object {name, type, inputFieldNames, outputFieldNames, params?}';
  const shape = shapeProblem(fn);
  if (shape) return shape;
  const was = (schema.functions ?? []).find((f) => f.name === fn.name);
  if (!was) return `the collection has no function '${fn.name}'`;
  if (was.type !== fn.type) return `function '${fn.name}' is ${was.type}: its type cannot change (drop it and add a ${String(fn.type)} function)`;
  if (was.outputFieldNames[0] !== fn.outputFieldNames[0]) return `function '${fn.name}' writes field '${was.outputFieldNames[0]}': its output field cannot change (drop it and add another function)`;
  return schemaProblem(withFunctionReplaced(schema, fn));
}

/** Why the function named `name` cannot be dropped, or null. */
export function droppedFunctionProblem(schema: CollectionSchema, indexes: readonly IndexParams[], name: string): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'functionName must be a non-empty string';
  const fn = (schema.functions ?? []).find((f) => f.name === name);
  if (!fn) return `the collection has no function '${name}'`;
  const index = indexOnField(indexes, fn.outputFieldNames[0]!);
  if (index) return `the output field '${fn.outputFieldNames[0]}' of function '${name}' has index '${index.indexName}' (metric ${index.metricType ?? 'none'}, which only the function's output takes): drop the index first`;
  return null;
}

/** The schema with `fn` added; throws ValidationError when it cannot be. */
export function withAddedFunction(schema: CollectionSchema, indexes: readonly IndexParams[], fn: FunctionSchema): CollectionSchema {
  const problem = addedFunctionProblem(schema, indexes, fn);
  if (problem) throw new ValidationError(problem, { field: `functions.${String(fn?.name)}` });
  return { ...schema, functions: [...(schema.functions ?? []), structuredClone(fn)] };
}

/** The schema with `fn` in place of the function of its name; throws ValidationError when it cannot be. */
export function withAlteredFunction(schema: CollectionSchema, fn: FunctionSchema): CollectionSchema {
  const problem = alteredFunctionProblem(schema, fn);
  if (problem) throw new ValidationError(problem, { field: `functions.${String(fn?.name)}` });
  return withFunctionReplaced(schema, fn);
}

/** The schema without the function named `name`; throws ValidationError when it cannot go. */
export function withDroppedFunction(schema: CollectionSchema, indexes: readonly IndexParams[], name: string): CollectionSchema {
  const problem = droppedFunctionProblem(schema, indexes, name);
  if (problem) throw new ValidationError(problem, { field: `functions.${name}` });
  const functions = schema.functions!.filter((f) => f.name !== name);
  const { functions: _was, ...rest } = schema;
  return functions.length > 0 ? { ...rest, functions } : rest;
}

/** Two function definitions equal whatever their keys' order: how a retried add finds itself done. */
export function sameFunction(a: FunctionSchema, b: FunctionSchema): boolean {
  const sorted = (v: unknown): unknown => (Array.isArray(v) ? v.map(sorted) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v);
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function withFunctionReplaced(schema: CollectionSchema, fn: FunctionSchema): CollectionSchema {
  return { ...schema, functions: (schema.functions ?? []).map((f) => (f.name === fn.name ? structuredClone(fn) : f)) };
}

/** The name and field lists, before anything is looked up. */
function shapeProblem(fn: FunctionSchema): string | null {
  try { checkName('function', fn.name); } catch (e) { return (e as Error).message; }
  // An unknown function first, whatever its fields (Milvus's TextEmbedding and rerankers are not in nuthatch).
  if (fn.type !== 'BM25' && fn.type !== 'MINHASH') return `function '${fn.name}' has type '${String(fn.type)}'; nuthatch supports BM25 and MINHASH`;
  for (const key of ['inputFieldNames', 'outputFieldNames'] as const) {
    const list: unknown = fn[key];
    if (!Array.isArray(list) || list.length !== 1 || typeof list[0] !== 'string') return `function '${fn.name}' needs ${key} of exactly one field name`;
  }
  return null;
}

/** Every check a schema's functions get at creation (types, fields, params, nullability). */
function schemaProblem(s: CollectionSchema): string | null {
  try { checkFunctions(s, checkName); return null; } catch (e) { return (e as Error).message; }
}

/**
 * A function as a request gives it, in the shape the schema keeps: the type in
 * any case ("bm25", "MinHash", as Milvus takes it), only the keys a function has.
 * Throws ValidationError for what is not an object; the rest is checked against the schema.
 */
export function requestedFunction(raw: unknown): FunctionSchema {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ValidationError('function must be an object {name, type, inputFieldNames, outputFieldNames, params?}', { field: 'function' });
  const o = raw as Record<string, unknown>;
  const known = new Set(['name', 'type', 'inputFieldNames', 'outputFieldNames', 'params', 'description']);
  const unknown = Object.keys(o).find((k) => !known.has(k));
  if (unknown !== undefined) throw new ValidationError(`function has no key '${unknown}' (it takes name, type, inputFieldNames, outputFieldNames, params, description)`, { field: `function.${unknown}` });
  const type = typeof o.type === 'string' && ['BM25', 'MINHASH'].includes(o.type.toUpperCase()) ? o.type.toUpperCase() : o.type;
  return {
    name: o.name as string, type: type as FunctionSchema['type'],
    inputFieldNames: o.inputFieldNames as string[], outputFieldNames: o.outputFieldNames as string[],
    ...(o.params === undefined ? {} : { params: o.params as Record<string, unknown> }),
  };
}

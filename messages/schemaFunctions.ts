import { ValidationError } from './errors.js';
import type { CollectionSchema, FieldSchema } from './schema.js';

/**
 * Functions of a schema (Milvus 2.5's `functions`): an output field computed
 * from input fields on insert, never given by users. Only BM25 for now: a
 * VarChar field with `enableAnalyzer` becomes a SparseFloatVector of term
 * counts (messages/analyzer.ts).
 */
export const FunctionType = { BM25: 'BM25' } as const;
export type FunctionType = (typeof FunctionType)[keyof typeof FunctionType];

export interface FunctionSchema {
  name: string;
  type: FunctionType;
  inputFieldNames: string[];
  outputFieldNames: string[];
}

/** Checks the schema's functions against its fields; throws ValidationError naming the function. */
export function checkFunctions(s: CollectionSchema, checkName: (kind: string, name: unknown) => string): void {
  const fns: unknown = s.functions;
  if (fns === undefined) return;
  if (!Array.isArray(fns)) throw new ValidationError('schema functions must be a list');
  const byName = new Map(s.fields.map((f) => [f.name, f]));
  const names = new Set<string>(), outputs = new Set<string>();
  for (const fn of fns as FunctionSchema[]) {
    if (fn === null || typeof fn !== 'object') throw new ValidationError('a schema function must be an object {name, type, inputFieldNames, outputFieldNames}');
    const name = checkName('function', fn.name);
    const at = { field: `functions.${name}` };
    if (names.has(name)) throw new ValidationError(`duplicate function name '${name}'`, at);
    names.add(name);
    if (fn.type !== 'BM25') throw new ValidationError(`function '${name}' has type '${String(fn.type)}'; nuthatch supports BM25`, at);
    if (!Array.isArray(fn.inputFieldNames) || fn.inputFieldNames.length !== 1) throw new ValidationError(`BM25 function '${name}' needs exactly one input field`, at);
    if (!Array.isArray(fn.outputFieldNames) || fn.outputFieldNames.length !== 1) throw new ValidationError(`BM25 function '${name}' needs exactly one output field`, at);
    const input = byName.get(fn.inputFieldNames[0]!), output = byName.get(fn.outputFieldNames[0]!);
    if (!input) throw new ValidationError(`input field '${String(fn.inputFieldNames[0])}' of function '${name}' does not exist`, at);
    if (!output) throw new ValidationError(`output field '${String(fn.outputFieldNames[0])}' of function '${name}' does not exist`, at);
    if (input.dataType !== 'VarChar' || input.enableAnalyzer !== true) throw new ValidationError(`the input of BM25 function '${name}' must be a VarChar field with enableAnalyzer, and '${input.name}' is not`, at);
    if (output.dataType !== 'SparseFloatVector') throw new ValidationError(`the output of BM25 function '${name}' must be a SparseFloatVector field, and '${output.name}' is ${output.dataType}`, at);
    // As in Milvus (a function's output is computed for every row): never nullable.
    if (output.nullable) throw new ValidationError(`the output field '${output.name}' of BM25 function '${name}' cannot be nullable: it is computed for every row`, at);
    if (outputs.has(output.name)) throw new ValidationError(`field '${output.name}' is the output of two functions`, at);
    outputs.add(output.name);
  }
}

/** The BM25 function whose output is `field`, if any. */
export function bm25FunctionOf(s: CollectionSchema, field: string): FunctionSchema | undefined {
  return s.functions?.find((fn) => fn.type === 'BM25' && fn.outputFieldNames[0] === field);
}

/** Whether a field is a function's output (computed; users never give it). */
export function isFunctionOutput(s: CollectionSchema, f: FieldSchema): boolean {
  return (s.functions ?? []).some((fn) => fn.outputFieldNames.includes(f.name));
}

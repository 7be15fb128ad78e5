import { ValidationError } from './errors.js';
import type { CollectionSchema, FieldSchema } from './schema.js';
import { minhashParamsOf } from './minhash/minhashParams.js';

/**
 * Functions of a schema (Milvus 2.5's `functions`): an output field computed
 * from input fields on insert, never given by users. BM25: a VarChar field
 * with `enableAnalyzer` becomes a SparseFloatVector of term counts
 * (messages/analyzer.ts). MINHASH (Milvus 3.0): a VarChar field becomes a
 * BinaryVector MinHash signature of its shingles (messages/minhash/).
 */
export const FunctionType = { BM25: 'BM25', MINHASH: 'MINHASH' } as const;
export type FunctionType = (typeof FunctionType)[keyof typeof FunctionType];

export interface FunctionSchema {
  name: string;
  type: FunctionType;
  inputFieldNames: string[];
  outputFieldNames: string[];
  /** The function's params (MINHASH: messages/minhash/minhashParams.ts); BM25 takes none. */
  params?: Record<string, unknown>;
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
    if (fn.type !== 'BM25' && fn.type !== 'MINHASH') throw new ValidationError(`function '${name}' has type '${String(fn.type)}'; nuthatch supports BM25 and MINHASH`, at);
    const kind = fn.type;
    if (!Array.isArray(fn.inputFieldNames) || fn.inputFieldNames.length !== 1) throw new ValidationError(`${kind} function '${name}' needs exactly one input field`, at);
    if (!Array.isArray(fn.outputFieldNames) || fn.outputFieldNames.length !== 1) throw new ValidationError(`${kind} function '${name}' needs exactly one output field`, at);
    const input = byName.get(fn.inputFieldNames[0]!), output = byName.get(fn.outputFieldNames[0]!);
    if (!input) throw new ValidationError(`input field '${String(fn.inputFieldNames[0])}' of function '${name}' does not exist`, at);
    if (!output) throw new ValidationError(`output field '${String(fn.outputFieldNames[0])}' of function '${name}' does not exist`, at);
    if (fn.params !== undefined && (fn.params === null || typeof fn.params !== 'object' || Array.isArray(fn.params))) throw new ValidationError(`the params of function '${name}' must be an object`, at);
    if (kind === 'MINHASH') {
      if (output.dataType !== 'BinaryVector') throw new ValidationError(`the output of MINHASH function '${name}' must be a BinaryVector field, and '${output.name}' is ${output.dataType}`, at);
      const p = minhashParamsOf(fn.params, output.dim ?? 0, name);
      // Word shingles are the input field's analyzer's terms, as Milvus asks (char shingles need none).
      if (input.dataType !== 'VarChar' || (p.tokenLevel === 'word' && input.enableAnalyzer !== true)) throw new ValidationError(`the input of MINHASH function '${name}' must be a VarChar field${p.tokenLevel === 'word' ? ' with enableAnalyzer (token_level "word")' : ''}, and '${input.name}' is not`, at);
    } else {
      if (fn.params !== undefined && Object.keys(fn.params).length > 0) throw new ValidationError(`BM25 function '${name}' takes no params`, at);
      if (input.dataType !== 'VarChar' || input.enableAnalyzer !== true) throw new ValidationError(`the input of BM25 function '${name}' must be a VarChar field with enableAnalyzer, and '${input.name}' is not`, at);
      if (output.dataType !== 'SparseFloatVector') throw new ValidationError(`the output of BM25 function '${name}' must be a SparseFloatVector field, and '${output.name}' is ${output.dataType}`, at);
    }
    // As in Milvus (a function's output is computed for every row): never nullable.
    if (output.nullable) throw new ValidationError(`the output field '${output.name}' of ${kind} function '${name}' cannot be nullable: it is computed for every row`, at);
    if (outputs.has(output.name)) throw new ValidationError(`field '${output.name}' is the output of two functions`, at);
    outputs.add(output.name);
  }
}

/** The BM25 function whose output is `field`, if any. */
export function bm25FunctionOf(s: CollectionSchema, field: string): FunctionSchema | undefined {
  return s.functions?.find((fn) => fn.type === 'BM25' && fn.outputFieldNames[0] === field);
}

/** The MINHASH function whose output is `field`, if any. */
export function minhashFunctionOf(s: CollectionSchema, field: string): FunctionSchema | undefined {
  return s.functions?.find((fn) => fn.type === 'MINHASH' && fn.outputFieldNames[0] === field);
}

/** Whether a field is a function's output (computed; users never give it). */
export function isFunctionOutput(s: CollectionSchema, f: FieldSchema): boolean {
  return (s.functions ?? []).some((fn) => fn.outputFieldNames.includes(f.name));
}

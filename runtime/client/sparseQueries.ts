import { termFrequencies, textAnalysis, type Analyzer } from '../../messages/analyzer.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { bm25FunctionOf } from '../../messages/schemaFunctions.js';
import { BM25_DEFAULTS } from '../../messages/bm25.js';
import { ValidationError } from '../../messages/errors.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import { parseSparse, type SparseVector } from '../../messages/sparse.js';

/** A sparse vector as a user writes it: `{ "12": 0.5 }` or `{ indices, values }`. */
export type SparseInput = Record<string, number> | { indices: number[]; values: number[] };

/**
 * The query vectors of a sparse search (pure): query texts analyzed into term
 * counts for a BM25 field (the function runs on queries as on rows, as
 * Milvus's does), sparse vectors for a plain sparse field.
 */
export function sparseQueryVectors(data: readonly unknown[], field: string, bm25: boolean, analyzer?: Analyzer): SparseVector[] {
  return data.map((v, i) => {
    if (bm25) {
      if (typeof v !== 'string') throw new ValidationError(`'${field}' is a BM25 function's output: query ${i} must be a text, got ${Array.isArray(v) ? 'a list' : typeof v}`, { field: 'data' });
      return termFrequencies(v, analyzer);
    }
    if (typeof v === 'string') throw new ValidationError(`'${field}' is a plain sparse field: query ${i} must be a sparse vector, not a text (only a BM25 function's output takes texts)`, { field: 'data' });
    const s = parseSparse(v, `query ${i}`);
    if (typeof s === 'string') throw new ValidationError(s, { field: 'data' });
    return s;
  });
}

/**
 * The analyzer of a BM25 output field's input text (its queries are analyzed
 * as its rows are; with multi_analyzer_params, by the one `analyzerName`
 * names, else the default); undefined for a plain sparse field.
 */
export function bm25AnalyzerOf(schema: CollectionSchema, outputField: string, analyzerName?: string): Analyzer | undefined {
  const input = bm25FunctionOf(schema, outputField)?.inputFieldNames[0];
  if (input === undefined) {
    if (analyzerName !== undefined) throw new ValidationError(`analyzer_name is for a BM25 function's output, and '${outputField}' is none`, { field: 'analyzer_name' });
    return undefined;
  }
  return textAnalysis(schema, input).named(analyzerName);
}

/** A search's analyzer_name (searchParams.analyzerName), checked to be a text if given. */
export function analyzerNameOf(searchParams: { analyzerName?: unknown } | undefined): string | undefined {
  const name = searchParams?.analyzerName;
  if (name !== undefined && (typeof name !== 'string' || name === '')) throw new ValidationError(`searchParams.analyzerName must name an analyzer, got ${JSON.stringify(name)}`, { field: 'analyzer_name' });
  return name as string | undefined;
}

/** Every term of the queries once, ascending: what round one counts. */
export function termsOf(queries: readonly SparseVector[]): number[] {
  const all = new Set<number>();
  for (const q of queries) for (const t of q.indices) all.add(t);
  return [...all].sort((a, b) => a - b);
}

/** k1 and b of a BM25 field: its index's `bm25_k1`/`bm25_b` (Milvus's index params), else Milvus's defaults. */
export function bm25ParamsOf(r: Pick<CollectionRecord, 'indexes'>, field: string): { k1: number; b: number } {
  const p = r.indexes.find((i) => i.fieldName === field)?.params ?? {};
  return { k1: p.bm25_k1 === undefined ? BM25_DEFAULTS.k1 : Number(p.bm25_k1), b: p.bm25_b === undefined ? BM25_DEFAULTS.b : Number(p.bm25_b) };
}

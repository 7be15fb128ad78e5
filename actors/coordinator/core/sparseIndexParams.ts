import { ValidationError } from '../../../messages/errors.js';
import type { FieldSchema } from '../../../messages/schema.js';
import { bm25FunctionOf } from '../../../messages/schemaFunctions.js';
import type { IndexParams } from '../../../messages/types.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';

/** Index types of sparse fields; AUTOINDEX becomes the first. */
export const SPARSE_INDEX_TYPES = ['SPARSE_INVERTED_INDEX', 'SPARSE_WAND'] as const;

/**
 * Whether an index type has no file: a query node builds it in memory when it
 * loads a segment (FLAT and BIN_FLAT: a scan; sparse: postings, actors/shared/vector/sparsePostings.ts).
 * No index node builds such an index and no segment records a key for it.
 */
export function buildsAtLoad(indexType: string): boolean {
  return indexType === 'FLAT' || indexType === 'BIN_FLAT' || (SPARSE_INDEX_TYPES as readonly string[]).includes(indexType);
}

/**
 * The index of a sparse field, checked as Milvus checks it: metric BM25 for a
 * BM25 function's output and IP otherwise (its default either way);
 * `bm25_k1` in [1.2, 3], `bm25_b` in [0, 1] for BM25; `drop_ratio_build`
 * in [0, 1) is accepted and ignored (postings keep every value).
 */
export function normaliseSparseIndex(rec: Pick<CollectionRecord, 'schema'>, f: FieldSchema, p: Partial<IndexParams>, indexName: string): IndexParams {
  const bm25 = bm25FunctionOf(rec.schema, f.name) !== undefined;
  const metricType = p.metricType ?? (bm25 ? 'BM25' : 'IP');
  if (metricType !== (bm25 ? 'BM25' : 'IP')) throw new ValidationError(`sparse field '${f.name}' is searched with metric ${bm25 ? 'BM25 (it is a BM25 function\'s output)' : 'IP'}, not ${String(metricType)}`, { field: 'metricType' });
  const asked = String(p.indexType ?? 'AUTOINDEX').toUpperCase();
  const indexType = asked === 'AUTOINDEX' ? SPARSE_INDEX_TYPES[0] : asked;
  if (!(SPARSE_INDEX_TYPES as readonly string[]).includes(indexType)) throw new ValidationError(`index type '${asked}' is not for sparse field '${f.name}' (AUTOINDEX, ${SPARSE_INDEX_TYPES.join(', ')})`, { field: 'indexType' });
  const params: Record<string, number | string> = { ...(p.params ?? {}) };
  const ranged = (k: string, lo: number, hi: number, def: number | undefined, open = false) => {
    if (params[k] === undefined) { if (def !== undefined) params[k] = def; return; }
    const v = Number(params[k]);
    if (!Number.isFinite(v) || v < lo || (open ? v >= hi : v > hi)) throw new ValidationError(`index param ${k} must be a number in [${lo}, ${hi}${open ? ')' : ']'}, got ${String(params[k])}`, { field: k });
    params[k] = v;
  };
  if (bm25) { ranged('bm25_k1', 1.2, 3, 1.2); ranged('bm25_b', 0, 1, 0.75); }
  ranged('drop_ratio_build', 0, 1, undefined, true);
  return { indexName, fieldName: f.name, indexType, metricType, params };
}

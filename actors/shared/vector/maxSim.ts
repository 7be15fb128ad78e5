import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import type { MetricType } from '../../../messages/schema.js';
import { EMB_LIST_METRICS, type EmbListMetric, type EmbListQuery } from '../../../messages/structArray.js';
import type { RowHit } from './bruteForce.js';
import { distanceFn, isBetter } from './distance.js';
import { TopK } from './topK.js';

/**
 * Embedding-list search (Milvus 2.6's MAX_SIM metrics), pure and exact: a
 * row holds a list of vectors (a vector sub-field of an Array of Structs),
 * a query is a list of vectors too, and the row's score is, for each query
 * vector, the best pair value among the row's vectors, summed over the
 * query vectors (ColBERT's late interaction). MAX_SIM_COSINE and MAX_SIM_IP
 * sum cosine similarities and inner products (larger is closer); MAX_SIM_L2
 * sums the smallest squared L2 distances (smaller is closer), as Milvus
 * orders it. A row whose list is empty has no score and is never a hit.
 */

export type { EmbListMetric };

export function isEmbListMetric(m: unknown): m is EmbListMetric {
  return (EMB_LIST_METRICS as readonly unknown[]).includes(m);
}

/** The metric of one query vector against one row vector: it orders the summed scores too. */
export function pairMetric(m: EmbListMetric): MetricType {
  return m === 'MAX_SIM_COSINE' ? 'COSINE' : m === 'MAX_SIM_IP' ? 'IP' : 'L2';
}

/** The MAX_SIM score of one row's vectors against a query list; undefined when the row holds none. */
export function maxSimScore(query: readonly Float32Array[], row: readonly Float32Array[], metric: EmbListMetric): number | undefined {
  if (row.length === 0) return undefined;
  const pair = pairMetric(metric), dist = distanceFn(pair), better = isBetter(pair);
  let sum = 0;
  for (const q of query) {
    let best = dist(row[0]!, 0, q, q.length);
    for (let j = 1; j < row.length; j++) {
      const d = dist(row[j]!, 0, q, q.length);
      if (better(d, best)) best = d;
    }
    sum += best;
  }
  return sum;
}

/** Where an embedding-list search reads: the Struct field, its vector sub-field and that sub-field's dim. */
export interface EmbListTarget { field: string; sub: string; dim: number }

export interface EmbListSearch {
  /** Rows to score, from row 0. */
  count: number;
  /** A row's vectors (undefined or empty: the row is never a hit). */
  listOf: (row: number) => readonly Float32Array[] | undefined;
  /** nq query lists, each of one or more vectors of the sub-field's dim. */
  queries: ReadonlyArray<readonly Float32Array[]>;
  dim: number;
  k: number;
  metric: EmbListMetric;
  /** Rows for which this returns false are skipped (deleted, filtered out, not yet visible). */
  accept?: (row: number) => boolean;
  /** Score these rows only (an index's candidates, in any order); absent: rows 0..count-1. */
  rows?: Iterable<number>;
}

/** The top k rows per query list, best first, ties broken by the lower row. */
export function searchEmbLists(s: EmbListSearch): RowHit[][] {
  const { count, listOf, queries, dim, k, metric, accept } = s;
  if (!Number.isInteger(k) || k < 0) throw new ValidationError(`k must be a non-negative integer, got ${k}`);
  for (const q of queries) {
    if (q.length === 0) throw new ValidationError('an embedding list needs at least one vector');
    for (const v of q) if (v.length !== dim) throw new ValidationError(`an embedding list holds a vector of ${v.length} floats, the sub-field has dim ${dim}`);
  }
  const order = pairMetric(metric);
  const tops = queries.map(() => new TopK<{ id: number; distance: number }>(k, order));
  // A row offered twice (by two query vectors' candidates) is scored once.
  for (const row of s.rows ? new Set(s.rows) : rowRange(count)) {
    const list = listOf(row);
    if (!list || list.length === 0) continue;
    if (accept !== undefined && !accept(row)) continue;
    queries.forEach((q, qi) => tops[qi]!.push({ id: row, distance: maxSimScore(q, list, metric)! }));
  }
  return tops.map((t) => t.sorted().map((h) => ({ row: h.id, distance: h.distance })));
}

/** A row's vectors of sub-field `sub`, read off a stored Array of Structs value (a list of objects). */
export function subVectors(value: unknown, sub: string): Float32Array[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: Float32Array[] = [];
  for (const e of value) { const v = (e as Record<string, unknown> | null)?.[sub]; if (v instanceof Float32Array) out.push(v); }
  return out;
}

/** A shard search's embedding lists, checked and split into vectors of `dim` floats: nq lists. */
export function readEmbListQuery(q: EmbListQuery | undefined, nq: number, dim: number): { queries: Float32Array[][]; metric: EmbListMetric } {
  if (!q || !Array.isArray(q.lists) || q.lists.length !== nq) throw new NuthatchError('InvalidArgument', `an embedding-list search needs ${nq} embedding lists`);
  if (!isEmbListMetric(q.metric)) throw new NuthatchError('InvalidArgument', `an embedding-list search takes a MAX_SIM metric, not ${String(q.metric)}`);
  const queries = q.lists.map((flat, i) => {
    if (!(flat instanceof Float32Array) || flat.length === 0 || flat.length % dim !== 0) throw new NuthatchError('InvalidArgument', `embedding list ${i} must hold one or more vectors of ${dim} floats`);
    return Array.from({ length: flat.length / dim }, (_, j) => flat.subarray(j * dim, (j + 1) * dim));
  });
  return { queries, metric: q.metric };
}

function* rowRange(count: number): Iterable<number> { for (let r = 0; r < count; r++) yield r; }

/**
 * Every element vector of a Struct column's sub-field, row after row, as one
 * block, with the row each came from: what an index over the elements is
 * built on, and how its hits map back to rows. Deterministic, so an index
 * node and a query node reading one segment agree on element numbers.
 */
export function embListBlock(column: readonly unknown[] | undefined, count: number, sub: string, dim: number): { vectors: Float32Array; rowOf: Int32Array } {
  const lists = Array.from({ length: count }, (_, r) => subVectors(column?.[r], sub) ?? []);
  const n = lists.reduce((s, l) => s + l.length, 0);
  const vectors = new Float32Array(n * dim), rowOf = new Int32Array(n);
  let e = 0;
  lists.forEach((l, r) => { for (const v of l) { vectors.set(v, e * dim); rowOf[e++] = r; } });
  return { vectors, rowOf };
}

/** The `path` of an index or search on a Struct's vector sub-field, `field[sub]`, read without a schema; undefined otherwise. */
export function embListPath(path: string): { field: string; sub: string } | undefined {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\[([A-Za-z_][A-Za-z0-9_]*)\]$/.exec(path);
  return m ? { field: m[1]!, sub: m[2]! } : undefined;
}

import type { V2Client } from '../../http/support/v2Client.js';

import { mulberry32 as prng } from '../../../bench/support/dataset.js';
/** The one seeded PRNG of tests and benchmarks (mulberry32). */
export { prng };

/** Vector i of a seeded data set (4 decimals keep the JSON small and exact). */
export function vectorOf(seed: number, i: number, dim: number): number[] {
  const r = prng(seed * 1_000_003 + i);
  return Array.from({ length: dim }, () => Math.round((r() * 2 - 1) * 1e4) / 1e4);
}

/** Rows [from, to) of the data set: id i, vector i. */
export function rows(seed: number, from: number, to: number, dim: number): Array<{ id: number; vector: number[] }> {
  return Array.from({ length: to - from }, (_, k) => ({ id: from + k, vector: vectorOf(seed, from + k, dim) }));
}

/** A collection with an Int64 primary key `id` and a FloatVector `vector`, FLAT index (exact search), loaded. */
export function collectionSpec(name: string, dim: number, shards: number, index: 'FLAT' | 'HNSW' = 'FLAT') {
  return {
    collectionName: name,
    schema: { fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim } },
    ] },
    indexParams: [{ fieldName: 'vector', indexName: 'vector', indexType: index, metricType: 'L2', ...(index === 'HNSW' ? { params: { M: 8, efConstruction: 64 } } : {}) }],
    params: { shardsNum: shards },
  };
}

/**
 * Inserts rows [0, total) in batches over HTTP with `parallel` requests in
 * flight; fails unless every batch is acknowledged whole. Returns how long it took.
 */
export async function insertAll(http: V2Client, collectionName: string, seed: number, total: number, dim: number, batch: number, parallel: number): Promise<{ ms: number }> {
  const started = Date.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const from = next, to = Math.min(total, next + batch);
      next = to;
      const r = await http.ok('/entities/insert', { collectionName, data: rows(seed, from, to, dim) });
      if (r.insertCount !== to - from) throw new Error(`batch at ${from}: ${r.insertCount} rows acknowledged`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return { ms: Date.now() - started };
}

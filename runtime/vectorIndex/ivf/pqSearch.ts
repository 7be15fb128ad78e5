import { distanceFn, higherIsBetter, innerProduct, l2Squared } from '../../../actors/shared/vector/distance.js';
import { TopK } from '../../../actors/shared/vector/topK.js';
import type { MetricType } from '../../../messages/schema.js';
import type { SearchOptions } from '../vectorIndex.js';
import type { InvertedLists } from './invertedLists.js';
import { byteTable, codeDistance, ipTable, scanTableSize } from './pqTables.js';
import { codeBytes } from './productQuantizer.js';
import type { PqStore } from './pqStore.js';

interface Hit { id: number; distance: number; p: number }

/**
 * IVF_PQ and SCANN: the rows of the probed lists ranked by their ADC
 * distances (pqTables.ts: one inner-product table per query; per list
 * <q, c> or |q - c|^2, and for L2 each row's own term), equal to the
 * distances to the decoded vectors. With raw
 * vectors (SCANN's with_raw_data), the best max(k, reorder_k) of them are
 * ranked again by their exact distance and the best k returned; without,
 * the ADC distances are the answer. `q` is a unit vector for COSINE.
 */
export function searchPq(metric: MetricType, lists: InvertedLists, store: PqStore, q: Float32Array, n: number, probes: number[], opts: SearchOptions): Array<{ row: number; distance: number }> {
  const { pq, codes, raw } = store, dim = pq.dim, bytes = codeBytes(pq.m, pq.nbits), rows = lists.rows, count = rows.length;
  const wanted = raw ? Math.min(count, Math.max(n, Math.floor(opts.reorderK ?? n))) : n;
  const top = new TopK<Hit>(wanted, metric);
  const l2 = !higherIsBetter(metric), accept = opts.accept;
  // One table per query: <q, r> for IP and COSINE, -2 <q, r> for L2.
  const table = ipTable(pq, q, new Float32Array(pq.m * pq.ksub), l2 ? -2 : 1);
  const scan = pq.nbits === 4 ? byteTable(pq, table, new Float32Array(scanTableSize(pq))) : table;
  const rowTerms = l2 ? store.rowTerms : undefined;
  if (l2 && !rowTerms) throw new Error('an L2 PQ store is searched with its row terms (withRowTerms)');
  for (const l of probes) {
    // L2: |q - c|^2 (plus each row's term); IP and COSINE: <q, c>.
    const base = l2 ? l2Squared(lists.centroids, l * dim, q, dim) : innerProduct(lists.centroids, l * dim, q, dim);
    for (let p = lists.offsets[l]!, end = lists.offsets[l + 1]!; p < end; p++) {
      const d = base + (rowTerms ? rowTerms[p]! : 0) + codeDistance(pq, scan, codes, p * bytes), row = rows[p]!;
      if (top.admits(d, row) && (accept === undefined || accept(row))) top.push({ id: row, distance: d, p });
    }
  }
  const found = top.sorted();
  if (!raw) return found.map((h) => ({ row: h.id, distance: h.distance }));
  // COSINE rows and queries are unit vectors here: their inner product is the cosine.
  const kernel = metric === 'COSINE' ? innerProduct : distanceFn(metric), best = new TopK<{ id: number; distance: number }>(n, metric);
  for (const h of found) {
    const d = kernel(raw, h.p * dim, q, dim);
    if (best.admits(d, h.id)) best.push({ id: h.id, distance: d });
  }
  return best.sorted().map((h) => ({ row: h.id, distance: h.distance }));
}

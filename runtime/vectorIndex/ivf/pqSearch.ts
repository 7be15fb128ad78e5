import { distanceFn, higherIsBetter, innerProduct } from '../../../actors/shared/vector/distance.js';
import { TopK } from '../../../actors/shared/vector/topK.js';
import type { MetricType } from '../../../messages/schema.js';
import type { SearchOptions } from '../vectorIndex.js';
import type { InvertedLists } from './invertedLists.js';
import { byteTable, codeDistance, ipTable, l2Table, scanTableSize } from './pqTables.js';
import { codeBytes } from './productQuantizer.js';
import type { PqStore } from './pqStore.js';

interface Hit { id: number; distance: number; p: number }

/**
 * IVF_PQ and SCANN: the rows of the probed lists ranked by their ADC
 * distances (pqTables.ts: L2 tables per list, as codes hold residuals; one
 * inner-product table per query plus <q, centroid> per list). With raw
 * vectors (SCANN's with_raw_data), the best max(k, reorder_k) of them are
 * ranked again by their exact distance and the best k returned; without,
 * the ADC distances are the answer. `q` is a unit vector for COSINE.
 */
export function searchPq(metric: MetricType, lists: InvertedLists, store: PqStore, q: Float32Array, n: number, probes: number[], opts: SearchOptions): Array<{ row: number; distance: number }> {
  const { pq, codes, raw } = store, dim = pq.dim, bytes = codeBytes(pq.m, pq.nbits), rows = lists.rows, count = rows.length;
  const wanted = raw ? Math.min(count, Math.max(n, Math.floor(opts.reorderK ?? n))) : n;
  const top = new TopK<Hit>(wanted, metric);
  const l2 = !higherIsBetter(metric), accept = opts.accept;
  const table = new Float32Array(pq.m * pq.ksub);
  const scan = pq.nbits === 4 ? new Float32Array(scanTableSize(pq)) : table;
  const fill = () => { if (scan !== table) byteTable(pq, table, scan); };
  if (!l2) { ipTable(pq, q, table); fill(); }
  for (const l of probes) {
    let base = 0;
    if (l2) { l2Table(pq, q, lists.centroids, l * dim, table); fill(); } else base = innerProduct(lists.centroids, l * dim, q, dim);
    for (let p = lists.offsets[l]!, end = lists.offsets[l + 1]!; p < end; p++) {
      const d = base + codeDistance(pq, scan, codes, p * bytes), row = rows[p]!;
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

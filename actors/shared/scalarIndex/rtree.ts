import { ValidationError } from '../../../messages/errors.js';
import { prepared } from '../../../messages/geometry/predicates.js';
import type { Box } from '../../../messages/geometry/relate.js';
import type { IndexedShape } from './scalarIndexTypes.js';
import type { SortedIndex } from './sortedIndex.js';

/**
 * RTREE indexes (Milvus 2.6.4+) of Geometry fields: each row's bounding box
 * in a packed R-tree, bulk-loaded by Sort-Tile-Recursive (Leutenegger et al.
 * 1997) with 16 entries a node, stored flat, level by level (as flatbush
 * lays it out). A search gives the rows whose box meets a query box: the
 * candidates a geometry operator is then tested on exactly (indexPlan.ts).
 * Null and empty geometries have no box and no entry. Pure: no I/O.
 */
export const RTREE_NODE_SIZE = 16;

/** A packed R-tree: leaves first (their rows in `rows`), then each level of parents; `levels[k]` is where level k ends. */
export interface RTree { boxes: Float64Array; rows: Int32Array; levels: number[] }

/** The index of a column of canonical WKT (undefined and null rows hold nothing; absent column: every row null). */
export function buildRTreeIndex(column: ArrayLike<unknown> | undefined, rowCount: number, shape: IndexedShape): SortedIndex {
  const boxes: Box[] = [], rows: number[] = [];
  for (let row = 0; column && row < rowCount; row++) {
    const v = column[row];
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string') throw new ValidationError(`row ${row} holds ${JSON.stringify(v)}, not WKT`);
    const box = prepared(v).box;
    if (box) { boxes.push(box); rows.push(row); }
  }
  return rtreeIndex(strOrder(boxes, rows), rowCount, shape);
}

/** The index over leaves already in STR order (as built, or as read back from a file). */
export function rtreeIndex(leaves: { boxes: Float64Array; rows: Int32Array }, rowCount: number, shape: IndexedShape): SortedIndex {
  const tree = pack(leaves.boxes, leaves.rows);
  return { ...shape, rtree: true, rowCount, values: new Float64Array(0), rows: tree.rows, tree };
}

/** Leaves in Sort-Tile-Recursive order: slices by box centre x, each sorted by centre y. */
function strOrder(boxes: Box[], rows: number[]): { boxes: Float64Array; rows: Int32Array } {
  const n = boxes.length, cx = (i: number) => boxes[i]![0] + boxes[i]![2], cy = (i: number) => boxes[i]![1] + boxes[i]![3];
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => cx(a) - cx(b) || a - b);
  const leafNodes = Math.ceil(n / RTREE_NODE_SIZE), slice = RTREE_NODE_SIZE * Math.ceil(Math.sqrt(leafNodes));
  for (let s = 0; s < n; s += slice) {
    const part = order.slice(s, s + slice).sort((a, b) => cy(a) - cy(b) || a - b);
    order.splice(s, part.length, ...part);
  }
  const out = new Float64Array(4 * n);
  order.forEach((i, k) => out.set(boxes[i]!, 4 * k));
  return { boxes: out, rows: Int32Array.from(order, (i) => rows[i]!) };
}

/** Parents over the leaves, RTREE_NODE_SIZE consecutive children each, up to one root. */
function pack(leafBoxes: Float64Array, rows: Int32Array): RTree {
  const n = rows.length, all: number[] = Array.from(leafBoxes), levels = [n];
  let start = 0, end = n;
  while (end - start > 1) {
    for (let i = start; i < end; i += RTREE_NODE_SIZE) {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (let j = i; j < Math.min(end, i + RTREE_NODE_SIZE); j++) {
        x0 = Math.min(x0, all[4 * j]!); y0 = Math.min(y0, all[4 * j + 1]!); x1 = Math.max(x1, all[4 * j + 2]!); y1 = Math.max(y1, all[4 * j + 3]!);
      }
      all.push(x0, y0, x1, y1);
    }
    start = end; end = all.length / 4; levels.push(end);
  }
  return { boxes: Float64Array.from(all), rows, levels };
}

/** The rows whose box meets `q` (edges touching count), in no particular order. */
export function searchRTree(t: RTree, q: Box): number[] {
  const out: number[] = [], n = t.rows.length, b = t.boxes;
  if (n === 0) return out;
  const meets = (i: number) => b[4 * i]! <= q[2] && q[0] <= b[4 * i + 2]! && b[4 * i + 1]! <= q[3] && q[1] <= b[4 * i + 3]!;
  const stack: Array<[number, number]> = [[t.levels[t.levels.length - 1]! - 1, t.levels.length - 1]];
  while (stack.length) {
    const [i, level] = stack.pop()!;
    if (!meets(i)) continue;
    if (level === 0) { out.push(t.rows[i]!); continue; }
    const childStart = level === 1 ? 0 : t.levels[level - 2]!, childEnd = t.levels[level - 1]!;
    const first = childStart + (i - t.levels[level - 1]!) * RTREE_NODE_SIZE;
    for (let c = first; c < Math.min(childEnd, first + RTREE_NODE_SIZE); c++) stack.push([c, level - 1]);
  }
  return out;
}

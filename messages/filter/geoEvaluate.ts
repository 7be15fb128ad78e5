/**
 * The row test of a geometry operator (geoCall.ts): the query geometry is
 * prepared once per filter, and each row's WKT once per column, memoised by
 * the column array itself, so a sealed segment's geometries are read once
 * however many queries test them. A null row is unknown: false, negated or not. Pure.
 */
import type { GeoNode } from './ast.js';
import { candidateBox, dwithin, geoRelate, prepared, type Prepared } from '../geometry/predicates.js';
import type { Box } from '../geometry/relate.js';

type Column = ArrayLike<unknown>;

/** Each column's prepared rows, with the text each was prepared from (a growing column may be refilled). */
const memo = new WeakMap<object, Array<{ wkt: string; g: Prepared } | undefined>>();

/** The prepared geometry of row `i` of `col` (holding valid WKT, as checked on insert), or null. */
export function rowGeometry(col: Column, i: number): Prepared | null {
  const v = col[i];
  if (typeof v !== 'string') return null;
  let rows = memo.get(col as object);
  if (!rows) { rows = []; memo.set(col as object, rows); }
  const hit = rows[i];
  if (hit && hit.wkt === v) return hit.g;
  const g = prepared(v);
  rows[i] = { wkt: v, g };
  return g;
}

/** The test of one row's geometry against the node's query geometry. */
export function geoTest(e: GeoNode): (row: Prepared) => boolean {
  const q = prepared(e.wkt);
  if (e.op === 'ST_DWITHIN') {
    const point = [q.box![0], q.box![1]] as const, meters = e.distance!, box = candidateBox('ST_DWITHIN', q, meters)!;
    return (g) => boxesMeet(g.box, box) && dwithin(g, point, meters);
  }
  const op = e.op;
  return (g) => boxesMeet(g.box, q.box) && geoRelate(op, g, q);
}

const boxesMeet = (a: Box | null, b: Box | null) => a !== null && b !== null && a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];

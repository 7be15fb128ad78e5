/**
 * Milvus's geometry operators (2.6.4+) over planar geometries, read off the
 * DE-9IM matrix (relate.ts) as OGC and GEOS define them, and ST_DWITHIN in
 * meters on a sphere. A predicate with an empty geometry on either side is
 * false. Pure: no I/O.
 */
import { B, E, I, locate, prepare, relate, type Box, type Matrix, type Prepared } from './relate.js';
import { parseWkt, type Coord, type Geometry } from './wkt.js';

/** The operators, as Milvus spells them in filters (all upper or all lower case). */
export const GEO_OPS = ['ST_EQUALS', 'ST_TOUCHES', 'ST_OVERLAPS', 'ST_CROSSES', 'ST_CONTAINS', 'ST_INTERSECTS', 'ST_WITHIN', 'ST_DWITHIN'] as const;
export type GeoOp = (typeof GEO_OPS)[number];
/** The operators of two geometries (all but ST_DWITHIN). */
export type RelateOp = Exclude<GeoOp, 'ST_DWITHIN'>;

const at = (m: Matrix, a: number, b: number) => m[3 * a + b]!;
const meets = (m: Matrix, a: number, b: number) => at(m, a, b) >= 0;

/** Whether `op(a, b)` holds for the matrix of a against b and their dimensions. */
export function holdsOn(op: RelateOp, m: Matrix | null, dimA: number, dimB: number): boolean {
  if (!m) return false;
  switch (op) {
    case 'ST_INTERSECTS': return meets(m, I, I) || meets(m, I, B) || meets(m, B, I) || meets(m, B, B);
    case 'ST_EQUALS': return meets(m, I, I) && !meets(m, I, E) && !meets(m, B, E) && !meets(m, E, I) && !meets(m, E, B);
    case 'ST_CONTAINS': return meets(m, I, I) && !meets(m, E, I) && !meets(m, E, B);
    case 'ST_WITHIN': return meets(m, I, I) && !meets(m, I, E) && !meets(m, B, E);
    case 'ST_TOUCHES': return !meets(m, I, I) && (meets(m, I, B) || meets(m, B, I) || meets(m, B, B));
    case 'ST_OVERLAPS':
      if (dimA !== dimB) return false;
      return (dimA === 1 ? at(m, I, I) === 1 : meets(m, I, I)) && meets(m, I, E) && meets(m, E, I);
    case 'ST_CROSSES':
      if (dimA < dimB) return meets(m, I, I) && meets(m, I, E);
      if (dimA > dimB) return meets(m, I, I) && meets(m, E, I);
      return dimA === 1 && at(m, I, I) === 0;
  }
}

/** `op(a, b)` of two prepared geometries. */
export function geoRelate(op: RelateOp, a: Prepared, b: Prepared): boolean {
  return holdsOn(op, relate(a, b), a.dim, b.dim);
}

/** `op(a, b)` of two geometries as WKT (tests and tools); bad WKT throws. */
export function relateWkt(op: RelateOp, a: string, b: string): boolean {
  return geoRelate(op, prepared(a), prepared(b));
}

/** A prepared geometry of WKT; bad WKT throws a TypeError (callers check WKT first). */
export function prepared(wkt: string): Prepared {
  const g = parseWkt(wkt);
  if (typeof g === 'string') throw new TypeError(g);
  return prepare(g);
}

/** The mean radius of the Earth (IUGG), in meters: ST_DWITHIN's sphere. */
export const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Great-circle distance in meters between two lon/lat points in degrees (haversine). */
export function haversineMeters(a: Coord, b: Coord): number {
  const dLat = (b[1] - a[1]) * RAD, dLon = (b[0] - a[0]) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * RAD) * Math.cos(b[1] * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * ST_DWITHIN(g, POINT, meters): whether g comes within `meters` of the point,
 * coordinates read as longitude and latitude in degrees. Zero when g covers
 * the point; else the great-circle distance to g's nearest vertex or point
 * on a segment (the nearest point found in a plane whose longitudes are
 * scaled by the cosine of the point's latitude, which is exact for points
 * and close for short segments).
 */
export function dwithin(g: Prepared, point: Coord, meters: number): boolean {
  if (!g.box) return false;
  if (g.dim >= 1 && locate(point, g, 1e-12) !== E) return true;
  const k = Math.cos(point[1] * RAD);
  const scaled = (c: Coord): Coord => [c[0] * k, c[1]];
  const p = scaled(point);
  for (const q of g.points) if (haversineMeters(point, q) <= meters) return true;
  for (const s of g.segs) {
    const a = scaled(s.a), b = scaled(s.b);
    const dx = b[0] - a[0], dy = b[1] - a[1], l2 = dx * dx + dy * dy;
    const t = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2));
    const nearest: Coord = [s.a[0] + t * (s.b[0] - s.a[0]), s.a[1] + t * (s.b[1] - s.a[1])];
    if (haversineMeters(point, nearest) <= meters) return true;
  }
  return false;
}

/**
 * The box a row's geometry must meet for `op` to hold against the query:
 * the query's own box for the relate operators (each needs the two to
 * meet), and for ST_DWITHIN the point's box grown by the distance in degrees
 * (whole longitudes near a pole or across the antimeridian). Null: no row
 * can match (an empty query).
 */
export function candidateBox(op: GeoOp, query: Prepared, meters?: number): Box | null {
  if (!query.box) return null;
  if (op !== 'ST_DWITHIN') return query.box;
  const [x, y] = [query.box[0], query.box[1]];
  const dLat = (meters! / EARTH_RADIUS_M) / RAD * 1.000001;
  const lat0 = y - dLat, lat1 = y + dLat;
  if (lat0 <= -90 || lat1 >= 90) return [-Infinity, lat0, Infinity, lat1];
  const dLon = dLat / Math.min(Math.cos(lat0 * RAD), Math.cos(lat1 * RAD));
  if (x - dLon < -180 || x + dLon > 180) return [-Infinity, lat0, Infinity, lat1];
  return [x - dLon, lat0, x + dLon, lat1];
}

export type { Geometry, Prepared };

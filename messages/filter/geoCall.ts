/**
 * The geometry operators in filters (Milvus 2.6.4+): `ST_CONTAINS(geo, 'WKT')`
 * and the other GEO_OPS, spelled all upper or all lower case as Milvus asks;
 * `ST_DWITHIN(geo, 'POINT (lon lat)', meters)` takes a point and a distance.
 * The WKT (a literal or a template parameter) is read here, so bad WKT is
 * refused with the filter, before any row is read. Pure.
 */
import { filterError, type FieldNode, type GeoNode, type LiteralNode } from './ast.js';
import { GEO_OPS, type GeoOp } from '../geometry/predicates.js';
import { parseWkt, writeWkt } from '../geometry/wkt.js';

/** The node of a call `name(arg, wkt[, distance])` as written. */
export function geoNode(name: string, pos: number, arg: FieldNode, wkt: LiteralNode, distance: LiteralNode | undefined): GeoNode {
  const op = name.toUpperCase() as GeoOp;
  if (!(GEO_OPS as readonly string[]).includes(op)) throw filterError(`unknown function '${name}' (geometry operators: ${GEO_OPS.join(', ')})`, pos);
  if (name !== op && name !== op.toLowerCase()) throw filterError(`geometry operator '${name}' must be all upper case or all lower case (${op} or ${op.toLowerCase()})`, pos);
  return checkedGeo({ kind: 'geo', op, arg, wkt: wkt.value, distance: distance?.value, pos, wktPos: wkt.pos, distancePos: distance?.pos }, pos);
}

/** A geo node checked (from the parser or off the wire): a known operator, valid WKT made canonical, a distance only for ST_DWITHIN. */
export function checkedGeo(n: Record<string, unknown>, pos: number): GeoNode {
  const op = n.op as GeoOp;
  if (!(GEO_OPS as readonly unknown[]).includes(op)) throw filterError(`malformed filter tree: unknown geometry operator ${JSON.stringify(n.op)}`, pos);
  const wktPos = typeof n.wktPos === 'number' ? n.wktPos : pos;
  if (typeof n.wkt !== 'string') throw filterError(`${op} takes the geometry as a WKT string, such as 'POINT (1 2)'`, wktPos);
  const g = parseWkt(n.wkt);
  if (typeof g === 'string') throw filterError(`${op}: the geometry ${g}`, wktPos);
  const distancePos = typeof n.distancePos === 'number' ? n.distancePos : pos;
  if (op !== 'ST_DWITHIN') {
    if (n.distance !== undefined) throw filterError(`${op} takes two arguments, a Geometry field and a WKT string`, distancePos);
    return { kind: 'geo', op, arg: n.arg as FieldNode, wkt: writeWkt(g), pos };
  }
  if (g.type !== 'Point' || g.coord === null) throw filterError(`ST_DWITHIN measures from a point: its second argument must be 'POINT (lon lat)', not ${g.type === 'Point' ? 'POINT EMPTY' : writeWkt(g).split(' ')[0]}`, wktPos);
  const d = n.distance;
  if (typeof d !== 'number' || !Number.isFinite(d) || d < 0) throw filterError('ST_DWITHIN takes a distance in meters as its third argument: a number, 0 or more', distancePos);
  return { kind: 'geo', op, arg: n.arg as FieldNode, wkt: writeWkt(g), distance: d, pos };
}

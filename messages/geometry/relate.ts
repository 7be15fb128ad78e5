/**
 * The DE-9IM intersection matrix of two planar geometries (OGC simple
 * features, as GEOS/JTS compute it), by noding and sampling: every segment of
 * each geometry is split where the other's segments and points meet it, and
 * the plane is then made of cells (nodes, open pieces of segments, faces)
 * on each of which both geometries' locations (interior, boundary, exterior)
 * are constant. One sample per node and per piece, and one on each side of
 * every piece for the faces, located in both, fills the matrix with the
 * dimension of each cell met. Locations follow JTS's PointLocator: a line's
 * endpoints are its boundary by the mod-2 rule, a polygon's rings its
 * boundary, a point has none. Pure: no I/O.
 *
 * Coordinates compare within a tolerance relative to their magnitude, so
 * an intersection computed in floating point still lies on both segments.
 */
import type { Coord, Geometry } from './wkt.js';

/** Interior, Boundary, Exterior: the rows and columns of the matrix. */
export const I = 0, B = 1, E = 2;
export type Loc = typeof I | typeof B | typeof E;

/** An axis-aligned box: minX, minY, maxX, maxY. */
export type Box = readonly [number, number, number, number];

interface Ring { coords: Coord[]; box: Box }
interface Poly { shell: Ring; holes: Ring[] }
/** A segment; `left`/`right`: the own location of the plane on each side, when known (a ring's). */
interface Seg { a: Coord; b: Coord; ring: boolean; comp: number; left?: Loc; right?: Loc }

/** A geometry in the form relate() reads: its parts flattened, with their boxes. */
export interface Prepared {
  points: Coord[];
  lines: Coord[][];
  polys: Poly[];
  segs: Seg[];
  box: Box | null;
  dim: number;
  /** A GeometryCollection (or a multi with parts of several components that may meet): own locations come from locate(). */
  generic: boolean;
  /** Endpoint counts of the open lines, for the mod-2 boundary rule. */
  ends: Map<string, number>;
}

const key = (c: Coord) => `${c[0]},${c[1]}`;
const EMPTY_BOX: Box = [Infinity, Infinity, -Infinity, -Infinity];
const grow = (b: Box, c: Coord): Box => [Math.min(b[0], c[0]), Math.min(b[1], c[1]), Math.max(b[2], c[0]), Math.max(b[3], c[1])];
const boxOf = (cs: readonly Coord[]): Box => cs.reduce(grow, EMPTY_BOX);

/** Flattens a geometry for relate(); an empty geometry has a null box. */
export function prepare(g: Geometry): Prepared {
  const p: Prepared = { points: [], lines: [], polys: [], segs: [], box: null, dim: -1, generic: g.type === 'GeometryCollection', ends: new Map() };
  const walk = (x: Geometry): void => {
    switch (x.type) {
      case 'Point': if (x.coord) p.points.push(x.coord); break;
      case 'MultiPoint': p.points.push(...x.points); break;
      case 'LineString': if (x.coords.length) p.lines.push(x.coords); break;
      case 'MultiLineString': p.lines.push(...x.lines); break;
      case 'Polygon': if (x.rings.length) p.polys.push(polyOf(x.rings)); break;
      case 'MultiPolygon': for (const r of x.polygons) p.polys.push(polyOf(r)); break;
      case 'GeometryCollection': x.geometries.forEach(walk); break;
    }
  };
  walk(g);
  let box = EMPTY_BOX;
  for (const c of p.points) box = grow(box, c);
  p.lines.forEach((l, comp) => {
    for (const c of l) box = grow(box, c);
    for (let i = 0; i + 1 < l.length; i++) p.segs.push({ a: l[i]!, b: l[i + 1]!, ring: false, comp });
    if (!same(l[0]!, l[l.length - 1]!)) for (const c of [l[0]!, l[l.length - 1]!]) p.ends.set(key(c), (p.ends.get(key(c)) ?? 0) + 1);
  });
  p.polys.forEach((poly, i) => {
    const comp = p.lines.length + i;
    for (const c of poly.shell.coords) box = grow(box, c);
    for (const [r, hole] of [[poly.shell, false], ...poly.holes.map((h) => [h, true] as const)] as const) {
      // The polygon's interior lies left of a counter-clockwise shell and of a clockwise hole.
      const insideLeft = (signedArea(r.coords) > 0) !== hole;
      for (let k = 0; k + 1 < r.coords.length; k++) p.segs.push({ a: r.coords[k]!, b: r.coords[k + 1]!, ring: true, comp, left: insideLeft ? I : E, right: insideLeft ? E : I });
    }
  });
  p.box = box[0] <= box[2] ? box : null;
  p.dim = p.polys.length ? 2 : p.lines.length ? 1 : p.points.length ? 0 : -1;
  if (p.lines.length + p.polys.length > 1) p.generic = true;
  return p;
}

function polyOf(rings: Coord[][]): Poly {
  const [shell, ...holes] = rings.map((coords) => ({ coords, box: boxOf(coords) }));
  return { shell: shell!, holes };
}

function signedArea(cs: readonly Coord[]): number {
  let s = 0;
  for (let i = 0; i + 1 < cs.length; i++) s += cs[i]![0] * cs[i + 1]![1] - cs[i + 1]![0] * cs[i]![1];
  return s / 2;
}

const same = (a: Coord, b: Coord) => a[0] === b[0] && a[1] === b[1];

/** The tolerance within which two geometries' coordinates meet. */
function toleranceOf(...boxes: Box[]): number {
  let m = 1;
  for (const b of boxes) for (const v of b) m = Math.max(m, Math.abs(v));
  return m * 1e-10;
}

const near = (a: Coord, b: Coord, tol: number) => Math.abs(a[0] - b[0]) <= tol && Math.abs(a[1] - b[1]) <= tol;

/** The parameter t in [0, 1] of the point of segment ab nearest p. */
function projection(p: Coord, a: Coord, b: Coord): number {
  const dx = b[0] - a[0], dy = b[1] - a[1], l2 = dx * dx + dy * dy;
  if (l2 === 0) return 0;
  return Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2));
}

/** Squared distance from p to segment ab. */
export function segmentDistance2(p: Coord, a: Coord, b: Coord): number {
  const t = projection(p, a, b), x = a[0] + t * (b[0] - a[0]) - p[0], y = a[1] + t * (b[1] - a[1]) - p[1];
  return x * x + y * y;
}

const onSegment = (p: Coord, a: Coord, b: Coord, tol: number) =>
  p[0] >= Math.min(a[0], b[0]) - tol && p[0] <= Math.max(a[0], b[0]) + tol && p[1] >= Math.min(a[1], b[1]) - tol && p[1] <= Math.max(a[1], b[1]) + tol
  && segmentDistance2(p, a, b) <= tol * tol;

const inBox = (p: Coord, b: Box, tol: number) => p[0] >= b[0] - tol && p[0] <= b[2] + tol && p[1] >= b[1] - tol && p[1] <= b[3] + tol;

/** Where p lies against a ring: its interior, on it, or outside it. */
function ringLocate(p: Coord, r: Ring, tol: number): Loc {
  if (!inBox(p, r.box, tol)) return E;
  const cs = r.coords;
  let inside = false;
  for (let i = 0; i + 1 < cs.length; i++) {
    const a = cs[i]!, b = cs[i + 1]!;
    if (onSegment(p, a, b, tol)) return B;
    if ((a[1] > p[1]) !== (b[1] > p[1]) && p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
  }
  return inside ? I : E;
}

function polyLocate(p: Coord, poly: Poly, tol: number): Loc {
  const s = ringLocate(p, poly.shell, tol);
  if (s !== I) return s;
  for (const h of poly.holes) {
    const l = ringLocate(p, h, tol);
    if (l === B) return B;
    if (l === I) return E;
  }
  return I;
}

/** Where p lies against the whole geometry (JTS PointLocator, mod-2 boundary rule). */
export function locate(p: Coord, g: Prepared, tol: number): Loc {
  if (!g.box || !inBox(p, g.box, tol)) return E;
  let isIn = false, boundaries = 0;
  for (const q of g.points) if (near(p, q, tol)) isIn = true;
  for (const l of g.lines) {
    const closed = same(l[0]!, l[l.length - 1]!);
    if (!closed && (near(p, l[0]!, tol) || near(p, l[l.length - 1]!, tol))) { boundaries++; continue; }
    for (let i = 0; i + 1 < l.length; i++) if (onSegment(p, l[i]!, l[i + 1]!, tol)) { isIn = true; break; }
  }
  for (const poly of g.polys) {
    const l = polyLocate(p, poly, tol);
    if (l === I) isIn = true; else if (l === B) boundaries++;
  }
  if (boundaries % 2 === 1) return B;
  return boundaries > 0 || isIn ? I : E;
}

/** A DE-9IM matrix: dims[3 * a + b] is the dimension of A's `a` meeting B's `b`, -1 when they do not meet. */
export type Matrix = Int8Array;

/** The matrix of A against B; null when either is empty. */
export function relate(A: Prepared, Bg: Prepared): Matrix | null {
  if (!A.box || !Bg.box) return null;
  const m = new Int8Array(9).fill(-1);
  m[3 * E + E] = 2;
  const tol = toleranceOf(A.box, Bg.box);
  if (!boxesMeet(A.box, Bg.box, tol)) {
    // Disjoint: each interior and boundary meets only the other's exterior.
    m[3 * I + E] = A.dim; m[3 * E + I] = Bg.dim;
    if (hasBoundary(A)) m[3 * B + E] = A.dim - 1;
    if (hasBoundary(Bg)) m[3 * E + B] = Bg.dim - 1;
    return m;
  }
  const set = (a: Loc, b: Loc, d: number) => { if (m[3 * a + b]! < d) m[3 * a + b] = d; };
  const splitsA = A.segs.map(() => [0, 1]), splitsB = Bg.segs.map(() => [0, 1]);
  node(A.segs, Bg.segs, splitsA, splitsB, tol, false);
  if (A.generic) node(A.segs, A.segs, splitsA, splitsA, tol, true);
  if (Bg.generic) node(Bg.segs, Bg.segs, splitsB, splitsB, tol, true);
  for (const q of Bg.points) A.segs.forEach((s, i) => { if (onSegment(q, s.a, s.b, tol)) splitsA[i]!.push(projection(q, s.a, s.b)); });
  for (const q of A.points) Bg.segs.forEach((s, i) => { if (onSegment(q, s.a, s.b, tol)) splitsB[i]!.push(projection(q, s.a, s.b)); });
  const faces = A.dim === 2 && Bg.dim === 2;
  sample(A, Bg, splitsA, tol, faces, (own, other, d) => set(own, other, d));
  sample(Bg, A, splitsB, tol, faces, (own, other, d) => set(other, own, d));
  for (const q of A.points) set(selfLocate(q, A, undefined, tol), locate(q, Bg, tol), 0);
  for (const q of Bg.points) set(locate(q, A, tol), selfLocate(q, Bg, undefined, tol), 0);
  // Without faces sampled: an area's interior is never covered by something of lower dimension.
  if (A.dim === 2 && Bg.dim < 2) set(I, E, 2);
  if (Bg.dim === 2 && A.dim < 2) set(E, I, 2);
  return m;
}

const boxesMeet = (a: Box, b: Box, tol: number) => a[0] <= b[2] + tol && b[0] <= a[2] + tol && a[1] <= b[3] + tol && b[1] <= a[3] + tol;

function hasBoundary(g: Prepared): boolean {
  if (g.polys.length) return true;
  for (const n of g.ends.values()) if (n % 2 === 1) return true;
  return false;
}

const orient = (a: Coord, b: Coord, c: Coord) => (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);

/** Adds to each segment's split parameters where the other set's segments meet it. */
function node(S: Seg[], R: Seg[], splitsS: number[][], splitsR: number[][], tol: number, self: boolean): void {
  for (let i = 0; i < S.length; i++) {
    const s = S[i]!;
    const sx0 = Math.min(s.a[0], s.b[0]) - tol, sx1 = Math.max(s.a[0], s.b[0]) + tol, sy0 = Math.min(s.a[1], s.b[1]) - tol, sy1 = Math.max(s.a[1], s.b[1]) + tol;
    for (let j = self ? i + 1 : 0; j < R.length; j++) {
      const r = R[j]!;
      if (self && r.comp === s.comp) continue;
      if (Math.max(r.a[0], r.b[0]) < sx0 || Math.min(r.a[0], r.b[0]) > sx1 || Math.max(r.a[1], r.b[1]) < sy0 || Math.min(r.a[1], r.b[1]) > sy1) continue;
      // Endpoints on the other segment (touching and collinear overlaps).
      for (const q of [r.a, r.b]) if (onSegment(q, s.a, s.b, tol)) splitsS[i]!.push(projection(q, s.a, s.b));
      for (const q of [s.a, s.b]) if (onSegment(q, r.a, r.b, tol)) splitsR[j]!.push(projection(q, r.a, r.b));
      const d1 = orient(r.a, r.b, s.a), d2 = orient(r.a, r.b, s.b), d3 = orient(s.a, s.b, r.a), d4 = orient(s.a, s.b, r.b);
      if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) {
        splitsS[i]!.push(d1 / (d1 - d2));
        splitsR[j]!.push(d3 / (d3 - d4));
      }
    }
  }
}

/** The own location of a point of g: known for a plain geometry's vertices and pieces, located for a collection. */
function selfLocate(p: Coord, g: Prepared, seg: Seg | undefined, tol: number): Loc {
  if (g.generic) return locate(p, g, tol);
  if (!seg) return g.points.length ? I : locate(p, g, tol);
  if (seg.ring) return B;
  const n = g.ends.get(key(p));
  if (n !== undefined) return n % 2 === 1 ? B : I;
  // An endpoint computed in floating point may miss the exact key.
  for (const [k, c] of g.ends) { const [x, y] = k.split(',').map(Number); if (near(p, [x!, y!], tol) && c % 2 === 1) return B; }
  return I;
}

/** Samples the nodes, pieces and (with `faces`) the faces beside the pieces of g's segments. */
function sample(g: Prepared, other: Prepared, splits: number[][], tol: number, faces: boolean, put: (own: Loc, other: Loc, dim: number) => void): void {
  g.segs.forEach((s, i) => {
    const ts = [...new Set(splits[i])].sort((x, y) => x - y);
    const at = (t: number): Coord => [s.a[0] + t * (s.b[0] - s.a[0]), s.a[1] + t * (s.b[1] - s.a[1])];
    const len = Math.hypot(s.b[0] - s.a[0], s.b[1] - s.a[1]);
    for (let k = 0; k < ts.length; k++) {
      const p = k === 0 ? s.a : k === ts.length - 1 ? s.b : at(ts[k]!);
      put(selfLocate(p, g, s, tol), locate(p, other, tol), 0);
      if (k === 0) continue;
      const t0 = ts[k - 1]!, t1 = ts[k]!;
      if ((t1 - t0) * len <= tol) continue;
      const mid = at((t0 + t1) / 2);
      put(g.generic ? locate(mid, g, tol) : s.ring ? B : I, locate(mid, other, tol), 1);
      if (!faces) continue;
      const d = Math.max((t1 - t0) * len * 1e-4, tol * 100) / len;
      const nx = -(s.b[1] - s.a[1]) * d, ny = (s.b[0] - s.a[0]) * d;
      const left: Coord = [mid[0] + nx, mid[1] + ny], right: Coord = [mid[0] - nx, mid[1] - ny];
      put(!g.generic && s.left !== undefined ? s.left : locate(left, g, tol), locate(left, other, tol), 2);
      put(!g.generic && s.right !== undefined ? s.right : locate(right, g, tol), locate(right, other, tol), 2);
    }
  });
}

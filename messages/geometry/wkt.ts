/**
 * Well-Known Text (OGC 06-103r4, 2D) read into plain geometry objects and
 * written back in one canonical form: `POINT (1 2)`, `POLYGON ((0 0, 4 0, 4 4, 0 0))`,
 * `MULTIPOINT ((1 2), (3 4))`, `LINESTRING EMPTY`. Milvus's GEOMETRY values
 * are WKT in and out; nuthatch keeps the canonical text (geometryFields.ts).
 * Pure: no I/O.
 */

/** An x (longitude), y (latitude) pair. */
export type Coord = readonly [number, number];

export type Geometry =
  | { type: 'Point'; coord: Coord | null }
  | { type: 'LineString'; coords: Coord[] }
  | { type: 'Polygon'; rings: Coord[][] }
  | { type: 'MultiPoint'; points: Coord[] }
  | { type: 'MultiLineString'; lines: Coord[][] }
  | { type: 'MultiPolygon'; polygons: Coord[][][] }
  | { type: 'GeometryCollection'; geometries: Geometry[] };

export const WKT_LIMITS = {
  /** Characters of one WKT value. */
  maxLength: 1 << 20,
  /** Nesting of GEOMETRYCOLLECTIONs. */
  maxDepth: 32,
} as const;

const KEYWORDS: Record<string, Geometry['type']> = {
  POINT: 'Point', LINESTRING: 'LineString', POLYGON: 'Polygon', MULTIPOINT: 'MultiPoint',
  MULTILINESTRING: 'MultiLineString', MULTIPOLYGON: 'MultiPolygon', GEOMETRYCOLLECTION: 'GeometryCollection',
};
const TOKEN = /(?:([A-Za-z]+)|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|([(),]))/y;

/** A Geometry from WKT text, or an error text saying what is wrong and where. */
export function parseWkt(text: unknown): Geometry | string {
  if (typeof text !== 'string') return 'must be a WKT string such as \'POINT (1 2)\'';
  if (text.length > WKT_LIMITS.maxLength) return `is longer than ${WKT_LIMITS.maxLength} characters of WKT`;
  try {
    const r = new Reader(text);
    const g = r.geometry(0);
    r.end();
    return g;
  } catch (e) {
    if (e instanceof WktError) return `'${text.length > 60 ? text.slice(0, 60) + '...' : text}' is not valid WKT: ${e.message}`;
    throw e;
  }
}

class WktError extends Error {}

type Tok = { word?: string; num?: number; punct?: string; at: number } | null;

class Reader {
  private at = 0;
  private tok: Tok = null;
  constructor(private readonly s: string) { this.advance(); }

  private advance(): void {
    while (this.at < this.s.length && /\s/.test(this.s[this.at]!)) this.at++;
    if (this.at >= this.s.length) { this.tok = null; return; }
    TOKEN.lastIndex = this.at;
    const m = TOKEN.exec(this.s);
    if (!m) throw new WktError(`unexpected '${this.s.slice(this.at, this.at + 10)}' at ${this.at}`);
    const at = this.at;
    this.at = TOKEN.lastIndex;
    this.tok = m[1] ? { word: m[1].toUpperCase(), at } : m[2] ? { num: Number(m[2]), at } : { punct: m[3]!, at };
  }
  private where(): string { return this.tok ? `at ${this.tok.at}` : 'at the end'; }
  private punct(p: string): void {
    if (this.tok?.punct !== p) throw new WktError(`expected '${p}' ${this.where()}`);
    this.advance();
  }
  private isPunct(p: string): boolean { return this.tok?.punct === p; }

  end(): void { if (this.tok) throw new WktError(`unexpected text ${this.where()}`); }

  geometry(depth: number): Geometry {
    const w = this.tok?.word, type = w === undefined ? undefined : KEYWORDS[w];
    if (!type) throw new WktError(`expected a geometry type (POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING, MULTIPOLYGON, GEOMETRYCOLLECTION) ${this.where()}`);
    this.advance();
    const dims = this.tok?.word;
    if (dims === 'Z' || dims === 'M' || dims === 'ZM') throw new WktError(`only 2D coordinates are supported, not ${dims}`);
    const empty = this.tok?.word === 'EMPTY';
    if (empty) this.advance();
    switch (type) {
      case 'Point': return { type, coord: empty ? null : this.wrapped(() => this.coord()) };
      case 'LineString': return { type, coords: empty ? [] : this.line() };
      case 'Polygon': return { type, rings: empty ? [] : this.polygon() };
      case 'MultiPoint': return { type, points: empty ? [] : this.list(() => (this.isPunct('(') ? this.wrapped(() => this.coord()) : this.coord())) };
      case 'MultiLineString': return { type, lines: empty ? [] : this.list(() => this.line()) };
      case 'MultiPolygon': return { type, polygons: empty ? [] : this.list(() => this.polygon()) };
      case 'GeometryCollection':
        if (depth >= WKT_LIMITS.maxDepth) throw new WktError(`GEOMETRYCOLLECTIONs nest deeper than ${WKT_LIMITS.maxDepth}`);
        return { type, geometries: empty ? [] : this.list(() => this.geometry(depth + 1)) };
    }
  }

  private wrapped<T>(f: () => T): T { this.punct('('); const v = f(); this.punct(')'); return v; }
  private list<T>(f: () => T): T[] {
    this.punct('(');
    const out = [f()];
    while (this.isPunct(',')) { this.advance(); out.push(f()); }
    this.punct(')');
    return out;
  }
  private number(): number {
    const n = this.tok?.num;
    if (n === undefined) throw new WktError(`expected a number ${this.where()}`);
    if (!Number.isFinite(n)) throw new WktError(`coordinate ${n} is not finite`);
    this.advance();
    return n;
  }
  private coord(): Coord {
    const x = this.number(), y = this.number();
    if (this.tok?.num !== undefined) throw new WktError(`only 2D coordinates are supported ${this.where()}`);
    return [x, y];
  }
  private line(): Coord[] {
    const at = this.tok?.at ?? this.s.length;
    const l = this.list(() => this.coord());
    if (l.length < 2) throw new WktError(`a LINESTRING needs at least 2 points (at ${at})`);
    return l;
  }
  private polygon(): Coord[][] {
    return this.list(() => {
      const at = this.tok?.at ?? this.s.length;
      const ring = this.list(() => this.coord());
      if (ring.length < 4) throw new WktError(`a polygon ring needs at least 4 points (at ${at})`);
      const a = ring[0]!, b = ring[ring.length - 1]!;
      if (a[0] !== b[0] || a[1] !== b[1]) throw new WktError(`a polygon ring must be closed: it starts at (${a[0]} ${a[1]}) and ends at (${b[0]} ${b[1]}) (at ${at})`);
      return ring;
    });
  }
}

const num = (n: number) => (Object.is(n, -0) ? '0' : String(n));
const xy = (c: Coord) => `${num(c[0])} ${num(c[1])}`;
const seq = (cs: readonly Coord[]) => `(${cs.map(xy).join(', ')})`;
const rings = (rs: readonly Coord[][]) => `(${rs.map(seq).join(', ')})`;

/** The canonical WKT of a geometry. */
export function writeWkt(g: Geometry): string {
  switch (g.type) {
    case 'Point': return g.coord ? `POINT (${xy(g.coord)})` : 'POINT EMPTY';
    case 'LineString': return g.coords.length ? `LINESTRING ${seq(g.coords)}` : 'LINESTRING EMPTY';
    case 'Polygon': return g.rings.length ? `POLYGON ${rings(g.rings)}` : 'POLYGON EMPTY';
    case 'MultiPoint': return g.points.length ? `MULTIPOINT (${g.points.map((p) => `(${xy(p)})`).join(', ')})` : 'MULTIPOINT EMPTY';
    case 'MultiLineString': return g.lines.length ? `MULTILINESTRING ${rings(g.lines)}` : 'MULTILINESTRING EMPTY';
    case 'MultiPolygon': return g.polygons.length ? `MULTIPOLYGON (${g.polygons.map(rings).join(', ')})` : 'MULTIPOLYGON EMPTY';
    case 'GeometryCollection': return g.geometries.length ? `GEOMETRYCOLLECTION (${g.geometries.map(writeWkt).join(', ')})` : 'GEOMETRYCOLLECTION EMPTY';
  }
}

/** WKT text in canonical form, or an error text. */
export function canonicalWkt(text: unknown): string | { error: string } {
  const g = parseWkt(text);
  return typeof g === 'string' ? { error: g } : writeWkt(g);
}

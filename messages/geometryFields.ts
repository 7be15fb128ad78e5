import { ValidationError } from './errors.js';
import { canonicalWkt } from './geometry/wkt.js';
import type { FieldSchema } from './schema.js';

/**
 * Geometry values at the edges: WKT text users give becomes canonical WKT
 * (messages/geometry/wkt.ts writeWkt) where rows enter, so every reader and
 * every output holds one spelling of a geometry (`point(1  2)` is stored and
 * returned as `POINT (1 2)`, as Milvus returns its WKB written back as WKT).
 *
 * Why text and not a parsed or binary form: a value is then a string like a
 * VarChar's, so the WAL codec, segment files, compaction, import and export
 * carry it unchanged; the filter reads each segment's geometries once
 * (filter/geoEvaluate.ts) and an RTREE keeps their boxes, so parsing is not
 * on the hot path of a repeated query.
 */

/** A Geometry value as given: canonical WKT, or null and undefined passed through for the default and nullable rules. */
export function geometryInput(f: FieldSchema, v: unknown, what: string): unknown {
  if (v === undefined || v === null) return v;
  const c = canonicalWkt(v);
  if (typeof c !== 'string') throw new ValidationError(`${what}: Geometry field '${f.name}' ${c.error}`, { field: f.name });
  return c;
}

/** The schema with each Geometry field's WKT default in canonical form, as rows hold it (a default that is not WKT is left for validation to refuse). */
export function geometryDefaults<S extends { fields: FieldSchema[] }>(s: S): S {
  if (!s || !Array.isArray(s.fields) || !s.fields.some((f) => f?.dataType === 'Geometry' && typeof f.defaultValue === 'string')) return s;
  return {
    ...s,
    fields: s.fields.map((f) => {
      if (f.dataType !== 'Geometry' || typeof f.defaultValue !== 'string') return f;
      const c = canonicalWkt(f.defaultValue);
      return typeof c === 'string' ? { ...f, defaultValue: c } : f;
    }),
  };
}

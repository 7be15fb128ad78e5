import { ValidationError } from './errors.js';
import { DEFAULT_TIMEZONE, formatTimestamptz, isTimeZone, parseTimestamptz } from './timestamptz.js';
import type { CollectionSchema, FieldSchema } from './schema.js';

/**
 * Timestamptz at the edges: text users give becomes the stored integer
 * (microseconds, UTC) where rows and schemas enter, and the integer becomes
 * text in a zone where rows leave. Which zone: the request's `timezone`, else
 * the collection's `timezone` property, else the database's, else UTC (Milvus's
 * order of precedence).
 */

/** The zone a request resolves to; a bad zone name is a ValidationError naming where it came from. */
export function resolveTimezone(...candidates: Array<{ tz: unknown; from: string }>): string {
  for (const { tz, from } of candidates) {
    if (tz === undefined || tz === null || tz === '') continue;
    if (!isTimeZone(tz)) throw new ValidationError(`${from} '${String(tz)}' is not an IANA time zone (such as 'Asia/Shanghai', 'America/Chicago' or 'UTC')`, { field: from });
    return tz;
  }
  return DEFAULT_TIMEZONE;
}

/**
 * A Timestamptz value as given: ISO 8601 text (read in `tz` when it has no
 * offset) or the stored integer (as a partial upsert carries it back); null
 * and undefined pass through for the default and nullable rules.
 */
export function timestamptzInput(f: FieldSchema, v: unknown, tz: string, what: string): unknown {
  if (v === undefined || v === null) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  const t = parseTimestamptz(v, tz);
  if (typeof t === 'string') throw new ValidationError(`${what}: Timestamptz field '${f.name}' ${t}`, { field: f.name });
  return t;
}

/** The schema with each Timestamptz field's ISO default as the stored integer (text without an offset read in `tz`). */
export function timestamptzDefaults(s: CollectionSchema, tz: string = DEFAULT_TIMEZONE): CollectionSchema {
  if (!s || !Array.isArray(s.fields) || !s.fields.some((f) => f?.dataType === 'Timestamptz' && typeof f.defaultValue === 'string')) return s;
  return {
    ...s,
    fields: s.fields.map((f) => (f.dataType === 'Timestamptz' && typeof f.defaultValue === 'string'
      ? { ...f, defaultValue: timestamptzInput(f, f.defaultValue, tz, 'the default value') as number }
      : f)),
  };
}

/** Output fields with each Timestamptz value as RFC 3339 text in `tz`; null stays null. */
export function renderTimestamptz(fields: Record<string, unknown>, schema: CollectionSchema | undefined, tz: string): Record<string, unknown> {
  if (!schema) return fields;
  for (const f of schema.fields) {
    if (f.dataType !== 'Timestamptz') continue;
    const v = fields[f.name];
    if (typeof v === 'number') fields[f.name] = formatTimestamptz(v, tz);
  }
  return fields;
}

/** The schema as a description shows it: each Timestamptz default as RFC 3339 text in `tz`, as it was given. */
export function describedSchema(s: CollectionSchema, tz: string): CollectionSchema {
  if (!s.fields.some((f) => f.dataType === 'Timestamptz' && typeof f.defaultValue === 'number')) return s;
  return { ...s, fields: s.fields.map((f) => (f.dataType === 'Timestamptz' && typeof f.defaultValue === 'number' ? { ...f, defaultValue: formatTimestamptz(f.defaultValue, tz) } : f)) };
}

/**
 * Milvus's TIMESTAMPTZ values: ISO 8601 text in, an instant out, kept as an
 * integer of microseconds since the epoch (UTC). Text without an offset is a
 * wall-clock time in a zone (the collection's `timezone` property, else UTC);
 * output is RFC 3339 in a zone, `Z` when its offset is zero (as Milvus prints
 * it: '2024-12-31T16:00:00Z'). Pure: zones come from Intl.
 *
 * The stored integer must be a safe JS integer, so instants run from about
 * 1684-12 to 2255-06; a value outside is refused, never rounded.
 */

/** The zone of text without an offset, and of output, when nothing names one. */
export const DEFAULT_TIMEZONE = 'UTC';

/** The smallest and largest instants kept, in microseconds. */
export const TIMESTAMPTZ_RANGE = { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER } as const;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?$/;
const MS_PER_DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short' });
    formatters.set(tz, f);
  }
  return f;
}

/** Whether `tz` is an IANA zone name Intl knows (`Asia/Shanghai`, `UTC`). */
export function isTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || tz.trim() === '' || tz !== tz.trim()) return false;
  try { formatter(tz); return true; } catch { return false; }
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (whole seconds). */
export function offsetAt(ms: number, tz: string): number {
  if (tz === 'UTC') return 0;
  const p: Record<string, string> = {};
  for (const x of formatter(tz).formatToParts(new Date(ms))) p[x.type] = x.value;
  const year = p.era === 'BC' ? 1 - Number(p.year) : Number(p.year);
  const local = utcMs(year, Number(p.month), Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return local - Math.floor(ms / 1000) * 1000;
}

/** Date.UTC without its two-digit-year quirk. */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const t = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
  t.setUTCFullYear(y);
  return t.getTime();
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number) => [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;

/**
 * The instant of a wall-clock time in `tz`. An ambiguous time (clocks set
 * back) is the earlier instant; a skipped one (clocks set forward) is moved
 * forward by the gap, as java.time and Temporal's 'compatible' do.
 */
function localToUtc(localMs: number, tz: string): number {
  const before = offsetAt(localMs - MS_PER_DAY, tz), after = offsetAt(localMs + MS_PER_DAY, tz);
  const fits = [before, after].map((o) => localMs - o).filter((t) => localMs - offsetAt(t, tz) === t);
  return fits.length ? Math.min(...fits) : localMs - before;
}

/**
 * Microseconds since the epoch of ISO 8601 text, or an error text.
 * `tz` is the zone of text without an offset.
 */
export function parseTimestamptz(text: unknown, tz: string = DEFAULT_TIMEZONE): number | string {
  if (typeof text !== 'string') return 'must be an ISO 8601 string such as "2025-05-01T23:59:59+08:00"';
  const m = ISO.exec(text.trim());
  const bad = `'${text.length > 60 ? text.slice(0, 60) + '...' : text}' is not an ISO 8601 timestamp (such as "2025-05-01T23:59:59+08:00")`;
  if (!m) return bad;
  const [y, mo, d, h = 0, mi = 0, s = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? undefined : Number(x))) as number[];
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > daysIn(y!, mo!)) return `${bad}: no such date`;
  if (h > 23 || mi > 59 || s > 59) return `${bad}: no such time of day`;
  const micros = m[7] ? Number(m[7].padEnd(6, '0').slice(0, 6)) : 0;
  const local = utcMs(y!, mo!, d!, h, mi, s);
  let ms: number;
  const off = m[8];
  if (off === undefined) ms = localToUtc(local, tz);
  else if (off === 'Z' || off === 'z') ms = local;
  else {
    const [oh = 0, om = 0, os = 0] = (off.slice(1).match(/\d{2}/g) ?? []).map(Number);
    if (oh > 23 || om > 59 || os > 59) return `${bad}: no such offset`;
    ms = local - (off[0] === '-' ? -1 : 1) * (oh * 3600 + om * 60 + os) * 1000;
  }
  const out = ms * 1000 + micros;
  if (!Number.isSafeInteger(out)) return `${bad}: out of range (TIMESTAMPTZ values run from ${formatTimestamptz(TIMESTAMPTZ_RANGE.min)} to ${formatTimestamptz(TIMESTAMPTZ_RANGE.max)})`;
  return out;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** RFC 3339 text of an instant in `tz`: fractional seconds only when not zero, `Z` for a zero offset. */
export function formatTimestamptz(micros: number, tz: string = DEFAULT_TIMEZONE): string {
  const ms = Math.floor(micros / 1000), frac = micros - ms * 1000;
  const secMs = Math.floor(ms / 1000) * 1000;
  const off = offsetAt(ms, tz);
  const t = new Date(secMs + off);
  const sub = (ms - secMs) * 1000 + frac;
  const fraction = sub === 0 ? '' : '.' + pad(sub, 6).replace(/0+$/, '');
  // A zone's local mean time (before about 1900) may be off UTC by seconds too: they are written, so the text keeps the instant.
  const a = Math.abs(off) / 1000, secs = a % 60;
  const zone = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.floor(a / 3600))}:${pad(Math.floor(a / 60) % 60)}${secs ? `:${pad(secs)}` : ''}`;
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}T${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}${fraction}${zone}`;
}

/** An ISO 8601 duration (`P1Y2M3DT4H5M6.5S`): calendar months, and microseconds of fixed length (weeks and days are 24 h). */
export interface Interval { months: number; micros: number }

const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d{1,6})?)S)?)?$/;

/** The interval of ISO 8601 duration text, or an error text. */
export function parseInterval(text: unknown): Interval | string {
  const bad = `'${String(text).slice(0, 60)}' is not an ISO 8601 duration (such as 'P1D', 'PT3H', 'P1Y2M3DT4H5M6S')`;
  if (typeof text !== 'string') return bad;
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return bad;
  const n = (i: number) => Number(m[i] ?? 0);
  const months = n(1) * 12 + n(2);
  const secs = Number((m[7] ?? '0').replace(',', '.'));
  const micros = (((n(3) * 7 + n(4)) * 24 + n(5)) * 60 + n(6)) * 60_000_000 + Math.round(secs * 1_000_000);
  if (!Number.isSafeInteger(months) || !Number.isSafeInteger(micros)) return `${bad}: too long`;
  return { months, micros };
}

/**
 * `t + sign * interval`: months on the UTC calendar (a day past the month's
 * end is clamped to its last day, as SQL does), then the fixed part. Null
 * when the result leaves the range.
 */
export function shiftTimestamptz(t: number, iv: Interval, sign: 1 | -1): number | null {
  let out = t;
  if (iv.months !== 0) {
    const ms = Math.floor(t / 1000), rest = t - ms * 1000, d = new Date(ms);
    const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + sign * iv.months;
    const y = Math.floor(total / 12), mo = total - y * 12 + 1;
    const day = Math.min(d.getUTCDate(), daysIn(y, mo));
    out = utcMs(y, mo, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) * 1000 + d.getUTCMilliseconds() * 1000 + rest;
  }
  out += sign * iv.micros;
  return Number.isSafeInteger(out) ? out : null;
}

/**
 * The shredded form of a JSON column (Milvus 2.6's JSON shredding): for the
 * object paths most rows hold, the values at the path laid out by type, so a
 * filter on `meta["a"]` reads one typed array instead of each row's object.
 * The rows themselves stay (outputs read them, and anything the shredded form
 * does not hold is read from them), so a filter's answer never depends on
 * whether a column is shredded.
 *
 * A shredded form travels with its column array (a non-enumerable symbol
 * property, see attachShredded): every path that binds a filter to a
 * segment's columns finds it without a new argument, and a column copied or
 * rebuilt loses it, falling back to reading the rows.
 *
 * A JSON `null` at a path is held as missing: every filter operator treats the
 * two alike (a test on either is unknown), so no answer can tell them apart.
 */
import { jsonGet, jsonPathReader } from './values.js';

/** Row tags of a dynamic path: which typed column holds the row's value. */
export const TAG = { absent: 0, number: 1, string: 2, true: 3, false: 4, other: 5 } as const;

/**
 * One shredded path. Typed (one scalar type in every row that holds it):
 * numbers in `values` (Int32Array when all fit) with a presence bitmap;
 * strings as dictionary codes (-1: absent) into `dict`; booleans as two
 * bitmaps. Dynamic (mixed types): a tag a row and one column a type; `other`
 * rows (an object or list among scalars) are read from the row. Shared (a
 * path too rare for a column, or past the column cap): only the rows that
 * hold the path, so a filter reads just those rows' objects.
 */
export type ShreddedPath =
  | { kind: 'typed'; type: 'number'; present: Uint8Array; values: Float64Array | Int32Array }
  | { kind: 'typed'; type: 'string'; codes: Int32Array; dict: readonly string[] }
  | { kind: 'typed'; type: 'bool'; present: Uint8Array; values: Uint8Array }
  | { kind: 'dynamic'; tags: Uint8Array; numbers: Float64Array; codes: Int32Array; dict: readonly string[] }
  | { kind: 'shared'; rows: Int32Array };

/** A JSON column's shredded paths, by pathKey. */
export interface ShreddedJson { readonly rowCount: number; readonly paths: ReadonlyMap<string, ShreddedPath> }

/** The key a path of object keys is found by (JSON text: unambiguous for any key). */
export const pathKey = (path: readonly (string | number)[]): string => JSON.stringify(path);

const SHREDDED = Symbol('nuthatch.shreddedJson');

/** Hangs `shredded` on `column` (not enumerable, so no codec or copy of the fields sees it); returns the column. */
export function attachShredded<T extends object>(column: T, shredded: ShreddedJson): T {
  Object.defineProperty(column, SHREDDED, { value: shredded, enumerable: false, configurable: true, writable: false });
  return column;
}

/** The shredded form of `column` at `path`, if it has one (only object-key paths are shredded). */
export function shreddedPathOf(column: unknown, path: readonly (string | number)[]): ShreddedPath | undefined {
  if (path.length === 0 || column === null || typeof column !== 'object') return undefined;
  const s = (column as { [SHREDDED]?: ShreddedJson })[SHREDDED];
  if (s === undefined || !path.every((k) => typeof k === 'string')) return undefined;
  return s.paths.get(pathKey(path));
}

/** The shredded form of a column, if any. */
export const shreddedOf = (column: unknown): ShreddedJson | undefined =>
  column !== null && typeof column === 'object' ? (column as { [SHREDDED]?: ShreddedJson })[SHREDDED] : undefined;

/** Whether bit `i` of a bitmap is set. */
export const bit = (bits: Uint8Array, i: number): boolean => (bits[i >>> 3]! & (1 << (i & 7))) !== 0;

/** A bitmap of `n` bits with `rows` set. */
export function bitmapOf(rows: ArrayLike<number>, n: number): Uint8Array {
  const b = new Uint8Array((n + 7) >>> 3);
  for (let j = 0; j < rows.length; j++) { const i = rows[j]!; b[i >>> 3]! |= 1 << (i & 7); }
  return b;
}

/**
 * Reads row `i`'s value at the path from the shredded form, as jsonGet reads
 * it from the row (a JSON null as undefined); `column` serves what it does not hold.
 */
export function shreddedGetter(sp: ShreddedPath, column: ArrayLike<unknown>, path: readonly (string | number)[]): (i: number) => unknown {
  switch (sp.kind) {
    case 'typed':
      if (sp.type === 'number') { const { present, values } = sp; return (i) => (bit(present, i) ? values[i] : undefined); }
      if (sp.type === 'string') { const { codes, dict } = sp; return (i) => { const c = codes[i]!; return c >= 0 ? dict[c] : undefined; }; }
      { const { present, values } = sp; return (i) => (bit(present, i) ? bit(values, i) : undefined); }
    case 'dynamic': {
      const { tags, numbers, codes, dict } = sp;
      return (i) => {
        switch (tags[i]) {
          case TAG.number: return numbers[i];
          case TAG.string: return dict[codes[i]!];
          case TAG.true: return true;
          case TAG.false: return false;
          case TAG.other: return jsonGet(column[i], path);
          default: return undefined;
        }
      };
    }
    default: {
      const has = bitmapOf(sp.rows, column.length), get = jsonPathReader(path);
      return (i) => (bit(has, i) ? get(column[i]) : undefined);
    }
  }
}

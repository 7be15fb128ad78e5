/**
 * A nullable vector field's column held compactly (pure): only the rows
 * holding a vector are stored, densely, in slot order (slot s holds the s-th
 * non-null row), and a row map finds them. A field that is 90% null then
 * holds a tenth of a required field's bytes, plus 4 bytes a row of map,
 * where a zero-filled block held every row's width. Required fields never
 * get a map: their block is row-addressed as ever.
 */

/**
 * Where a compact column's rows are: `slots[row]` is the row's slot in the
 * dense storage (-1: the row holds null), `rows[slot]` the slot's row,
 * ascending (what a scan walks, and what an index of the field is built over).
 */
export interface RowMap { slots: Int32Array; rows: Int32Array }

/** A compact column: `width` elements a row (floats, or bytes), `map.rows.length` rows of them. */
export interface CompactColumn<T extends Float32Array | Uint8Array> { storage: T; width: number; map: RowMap }

/** The map of `count` rows where `present` tells which hold a vector. */
export function rowMapOf(count: number, present: (row: number) => boolean): RowMap {
  const slots = new Int32Array(count);
  let m = 0;
  for (let r = 0; r < count; r++) slots[r] = present(r) ? m++ : -1;
  const rows = new Int32Array(m);
  for (let r = 0; r < count; r++) if (slots[r]! >= 0) rows[slots[r]!] = r;
  return { slots, rows };
}

/**
 * Packs the non-null rows of `column` (each a `Ctor` of `width` elements, or
 * null/undefined) densely into one buffer, each such row becoming a view of
 * its slot (so outputs read the same values); null rows stay null. Undefined
 * when some row is neither null nor a `Ctor` of `width`: such a column is left
 * as it is. The column is changed in place.
 */
export function compactRows<T extends Float32Array | Uint8Array>(column: unknown[], count: number, width: number, Ctor: { new (n: number): T }): CompactColumn<T> | undefined {
  for (let r = 0; r < count; r++) {
    const v = column[r];
    if (v !== null && v !== undefined && !(v instanceof Ctor && v.length === width)) return undefined;
  }
  const map = rowMapOf(count, (r) => column[r] !== null && column[r] !== undefined);
  const storage = new Ctor(map.rows.length * width);
  for (let s = 0; s < map.rows.length; s++) {
    const r = map.rows[s]!;
    storage.set(column[r] as T, s * width);
    column[r] = storage.subarray(s * width, (s + 1) * width);
  }
  return { storage, width, map };
}

/** A compact column widened back to `count` rows of `width`, zeros where null: what an index build over every row number reads. */
export function expandRows<T extends Float32Array | Uint8Array>(c: CompactColumn<T>, Ctor: { new (n: number): T }): T {
  const { storage, width, map } = c;
  const out = new Ctor(map.slots.length * width);
  for (let s = 0; s < map.rows.length; s++) out.set(storage.subarray(s * width, (s + 1) * width), map.rows[s]! * width);
  return out;
}

/** Bytes a compact column holds: its vectors and its map. */
export function compactBytes(c: CompactColumn<Float32Array | Uint8Array>): number {
  return c.storage.byteLength + c.map.slots.byteLength + c.map.rows.byteLength;
}

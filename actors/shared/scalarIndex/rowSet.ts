/**
 * A set of a segment's rows as a bitset: index lookups fill it, `and` and `or`
 * combine terms word by word, and its rows come out ascending (the order a
 * scan of the segment visits them). Pure.
 */
export class RowSet {
  private constructor(readonly rowCount: number, private readonly words: Uint32Array) {}

  static empty(rowCount: number): RowSet { return new RowSet(rowCount, new Uint32Array((rowCount + 31) >>> 5)); }

  /** Adds rows[start..end). */
  addRows(rows: Int32Array, start: number, end: number): this {
    const w = this.words;
    for (let i = start; i < end; i++) { const r = rows[i]!; w[r >>> 5] |= 1 << (r & 31); }
    return this;
  }

  has(row: number): boolean { return (this.words[row >>> 5]! & (1 << (row & 31))) !== 0; }

  /** Keeps only the rows `other` holds too. */
  and(other: RowSet): this { const w = this.words, o = other.words; for (let i = 0; i < w.length; i++) w[i] &= o[i]!; return this; }

  /** Holds exactly the rows it did not (within rowCount). */
  invert(): this {
    const w = this.words;
    for (let i = 0; i < w.length; i++) w[i] = ~w[i]!;
    const tail = this.rowCount & 31;
    if (tail !== 0) w[w.length - 1]! &= (1 << tail) - 1;
    return this;
  }

  /** Adds the rows of `other`. */
  or(other: RowSet): this { const w = this.words, o = other.words; for (let i = 0; i < w.length; i++) w[i] |= o[i]!; return this; }

  size(): number {
    let n = 0;
    for (let x of this.words) {
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      n += Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
    }
    return n;
  }

  /** The rows, ascending. */
  toRows(): Int32Array {
    const out = new Int32Array(this.size());
    let k = 0;
    const w = this.words;
    for (let i = 0; i < w.length; i++) {
      let x = w[i]!;
      while (x !== 0) { const low = x & -x; out[k++] = (i << 5) + 31 - Math.clz32(low); x ^= low; }
    }
    return out;
  }
}

/**
 * When a query node may let go of an index it no longer serves (pure): a
 * DISKANN index holds a local file, removed by close(), and a search that
 * took a segment's indexes before a release (reads await the shard's
 * deletes between taking them and searching) must still read it. Reads
 * hold the indexes they took; a retired index is closed at once when none
 * holds it, else when the last holder lets go. Holding a retired index
 * never reopens it: a read takes indexes before anything retires them.
 */
export class IndexRetirement<T> {
  private readonly holds = new Map<T, number>();
  private readonly retired = new Set<T>();

  /** `close` lets an index go (DISKANN: closes and removes its file). */
  constructor(private readonly close: (index: T) => void) {}

  /** Marks `indexes` as in use by one read; the returned function (idempotent) ends that use. */
  hold(indexes: Iterable<T>): () => void {
    const held = [...indexes];
    for (const x of held) this.holds.set(x, (this.holds.get(x) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      for (const x of held) {
        const n = this.holds.get(x)! - 1;
        if (n > 0) { this.holds.set(x, n); continue; }
        this.holds.delete(x);
        if (this.retired.delete(x)) this.close(x);
      }
    };
  }

  /** The index is no longer served: closed now if no read holds it, else when the last one lets go. */
  retire(index: T): void {
    if (this.holds.has(index)) this.retired.add(index);
    else this.close(index);
  }

  /** Indexes retired but still held by a read. */
  get pending(): number { return this.retired.size; }
}

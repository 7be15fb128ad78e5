import type { IndexSearch } from '../core/sealedSearch.js';
import type { RowHit } from '../../shared/vector/bruteForce.js';
import type { SearchOptions, VectorIndex } from '../../../runtime/vectorIndex/vectorIndex.js';
import type { ReadTally } from '../../../runtime/vectorIndex/diskann/diskannIndex.js';

/** An index whose search can run without holding the thread (DISKANN: each step's reads issued together and awaited). */
export interface AsyncSearchable {
  searchAsync(query: Float32Array, k: number, opts?: SearchOptions, tally?: ReadTally): Promise<RowHit[]>;
}

/** Whether `index` searches asynchronously (a DISKANN index; a keyed or row-mapped one wrapping it does not). */
export function searchesAsync(index: VectorIndex | undefined): index is VectorIndex & AsyncSearchable {
  return typeof (index as Partial<AsyncSearchable> | undefined)?.searchAsync === 'function';
}

interface Wanted { memo: Map<string, RowHit[]>; key: string; run: () => Promise<RowHit[]> }

/**
 * A search's calls of asynchronous indexes, for the synchronous core that
 * makes them (core/sealedSearch.ts: filters, ranges, groups and merges stay
 * pure and synchronous). `run` runs the core as passes: in a pass, each call
 * of an index (`searchOf`) is answered from what earlier passes fetched, or,
 * when not fetched yet, noted and answered with no rows; after a pass that
 * noted calls, they all run together (`searchAsync`: reads issued at once,
 * the thread free meanwhile) and the core runs again. A pass that noted
 * nothing made every call with its real answer, so its result is the
 * synchronous search's. Each pass makes the same calls as the last up to
 * the first one answered differently, so passes end: usually two (one to
 * learn the calls, one to answer them), more when a call depends on an
 * earlier one's rows (a group-by search widening its k).
 *
 * A call is known by its query (the same Float32Array each pass), its k and
 * whether it filters; within one segment's index the filter is the same for
 * every call of a pass (the read's filter, deletes and range), and the same
 * in every pass, so those tell calls apart.
 */
export class AsyncSearches {
  private readonly memos = new Map<object, Map<string, RowHit[]>>();
  private wanted: Wanted[] = [];
  private readonly queryIds = new Map<Float32Array, number>();
  /** Node reads of the searches run (DISKANN's cache hits and file reads), for the node's metrics. */
  readonly tally: ReadTally = { cacheHits: 0, fileReads: 0 };
  /** Passes run so far. */
  passes = 0;

  /** `index`'s search as the core calls it, with the read's knobs `opts`. */
  searchOf(index: VectorIndex & AsyncSearchable, opts: SearchOptions): IndexSearch {
    let memo = this.memos.get(index);
    if (!memo) this.memos.set(index, memo = new Map());
    const m = memo;
    return (q, k, accept) => {
      const key = `${this.idOf(q)}:${k}:${accept ? 'f' : ''}`;
      const got = m.get(key);
      // A copy: the core's callers may sort or trim what they are given.
      if (got) return got.slice();
      if (!this.wanted.some((w) => w.memo === m && w.key === key)) {
        this.wanted.push({ memo: m, key, run: () => index.searchAsync(q, k, accept ? { ...opts, accept } : opts, this.tally) });
      }
      return [];
    };
  }

  /** Runs `pass` until a pass makes no call not yet answered; its result. */
  async run<T>(pass: () => T): Promise<T> {
    for (;;) {
      this.passes++;
      const out = pass();
      if (this.wanted.length === 0) return out;
      const batch = this.wanted;
      this.wanted = [];
      const hits = await Promise.all(batch.map((w) => w.run()));
      batch.forEach((w, i) => w.memo.set(w.key, hits[i]!));
    }
  }

  private idOf(q: Float32Array): number {
    let id = this.queryIds.get(q);
    if (id === undefined) this.queryIds.set(q, id = this.queryIds.size);
    return id;
  }
}

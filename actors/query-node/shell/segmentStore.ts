import { NuthatchError } from '../../../messages/errors.js';
import type { SegmentRecord } from '../../../messages/rpc/records.js';
import type { Tso } from '../../../messages/types.js';
import type { VectorIndex } from '../../../runtime/vectorIndex/vectorIndex.js';
import { deleteCoverOf } from '../../shared/segment/deleteCover.js';
import { segmentBytes } from '../core/segmentColumns.js';
import { sameColumns } from '../../../messages/loadFields.js';
import { IndexRetirement } from '../core/indexRetirement.js';
import type { TieredStorageConfig } from '../core/tieredStorageConfig.js';
import { fetchIndex, fetchSegmentData, planIndexes, scalarOf, type Loaded, type LoadedIndex, type SegmentFilePorts } from './segmentFiles.js';
import { LazySegments, type LazySegmentEvents } from './lazySegments.js';

export type { Loaded, LoadedIndex } from './segmentFiles.js';
/** What a node's segment store needs of its node. */
export interface SegmentStorePorts extends SegmentFilePorts {
  /** The node's id, for the error a read of a segment not held here gets. */
  nodeId: string;
  /** Told the number of segments held after each load or release (the node's gauge). */
  onCount(n: number): void;
  /** Tiered storage (core/tieredStorageConfig.ts) with the cache's budget in bytes; absent: every segment loads whole. */
  tiered?: { config: TieredStorageConfig; budget: number; events: LazySegmentEvents; diskDir?: string };
}

/** One segment held, as status reports it. */
export interface HeldFiles { segmentId: number; dataKey: string; indexKeys: string[]; columns?: string[]; bytes: number }

/**
 * The sealed segments a query node holds, with their indexes: loaded from
 * object storage (one segment's loads in the order they came), replaced in one
 * step, released; vector indexes no longer served are closed (DISKANN: its
 * local file removed) once no read holds them. With tiered storage a load
 * records metadata and reads fetch what is cold (lazySegments.ts).
 */
export class SegmentStore {
  private readonly segments = new Map<number, Loaded>();
  /** The last load of each segment still running: the next one waits for it (load). */
  private readonly loading = new Map<number, Promise<null>>();
  /** Segments a refresh is loading; a release meanwhile takes its id out (refresh). */
  private readonly refreshing = new Set<number>();
  private readonly retirement = new IndexRetirement<VectorIndex>((index) => index.close?.());
  private readonly lazy?: LazySegments;
  private sweeper?: ReturnType<typeof setInterval>;

  constructor(private readonly ports: SegmentStorePorts) {
    const t = ports.tiered;
    if (!t?.config.enabled) return;
    this.lazy = new LazySegments(ports, t.config, t.budget, this.retirement, t.events, () => Date.now(), t.diskDir);
    // Milvus's background eviction: the TTL and the high watermark checked every second, off the read path.
    if (t.config.backgroundEvictionEnabled) { this.sweeper = setInterval(() => this.lazy!.sweep(), 1000); this.sweeper.unref(); }
  }

  get size(): number { return this.lazy?.size ?? this.segments.size; }
  ids(): number[] { return this.lazy?.ids() ?? [...this.segments.keys()]; }
  /** The collections of the segments held. */
  collectionIds(): Set<number> {
    return new Set(this.lazy?.collectionIds() ?? [...this.segments.values()].map((l) => l.record.collectionId));
  }
  /** Bytes the tiered cache holds (undefined without tiered storage). */
  get cachedBytes(): number | undefined { return this.lazy?.bytes; }
  /** Every vector index held now (with tiered storage: cached). */
  vectorIndexes(): VectorIndex[] {
    return this.lazy?.vectorIndexes() ?? [...this.segments.values()].flatMap((l) => [...l.indexes.values()].flatMap((x) => (x.vector ? [x.vector] : [])));
  }

  /** Each segment held: its files, the columns its data holds and their bytes. */
  status(): HeldFiles[] {
    if (this.lazy) return this.lazy.status().map(({ record, ...f }) => ({ ...f, dataKey: record.dataKey }));
    return [...this.segments].map(([segmentId, l]) => ({ segmentId, dataKey: l.record.dataKey, indexKeys: [...l.indexes.values()].map((x) => x.key), columns: Object.keys(l.seg.fields), bytes: l.bytes }));
  }

  /** Every segment's vchannel, rows and delete cover: how far its shard's delete log may be trimmed. */
  covers(): Array<{ vchannel: string; rows: number; cover: Tso }> {
    if (this.lazy) return this.lazy.covers();
    return [...this.segments.values()].map((l) => ({ vchannel: l.record.vchannel, rows: l.seg.count, cover: l.cover }));
  }

  /**
   * The segments a read names, as it takes them, held until `done` (a release meanwhile closes
   * their vector indexes only after). With tiered storage, cold data and indexes are fetched first;
   * `withVector` false leaves ANN indexes out (a query or a BM25 count reads none).
   */
  async acquire(ids: readonly number[], withVector: boolean): Promise<{ loaded: Loaded[]; done: () => void }> {
    const missing = (id: number) => new NuthatchError('Unavailable', `segment ${id} is not loaded on query node ${this.ports.nodeId}`);
    if (this.lazy) {
      for (const id of ids) if (!this.lazy.has(id)) throw missing(id);
      const { loaded, done } = await this.lazy.acquire(ids, withVector);
      const gone = loaded.findIndex((l) => l === undefined);
      if (gone >= 0) { done(); throw missing(ids[gone]!); }
      return { loaded: loaded as Loaded[], done };
    }
    const loaded = ids.map((id) => { const l = this.segments.get(id); if (!l) throw missing(id); return l; });
    return { loaded, done: this.retirement.hold(loaded.flatMap((l) => [...l.indexes.values()].flatMap((x) => (x.vector ? [x.vector] : [])))) };
  }

  /**
   * Runs the loads of one segment one at a time, in the order they came. The
   * coordinator asks again each time one of a segment's indexes is built, so
   * loads of one segment overlap; run side by side, one with an older record
   * (fewer indexes) could finish last and leave the segment without the newer
   * index, and nothing would ask again.
   */
  load(record: SegmentRecord, columns?: readonly string[]): Promise<null> {
    return this.inTurn(record.segmentId, () => this.loadNow(record, columns));
  }

  /**
   * Loads a segment's current record in place of a superseded file held here
   * (query-node/core/shardDeletes.ts heldFileVerdict), in its turn after the
   * loads before it, with the columns held; nothing if it was released or
   * replaced meanwhile.
   */
  refresh(record: SegmentRecord): Promise<null> {
    const id = record.segmentId;
    return this.inTurn(id, async () => {
      const held = this.lazy ? this.lazy.held(id) : this.segments.get(id);
      if (!held || held.record.dataKey === record.dataKey) return null;
      // Released while it loads (no coordinator knows of this load to release it again): released after it too.
      this.refreshing.add(id);
      try { await this.loadNow(record, held.columns); } finally { if (!this.refreshing.delete(id)) this.unload(id); }
      return null;
    });
  }

  /** Raises the delete cover of a segment held here whose current record, naming the same file, claims more (heldFileVerdict). */
  adoptCover(segmentId: number, dataKey: string, cover: Tso): void {
    const held = this.lazy ? this.lazy.held(segmentId) : this.segments.get(segmentId);
    if (held && held.record.dataKey === dataKey && held.cover < cover) held.cover = cover;
  }

  private inTurn(id: number, run: () => Promise<null>): Promise<null> {
    const next = (this.loading.get(id) ?? Promise.resolve(null)).catch(() => null).then(run);
    this.loading.set(id, next);
    const forget = (): void => { if (this.loading.get(id) === next) this.loading.delete(id); };
    next.then(forget, forget);
    return next;
  }

  /**
   * Loads a segment, or reloads what changed: its index, or (once compacted)
   * its data and index together. The new pair replaces the old in one step, so
   * a read meanwhile uses one or the other, never data and index of two files.
   */
  private async loadNow(record: SegmentRecord, columns?: readonly string[]): Promise<null> {
    if (this.lazy) {
      await this.lazy.load(record, columns);
      this.ports.onCount(this.size);
      return null;
    }
    const prev = this.segments.get(record.segmentId);
    let cur = prev;
    if (!cur || cur.record.dataKey !== record.dataKey || !sameColumns(cur.columns, columns)) {
      const seg = await fetchSegmentData(this.ports, record, columns);
      cur = { record, seg, indexes: new Map(), scalar: new Map(), cover: 0n, ...(columns ? { columns } : {}), bytes: segmentBytes(seg) };
    }
    const held = [...cur.indexes.values()].map((x) => x.key);
    const wanted = Object.values(record.indexKeys);
    let indexes = cur.indexes;
    if (wanted.length !== held.length || wanted.some((k) => !held.includes(k))) {
      const { coll, plan } = await planIndexes(this.ports, record, cur.columns);
      const next = new Map<string, LoadedIndex>();
      for (const p of plan) {
        const have = cur.indexes.get(p.at);
        if (have?.key === p.key) { next.set(p.at, have); continue; }
        next.set(p.at, (await fetchIndex(this.ports, coll, p, { count: cur.seg.count, blockDim: cur.seg.dim })).index);
      }
      indexes = next;
    }
    // A concurrent load may have replaced the entry meanwhile: what it held that this one does not is retired too.
    const replaced = this.segments.get(record.segmentId) ?? prev;
    this.segments.set(record.segmentId, { ...cur, indexes, scalar: scalarOf(indexes), record, cover: deleteCoverOf(record, cur.seg) });
    if (replaced) this.retireIndexes(replaced, indexes);
    this.ports.onCount(this.segments.size);
    return null;
  }

  /** Stops serving a segment; its vector indexes are closed once no read holds them. */
  unload(segmentId: number): void {
    this.refreshing.delete(segmentId);
    if (this.lazy) { this.lazy.unload(segmentId); this.ports.onCount(this.size); return; }
    const l = this.segments.get(segmentId);
    if (!l) return;
    this.segments.delete(segmentId);
    this.retireIndexes(l, new Map());
    this.ports.onCount(this.segments.size);
  }

  /** Releases every segment and stops the background sweep. */
  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const id of this.ids()) this.unload(id);
  }

  /** Retires the vector indexes `old` held that `kept` does not. */

  private retireIndexes(old: Loaded, kept: ReadonlyMap<string, LoadedIndex>): void {
    const still = new Set([...kept.values()].map((x) => x.vector));
    for (const x of old.indexes.values()) if (x.vector && !still.has(x.vector)) this.retirement.retire(x.vector);
  }
}

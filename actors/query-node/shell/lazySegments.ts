import type { CollectionRecord, SegmentRecord } from '../../../messages/rpc/records.js';
import type { Tso } from '../../../messages/types.js';
import type { VectorIndex } from '../../../runtime/vectorIndex/vectorIndex.js';
import { vectorField } from '../../../messages/schema.js';
import { deleteCoverOf } from '../../shared/segment/deleteCover.js';
import { shreddedSidecarKey } from '../../shared/segment/segmentKeys.js';
import type { SealedSegment } from '../../shared/segment/segmentFile.js';
import type { IndexRetirement } from '../core/indexRetirement.js';
import { segmentBytes } from '../core/segmentColumns.js';
import type { TieredStorageConfig } from '../core/tieredStorageConfig.js';
import { SegmentCache, type Taken } from './segmentCache.js';
import { DiskTier, readingThrough, type DiskTierEvents } from './diskTier.js';
import { warmupOf } from '../core/warmupPolicy.js';
import { fetchIndex, fetchSegmentData, isScalarPlan, planIndexes, scalarOf, type Loaded, type LoadedIndex, type PlannedIndex, type SegmentFilePorts } from './segmentFiles.js';

/** A segment's metadata: what a tiered-storage node keeps of it at all times (never evicted). */
interface Meta { record: SegmentRecord; columns?: readonly string[]; cover: Tso; coll: CollectionRecord; plan: PlannedIndex[] }
/**
 * The columns a segment's data holds as `fields`, from its metadata: the load's (else the schema's)
 * but the primary key and the float block's field, which a segment file keeps apart (`pks`, `vectors`).
 */
function fieldColumns(m: Meta): string[] {
  const apart = new Set([m.coll.schema.fields.find((f) => f.isPrimary)?.name, vectorField(m.coll.schema)?.name]);
  return (m.columns ?? m.coll.schema.fields.map((f) => f.name)).filter((c) => !apart.has(c));
}
/** A cached unit: a segment's data (with its bytes, segmentColumns.ts) or one of its indexes. */
type Unit = { seg: SealedSegment; bytes: number; index?: undefined } | { index: LoadedIndex; seg?: undefined };

/** What the cache reports to the node (its metrics); `disk` the disk tier's (its budget once known). */
export interface LazySegmentEvents { hit(): void; miss(): void; evicted(): void; bytes(n: number): void; disk?: DiskTierEvents & { budget(n: number): void } }

const dataKeyOf = (m: Pick<Meta, 'record' | 'columns'>) => `data:${m.record.segmentId}:${m.record.dataKey}:${m.columns?.join(',') ?? '*'}`;
const indexKeyOf = (m: Pick<Meta, 'record'>, p: PlannedIndex) => `index:${m.record.segmentId}:${p.at}:${p.key}`;

/**
 * Milvus's Tiered Storage for one query node: a load records the segment's
 * metadata (record, rows, the files it has) and fetches only what warm-up asks;
 * a read takes the segment's data and the indexes it needs from the cache,
 * fetching what is cold (reads of one cold unit share one fetch), and holds
 * them until it ends. The unit of caching is the segment file (its columns are
 * one checksummed body, so one field cannot be fetched alone) and each index file.
 */
export class LazySegments {
  private readonly metas = new Map<number, Meta>();
  /** Loads warming up: their units are wanted before the segment serves. */
  private readonly pending = new Map<number, Meta>();
  private readonly cache: SegmentCache<Unit>;
  private readonly ports: SegmentFilePorts;
  /** The disk tier, once its directory is open (undefined: off, or it failed to open). */
  private readonly disk: Promise<DiskTier | undefined>;

  /** `diskDir`: where the disk tier keeps its files when `diskCacheEnabled` and the config names none. */
  constructor(ports: SegmentFilePorts, private readonly config: TieredStorageConfig, budget: number,
    private readonly retirement: IndexRetirement<VectorIndex>, events: LazySegmentEvents, now: () => number, diskDir?: string) {
    const dir = config.diskCachePath ?? diskDir;
    const disk = events.disk && { ...events.disk, corrupt: (problem: string) => { ports.log?.(`tiered storage: disk tier file discarded, fetching again: ${problem}`); events.disk!.corrupt(problem); } };
    this.disk = config.diskCacheEnabled && dir && disk
      ? DiskTier.open(dir, config, disk).then((d) => { events.disk!.budget(d.budget); return d; }, (e: Error) => { ports.log?.(`tiered storage: disk tier at ${dir} unusable (${e.message}): reads go to object storage`); return undefined; })
      : Promise.resolve(undefined);
    const objects = ports.objects;
    // Reads of segment and index files go through the disk tier when there is one.
    this.ports = {
      ...ports, objects: readingThrough(objects, async (key) => { const d = await this.disk; return d ? d.get(objects, key) : objects.get(key); }),
      // ANN index files held open on the disk tier: DISKANN reads its records from the disk tier's file, no copy.
      hold: async (key) => { const d = await this.disk; return d?.hold(objects, key); },
    };
    this.cache = new SegmentCache<Unit>({
      budget, high: config.memoryHighWatermarkRatio, low: config.memoryLowWatermarkRatio,
      eviction: config.evictionEnabled, ttlMs: config.cacheTtl * 1000,
    }, now, {
      hit: () => events.hit(), miss: () => events.miss(), bytes: (n) => events.bytes(n),
      evicted: (_key, u) => { events.evicted(); if (u.index?.vector) this.retirement.retire(u.index.vector); },
      // Fetched for a segment released meanwhile: closed once no read holds it (it was cached nowhere to be evicted from).
      discarded: (_key, u) => { if (u.index?.vector) this.retirement.retire(u.index.vector); },
    }, config.allowOverBudgetReads ? {} : { waitMs: config.evictionTimeoutMs });
  }

  get size(): number { return this.metas.size; }
  ids(): number[] { return [...this.metas.keys()]; }
  has(segmentId: number): boolean { return this.metas.has(segmentId); }
  /** The collections of the segments held or warming up. */
  collectionIds(): number[] { return [...this.metas.values(), ...this.pending.values()].map((m) => m.record.collectionId); }
  /** Bytes the cache holds (data and indexes). */
  get bytes(): number { return this.cache.bytes; }
  /** The vector indexes cached now (their disk reads are the node's metrics). */
  vectorIndexes(): VectorIndex[] { return [...this.cache.cached()].flatMap((u) => (u.index?.vector ? [u.index.vector] : [])); }

  /** Records a segment's metadata and warms what the config says; then it serves, replacing the old metadata in one step. */
  async load(record: SegmentRecord, columns?: readonly string[]): Promise<void> {
    const { coll, plan } = await planIndexes(this.ports, record, columns);
    const meta: Meta = { record, ...(columns ? { columns } : {}), cover: deleteCoverOf(record), coll, plan };
    this.pending.set(record.segmentId, meta);
    try {
      // Node-wide warm-up, under the collection's, field's and index's own (core/warmupPolicy.ts).
      const w = warmupOf(this.config.warmup, coll, plan.map((p) => ({ fieldName: p.ix.fieldName, scalar: isScalarPlan(p), params: p.ix.params })), columns);
      if (w.data) await this.cache.warm(dataKeyOf(meta), () => this.fetchData(meta), () => this.wanted(dataKeyOf(meta)));
      for (const [i, p] of plan.entries()) {
        if (!w.indexes[i]) continue;
        await this.cache.warm(indexKeyOf(meta, p), () => this.fetchIndexOf(meta, p), () => this.wanted(indexKeyOf(meta, p)));
      }
    } finally {
      if (this.pending.get(record.segmentId) === meta) this.pending.delete(record.segmentId);
    }
    const prev = this.metas.get(record.segmentId);
    this.metas.set(record.segmentId, meta);
    if (prev) this.dropUnits(prev);
  }

  /** A segment's metadata as held (its record, columns and delete cover), if it is. */
  held(segmentId: number): Meta | undefined { return this.metas.get(segmentId); }

  /** Stops serving a segment: its metadata goes and its cached units with it. */
  unload(segmentId: number): void {
    const m = this.metas.get(segmentId);
    if (!m) return;
    this.metas.delete(segmentId);
    this.dropUnits(m);
  }

  /**
   * The segments as reads take them, their data and scalar indexes (and, `withVector`, their ANN
   * indexes) fetched when cold and held until `done`. Undefined for a segment not held here.
   */
  async acquire(ids: readonly number[], withVector: boolean): Promise<{ loaded: Array<Loaded | undefined>; done: () => void }> {
    const taken: Array<Taken<Unit>> = [];
    const done = () => { for (const t of taken) t.release(); };
    const results = await Promise.allSettled(ids.map((id) => this.metas.get(id)).map((m) => (m ? this.take(m, withVector, taken) : undefined)));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) { done(); throw failed.reason; }
    return { loaded: results.map((r) => (r as PromiseFulfilledResult<Loaded | undefined>).value), done };
  }

  /**
   * Each segment held: its record and index files; the columns its data holds and their bytes when
   * cached, and when cold the columns its metadata says (the load's, else the schema's) and 0 bytes.
   */
  status(): Array<{ segmentId: number; record: SegmentRecord; indexKeys: string[]; columns: string[]; bytes: number }> {
    return [...this.metas].map(([segmentId, m]) => {
      const data = this.cache.peek(dataKeyOf(m));
      const columns = data?.seg ? Object.keys(data.seg.fields) : fieldColumns(m);
      return { segmentId, record: m.record, indexKeys: m.plan.map((p) => p.key), columns, bytes: data?.seg ? data.bytes : 0 };
    });
  }

  /** Every segment's vchannel, rows and delete cover (metadata: no fetch). */
  covers(): Array<{ vchannel: string; rows: number; cover: Tso }> {
    return [...this.metas.values()].map((m) => ({ vchannel: m.record.vchannel, rows: m.record.rows, cover: m.cover }));
  }

  /** The background sweep (TTL and high watermark). */
  sweep(): void { this.cache.sweep(); }

  private async take(m: Meta, withVector: boolean, taken: Array<Taken<Unit>>): Promise<Loaded> {
    const dk = dataKeyOf(m);
    const data = await this.cache.take(dk, () => this.fetchData(m), () => this.wanted(dk));
    taken.push(data);
    const { seg, bytes } = data.value as Extract<Unit, { seg: SealedSegment }>;
    const indexes = new Map<string, LoadedIndex>();
    for (const p of m.plan) {
      if (!withVector && !isScalarPlan(p)) continue;
      const ik = indexKeyOf(m, p);
      const t = await this.cache.take(ik, () => this.fetchIndexOf(m, p, seg), () => this.wanted(ik));
      taken.push(t);
      const index = t.value.index!;
      // A vector index is held against a release's retirement as soon as it is taken (a DISKANN file closes with
      // it): held only after the segment's other takes, a release meanwhile closed it under the read.
      if (index.vector) taken.push({ value: t.value, release: this.retirement.hold([index.vector]) });
      indexes.set(p.at, index);
    }
    return { record: m.record, seg, indexes, scalar: scalarOf(indexes), cover: m.cover, ...(m.columns ? { columns: m.columns } : {}), bytes };
  }

  private async fetchData(m: Meta): Promise<{ value: Unit; bytes: number }> {
    const seg = await fetchSegmentData(this.ports, m.record, m.columns);
    const bytes = segmentBytes(seg);
    return { value: { seg, bytes }, bytes };
  }

  /** An index file; the segment's row count and float block dim from its data when at hand, else from its record. */
  private async fetchIndexOf(m: Meta, p: PlannedIndex, seg?: SealedSegment): Promise<{ value: Unit; bytes: number }> {
    const at = seg ?? this.cache.peek(dataKeyOf(m))?.seg;
    const { index, bytes } = await fetchIndex(this.ports, m.coll, p, at ? { count: at.count, blockDim: at.dim } : { count: m.record.rows });
    return { value: { index }, bytes };
  }

  /** Whether a unit still belongs to a segment served (or warming up) here: a fetch that lands after a release or reload is not cached. */
  private wanted(key: string): boolean {
    for (const m of [...this.metas.values(), ...this.pending.values()]) {
      if (dataKeyOf(m) === key || m.plan.some((p) => indexKeyOf(m, p) === key)) return true;
    }
    return false;
  }

  /**
   * Drops the units of `old` the segment's current metadata does not name; its vector indexes retire
   * (closed once no read holds them), and the disk tier forgets their files (as Milvus clears a
   * released segment's local cache).
   */
  private dropUnits(old: Meta): void {
    const cur = this.metas.get(old.record.segmentId);
    const keep = new Set(cur ? [dataKeyOf(cur), ...cur.plan.map((p) => indexKeyOf(cur, p))] : []);
    for (const key of [dataKeyOf(old), ...old.plan.map((p) => indexKeyOf(old, p))]) {
      if (keep.has(key)) continue;
      const u = this.cache.drop(key);
      if (u?.index?.vector) this.retirement.retire(u.index.vector);
    }
    const files = new Set(cur ? [cur.record.dataKey, ...cur.plan.map((p) => p.key)] : []);
    const gone = [old.record.dataKey, shreddedSidecarKey(old.record.dataKey), ...old.plan.map((p) => p.key)].filter((k) => !files.has(k));
    void this.disk.then((d) => d?.forget(gone));
  }
}

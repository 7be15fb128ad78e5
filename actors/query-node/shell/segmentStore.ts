import { keyFitsIndex, shreddedSidecarKey } from '../../shared/segment/segmentKeys.js';
import { decodeSidecar, sameOrigin, sidecarOrigin } from '../../shared/segment/shreddedSidecar.js';
import type { ShreddedJson } from '../../../messages/filter/shreddedJson.js';
import { NuthatchError } from '../../../messages/errors.js';
import type { CollectionRecord, SegmentRecord } from '../../../messages/rpc/records.js';
import { fieldDim, vectorField } from '../../../messages/schema.js';
import { metricOfField } from '../../shared/vector/fieldMetric.js';
import type { Tso } from '../../../messages/types.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';
import { factoryOf, type VectorIndex, type VectorIndexFactories } from '../../../runtime/vectorIndex/vectorIndex.js';
import { deleteCoverOf } from '../../shared/segment/deleteCover.js';
import { decodeSegmentFile, type SealedSegment } from '../../shared/segment/segmentFile.js';
import { structVectorOf } from '../../../messages/structArray.js';
import { isEmbListMetric, pairMetric } from '../../shared/vector/maxSim.js';
import { isScalarIndexType } from '../../shared/scalarIndex/scalarIndexTypes.js';
import { decodeScalarIndex } from '../../shared/scalarIndex/scalarIndexFile.js';
import { indexFileName, isJsonPathIndex, scalarIndexKey } from '../../shared/scalarIndex/jsonIndex.js';
import type { SortedIndex } from '../../shared/scalarIndex/sortedIndex.js';
import type { IndexParams } from '../../../messages/types.js';
import { keepColumns, segmentBytes } from '../core/segmentColumns.js';
import { sameColumns } from '../../../messages/loadFields.js';
import { jsonColumnNames, shredSegmentWith, type JsonShreddingConfig } from '../../shared/segment/jsonShredding.js';
import { IndexRetirement } from '../core/indexRetirement.js';

/** An index held here, by the field it indexes (or its JSON path): an ANN index of a vector field, or a scalar index. */
export type LoadedIndex = { key: string } & ({ vector: VectorIndex; scalar?: undefined } | { scalar: SortedIndex; vector?: undefined });
/**
 * A segment held here; `cover` is deleteCoverOf its record and file (taken at load: a file of an old record
 * is scanned once); `scalar` the scalar indexes among `indexes`, as reads take them; `columns` the
 * columns a partial load kept (absent: all), `bytes` what they hold (segmentColumns.ts).
 */
export interface Loaded { record: SegmentRecord; seg: SealedSegment; indexes: ReadonlyMap<string, LoadedIndex>; scalar: ReadonlyMap<string, SortedIndex>; cover: Tso; columns?: readonly string[]; bytes: number }
/** What a node's segment store needs of its node. */
export interface SegmentStorePorts {
  objects: ObjectStore;
  indexes: VectorIndexFactories;
  /** The collection's record (`fresh`: asked again of the coordinator). */
  collection(collectionId: number, fresh?: boolean): Promise<CollectionRecord>;
  shredding: JsonShreddingConfig;
  /** Told the number of segments held after each load or release (the node's gauge). */
  onCount(n: number): void;
  /** Told, after each data load, how many JSON columns were shredded at load and how many came from a sidecar. */
  onShredded?(atLoad: number, fromSidecar: number): void;
  log?: (...a: unknown[]) => void;
}

/**
 * The sealed segments a query node holds, with their indexes: loaded from
 * object storage (one segment's loads in the order they came), replaced in one
 * step, released; vector indexes no longer served are closed (DISKANN: its
 * local file removed) once no read holds them.
 */
export class SegmentStore {
  private readonly segments = new Map<number, Loaded>();
  /** The last load of each segment still running: the next one waits for it (load). */
  private readonly loading = new Map<number, Promise<null>>();
  private readonly retirement = new IndexRetirement<VectorIndex>((index) => index.close?.());

  constructor(private readonly ports: SegmentStorePorts) {}

  get(segmentId: number): Loaded | undefined { return this.segments.get(segmentId); }
  get size(): number { return this.segments.size; }
  ids(): number[] { return [...this.segments.keys()]; }
  values(): IterableIterator<Loaded> { return this.segments.values(); }
  entries(): IterableIterator<[number, Loaded]> { return this.segments.entries(); }

  /**
   * Runs the loads of one segment one at a time, in the order they came. The
   * coordinator asks again each time one of a segment's indexes is built, so
   * loads of one segment overlap; run side by side, one with an older record
   * (fewer indexes) could finish last and leave the segment without the newer
   * index, and nothing would ask again.
   */
  load(record: SegmentRecord, columns?: readonly string[]): Promise<null> {
    const id = record.segmentId;
    const next = (this.loading.get(id) ?? Promise.resolve(null)).catch(() => null).then(() => this.loadNow(record, columns));
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
    const prev = this.segments.get(record.segmentId);
    let cur = prev;
    if (!cur || cur.record.dataKey !== record.dataKey || !sameColumns(cur.columns, columns)) {
      const { schema } = await this.ports.collection(record.collectionId);
      const wantsSidecar = this.ports.shredding.enabledJSONShredding && jsonColumnNames(schema).length > 0;
      const [bytes, sidecar] = await Promise.all([this.ports.objects.get(record.dataKey), wantsSidecar ? this.ports.objects.get(shreddedSidecarKey(record.dataKey)) : null]);
      if (!bytes) throw new NuthatchError('NotFound', `segment data ${record.dataKey} is missing`);
      // A partial load holds only its columns (the float block is the first FloatVector field's).
      const block = columns ? vectorField(schema)?.name : undefined;
      const seg = keepColumns(decodeSegmentFile(bytes), columns, block);
      // JSON columns shredded once (the segment is immutable): from the data node's sidecar when it was made
      // from this very file under these knobs, else here, at load. Filters on their paths read typed columns.
      const prepared = sidecar ? this.sidecarColumns(record.dataKey, bytes, sidecar) : undefined;
      const done = shredSegmentWith(seg, schema, this.ports.shredding, prepared);
      this.ports.onShredded?.(done.shredded.length, done.prepared.length);
      cur = { record, seg, indexes: new Map(), scalar: new Map(), cover: 0n, ...(columns ? { columns } : {}), bytes: segmentBytes(seg) };
    }
    // Every index the record names, one per field; the collection's record says each one's type and metric.
    const held = [...cur.indexes.values()].map((x) => x.key);
    const wanted = Object.values(record.indexKeys);
    let indexes = cur.indexes;
    if (wanted.length !== held.length || wanted.some((k) => !held.includes(k))) {
      // The cached record says each index's type while it names every index the segment has, as made
      // (a collection load asks once, not once a segment); an index added or remade since: ask again.
      const cached = await this.ports.collection(record.collectionId);
      const fits = Object.entries(record.indexKeys).every(([name, key]) => {
        const ix = cached.indexes.find((i) => i.indexName === name);
        return ix !== undefined && keyFitsIndex(key, { indexName: indexFileName(ix), indexType: ix.indexType });
      });
      const coll = fits ? cached : await this.ports.collection(record.collectionId, true);
      const next = new Map<string, LoadedIndex>();
      for (const ix of coll.indexes) {
        const key = record.indexKeys[ix.indexName];
        // An index of a field the load left out stays out of memory with it.
        if (!key || (cur.columns && !cur.columns.includes(ix.fieldName))) continue;
        // By field, or by JSON path for a JSON path index: the key a filter node finds it by (indexPlan.ts).
        const at = scalarIndexKey(ix, coll.schema.fields.find((f) => f.name === ix.fieldName));
        const have = cur.indexes.get(at);
        if (have?.key === key) { next.set(at, have); continue; }
        const bytes = await this.ports.objects.get(key);
        if (!bytes) throw new NuthatchError('NotFound', `index ${key} is missing`);
        next.set(at, await this.loadIndex(coll, cur.seg, ix, key, bytes));
      }
      indexes = next;
    }
    const scalar = new Map([...indexes].flatMap(([field, x]) => (x.scalar ? [[field, x.scalar] as const] : [])));
    // A concurrent load may have replaced the entry meanwhile: what it held that this one does not is retired too.
    const replaced = this.segments.get(record.segmentId) ?? prev;
    this.segments.set(record.segmentId, { ...cur, indexes, scalar, record, cover: deleteCoverOf(record, cur.seg) });
    if (replaced) this.retireIndexes(replaced, indexes);
    this.ports.onCount(this.segments.size);
    return null;
  }

  /** Stops serving a segment; its vector indexes are closed once no read holds them. */
  unload(segmentId: number): void {
    const l = this.segments.get(segmentId);
    if (!l) return;
    this.segments.delete(segmentId);
    this.retireIndexes(l, new Map());
    this.ports.onCount(this.segments.size);
  }

  /** Retires the vector indexes `old` held that `kept` does not. */
  /** A sidecar's columns when it was made from `bytes` under this node's knobs; undefined (and said) when stale or damaged. */
  private sidecarColumns(dataKey: string, bytes: Uint8Array, file: Uint8Array): ReadonlyMap<string, ShreddedJson> | undefined {
    try {
      const s = decodeSidecar(file);
      if (sameOrigin(s.origin, sidecarOrigin(bytes, this.ports.shredding))) return s.columns;
      this.ports.log?.(`${shreddedSidecarKey(dataKey)} was made from another file or other shredding knobs: shredding at load`);
    } catch (e) {
      this.ports.log?.(`${shreddedSidecarKey(dataKey)} unreadable (${(e as Error).message}): shredding at load`);
    }
    return undefined;
  }

  private retireIndexes(old: Loaded, kept: ReadonlyMap<string, LoadedIndex>): void {
    const still = new Set([...kept.values()].map((x) => x.vector));
    for (const x of old.indexes.values()) if (x.vector && !still.has(x.vector)) this.retirement.retire(x.vector);
  }

  /** Holds the vector indexes of `loaded` for one read; the returned function lets them go. */
  hold(loaded: readonly Loaded[]): () => void {
    return this.retirement.hold(loaded.flatMap((l) => [...l.indexes.values()].flatMap((x) => (x.vector ? [x.vector] : []))));
  }

  /** One index of a segment from its file: a scalar index must cover the segment's rows, an ANN index its field's dim and metric. */
  private async loadIndex(coll: CollectionRecord, seg: SealedSegment, ix: IndexParams, key: string, bytes: Uint8Array): Promise<LoadedIndex> {
    if (isScalarIndexType(ix.indexType)) {
      const scalar = decodeScalarIndex(bytes);
      if (scalar.rowCount !== seg.count) throw new NuthatchError('StorageMismatch', `index ${key} covers ${scalar.rowCount} rows, its segment holds ${seg.count}`);
      // The planner's rules differ for a JSON path index (its absent rows are not null): the file must say what the record says.
      if (Boolean(scalar.json) !== isJsonPathIndex(ix)) throw new NuthatchError('StorageMismatch', `index ${key} is ${scalar.json ? '' : 'not '}a JSON path index; ${ix.indexName} is ${scalar.json ? 'not' : 'one'}`);
      // An NGRAM file's entries are grams, not values: read as another type's, it would answer wrongly.
      if (Boolean(scalar.grams) !== (ix.indexType === 'NGRAM')) throw new NuthatchError('StorageMismatch', `index ${key} is ${scalar.grams ? '' : 'not '}an NGRAM index; ${ix.indexName} is ${ix.indexType}`);
      // An RTREE file holds boxes, not values: the two must agree as NGRAM's must.
      if (Boolean(scalar.tree) !== (ix.indexType === 'RTREE')) throw new NuthatchError('StorageMismatch', `index ${key} is ${scalar.tree ? '' : 'not '}an RTREE index; ${ix.indexName} is ${ix.indexType}`);
      return { key, scalar };
    }
    const struct = structVectorOf(coll.schema, ix.fieldName);
    // A Struct's vector sub-field: a graph of its elements, by the MAX_SIM metric's pair metric (shared/vector/maxSim.ts).
    if (struct && isEmbListMetric(ix.metricType)) return { key, vector: await factoryOf(this.ports.indexes, ix.indexType).load(bytes, struct.sub.dim!, pairMetric(ix.metricType)) };
    const dim = ix.fieldName === vectorField(coll.schema)?.name ? seg.dim : fieldDim(coll.schema, ix.fieldName);
    return { key, vector: await factoryOf(this.ports.indexes, ix.indexType).load(bytes, dim, metricOfField(coll, ix.fieldName)) };
  }
}

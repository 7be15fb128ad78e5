import { keyFitsIndex, shreddedSidecarKey } from '../../shared/segment/segmentKeys.js';
import { decodeSidecar, sameOrigin, sidecarOrigin } from '../../shared/segment/shreddedSidecar.js';
import type { ShreddedJson } from '../../../messages/filter/shreddedJson.js';
import { NuthatchError } from '../../../messages/errors.js';
import type { CollectionRecord, SegmentRecord } from '../../../messages/rpc/records.js';
import { fieldDim, vectorField } from '../../../messages/schema.js';
import { metricOfField } from '../../shared/vector/fieldMetric.js';
import type { IndexParams, Tso } from '../../../messages/types.js';
import type { ObjectStore } from '../../../runtime/ports/objectStore.js';
import { factoryOf, type HeldFile, type VectorIndex, type VectorIndexFactories } from '../../../runtime/vectorIndex/vectorIndex.js';
import type { HeldObject } from './diskTier.js';
import { asRecorded, decodeSegmentFile, type SealedSegment } from '../../shared/segment/segmentFile.js';
import { structVectorOf } from '../../../messages/structArray.js';
import { isEmbListMetric, pairMetric } from '../../shared/vector/maxSim.js';
import { isScalarIndexType } from '../../shared/scalarIndex/scalarIndexTypes.js';
import { decodeScalarIndex } from '../../shared/scalarIndex/scalarIndexFile.js';
import { indexFileName, isJsonPathIndex, scalarIndexKey } from '../../shared/scalarIndex/jsonIndex.js';
import type { SortedIndex } from '../../shared/scalarIndex/sortedIndex.js';
import { keepColumns } from '../core/segmentColumns.js';
import { jsonColumnNames, shredSegmentWith, type JsonShreddingConfig } from '../../shared/segment/jsonShredding.js';

/** An index held here, by the field it indexes (or its JSON path): an ANN index of a vector field, or a scalar index. */
export type LoadedIndex = { key: string } & ({ vector: VectorIndex; scalar?: undefined } | { scalar: SortedIndex; vector?: undefined });
/**
 * A segment as a read takes it; `cover` is deleteCoverOf its record and file (taken at load: a file of an old record
 * is scanned once); `scalar` the scalar indexes among `indexes`, as reads take them; `columns` the
 * columns a partial load kept (absent: all), `bytes` what they hold (segmentColumns.ts).
 */
export interface Loaded { record: SegmentRecord; seg: SealedSegment; indexes: ReadonlyMap<string, LoadedIndex>; scalar: ReadonlyMap<string, SortedIndex>; cover: Tso; columns?: readonly string[]; bytes: number }
/** What reading a segment's files needs of its node. */
export interface SegmentFilePorts {
  objects: ObjectStore;
  indexes: VectorIndexFactories;
  /** The collection's record (`fresh`: asked again of the coordinator). */
  collection(collectionId: number, fresh?: boolean): Promise<CollectionRecord>;
  shredding: JsonShreddingConfig;
  /** Told, after each data load, how many JSON columns were shredded at load and how many came from a sidecar. */
  onShredded?(atLoad: number, fromSidecar: number): void;
  /** An object with its local file held open (tiered storage's disk tier); absent, or undefined for a missing object: read `objects`. */
  hold?(key: string): Promise<HeldObject | undefined>;
  log?: (...a: unknown[]) => void;
}
/** One index a record names, as a read finds it: `at` its field (or JSON path), `key` its file. */
export interface PlannedIndex { at: string; key: string; ix: IndexParams }

/** A segment's data file, holding only `columns` (absent: all), its JSON columns shredded. */
export async function fetchSegmentData(ports: SegmentFilePorts, record: SegmentRecord, columns: readonly string[] | undefined): Promise<SealedSegment> {
  const { schema } = await ports.collection(record.collectionId);
  const wantsSidecar = ports.shredding.enabledJSONShredding && jsonColumnNames(schema).length > 0;
  const [bytes, sidecar] = await Promise.all([ports.objects.get(record.dataKey), wantsSidecar ? ports.objects.get(shreddedSidecarKey(record.dataKey)) : null]);
  if (!bytes) throw new NuthatchError('NotFound', `segment data ${record.dataKey} is missing`);
  // A partial load holds only its columns (the float block is the first FloatVector field's).
  const block = columns ? vectorField(schema)?.name : undefined;
  const seg = keepColumns(asRecorded(decodeSegmentFile(bytes), record), columns, block);
  // JSON columns shredded once (the segment is immutable): from the data node's sidecar when it was made
  // from this very file under these knobs, else here, at load. Filters on their paths read typed columns.
  const prepared = sidecar ? sidecarColumns(ports, record.dataKey, bytes, sidecar) : undefined;
  const done = shredSegmentWith(seg, schema, ports.shredding, prepared);
  ports.onShredded?.(done.shredded.length, done.prepared.length);
  return seg;
}

/** A sidecar's columns when it was made from `bytes` under this node's knobs; undefined (and said) when stale or damaged. */
function sidecarColumns(ports: SegmentFilePorts, dataKey: string, bytes: Uint8Array, file: Uint8Array): ReadonlyMap<string, ShreddedJson> | undefined {
  try {
    const s = decodeSidecar(file);
    if (sameOrigin(s.origin, sidecarOrigin(bytes, ports.shredding))) return s.columns;
    ports.log?.(`${shreddedSidecarKey(dataKey)} was made from another file or other shredding knobs: shredding at load`);
  } catch (e) {
    ports.log?.(`${shreddedSidecarKey(dataKey)} unreadable (${(e as Error).message}): shredding at load`);
  }
  return undefined;
}

/** Every index the record names, one per field, that a load of `columns` keeps; the collection's record says each one's type and metric. */
export async function planIndexes(ports: SegmentFilePorts, record: SegmentRecord, columns: readonly string[] | undefined): Promise<{ coll: CollectionRecord; plan: PlannedIndex[] }> {
  // The cached record says each index's type while it names every index the segment has, as made
  // (a collection load asks once, not once a segment); an index added or remade since: ask again.
  const cached = await ports.collection(record.collectionId);
  const fits = Object.entries(record.indexKeys).every(([name, key]) => {
    const ix = cached.indexes.find((i) => i.indexName === name);
    return ix !== undefined && keyFitsIndex(key, { indexName: indexFileName(ix), indexType: ix.indexType });
  });
  const coll = fits ? cached : await ports.collection(record.collectionId, true);
  const plan: PlannedIndex[] = [];
  for (const ix of coll.indexes) {
    const key = record.indexKeys[ix.indexName];
    // An index of a field the load left out stays out of memory with it.
    if (!key || (columns && !columns.includes(ix.fieldName))) continue;
    // By field, or by JSON path for a JSON path index: the key a filter node finds it by (indexPlan.ts).
    plan.push({ at: scalarIndexKey(ix, coll.schema.fields.find((f) => f.name === ix.fieldName)), key, ix });
  }
  return { coll, plan };
}

/** Whether an index is a scalar one (warm-up's scalarIndex) rather than an ANN one (vectorIndex). */
export const isScalarPlan = (p: PlannedIndex): boolean => isScalarIndexType(p.ix.indexType);

/**
 * One index of a segment from its file: a scalar index must cover the segment's `count` rows, an ANN index
 * its field's dim (`blockDim`: the float block's, when the file is at hand) and metric.
 */
export async function fetchIndex(ports: SegmentFilePorts, coll: CollectionRecord, p: PlannedIndex, shape: { count: number; blockDim?: number }): Promise<{ index: LoadedIndex; bytes: number }> {
  const { ix, key } = p;
  // An ANN index file through the disk tier's open file when there is one (a DISKANN index reads its records there in place).
  const held = !isScalarIndexType(ix.indexType) && ports.hold ? await ports.hold(key) : undefined;
  try {
    return await indexFrom(ports, coll, p, shape, held ? held.body : await ports.objects.get(key), held?.file);
  } finally { held?.release(); }
}

async function indexFrom(ports: SegmentFilePorts, coll: CollectionRecord, p: PlannedIndex, shape: { count: number; blockDim?: number }, bytes: Uint8Array | undefined, file: HeldFile | undefined): Promise<{ index: LoadedIndex; bytes: number }> {
  const { ix, key } = p;
  if (!bytes) throw new NuthatchError('NotFound', `index ${key} is missing`);
  if (isScalarIndexType(ix.indexType)) {
    const scalar = decodeScalarIndex(bytes);
    if (scalar.rowCount !== shape.count) throw new NuthatchError('StorageMismatch', `index ${key} covers ${scalar.rowCount} rows, its segment holds ${shape.count}`);
    // The planner's rules differ for a JSON path index (its absent rows are not null): the file must say what the record says.
    if (Boolean(scalar.json) !== isJsonPathIndex(ix)) throw new NuthatchError('StorageMismatch', `index ${key} is ${scalar.json ? '' : 'not '}a JSON path index; ${ix.indexName} is ${scalar.json ? 'not' : 'one'}`);
    // An NGRAM file's entries are grams, not values: read as another type's, it would answer wrongly.
    if (Boolean(scalar.grams) !== (ix.indexType === 'NGRAM')) throw new NuthatchError('StorageMismatch', `index ${key} is ${scalar.grams ? '' : 'not '}an NGRAM index; ${ix.indexName} is ${ix.indexType}`);
    // An RTREE file holds boxes, not values: the two must agree as NGRAM's must.
    if (Boolean(scalar.tree) !== (ix.indexType === 'RTREE')) throw new NuthatchError('StorageMismatch', `index ${key} is ${scalar.tree ? '' : 'not '}an RTREE index; ${ix.indexName} is ${ix.indexType}`);
    return { index: { key, scalar }, bytes: bytes.byteLength };
  }
  const struct = structVectorOf(coll.schema, ix.fieldName);
  // A Struct's vector sub-field: a graph of its elements, by the MAX_SIM metric's pair metric (shared/vector/maxSim.ts).
  if (struct && isEmbListMetric(ix.metricType)) return { index: { key, vector: await factoryOf(ports.indexes, ix.indexType).load(bytes, struct.sub.dim!, pairMetric(ix.metricType), file) }, bytes: bytes.byteLength };
  const dim = ix.fieldName === vectorField(coll.schema)?.name && shape.blockDim !== undefined ? shape.blockDim : fieldDim(coll.schema, ix.fieldName);
  return { index: { key, vector: await factoryOf(ports.indexes, ix.indexType).load(bytes, dim, metricOfField(coll, ix.fieldName), file) }, bytes: bytes.byteLength };
}

/** The scalar indexes among a segment's indexes, by field: what a read's filter planner takes. */
export function scalarOf(indexes: ReadonlyMap<string, LoadedIndex>): Map<string, SortedIndex> {
  return new Map([...indexes].flatMap(([field, x]) => (x.scalar ? [[field, x.scalar] as const] : [])));
}

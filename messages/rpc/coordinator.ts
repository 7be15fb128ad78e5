import type { CollectionProperties } from '../collectionProperties.js';
import type { IndexParams, Tso } from '../types.js';
import type { FieldSchema } from '../schema.js';
import { need, needAll, type Checks } from './protocol.js';
import type { CollectionRecord, CollectionSpec, Distribution, PchannelAssignment, SegmentRecord } from './records.js';
import { rbacChecks, type RbacProtocol } from './rbac.js';

/** Subject the coordinator serves (queue group 'coordinator'). */
export const COORDINATOR_SUBJECT = 'nuthatch.coord';

export interface IndexState { indexName: string; indexedRows: number; totalRows: number }

export type CoordinatorProtocol = {
  tsoBatch: { req: { count: number }; res: { first: Tso; count: number } };
  allocIds: { req: { count: number }; res: { first: number } };
  createCollection: { req: { spec: CollectionSpec }; res: CollectionRecord };
  dropCollection: { req: { name: string }; res: null };
  /** Sets `properties` and unsets `drop` (property names); every shard applies them from the same TSO. */
  alterCollection: { req: { name: string; properties: CollectionProperties; drop: Array<keyof CollectionProperties> }; res: CollectionRecord };
  /** Renames a collection by its own name; its aliases follow it. */
  renameCollection: { req: { name: string; newName: string }; res: CollectionRecord };
  /** Adds a nullable scalar field to a live collection (messages/addedField.ts); every shard applies it from one TSO. */
  addCollectionField: { req: { name: string; field: FieldSchema }; res: CollectionRecord };
  describeCollection: { req: { name: string }; res: CollectionRecord };
  listCollections: { req: Record<string, never>; res: string[] };
  createPartition: { req: { collection: string; partition: string }; res: null };
  dropPartition: { req: { collection: string; partition: string }; res: null };
  createIndex: { req: { collection: string; index: Omit<IndexParams, 'metricType'> & { metricType?: string } }; res: null };
  dropIndex: { req: { collection: string; indexName: string }; res: null };
  indexStates: { req: { collection: string }; res: IndexState[] };
  /** `replicas`: how many query nodes serve each sealed segment (kept for the collection). */
  loadCollection: { req: { name: string; replicas?: number }; res: null };
  releaseCollection: { req: { name: string }; res: null };
  /** With `partitions`: their load state (loaded only when every one is). */
  loadState: { req: { name: string; partitions?: string[] }; res: { loaded: boolean; progress: number } };
  loadPartitions: { req: { name: string; partitions: string[] }; res: null };
  releasePartitions: { req: { name: string; partitions: string[] }; res: null };
  flush: { req: { name: string }; res: { segmentIds: number[] } };
  /**
   * Manual compaction of a collection, queued behind any compaction round or sweep:
   * every sealed segment with rows deletes reached is rewritten without them, small
   * segments of a partition are merged two or more at a time, and the delete log is trimmed.
   */
  compact: { req: { name: string }; res: { compactionID: number } };
  /** A manual compaction's state, as Milvus names them ('UndefiedState' for an id this coordinator does not know). */
  compactionState: { req: { compactionID: number }; res: { state: CompactionState; error?: string } };
  /** A bulk import of JSON row files in object storage (coordinator/core/importJobs.ts); `files` as Milvus takes them, [["a.json"], ...]. */
  createImport: { req: { collection: string; partitionName?: string; files: unknown }; res: { jobId: number } };
  importProgress: { req: { jobId: number }; res: ImportJobView };
  /** The import jobs on record (the newest 1,000), or a collection's. */
  listImports: { req: { collection?: string }; res: { jobs: ImportJobView[] } };
  /** Aliases: another name for a collection (coordinator/core/aliases.ts). */
  createAlias: { req: { alias: string; collection: string }; res: null };
  /** Moves an alias to another collection in one step. */
  alterAlias: { req: { alias: string; collection: string }; res: null };
  dropAlias: { req: { alias: string }; res: null };
  describeAlias: { req: { alias: string }; res: { alias: string; collectionName: string } };
  /** Every alias, or a collection's (given by its name or an alias of it). */
  listAliases: { req: { collection?: string | null }; res: { aliases: string[]; collectionName?: string } };
  assignments: { req: Record<string, never>; res: { version: number; pchannels: PchannelAssignment[] } };
  segmentFlushed: { req: { segment: SegmentRecord }; res: null };
  indexBuilt: { req: { collectionId: number; segmentId: number; indexName: string; key: string }; res: null };
  segments: { req: { collectionId: number }; res: SegmentRecord[] };
  distribution: { req: { vchannel: string }; res: Distribution };
  heartbeat: { req: { nodeId: string; role: string }; res: null };
  /**
   * Holds a collection's rows as a reader pinned to `tso` sees them: compaction
   * applies no delete or expiry past the oldest hold (coordinator/core/snapshotHolds.ts).
   * With `holdId`, renews that hold (or makes it again if it lapsed). Lapses after `ttlMs` (default 60 s).
   */
  holdSnapshot: { req: { collection: string; tso: Tso; holdId?: number; ttlMs?: number }; res: { holdId: number; ttlMs: number } };
  releaseSnapshot: { req: { holdId: number }; res: null };
} & RbacProtocol;

export type CompactionState = 'UndefiedState' | 'Executing' | 'Completed';

/** An import job as Milvus reports one (jobs/import/get_progress), per file in `details`. */
export interface ImportJobView {
  jobId: number; collectionName: string; state: 'Pending' | 'Importing' | 'Completed' | 'Failed';
  progress: number; importedRows: number; totalRows: number; fileSize: number; reason?: string; completeTime?: string;
  details: Array<{ fileName: string; fileSize: number; state: string; progress: number; importedRows: number; totalRows: number }>;
}

const none = () => {};
export const coordinatorChecks: Checks<CoordinatorProtocol> = {
  tsoBatch: (o) => needAll(o, { count: 'number' }),
  allocIds: (o) => needAll(o, { count: 'number' }),
  createCollection: (o) => needAll(o, { spec: 'object' }),
  dropCollection: (o) => needAll(o, { name: 'string' }),
  alterCollection: (o) => needAll(o, { name: 'string', properties: 'object', drop: 'array' }),
  renameCollection: (o) => needAll(o, { name: 'string', newName: 'string' }),
  addCollectionField: (o) => needAll(o, { name: 'string', field: 'object' }),
  describeCollection: (o) => needAll(o, { name: 'string' }),
  listCollections: none,
  createPartition: (o) => needAll(o, { collection: 'string', partition: 'string' }),
  dropPartition: (o) => needAll(o, { collection: 'string', partition: 'string' }),
  createIndex: (o) => needAll(o, { collection: 'string', index: 'object' }),
  dropIndex: (o) => needAll(o, { collection: 'string', indexName: 'string' }),
  indexStates: (o) => needAll(o, { collection: 'string' }),
  loadCollection: (o) => { needAll(o, { name: 'string' }); if (o.replicas !== undefined && o.replicas !== null) need(o, 'replicas', 'number'); },
  releaseCollection: (o) => needAll(o, { name: 'string' }),
  loadState: (o) => needAll(o, { name: 'string' }),
  loadPartitions: (o) => needAll(o, { name: 'string', partitions: 'array' }),
  releasePartitions: (o) => needAll(o, { name: 'string', partitions: 'array' }),
  flush: (o) => needAll(o, { name: 'string' }),
  compact: (o) => needAll(o, { name: 'string' }),
  compactionState: (o) => needAll(o, { compactionID: 'number' }),
  createImport: (o) => needAll(o, { collection: 'string' }),
  importProgress: (o) => needAll(o, { jobId: 'number' }),
  listImports: () => {},
  createAlias: (o) => needAll(o, { alias: 'string', collection: 'string' }),
  alterAlias: (o) => needAll(o, { alias: 'string', collection: 'string' }),
  dropAlias: (o) => needAll(o, { alias: 'string' }),
  describeAlias: (o) => needAll(o, { alias: 'string' }),
  listAliases: (o) => { if (o.collection !== undefined && o.collection !== null) need(o, 'collection', 'string'); },
  assignments: none,
  segmentFlushed: (o) => needAll(o, { segment: 'object' }),
  indexBuilt: (o) => needAll(o, { collectionId: 'number', segmentId: 'number', indexName: 'string', key: 'string' }),
  segments: (o) => needAll(o, { collectionId: 'number' }),
  distribution: (o) => needAll(o, { vchannel: 'string' }),
  heartbeat: (o) => needAll(o, { nodeId: 'string', role: 'string' }),
  holdSnapshot: (o) => {
    needAll(o, { collection: 'string', tso: 'bigint' });
    if (o.holdId !== undefined && o.holdId !== null) need(o, 'holdId', 'number');
    if (o.ttlMs !== undefined && o.ttlMs !== null) need(o, 'ttlMs', 'number');
  },
  releaseSnapshot: (o) => needAll(o, { holdId: 'number' }),
  ...rbacChecks,
};

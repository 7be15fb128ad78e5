import type { AdmissionSnapshot } from '../admission.js';
import type { CollectionProperties } from '../collectionProperties.js';
import type { IndexParams, Tso } from '../types.js';
import type { FieldSchema } from '../schema.js';
import type { FieldParams } from '../alteredField.js';
import type { FunctionSchema } from '../schemaFunctions.js';
import { need, needAll, type Checks } from './protocol.js';
import type { DatabaseRecord } from '../database.js';
import type { CollectionRecord, CollectionSpec, Distribution, PchannelAssignment, SegmentRecord } from './records.js';
import { rbacChecks, type RbacProtocol } from './rbac.js';
import { backupChecks, type BackupProtocol } from './backup.js';
import { snapshotChecks, type SnapshotProtocol } from './snapshot.js';
import { resourceGroupChecks, type ResourceGroupProtocol } from './resourceGroups.js';

/** Subject the coordinator serves (queue group 'coordinator'). */
export const COORDINATOR_SUBJECT = 'nuthatch.coord';

export interface IndexState { indexName: string; indexedRows: number; totalRows: number }

/** The database a collection-scoped request resolves in (messages/database.ts); absent, null or '': 'default'. */
type Db = string | null;

export type CoordinatorProtocol = {
  /** Databases: namespaces of collections and aliases (coordinator/core/databases.ts). */
  createDatabase: { req: { dbName: string; properties?: Record<string, string | number | boolean> }; res: DatabaseRecord };
  /** Refused for 'default' and for a database that holds collections. */
  dropDatabase: { req: { dbName: string }; res: null };
  listDatabases: { req: Record<string, never>; res: string[] };
  describeDatabase: { req: { dbName: string }; res: DatabaseRecord };
  /** Sets `properties` and unsets the keys in `drop`. */
  alterDatabase: { req: { dbName: string; properties: Record<string, string | number | boolean>; drop: string[] }; res: DatabaseRecord };
  /** A collection by id, whatever its database (for workers, which know collections by id). */
  collectionById: { req: { collectionId: number }; res: CollectionRecord };
  tsoBatch: { req: { count: number }; res: { first: Tso; count: number } };
  allocIds: { req: { count: number }; res: { first: number } };
  createCollection: { req: { dbName?: Db; spec: CollectionSpec }; res: CollectionRecord };
  dropCollection: { req: { dbName?: Db; name: string }; res: null };
  /** Sets `properties` and unsets `drop` (property names); every shard applies them from the same TSO. */
  alterCollection: { req: { dbName?: Db; name: string; properties: CollectionProperties; drop: Array<keyof CollectionProperties> }; res: CollectionRecord };
  /** Renames a collection by its own name; its aliases follow it. With `newDbName`, moves it to that database (refused while it has aliases). */
  renameCollection: { req: { dbName?: Db; name: string; newName: string; newDbName?: Db }; res: CollectionRecord };
  /** Adds a nullable scalar field to a live collection (messages/addedField.ts); every shard applies it from one TSO. */
  addCollectionField: { req: { dbName?: Db; name: string; field: FieldSchema }; res: CollectionRecord };
  /** Changes a field's max_length / max_capacity (messages/alteredField.ts); every shard applies it from one TSO. */
  alterCollectionField: { req: { dbName?: Db; name: string; fieldName: string; params: FieldParams }; res: CollectionRecord };
  /** Drops a field (messages/droppedField.ts); every shard applies it from one TSO. */
  dropCollectionField: { req: { dbName?: Db; name: string; fieldName: string }; res: CollectionRecord };
  /** Adds a function (messages/collectionFunctions.ts); every shard computes its output for writes from one TSO. */
  addCollectionFunction: { req: { dbName?: Db; name: string; function: FunctionSchema }; res: CollectionRecord };
  /** Replaces a function's input field and params; every shard applies it from one TSO. */
  alterCollectionFunction: { req: { dbName?: Db; name: string; function: FunctionSchema }; res: CollectionRecord };
  /** Drops a function; its output field stays, a plain field, from one TSO on every shard. */
  dropCollectionFunction: { req: { dbName?: Db; name: string; functionName: string }; res: CollectionRecord };
  describeCollection: { req: { dbName?: Db; name: string }; res: CollectionRecord };
  listCollections: { req: { dbName?: Db }; res: string[] };
  createPartition: { req: { dbName?: Db; collection: string; partition: string }; res: null };
  dropPartition: { req: { dbName?: Db; collection: string; partition: string }; res: null };
  /** Removes every row, keeping the collection as it is (Milvus's TruncateCollection). */
  truncateCollection: { req: { dbName?: Db; name: string }; res: null };
  createIndex: { req: { dbName?: Db; collection: string; index: Omit<IndexParams, 'metricType'> & { metricType?: string } }; res: null };
  dropIndex: { req: { dbName?: Db; collection: string; indexName: string }; res: null };
  indexStates: { req: { dbName?: Db; collection: string }; res: IndexState[] };
  /**
   * `replicas`: how many replicas serve the collection (kept for it); `resourceGroups`: the
   * groups they go to (one: every replica there; several: one replica each). None: the default group.
   */
  loadCollection: { req: { dbName?: Db; name: string; replicas?: number; resourceGroups?: string[] | null; loadFields?: string[]; skipLoadDynamicField?: boolean }; res: null };
  releaseCollection: { req: { dbName?: Db; name: string }; res: null };
  /** Milvus's refresh_load: a loaded collection loads again with its own load options (CollectionNotLoaded otherwise). */
  refreshLoad: { req: { dbName?: Db; name: string }; res: null };
  /** With `partitions`: their load state (loaded only when every one is). */
  /** `columns`: a partial load's columns (messages/loadFields.ts). */
  loadState: { req: { dbName?: Db; name: string; partitions?: string[] }; res: { loaded: boolean; progress: number; columns?: string[] } };
  /** With a field set: a partial load (messages/loadFields.ts); none: the collection's loaded set, or every field. */
  loadPartitions: { req: { dbName?: Db; name: string; partitions: string[]; loadFields?: string[]; skipLoadDynamicField?: boolean }; res: null };
  releasePartitions: { req: { dbName?: Db; name: string; partitions: string[] }; res: null };
  flush: { req: { dbName?: Db; name: string }; res: { segmentIds: number[] } };
  /**
   * Manual compaction of a collection, queued behind any compaction round or sweep:
   * every sealed segment with rows deletes reached is rewritten without them, small
   * segments of a partition are merged two or more at a time, and the delete log is trimmed.
   * `isClustering`: a clustering compaction instead (the collection needs a clustering key).
   */
  compact: { req: { dbName?: Db; name: string; isClustering?: boolean }; res: { compactionID: number } };
  /** A manual compaction's state, as Milvus names them ('UndefiedState' for an id this coordinator does not know). */
  compactionState: { req: { compactionID: number }; res: { state: CompactionState; error?: string } };
  /** A bulk import of JSON row files in object storage (coordinator/core/importJobs.ts); `files` as Milvus takes them, [["a.json"], ...]. */
  createImport: { req: { dbName?: Db; collection: string; partitionName?: string; files: unknown }; res: { jobId: number } };
  importProgress: { req: { jobId: number }; res: ImportJobView };
  /** The import jobs on record (the newest 1,000), or a collection's. */
  listImports: { req: { dbName?: Db; collection?: string }; res: { jobs: ImportJobView[] } };
  /** Aliases: another name for a collection (coordinator/core/aliases.ts). */
  createAlias: { req: { dbName?: Db; alias: string; collection: string }; res: null };
  /** Moves an alias to another collection in one step. */
  alterAlias: { req: { dbName?: Db; alias: string; collection: string }; res: null };
  dropAlias: { req: { dbName?: Db; alias: string }; res: null };
  describeAlias: { req: { dbName?: Db; alias: string }; res: { alias: string; collectionName: string } };
  /** Every alias, or a collection's (given by its name or an alias of it). */
  listAliases: { req: { dbName?: Db; collection?: string | null }; res: { aliases: string[]; collectionName?: string } };
  assignments: { req: Record<string, never>; res: { version: number; pchannels: PchannelAssignment[] } };
  segmentFlushed: { req: { segment: SegmentRecord }; res: null };
  indexBuilt: { req: { collectionId: number; segmentId: number; indexName: string; key: string }; res: null };
  segments: { req: { collectionId: number }; res: SegmentRecord[] };
  distribution: { req: { vchannel: string }; res: Distribution };
  /** The newest admission snapshot (messages/admission.ts), as EVENTS.admission carries it: a streaming node asks at start. */
  admission: { req: Record<string, never>; res: AdmissionSnapshot };
  heartbeat: { req: { nodeId: string; role: string }; res: null };
  /**
   * Holds a collection's rows as a reader pinned to `tso` sees them: compaction
   * applies no delete or expiry past the oldest hold (coordinator/core/snapshotHolds.ts).
   * With `holdId`, renews that hold (or makes it again if it lapsed). Lapses after `ttlMs` (default 60 s).
   */
  holdSnapshot: { req: { dbName?: Db; collection: string; tso: Tso; holdId?: number; ttlMs?: number }; res: { holdId: number; ttlMs: number } };
  releaseSnapshot: { req: { holdId: number }; res: null };
} & RbacProtocol & BackupProtocol & SnapshotProtocol & ResourceGroupProtocol;

export type CompactionState = 'UndefiedState' | 'Executing' | 'Completed';

/** An import job as Milvus reports one (jobs/import/get_progress), per file in `details`. */
export interface ImportJobView {
  jobId: number; collectionName: string; state: 'Pending' | 'Importing' | 'Completed' | 'Failed';
  progress: number; importedRows: number; totalRows: number; fileSize: number; reason?: string; completeTime?: string;
  details: Array<{ fileName: string; fileSize: number; state: string; progress: number; importedRows: number; totalRows: number }>;
}

const none = () => {};
/** A collection-scoped request's checks, and its optional `dbName`. */
const inDb = (check: (o: Record<string, unknown>) => void) => (o: Record<string, unknown>) => {
  if (o.dbName !== undefined && o.dbName !== null) need(o, 'dbName', 'string');
  check(o);
};
export const coordinatorChecks: Checks<CoordinatorProtocol> = {
  createDatabase: (o) => { needAll(o, { dbName: 'string' }); if (o.properties !== undefined && o.properties !== null) need(o, 'properties', 'object'); },
  dropDatabase: (o) => needAll(o, { dbName: 'string' }),
  listDatabases: none,
  describeDatabase: (o) => needAll(o, { dbName: 'string' }),
  alterDatabase: (o) => needAll(o, { dbName: 'string', properties: 'object', drop: 'array' }),
  collectionById: (o) => needAll(o, { collectionId: 'number' }),
  tsoBatch: (o) => needAll(o, { count: 'number' }),
  allocIds: (o) => needAll(o, { count: 'number' }),
  createCollection: inDb((o) => needAll(o, { spec: 'object' })),
  dropCollection: inDb((o) => needAll(o, { name: 'string' })),
  alterCollection: inDb((o) => needAll(o, { name: 'string', properties: 'object', drop: 'array' })),
  renameCollection: inDb((o) => { needAll(o, { name: 'string', newName: 'string' }); if (o.newDbName !== undefined && o.newDbName !== null) need(o, 'newDbName', 'string'); }),
  addCollectionField: inDb((o) => needAll(o, { name: 'string', field: 'object' })),
  alterCollectionField: inDb((o) => needAll(o, { name: 'string', fieldName: 'string', params: 'object' })),
  dropCollectionField: inDb((o) => needAll(o, { name: 'string', fieldName: 'string' })),
  addCollectionFunction: inDb((o) => needAll(o, { name: 'string', function: 'object' })),
  alterCollectionFunction: inDb((o) => needAll(o, { name: 'string', function: 'object' })),
  dropCollectionFunction: inDb((o) => needAll(o, { name: 'string', functionName: 'string' })),
  describeCollection: inDb((o) => needAll(o, { name: 'string' })),
  listCollections: inDb(none),
  createPartition: inDb((o) => needAll(o, { collection: 'string', partition: 'string' })),
  dropPartition: inDb((o) => needAll(o, { collection: 'string', partition: 'string' })),
  truncateCollection: inDb((o) => needAll(o, { name: 'string' })),
  createIndex: inDb((o) => needAll(o, { collection: 'string', index: 'object' })),
  dropIndex: inDb((o) => needAll(o, { collection: 'string', indexName: 'string' })),
  indexStates: inDb((o) => needAll(o, { collection: 'string' })),
  loadCollection: inDb((o) => {
    needAll(o, { name: 'string' });
    if (o.replicas !== undefined && o.replicas !== null) need(o, 'replicas', 'number');
    if (o.resourceGroups !== undefined && o.resourceGroups !== null) need(o, 'resourceGroups', 'array');
    if (o.loadFields !== undefined) need(o, 'loadFields', 'array');
    if (o.skipLoadDynamicField !== undefined) need(o, 'skipLoadDynamicField', 'boolean');
  }),
  releaseCollection: inDb((o) => needAll(o, { name: 'string' })),
  refreshLoad: inDb((o) => needAll(o, { name: 'string' })),
  loadState: inDb((o) => needAll(o, { name: 'string' })),
  loadPartitions: inDb((o) => {
    needAll(o, { name: 'string', partitions: 'array' });
    if (o.loadFields !== undefined) need(o, 'loadFields', 'array');
    if (o.skipLoadDynamicField !== undefined) need(o, 'skipLoadDynamicField', 'boolean');
  }),
  releasePartitions: inDb((o) => needAll(o, { name: 'string', partitions: 'array' })),
  flush: inDb((o) => needAll(o, { name: 'string' })),
  compact: inDb((o) => needAll(o, { name: 'string' })),
  compactionState: (o) => needAll(o, { compactionID: 'number' }),
  createImport: inDb((o) => needAll(o, { collection: 'string' })),
  importProgress: (o) => needAll(o, { jobId: 'number' }),
  listImports: inDb(() => {}),
  createAlias: inDb((o) => needAll(o, { alias: 'string', collection: 'string' })),
  alterAlias: inDb((o) => needAll(o, { alias: 'string', collection: 'string' })),
  dropAlias: inDb((o) => needAll(o, { alias: 'string' })),
  describeAlias: inDb((o) => needAll(o, { alias: 'string' })),
  listAliases: inDb((o) => { if (o.collection !== undefined && o.collection !== null) need(o, 'collection', 'string'); }),
  assignments: none,
  segmentFlushed: (o) => needAll(o, { segment: 'object' }),
  indexBuilt: (o) => needAll(o, { collectionId: 'number', segmentId: 'number', indexName: 'string', key: 'string' }),
  segments: (o) => needAll(o, { collectionId: 'number' }),
  distribution: (o) => needAll(o, { vchannel: 'string' }),
  admission: none,
  heartbeat: (o) => needAll(o, { nodeId: 'string', role: 'string' }),
  holdSnapshot: inDb((o) => {
    needAll(o, { collection: 'string', tso: 'bigint' });
    if (o.holdId !== undefined && o.holdId !== null) need(o, 'holdId', 'number');
    if (o.ttlMs !== undefined && o.ttlMs !== null) need(o, 'ttlMs', 'number');
  }),
  releaseSnapshot: (o) => needAll(o, { holdId: 'number' }),
  ...rbacChecks,
  ...backupChecks,
  ...snapshotChecks,
  ...resourceGroupChecks,
};

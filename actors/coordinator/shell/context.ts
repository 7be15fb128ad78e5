import type { SnapshotHold } from '../core/snapshotHolds.js';
import type { CollectionSnapshot } from '../core/collectionSnapshots.js';
import type { MetricsRegistry } from '../../../runtime/metrics/registry.js';
import type { CollectionRecord, Distribution, PchannelAssignment, SegmentRecord } from '../../../messages/rpc/records.js';
import type { CoordinatorProtocol } from '../../../messages/rpc/coordinator.js';
import type { StreamingProtocol } from '../../../messages/rpc/streamingNode.js';
import type { DataNodeProtocol, IndexNodeProtocol } from '../../../messages/rpc/workers.js';
import type { FlushRefusals } from '../core/flushRefusals.js';
import type { WorkerPool } from '../../../runtime/rpc/workerPool.js';
import type { Bus } from '../../../runtime/ports/bus.js';
import type { MetaStore } from '../../../runtime/ports/metaStore.js';
import type { Caller } from '../../../runtime/rpc/typedBus.js';
import type { QuotaDefaults } from '../../../messages/admission.js';
import type { Catalog } from '../core/catalog.js';
import type { LoadGenerations } from '../core/loadGenerations.js';
import type { CompactionPolicy } from '../core/compactionPolicy.js';
import type { OrphanPolicy } from '../core/orphanFiles.js';
import type { TsoOracleState } from '../core/tsoOracle.js';
import type { ResourceGroupState } from './resourceGroupPlacement.js';

export interface CoordinatorOptions {
  bus: Bus;
  meta: MetaStore;
  /** Names of the WAL's pchannels. */
  pchannels: string[];
  nodeId: string;
  log?: (...args: unknown[]) => void;
  /** The clock: the shell's only source of physical time. */
  now?: () => number;
  /** TTL of the leadership lease (default 10 s): how long a standby waits after the leader dies. */
  sessionTtlMs?: number;
  /** Called when leadership is lost (the process should exit so a supervisor restarts it as a standby). */
  onLeadershipLost?: () => void;
  /** Query-node replicas of each sealed segment when a load names none (default 1). */
  replicas?: number;
  /** How long a dropped collection's files are kept before they are purged (default 10 minutes). */
  dropToleranceMs?: number;
  /** How often purges that are due are run (default a tenth of the tolerance, within 1 s..1 min). */
  purgeIntervalMs?: number;
  /** Delete compaction of sealed segments (core/compactionPolicy.ts; each field has a default). */
  compaction?: Partial<CompactionPolicy>;
  /** Garbage collection of orphaned segment files (core/orphanFiles.ts; each field has a default). */
  orphans?: Partial<OrphanPolicy>;
  /** The process's metrics registry (served on /metrics); absent: kept but not served. */
  metrics?: MetricsRegistry;
  /** Cluster-wide rate limits and disk quotas (Milvus's quotaAndLimits), and how often stored sizes are looked at again (ms, default 3000). */
  quota?: { defaults?: QuotaDefaults; intervalMs?: number };
  /** root's password when the first start makes it (default 'Milvus', as Milvus's); later starts keep the stored one. */
  rootPassword?: string;
}

/** The coordinator shell's mutable state, shared by its handler modules. */
export interface CoordinatorContext {
  opts: CoordinatorOptions;
  log: (...args: unknown[]) => void;
  now: () => number;
  catalog: Catalog;
  oracle: TsoOracleState;
  ids: { next: number; windowEnd: number };
  segments: Map<number, SegmentRecord>;
  assignments: Map<string, PchannelAssignment>;
  assignmentVersion: number;
  distributions: Map<string, Distribution>;
  streamingNodes: Set<string>;
  queryNodes: Set<string>;
  /** Where compactions and index builds run: one live node at a time, moved when its session ends (workerPool.ts). */
  dataNodes: WorkerPool<DataNodeProtocol>;
  indexNodes: WorkerPool<IndexNodeProtocol>;
  /** Resource groups of query nodes and where each loaded replica runs (resourceGroupPlacement.ts). */
  groups: ResourceGroupState;
  /** Releases of collections and partitions, which make the segment loads begun before them stale (core/loadGenerations.ts). */
  loadGenerations: LoadGenerations;
  /** Serializes metadata writes that read-modify-write. */
  lock: <T>(fn: () => Promise<T>) => Promise<T>;
  streaming: (pchannel: string) => Caller<StreamingProtocol>;
  tso: (count: number) => Promise<bigint>;
  allocIds: (count: number) => Promise<number>;
  /** Moves the id allocator past `id`, so no id it gives later is at or below it (a restored autoID key). */
  reserveIdsThrough: (id: number) => Promise<void>;
  /**
   * Segments whose flush report was refused (a dropped partition's, a truncated collection's), held per open flush:
   * a flush waiting for one is done with it, and the ids go when the flushes open at the refusal end (core/flushRefusals.ts).
   */
  refusedFlushes: FlushRefusals;
  /** Waiters for segments to be flushed. */
  flushWaiters: Set<() => void>;
  /** Index builds under way, as `<segmentId>/<indexName>`: one build of each at a time, per coordinator. */
  indexBuilds: Set<string>;
  /** Readers' snapshot holds by id (core/snapshotHolds.ts), kept in the meta store too. */
  snapshots: Map<number, SnapshotHold>;
  /** Collection snapshots by name (core/collectionSnapshots.ts): the files they name stay while they exist. */
  collectionSnapshots: Map<string, CollectionSnapshot>;
  stopped: boolean;
  /** Whether compaction must leave a collection alone for now (a snapshot restore between its deletes and its segment records). */
  compactionHeld?: (collectionId: number) => boolean;
  protocol?: CoordinatorProtocol;
  /** Publishes the admission snapshot now (shell/admission.ts): after any change to what it is decided from. */
  publishAdmission?: () => void;
}

/** A mutex by promise chaining. */
export function makeLock(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>) => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => {});
    return run;
  };
}

export type { CollectionRecord };

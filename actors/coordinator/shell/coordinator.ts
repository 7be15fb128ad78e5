import { ManualCompactions } from './manualCompactions.js';
import { WorkerPool } from '../../../runtime/rpc/workerPool.js';
import { noFlushRefusals } from '../core/flushRefusals.js';
import { DATA_NODE_SUBJECT, INDEX_NODE_SUBJECT, dataNodeSubject, indexNodeSubject, type DataNodeProtocol, type IndexNodeProtocol } from '../../../messages/rpc/workers.js';
import { newLoadGenerations } from '../core/loadGenerations.js';
import { ImportJobs } from './importJobsShell.js';
import { BackupJobs } from './backupJobsShell.js';
import { createSnapshot, describeSnapshot, dropSnapshot, listSnapshots, loadCollectionSnapshots } from './collectionSnapshotsShell.js';
import { SnapshotRestores } from './snapshotRestoreShell.js';
import { RestoreJobs } from './restoreJobsShell.js';
import { buildsAtLoad } from '../core/sparseIndexParams.js';
import { dropLapsed, holdSnapshot, loadHolds, releaseSnapshot } from './snapshotHoldsShell.js';
import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import { clusteringKeyField } from '../../../messages/schema.js';
import { COORDINATOR_SUBJECT, coordinatorChecks, type CoordinatorProtocol } from '../../../messages/rpc/coordinator.js';
import type { Distribution, PchannelAssignment, SegmentRecord } from '../../../messages/rpc/records.js';
import { streamingOwnerSubject, streamingSubject, type StreamingProtocol } from '../../../messages/rpc/streamingNode.js';
import type { IndexParams } from '../../../messages/types.js';
import type { BusSubscription } from '../../../runtime/ports/bus.js';
import { client, serveProtocol, type Handlers } from '../../../runtime/rpc/typedBus.js';
import { FenceGate } from '../../../runtime/rpc/fence.js';
import { FencedSteps } from './fencedSteps.js';
import type { CollectionRef } from '../core/catalog.js';
import { allCollections, collectionAt, collectionById, namespaceOf, withDenied } from '../core/databases.js';
import { databaseOr } from '../../../messages/database.js';
import * as databaseDdl from './databaseDdl.js';
import { loadCatalog } from './databaseDdl.js';
import { allocate, initialOracle } from '../core/tsoOracle.js';
import { publishAssignments, rebalance, watchSessions } from './assignments.js';
import { makeLock, type CoordinatorContext, type CoordinatorOptions } from './context.js';
import * as ddl from './ddl.js';
import * as loads from './loadRelease.js';
import * as aliasDdl from './aliasDdl.js';
import { DEFAULT_COMPACTION } from '../core/compactionPolicy.js';
import { runCompactions } from './compaction.js';
import { DEFAULT_ORPHAN_POLICY } from '../core/orphanFiles.js';
import { partitionLoaded } from '../core/partitionLoad.js';
import { sweepOrphans } from './orphanSweep.js';
import { finishMerges } from './mergeCompaction.js';
import { finishClusterings, runClustering } from './clusteringCompaction.js';
import { DEFAULT_DROP_TOLERANCE_MS, purgeIntervalFor, runDuePurges } from './droppedFiles.js';
import { discardDroppedPartitions, discardTruncated, unserveUnrecorded } from './segmentDiscard.js';
import { finishRenames, renameCollection } from './renameCollection.js';
import { alterCollectionField, dropCollectionField } from './fieldDdl.js';
import { resumeJournaled } from './ddlJournal.js';
import { addCollectionFunction, alterCollectionFunction, dropCollectionFunction } from './functionDdl.js';
import { CoordinatorMetrics, measuredHandlers } from './coordinatorMetrics.js';
import { measure } from '../../../runtime/metrics/operation.js';
import { getRecord, Keys, listRecords, putRecord } from './metaCodec.js';
import { RbacShell } from './rbacShell.js';
import { initialGroupState, loadGroupState, replan } from './resourceGroupPlacement.js';
import { resourceGroupHandlers } from './resourceGroupsShell.js';
import { RBAC_CHANGED_SUBJECT } from '../../../messages/rpc/rbac.js';
import { encodeValue } from '../../../messages/valueCodec.js';
import { AdmissionCentre, DEFAULT_ADMISSION_INTERVAL_MS } from './admission.js';
import { buildMissingIndexes, indexBuilt, loadCollectionSegments, loadProgress, segmentFlushed } from './segmentFlow.js';

const ID_WINDOW = 10_000;

/** A collection-scoped request's key: its database ('default' when it names none) and the collection or alias it names. */
const refOf = (req: { dbName?: string | null }, name: string): CollectionRef => ({ db: databaseOr(req.dbName), name });

/**
 * The coordinator: TSO oracle, id allocator, collection catalogue, pchannel
 * assignment with fencing terms, and segment bookkeeping. Only the elected leader
 * serves; a standby blocks in the election and takes over when the leader's lease ends.
 */
export class Coordinator {
  private ctx!: CoordinatorContext;
  private subs: BusSubscription[] = [];
  private stopWatch?: () => void;
  private leadership?: { resign(): Promise<void>; lost: Promise<void> };
  private stopping = false;
  /** Background jobs (purges, compaction, the orphan sweep) and the slots running now. */
  private timers: NodeJS.Timeout[] = [];
  private readonly busy = new Set<string>();
  /** Compaction rounds, sweeps and manual compactions run one at a time: a rewrite is unnamed until its switch. */
  private readonly maintenance = makeLock();
  /** Manual compactions by id (the newest 1,000), kept in the meta store. */
  private compactions!: ManualCompactions;
  /** Bulk import jobs, kept in the meta store. */
  private imports!: ImportJobs;
  /** Backups of collections and restores of them (backupJobsShell.ts, restoreJobsShell.ts), kept in the meta store. */
  private backups!: BackupJobs;
  private restores!: RestoreJobs;
  /** Jobs restoring collection snapshots (snapshotRestoreShell.ts). */
  private snapshotRestores!: SnapshotRestores;
  /** Users and roles (core/rbac.ts), kept in the meta store. */
  private rbac!: RbacShell;

  private readonly metrics: CoordinatorMetrics;
  private stopSampling?: () => void;
  private admission?: AdmissionCentre;

  constructor(private readonly opts: CoordinatorOptions) {
    this.metrics = new CoordinatorMetrics(opts.nodeId, opts.metrics);
  }

  /** Resolves once this coordinator leads and serves. */
  async start(): Promise<void> {
    const { meta, bus } = this.opts;
    const log = this.opts.log ?? (() => {});
    this.leadership = await meta.campaign('coordinator', this.opts.nodeId, this.opts.sessionTtlMs ?? 10_000);
    log(`coordinator ${this.opts.nodeId} is the leader`);
    void this.leadership.lost.then(() => {
      if (this.stopping) return;
      log('coordinator lost leadership; exiting');
      process.exitCode = 3; // EXIT_RESTART (runtime/cluster/nodeOptions.ts): the supervisor starts it again
      void this.stop().finally(() => this.opts.onLeadershipLost?.());
    });
    const lock = makeLock();
    // Ids have their own lock: DDL holds `lock` while it allocates.
    const idLock = makeLock();
    const tsoWin = await getRecord<{ windowEndMs: number }>(meta, Keys.tsoWindow);
    const idWin = await getRecord<{ windowEnd: number }>(meta, Keys.idWindow);
    const now = this.opts.now ?? Date.now;
    const ctx: CoordinatorContext = {
      opts: this.opts, log, now, lock,
      catalog: { databases: new Map() },
      oracle: initialOracle(Math.max(tsoWin?.windowEndMs ?? 0, 0)),
      ids: { next: idWin?.windowEnd ?? 100, windowEnd: idWin?.windowEnd ?? 100 },
      segments: new Map(), assignments: new Map(), assignmentVersion: 0, distributions: new Map(),
      streamingNodes: new Set(), queryNodes: new Set(),
      dataNodes: new WorkerPool<DataNodeProtocol>(bus, 'data-node', DATA_NODE_SUBJECT, dataNodeSubject, log),
      indexNodes: new WorkerPool<IndexNodeProtocol>(bus, 'index-node', INDEX_NODE_SUBJECT, indexNodeSubject, log), groups: initialGroupState(), loadGenerations: newLoadGenerations(), refusedFlushes: noFlushRefusals(), flushWaiters: new Set(), indexBuilds: new Set(), snapshots: new Map(), collectionSnapshots: new Map(), stopped: false,
      // Addressed to the assigned owner's term, so a stale owner never takes a DDL.
      streaming: (pchannel) => client<StreamingProtocol>(bus, () => {
        const a = ctx.assignments.get(pchannel);
        return a ? streamingOwnerSubject(pchannel, a.term) : streamingSubject(pchannel);
      }, 60_000),
      tso: async (count) => {
        const a = allocate(ctx.oracle, now(), count);
        ctx.oracle = a.state;
        if (a.persistWindowEndMs !== undefined) await putRecord(meta, Keys.tsoWindow, { windowEndMs: a.persistWindowEndMs });
        return a.first;
      },
      allocIds: (count) => idLock(async () => {
        if (ctx.ids.next + count > ctx.ids.windowEnd) {
          ctx.ids.windowEnd = ctx.ids.next + count + ID_WINDOW;
          await putRecord(meta, Keys.idWindow, { windowEnd: ctx.ids.windowEnd });
        }
        const first = ctx.ids.next;
        ctx.ids.next += count;
        return first;
      }),
      reserveIdsThrough: (id) => idLock(async () => {
        if (id < ctx.ids.next) return;
        // The window persisted first, so a coordinator that takes over starts above `id` too.
        if (id + 1 > ctx.ids.windowEnd) {
          ctx.ids.windowEnd = id + 1 + ID_WINDOW;
          await putRecord(meta, Keys.idWindow, { windowEnd: ctx.ids.windowEnd });
        }
        ctx.ids.next = id + 1;
      }),
    };
    this.ctx = ctx;
    await loadCatalog(ctx);
    await finishRenames(ctx);
    for (const s of await listRecords<SegmentRecord>(meta, Keys.segments())) ctx.segments.set(s.segmentId, s);
    for (const a of await listRecords<PchannelAssignment>(meta, Keys.assignments)) ctx.assignments.set(a.pchannel, a);
    for (const d of await listRecords<Distribution>(meta, Keys.distributions)) ctx.distributions.set(d.vchannel, d);
    await loadHolds(ctx);
    await loadCollectionSnapshots(ctx);
    await loadGroupState(ctx);
    this.rbac = await RbacShell.open(meta, () => bus.publish(RBAC_CHANGED_SUBJECT, encodeValue({})), this.opts.rootPassword);
    this.compactions = new ManualCompactions(ctx, (collectionId, clustering) => clustering ? this.manualClustering(collectionId) : this.manualCompaction(collectionId));
    this.imports = new ImportJobs(ctx);
    this.restores = new RestoreJobs(ctx, this.imports, () => this.backups);
    this.backups = new BackupJobs(ctx, (name) => this.restores.restoring(name));
    this.snapshotRestores = new SnapshotRestores(ctx);
    ctx.compactionHeld = (id) => this.snapshotRestores.holdsCompaction(id);
    this.admission = new AdmissionCentre(ctx, await ctx.tso(1), this.opts.quota?.defaults ?? {});
    ctx.publishAdmission = () => { this.admission?.publish(); };
    this.subs.push(serveProtocol<CoordinatorProtocol>(bus, COORDINATOR_SUBJECT, coordinatorChecks, measuredHandlers(this.handlers(), this.metrics), { queue: 'coordinator', fences: new FencedSteps(new FenceGate(meta)).serve }));
    this.stopSampling = this.metrics.sampleCatalog(() => this.ctx);
    this.stopWatch = await watchSessions(ctx);
    await rebalance(ctx);
    publishAssignments(ctx);
    // Query nodes into resource groups, loaded replicas onto them (a store from before resource groups has no placement yet).
    await replan(ctx);
    this.admission!.start(this.opts.quota?.intervalMs ?? DEFAULT_ADMISSION_INTERVAL_MS);
    // Resume what a previous leader left half done; half-done merges first, before anything loads.
    await finishClusterings(ctx);
    await finishMerges(ctx);
    await unserveUnrecorded(ctx);
    // A partition drop cut off before its segments were discarded (or from before drops discarded them).
    for (const rec of allCollections(ctx.catalog)) if (rec.state === 'created') { await discardDroppedPartitions(ctx, rec); await discardTruncated(ctx, rec); }
    for (const rec of allCollections(ctx.catalog)) {
      // A DDL step cut short between its broadcast and its record (ddlJournal.ts); queued before any new DDL of the collection.
      if (rec.state === 'created' && rec.pendingDdl) void resumeJournaled(ctx, rec).catch((e) => log(`resume ${rec.pendingDdl?.step.type ?? 'DDL'} of ${rec.name} failed:`, e.message));
      if (rec.state === 'creating') void ddl.finishCreate(ctx, rec).catch((e) => log('resume create failed:', e.message));
      else if (rec.state === 'dropping') void ddl.finishDrop(ctx, rec).catch((e) => log('resume drop failed:', e.message));
      else { void buildMissingIndexes(ctx, rec); if (rec.loaded) void loadCollectionSegments(ctx, rec).catch(() => {}); }
    }
    this.every(this.opts.purgeIntervalMs ?? purgeIntervalFor(this.opts.dropToleranceMs ?? DEFAULT_DROP_TOLERANCE_MS), 'purges', 'purge round', () => runDuePurges(ctx));
    await this.compactions.resume();
    await this.imports.resume();
    await this.backups.resume();
    await this.restores.resume();
    await this.snapshotRestores.resume();
    const compaction = { ...DEFAULT_COMPACTION, ...this.opts.compaction };
    this.every(compaction.intervalMs, 'compaction', 'compaction round', () => this.maintenance(async () => { await dropLapsed(ctx); return runCompactions(ctx, compaction); }));
    // Automatic clustering compaction, off unless configured (Milvus's clustering autoEnable is false by default).
    this.every(compaction.clusteringIntervalMs ?? 0, 'clustering', 'clustering compaction round', () => this.maintenance(async () => {
      for (const rec of allCollections(ctx.catalog)) if (rec.state === 'created' && clusteringKeyField(rec.schema)) await runClustering(ctx, rec, compaction);
    }));
    const orphans = { ...DEFAULT_ORPHAN_POLICY, ...this.opts.orphans };
    this.every(orphans.intervalMs, 'sweep', 'garbage collection sweep', () => this.maintenance(() => sweepOrphans(ctx, orphans)));
  }

  /** Runs `job` every `ms` (0: never), skipping a turn while the last one of its slot still runs or waits. */
  private every(ms: number, slot: string, what: string, job: () => Promise<unknown>): void {
    if (ms <= 0) return;
    const timer = setInterval(() => {
      if (this.busy.has(slot)) return;
      this.busy.add(slot);
      void measure(this.metrics.round(slot), job).catch((e) => this.opts.log?.(`${what} failed:`, (e as Error).message)).finally(() => this.busy.delete(slot));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /**
   * A manual compaction (CoordinatorProtocol.compact): the collection's round with
   * every reached row removed (ratio 0) and small segments merged two or more at
   * a time (unless merging is off), queued behind the running job.
   */
  private async compact(ref: CollectionRef, isClustering = false): Promise<{ compactionID: number }> {
    const rec = collectionAt(this.ctx.catalog, ref);
    // As Milvus: a clustering compaction of a collection without a clustering key is an error, not a no-op.
    if (isClustering && !clusteringKeyField(rec.schema)) throw new ValidationError(`collection '${rec.name}' has no clustering key: a clustering compaction needs a field with isClusteringKey`, { field: 'isClustering' });
    return { compactionID: await this.compactions.start(rec.collectionId, isClustering) };
  }

  /** One collection's clustering compaction (clusteringCompaction.ts), behind the maintenance running now; the partitions it could not do. */
  private async manualClustering(collectionId: number): Promise<string[]> {
    const policy = { ...DEFAULT_COMPACTION, ...this.opts.compaction };
    const failures: string[] = [];
    await this.maintenance(async () => {
      const rec = collectionById(this.ctx.catalog, collectionId);
      if (rec && rec.state === 'created') await runClustering(this.ctx, rec, policy, failures);
    });
    return failures;
  }

  /** One collection's manual compaction, run behind the maintenance running now; the shards it could not reach. */
  private async manualCompaction(collectionId: number): Promise<string[]> {
    const configured = { ...DEFAULT_COMPACTION, ...this.opts.compaction };
    const policy = { ...configured, minRatio: 0, mergeSegments: configured.mergeSegments === 0 ? 0 : 2 };
    const failures: string[] = [];
    await this.maintenance(() => runCompactions(this.ctx, policy, collectionId, failures));
    return failures;
  }

  private handlers(): Handlers<CoordinatorProtocol> {
    const ctx = () => this.ctx;
    return {
      tsoBatch: async ({ count }) => {
        if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new ValidationError('count must be in 1..100000');
        return { first: await ctx().tso(count), count };
      },
      allocIds: async ({ count }) => {
        if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new ValidationError('count must be in 1..1000000');
        return { first: await ctx().allocIds(count) };
      },
      createDatabase: ({ dbName, properties }) => databaseDdl.createDatabase(ctx(), dbName, properties),
      dropDatabase: ({ dbName }) => databaseDdl.dropDatabase(ctx(), dbName),
      listDatabases: () => [...ctx().catalog.databases.keys()].sort(),
      describeDatabase: ({ dbName }) => namespaceOf(ctx().catalog, dbName).record,
      alterDatabase: ({ dbName, properties, drop }) => databaseDdl.alterDatabase(ctx(), dbName, properties, drop),
      collectionById: ({ collectionId }) => {
        const rec = collectionById(ctx().catalog, collectionId);
        if (!rec || rec.state === 'dropping') throw new NuthatchError('CollectionNotFound', `collection ${collectionId} does not exist`, { collectionId });
        return rec;
      },
      createCollection: ({ dbName, spec }) => ddl.createCollection(ctx(), databaseOr(dbName), spec),
      dropCollection: (r) => ddl.dropCollection(ctx(), refOf(r, r.name)),
      alterCollection: (r) => ddl.alterCollection(ctx(), refOf(r, r.name), r.properties, r.drop),
      renameCollection: (r) => renameCollection(ctx(), refOf(r, r.name), { db: r.newDbName ? databaseOr(r.newDbName) : databaseOr(r.dbName), name: r.newName }),
      addCollectionField: (r) => ddl.addCollectionField(ctx(), refOf(r, r.name), r.field),
      alterCollectionField: (r) => alterCollectionField(ctx(), refOf(r, r.name), r.fieldName, r.params),
      dropCollectionField: (r) => dropCollectionField(ctx(), refOf(r, r.name), r.fieldName),
      addCollectionFunction: (r) => addCollectionFunction(ctx(), refOf(r, r.name), r.function),
      alterCollectionFunction: (r) => alterCollectionFunction(ctx(), refOf(r, r.name), r.function),
      dropCollectionFunction: (r) => dropCollectionFunction(ctx(), refOf(r, r.name), r.functionName),
      describeCollection: (r) => withDenied(ctx().catalog, collectionAt(ctx().catalog, refOf(r, r.name))),
      listCollections: ({ dbName }) => [...namespaceOf(ctx().catalog, databaseOr(dbName)).byName.values()].filter((r) => r.state !== 'dropping').map((r) => r.name).sort(),
      createPartition: (r) => ddl.createPartition(ctx(), refOf(r, r.collection), r.partition),
      dropPartition: (r) => ddl.dropPartition(ctx(), refOf(r, r.collection), r.partition),
      truncateCollection: (r) => ddl.truncateCollection(ctx(), refOf(r, r.name)),
      createIndex: (r) => ddl.createIndex(ctx(), refOf(r, r.collection), r.index as Partial<IndexParams>),
      dropIndex: (r) => ddl.dropIndex(ctx(), refOf(r, r.collection), r.indexName),
      indexStates: (r) => {
        const rec = collectionAt(ctx().catalog, refOf(r, r.collection));
        const segs = [...ctx().segments.values()].filter((s) => s.collectionId === rec.collectionId);
        const total = segs.reduce((n, s) => n + s.rows, 0);
        return rec.indexes.map((i) => ({ indexName: i.indexName, totalRows: total, indexedRows: segs.filter((s) => s.indexKeys[i.indexName] || buildsAtLoad(i.indexType)).reduce((n, s) => n + s.rows, 0) }));
      },
      loadCollection: (r) => loads.loadCollection(ctx(), refOf(r, r.name), r.replicas ?? undefined, r.resourceGroups ?? undefined, r),
      releaseCollection: (r) => loads.releaseCollection(ctx(), refOf(r, r.name)),
      refreshLoad: (r) => loads.refreshLoad(ctx(), refOf(r, r.name)),
      loadState: (r) => {
        const { partitions } = r;
        const rec = collectionAt(ctx().catalog, refOf(r, r.name));
        if (partitions === undefined) return { loaded: rec.loaded, progress: loadProgress(ctx(), rec), ...(rec.loaded && rec.loadFields ? { columns: rec.loadFields } : {}) };
        const ids = partitions.map((n) => rec.partitions.find((p) => p.name === n)?.id ?? -1);
        const missing = partitions.find((_, i) => ids[i] === -1);
        if (missing !== undefined) throw new NuthatchError('PartitionNotFound', `partition '${missing}' does not exist in '${rec.name}'`);
        return { loaded: ids.every((id) => partitionLoaded(rec, id)), progress: loadProgress(ctx(), rec, ids) };
      },
      loadPartitions: (r) => loads.loadPartitions(ctx(), refOf(r, r.name), r.partitions, r),
      releasePartitions: (r) => loads.releasePartitions(ctx(), refOf(r, r.name), r.partitions),
      flush: (r) => ddl.flush(ctx(), refOf(r, r.name)),
      createAlias: ({ dbName, alias, collection }) => aliasDdl.createAlias(ctx(), databaseOr(dbName), alias, collection),
      alterAlias: ({ dbName, alias, collection }) => aliasDdl.alterAlias(ctx(), databaseOr(dbName), alias, collection),
      dropAlias: ({ dbName, alias }) => aliasDdl.dropAlias(ctx(), databaseOr(dbName), alias),
      describeAlias: ({ dbName, alias }) => aliasDdl.describeAlias(ctx(), databaseOr(dbName), alias),
      listAliases: ({ dbName, collection }) => aliasDdl.listAliases(ctx(), databaseOr(dbName), collection ?? undefined),
      compact: (r) => this.compact(refOf(r, r.name), r.isClustering === true),
      compactionState: ({ compactionID }) => this.compactions.state(compactionID),
      createImport: (r) => this.imports.create(refOf(r, r.collection), r.files, r.partitionName),
      importProgress: async ({ jobId }) => this.imports.progress(jobId),
      listImports: async ({ dbName, collection }) => this.imports.list(databaseOr(dbName), collection),
      createBackup: (r) => this.backups.create(refOf(r, r.collection), r.backupName),
      describeBackup: async ({ backupName }) => this.backups.describe(backupName),
      listBackups: async ({ dbName, collection }) => this.backups.list(databaseOr(dbName), collection ?? undefined),
      dropBackup: ({ backupName }) => this.backups.drop(backupName),
      restoreBackup: (r) => this.restores.create(r.backupName, refOf(r, r.collection)),
      restoreProgress: async ({ jobId }) => this.restores.progress(jobId),
      listRestores: async ({ backupName }) => this.restores.list(backupName ?? undefined),
      createSnapshot: (r) => createSnapshot(ctx(), refOf(r, r.collection), r.snapshotName, r.description ?? ''),
      describeSnapshot: ({ snapshotName }) => describeSnapshot(ctx(), snapshotName),
      listSnapshots: ({ dbName, collection }) => listSnapshots(ctx(), databaseOr(dbName), collection ?? undefined),
      dropSnapshot: ({ snapshotName }) => dropSnapshot(ctx(), snapshotName, (n) => this.snapshotRestores.restoring(n)),
      restoreSnapshot: (r) => this.snapshotRestores.create(r.snapshotName, refOf(r, r.collection)),
      restoreSnapshotState: ({ jobId }) => this.snapshotRestores.state(jobId),
      listRestoreSnapshotJobs: ({ snapshotName }) => this.snapshotRestores.list(snapshotName ?? undefined),
      assignments: () => ({ version: ctx().assignmentVersion, pchannels: [...ctx().assignments.values()] }),
      segmentFlushed: ({ segment }) => segmentFlushed(ctx(), segment),
      indexBuilt: ({ collectionId, segmentId, indexName, key }) => indexBuilt(ctx(), collectionId, segmentId, indexName, key),
      segments: ({ collectionId }) => [...ctx().segments.values()].filter((s) => s.collectionId === collectionId),
      distribution: ({ vchannel }) => ctx().distributions.get(vchannel) ?? { vchannel, version: 0, segments: [] },
      admission: () => this.admission!.current(),
      heartbeat: () => null,
      holdSnapshot: (r) => holdSnapshot(ctx(), refOf(r, r.collection), r.tso, r.holdId ?? undefined, r.ttlMs ?? undefined),
      releaseSnapshot: ({ holdId }) => releaseSnapshot(ctx(), holdId),
      ...this.rbac.handlers(),
      ...resourceGroupHandlers(ctx, refOf),
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.ctx) {
      this.ctx.stopped = true;
      for (const w of [...this.ctx.flushWaiters]) w(); // each sees `stopped` and fails: none waits out its timer
    }
    for (const t of this.timers) clearInterval(t); // a job in flight ends on its own (it checks `stopped`)
    for (const s of this.subs) s.unsubscribe();
    this.subs = [];
    this.stopWatch?.();
    this.stopSampling?.();
    this.admission?.stop();
    await this.leadership?.resign().catch(() => {});
  }
}
export { NuthatchError };

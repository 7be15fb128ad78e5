import { withAddedField } from '../../../messages/addedField.js';
import type { FieldSchema } from '../../../messages/schema.js';
import { dropRefusal } from '../core/aliases.js';
import { Invariant, NuthatchError, ValidationError } from '../../../messages/errors.js';
import { checkName, LIMITS, withAnalyzerVersion } from '../../../messages/schema.js';
import type { CoordinatorProtocol } from '../../../messages/rpc/coordinator.js';
import type { CollectionRecord, CollectionSpec } from '../../../messages/rpc/records.js';
import type { IndexParams, Tso } from '../../../messages/types.js';
import { checkProperties, type CollectionProperties } from '../../../messages/collectionProperties.js';
import { indexTargetKey } from '../core/jsonIndexParams.js';
import { decideAlter } from '../core/alteredProperties.js';
import { decideCreateCollection, DEFAULT_PARTITION, findCollection, idsToCreate, normaliseIndex, refuseManualPartitions, type CollectionRef } from '../core/catalog.js';
import { checkRoomForCollection, collectionAt, namespaceOf, stillCatalogued } from '../core/databases.js';
import { dbOf } from '../../../messages/database.js';
import { policyOf } from '../../../messages/databaseProperties.js';
import { resolveTimezone, timestamptzDefaults } from '../../../messages/timestamptzFields.js';
import { geometryDefaults } from '../../../messages/geometryFields.js';
import { rebalance } from './assignments.js';
import { broadcast } from './broadcast.js';
import { runJournaled } from './ddlJournal.js';
import { inDdlOrder } from './ddlOrder.js';
import type { DdlStep } from '../../../messages/pendingDdl.js';
import type { CoordinatorContext } from './context.js';
import { recordPurge } from './droppedFiles.js';
import { getRecord, Keys, putRecord } from './metaCodec.js';
import { firstWriteFence, firstWriteMade } from './fencedSteps.js';
import { announceCatalogChange } from './renameCollection.js';
import { closeFlush, openFlush, wasRefused } from '../core/flushRefusals.js';
import { publishLoadState, releaseCollectionSegments, supersededIds } from './segmentFlow.js';

type Res<K extends keyof CoordinatorProtocol> = Promise<CoordinatorProtocol[K]['res']>;

/**
 * Saves a record after a schema DDL reached every shard, with its schema version: the one the DDL
 * carried (messages/types.ts SchemaDdl), else a TSO taken now. Call it under the lock.
 */
export async function saveSchema(ctx: CoordinatorContext, rec: CollectionRecord, version?: Tso): Promise<void> {
  rec.schemaVersion = version ?? await ctx.tso(1);
  await save(ctx, rec);
}

/**
 * Stores a record under its (database, name) key, and keeps it in its database's namespace.
 * As a fenced request's first durable write it carries the token (fencedSteps.ts); refused,
 * the record in memory is put back as stored, so the catalogue shows nothing of the DDL.
 */
export async function save(ctx: CoordinatorContext, rec: CollectionRecord): Promise<void> {
  // A record past its creation is saved only while it is the live one: a request that waited across a drop writes nothing.
  if (rec.state !== 'creating') stillCatalogued(ctx.catalog, rec);
  const key = Keys.collection(dbOf(rec), rec.name);
  try {
    await putRecord(ctx.opts.meta, key, rec, firstWriteFence());
  } catch (e) {
    if ((e as NuthatchError).code === 'StaleFence') await restoreRecord(ctx, key, rec);
    throw e;
  }
  firstWriteMade();
  namespaceOf(ctx.catalog, dbOf(rec)).byName.set(rec.name, rec);
}

/** Puts a record changed in memory back as the meta store holds it (one never stored stays out of the catalogue). */
async function restoreRecord(ctx: CoordinatorContext, key: string, rec: CollectionRecord): Promise<void> {
  const stored = await getRecord<CollectionRecord>(ctx.opts.meta, key);
  if (!stored) return;
  for (const k of Object.keys(rec)) delete (rec as unknown as Record<string, unknown>)[k];
  Object.assign(rec, stored);
}

export async function createCollection(ctx: CoordinatorContext, db: string, spec: CollectionSpec): Res<'createCollection'> {
  const rec = await ctx.lock(async () => {
    const ns = namespaceOf(ctx.catalog, db);
    checkRoomForCollection(ctx.catalog, db);
    const collectionId = await ctx.allocIds(idsToCreate(spec));
    const tso = await ctx.tso(1);
    const r = decideCreateCollection(ns, spec, collectionId, ctx.opts.pchannels, tso, db);
    r.loaded = spec.load ?? false;
    // Loaded at create: the database's database.replica.number, as a later load would take it.
    const replicas = policyOf(ns.record.properties).replicas;
    if (r.loaded && replicas !== undefined) r.replicas = replicas;
    await save(ctx, r);
    return r;
  });
  await finishCreate(ctx, rec);
  // The cluster's default rates apply to a new collection from its first write.
  ctx.publishAdmission?.();
  return rec;
}

/**
 * Broadcasts a created collection's messages; also resumes a create interrupted by a crash. It is
 * the collection's first DDL in order (ddlOrder.ts): one asked for meanwhile (a partition, an index)
 * waits for it rather than finding the collection not created yet.
 */
export function finishCreate(ctx: CoordinatorContext, rec: CollectionRecord): Promise<void> {
  return inDdlOrder(ctx, rec.collectionId, () => broadcastCreate(ctx, rec));
}

async function broadcastCreate(ctx: CoordinatorContext, rec: CollectionRecord): Promise<void> {
  await broadcast(ctx, 'CreateCollection', rec.vchannels, (_v, i) => ({
    collectionId: rec.collectionId, name: rec.name, schema: rec.schema, shardIndex: i, shards: rec.shards, ...(rec.ttlSeconds ? { ttlSeconds: rec.ttlSeconds } : {}), ...(rec.ttlField ? { ttlField: rec.ttlField } : {}),
    partitions: rec.partitions, metricType: rec.metricType, consistencyLevel: rec.consistencyLevel,
  }), Invariant.CollectionAlreadyExists);
  for (const index of rec.indexes) {
    await broadcast(ctx, 'CreateIndex', rec.vchannels, () => ({ collectionId: rec.collectionId, index }), Invariant.IndexAlreadyExists);
  }
  await ctx.lock(async () => { rec.state = 'created'; await save(ctx, rec); });
  await publishLoadState(ctx, rec);
  await placeDelegators(ctx);
}

/** Loads and releases change how many delegators (follower streaming nodes) each pchannel needs. */
export async function placeDelegators(ctx: CoordinatorContext): Promise<void> {
  await rebalance(ctx).catch((e) => ctx.log('placing follower delegators failed:', (e as Error).message));
}

export async function dropCollection(ctx: CoordinatorContext, ref: CollectionRef): Res<'dropCollection'> {
  const rec = await ctx.lock(async () => {
    // Under the lock an alias takes too: none can be created on a collection being dropped.
    const ns = namespaceOf(ctx.catalog, ref.db);
    const refusal = dropRefusal(ns, ref.name);
    if (refusal) throw refusal;
    const r = findCollection(ns, ref.name);
    r.state = 'dropping';
    await save(ctx, r);
    return r;
  });
  await finishDrop(ctx, rec);
  announceCatalogChange(ctx, ref.db, [ref.name]);
  return null;
}

/**
 * The rest of a drop, once the record says 'dropping': also how a coordinator
 * resumes a drop a previous one was cut off in (each step may be repeated).
 */
export async function finishDrop(ctx: CoordinatorContext, rec: CollectionRecord): Promise<void> {
  await broadcast(ctx, 'DropCollection', rec.vchannels, () => ({ collectionId: rec.collectionId }), Invariant.NothingAfterDrop);
  await releaseCollectionSegments(ctx, rec);
  await recordPurge(ctx, rec.collectionId);
  await ctx.lock(async () => {
    await ctx.opts.meta.delete(Keys.collection(dbOf(rec), rec.name));
    ctx.catalog.databases.get(dbOf(rec))?.byName.delete(rec.name);
    for (const s of [...ctx.segments.values()]) if (s.collectionId === rec.collectionId) {
      ctx.segments.delete(s.segmentId);
      await ctx.opts.meta.delete(Keys.segment(s.collectionId, s.segmentId));
    }
  });
  await placeDelegators(ctx);
}

/**
 * Changes a collection's properties, as a journaled step
 * (core/alteredProperties.ts): a changed TTL (collection.ttl.seconds,
 * ttl_field) is an AlterCollection on every shard, so delegators, followers
 * and replays all apply it from the same TSO; every property goes into the
 * record with it (what compaction, descriptions, clients, admission and
 * query nodes read).
 */
export async function alterCollection(ctx: CoordinatorContext, ref: CollectionRef, properties: CollectionProperties, drop: Array<keyof CollectionProperties>): Res<'alterCollection'> {
  const rec = collectionAt(ctx.catalog, ref);
  const checked = checkProperties(properties);
  await runJournaled(ctx, rec, () => decideAlter(rec, checked, drop));
  return rec;
}

/**
 * Adds a nullable scalar field: an AddCollectionField on every shard (the
 * vchannel machines check it and fold it from one TSO), then the record, then
 * an announcement so clients and query nodes read the new schema.
 */
export async function addCollectionField(ctx: CoordinatorContext, ref: CollectionRef, field: FieldSchema): Res<'addCollectionField'> {
  const rec = collectionAt(ctx.catalog, ref);
  const zone = resolveTimezone({ tz: rec.timezone, from: 'timezone' }, { tz: policyOf(namespaceOf(ctx.catalog, dbOf(rec)).record.properties).timezone, from: 'database property timezone' });
  const [added] = withAnalyzerVersion(geometryDefaults(timestamptzDefaults({ fields: [field] }, zone))).fields;
  const step = (): DdlStep => { withAddedField(rec.schema, added!); return { type: 'AddCollectionField', body: { field: added! } }; };
  await runJournaled(ctx, rec, step);
  return rec;
}

export async function createPartition(ctx: CoordinatorContext, ref: CollectionRef, partition: string): Res<'createPartition'> {
  const rec = collectionAt(ctx.catalog, ref);
  const check = () => {
    refuseManualPartitions(rec, 'create partition');
    checkName('partition', partition);
    if (rec.partitions.some((p) => p.name === partition)) throw new NuthatchError('PartitionExists', `partition '${partition}' already exists in '${ref.name}'`);
    if (rec.partitions.length >= LIMITS.maxPartitions) throw new ValidationError(`a collection holds at most ${LIMITS.maxPartitions} partitions`);
  };
  check();
  const info = { id: await ctx.allocIds(1), name: partition };
  await runJournaled(ctx, rec, () => { check(); return { type: 'CreatePartition', body: { partition: info } }; });
  return null;
}

export async function dropPartition(ctx: CoordinatorContext, ref: CollectionRef, partition: string): Res<'dropPartition'> {
  const rec = collectionAt(ctx.catalog, ref);
  const step = (): DdlStep => {
    refuseManualPartitions(rec, 'drop partition');
    if (partition === DEFAULT_PARTITION) throw new ValidationError('the default partition cannot be dropped');
    const info = rec.partitions.find((p) => p.name === partition);
    if (!info) throw new NuthatchError('PartitionNotFound', `partition '${partition}' does not exist in '${ref.name}'`);
    return { type: 'DropPartition', body: { partitionId: info.id } };
  };
  await runJournaled(ctx, rec, step);
  return null;
}

/**
 * Removes every row and keeps the collection (Milvus's TruncateCollection):
 * a TruncateCollection on every shard drops its growing rows and seals its
 * segments; the TSO each shard stamped is recorded, so any segment holding
 * rows from before it — sealed ones now, flushes reported later — is
 * discarded with its files. Schema, partitions, indexes, properties,
 * aliases and the load state stay.
 */
export async function truncateCollection(ctx: CoordinatorContext, ref: CollectionRef): Res<'truncateCollection'> {
  const rec = collectionAt(ctx.catalog, ref);
  await runJournaled(ctx, rec, () => ({ type: 'TruncateCollection', body: {} }));
  return null;
}

export async function createIndex(ctx: CoordinatorContext, ref: CollectionRef, p: Partial<IndexParams>): Res<'createIndex'> {
  const rec = collectionAt(ctx.catalog, ref);
  const step = (): DdlStep => {
    const index = normaliseIndex(rec, p);
    if (rec.indexes.some((i) => i.indexName === index.indexName)) throw new NuthatchError('IndexExists', `index '${index.indexName}' already exists on '${ref.name}'`);
    // One index per field, or per JSON path (several paths of one JSON field each have theirs).
    const target = indexTargetKey(rec.schema, index);
    const same = rec.indexes.find((i) => indexTargetKey(rec.schema, i) === target);
    if (same) throw new NuthatchError('IndexExists', `'${ref.name}' already has index '${same.indexName}' on ${target === index.fieldName ? `field '${target}'` : `JSON path ${target}`}; drop it first`);
    return { type: 'CreateIndex', body: { index } };
  };
  await runJournaled(ctx, rec, step);
  return null;
}

export async function dropIndex(ctx: CoordinatorContext, ref: CollectionRef, indexName: string): Res<'dropIndex'> {
  const rec = collectionAt(ctx.catalog, ref);
  const step = (): DdlStep => {
    if (!rec.indexes.some((i) => i.indexName === indexName)) throw new NuthatchError('IndexNotFound', `index '${indexName}' does not exist on '${ref.name}'`);
    if (rec.loaded) throw new NuthatchError('FailedPrecondition', `release '${ref.name}' before dropping its index`);
    return { type: 'DropIndex', body: { indexName } };
  };
  await runJournaled(ctx, rec, step);
  return null;
}

/** Seals every growing segment and waits until all of them are persisted. */
export async function flush(ctx: CoordinatorContext, ref: CollectionRef): Res<'flush'> {
  const rec = collectionAt(ctx.catalog, ref);
  const byPchannel = new Map<string, string[]>();
  for (const v of rec.vchannels) {
    const p = v.slice(0, v.lastIndexOf('_'));
    byPchannel.set(p, [...(byPchannel.get(p) ?? []), v]);
  }
  // Opened before the seal: a segment it names may be refused as soon as it is sealed.
  const opened = openFlush(ctx.refusedFlushes);
  ctx.refusedFlushes = opened.state;
  try {
    const sealed = (await Promise.all([...byPchannel].map(([p, vchannels]) => ctx.streaming(p)('sealAll', { collectionId: rec.collectionId, vchannels }, 120_000)))).flatMap((r) => r.segmentIds);
    // A segment merged into another by now was flushed before; one whose report was refused (its partition dropped, its
    // collection truncated since) holds no row to wait for.
    const done = (id: number, merged: Set<number>) => ctx.segments.has(id) || merged.has(id) || wasRefused(ctx.refusedFlushes, opened.token, id);
    await waitFor(ctx, () => { const merged = supersededIds(ctx); return sealed.every((id) => done(id, merged)); }, 300_000, `segments ${sealed.join(',')} to flush`);
    return { segmentIds: sealed };
  } finally {
    ctx.refusedFlushes = closeFlush(ctx.refusedFlushes, opened.token);
  }
}

export function waitFor(ctx: CoordinatorContext, done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    // A stopped coordinator ends its waits (stop() runs every waiter): a timer left behind would hold the process.
    const check = () => {
      if (ctx.stopped) { clear(); reject(new NuthatchError('Unavailable', `the coordinator stopped while waiting for ${what}`)); } else if (done()) { clear(); resolve(); }
    };
    const timer = setTimeout(() => { clear(); reject(new NuthatchError('Timeout', `timed out waiting for ${what}`)); }, timeoutMs);
    const clear = () => { clearTimeout(timer); ctx.flushWaiters.delete(check); };
    ctx.flushWaiters.add(check);
  });
}

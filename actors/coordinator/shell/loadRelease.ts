import { released } from '../core/loadGenerations.js';
import { loadedColumns, sameColumns, type LoadFieldsRequest } from '../../../messages/loadFields.js';
import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import type { CoordinatorProtocol } from '../../../messages/rpc/coordinator.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import { refuseManualPartitions, type CollectionRef } from '../core/catalog.js';
import { collectionAt, namespaceOf } from '../core/databases.js';
import { policyOf } from '../../../messages/databaseProperties.js';
import type { CoordinatorContext } from './context.js';
import { placeDelegators, save } from './ddl.js';
import { loadGroups } from './resourceGroupsShell.js';
import { replan, scheduleRebalance } from './resourceGroupPlacement.js';
import { replicasOf, loadCollectionSegments, publishLoadState, releaseCollectionSegments, releaseUnloadedSegments } from './segmentFlow.js';
import { afterLoadPartitions, afterReleasePartitions } from '../core/partitionLoad.js';

/**
 * Loads and releases of a collection or some of its partitions: the record
 * says what is loaded (replicas, resource groups, field set, partitions), then
 * segments are placed on (or taken off) query nodes, the load state is
 * published, and follower delegators are placed.
 */

type Res<K extends keyof CoordinatorProtocol> = Promise<CoordinatorProtocol[K]['res']>;

export async function loadCollection(ctx: CoordinatorContext, ref: CollectionRef, asked?: number, named?: string[], fields: LoadFieldsRequest = {}): Res<'loadCollection'> {
  const rec = collectionAt(ctx.catalog, ref);
  const columns = loadedColumns(rec.schema, fields);
  refuseOtherColumns(rec, ref, columns);
  // A load that names no replica count takes the database's database.replica.number, unless the collection has one;
  // one that names several resource groups puts a replica in each.
  // Likewise its database's database.resource_groups, unless the collection has groups.
  const policy = policyOf(namespaceOf(ctx.catalog, ref.db).record.properties);
  const dbReplicas = rec.replicas === undefined ? policy.replicas : undefined;
  named = named?.length ? named : rec.resourceGroups === undefined ? policy.resourceGroups : undefined;
  const replicas = asked ?? (named && named.length > 1 ? named.length : dbReplicas);
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 1 || replicas > 16)) throw new ValidationError('replicas must be an integer in 1..16');
  const groups = loadGroups(ctx, rec, replicas ?? replicasOf(ctx, rec), named);
  const sameGroups = JSON.stringify(groups) === JSON.stringify(rec.resourceGroups);
  if (!rec.loaded || rec.loadedPartitions !== undefined || !sameColumns(columns, rec.loadFields) || (replicas !== undefined && replicas !== rec.replicas) || !sameGroups) {
    await ctx.lock(async () => {
      rec.loaded = true; delete rec.loadedPartitions;
      if (columns) rec.loadFields = columns; else delete rec.loadFields;
      if (replicas !== undefined) rec.replicas = replicas;
      if (groups) rec.resourceGroups = groups; else delete rec.resourceGroups;
      await save(ctx, rec);
    });
  }
  await placeLoad(ctx, rec);
  return null;
}

/** The load steps: the replicas' nodes placed before any segment loads on them, then the segments, the load state and the delegators. */
async function placeLoad(ctx: CoordinatorContext, rec: CollectionRecord): Promise<void> {
  await replan(ctx);
  await loadCollectionSegments(ctx, rec);
  scheduleRebalance(ctx);
  await publishLoadState(ctx, rec);
  await placeDelegators(ctx);
}

/**
 * Milvus's refresh_load: a loaded collection (or its loaded partitions) loads
 * again with the options it was loaded with (replicas, resource groups, field
 * set, partitions), placing whatever is not served yet (segments sealed
 * since, partitions made since); what is served stays served. Refused when
 * nothing of the collection is loaded.
 */
export async function refreshLoad(ctx: CoordinatorContext, ref: CollectionRef): Res<'refreshLoad'> {
  const rec = collectionAt(ctx.catalog, ref);
  if (!rec.loaded) throw new NuthatchError('CollectionNotLoaded', `collection '${ref.name}' is not loaded: refresh_load reloads a loaded collection; load it first`, { collection: ref.name });
  await placeLoad(ctx, rec);
  return null;
}

export async function releaseCollection(ctx: CoordinatorContext, ref: CollectionRef): Res<'releaseCollection'> {
  const rec = collectionAt(ctx.catalog, ref);
  await ctx.lock(async () => {
    rec.loaded = false; delete rec.loadedPartitions; delete rec.resourceGroups; delete rec.loadFields;
    // Loads in flight serve nothing once answered: this release takes out only what is listed now.
    released(ctx.loadGenerations, rec.collectionId);
    await save(ctx, rec);
  });
  // Published first: delegators refuse the collection's reads before its segments go, so a read in flight is
  // answered whole or refused as not loaded, never answered from a distribution emptied under it.
  await publishLoadState(ctx, rec);
  await releaseCollectionSegments(ctx, rec);
  await replan(ctx);
  await publishLoadState(ctx, rec);
  await placeDelegators(ctx);
  return null;
}

/**
 * Loads some partitions: their segments are served and their rows read; the others stay as they were.
 * With a field set (a partial load), the first partitions loaded set the collection's columns; later
 * ones must name the same set, or none (they take the one loaded).
 */
export async function loadPartitions(ctx: CoordinatorContext, ref: CollectionRef, names: string[], fields: LoadFieldsRequest = {}): Res<'loadPartitions'> {
  const rec = collectionAt(ctx.catalog, ref);
  refuseManualPartitions(rec, 'load partitions');
  const named = fields.loadFields?.length || fields.skipLoadDynamicField !== undefined;
  const columns = named || !rec.loaded ? loadedColumns(rec.schema, fields) : rec.loadFields;
  refuseOtherColumns(rec, ref, columns);
  const ids = partitionIdsOf(rec, names);
  await ctx.lock(async () => {
    Object.assign(rec, afterLoadPartitions(rec, ids));
    if (!rec.loadedPartitions) delete rec.loadedPartitions;
    if (columns) rec.loadFields = columns; else delete rec.loadFields;
    await save(ctx, rec);
  });
  await replan(ctx);
  await loadCollectionSegments(ctx, rec);
  await publishLoadState(ctx, rec);
  await placeDelegators(ctx);
  return null;
}

/** Releases some partitions (the last one loaded releases the collection). */
export async function releasePartitions(ctx: CoordinatorContext, ref: CollectionRef, names: string[]): Res<'releasePartitions'> {
  const rec = collectionAt(ctx.catalog, ref);
  refuseManualPartitions(rec, 'release partitions');
  const ids = partitionIdsOf(rec, names);
  await ctx.lock(async () => {
    const next = afterReleasePartitions(rec, ids);
    rec.loaded = next.loaded; if (next.loadedPartitions) rec.loadedPartitions = next.loadedPartitions; else delete rec.loadedPartitions;
    released(ctx.loadGenerations, rec.collectionId, next.loaded ? ids : undefined);
    await save(ctx, rec);
  });
  // Published first: delegators stop reading those partitions before their segments go.
  await publishLoadState(ctx, rec);
  if (rec.loaded) await releaseUnloadedSegments(ctx, rec); else await releaseCollectionSegments(ctx, rec);
  if (!rec.loaded) await replan(ctx);
  await placeDelegators(ctx);
  return null;
}

/** A load's columns: with the ttl_field's; and, as in Milvus, a loaded collection's field list changes only through a release (its segments hold only those columns). */
function refuseOtherColumns(rec: CollectionRecord, ref: CollectionRef, columns: string[] | undefined): void {
  // Reads decide expiry from the ttl_field's column: it cannot be left out, as the primary key cannot.
  if (columns && rec.ttlField && !columns.includes(rec.ttlField)) throw new ValidationError(`ttl_field '${rec.ttlField}' cannot skip loading: name it in loadFields`, { field: rec.ttlField });
  if (!rec.loaded || sameColumns(columns, rec.loadFields)) return;
  // Milvus answers ParameterInvalid; not Conflict, which callers retry.
  throw new ValidationError(`collection '${ref.name}' is loaded with ${rec.loadFields ? `the fields ${rec.loadFields.join(', ')}` : 'every field'}: release it before loading it with other fields`, { field: 'loadFields', loaded: rec.loadFields ?? null });
}

function partitionIdsOf(rec: CollectionRecord, names: string[]): number[] {
  if (names.length === 0) throw new ValidationError('name at least one partition');
  return names.map((n) => {
    const p = rec.partitions.find((x) => x.name === n);
    if (!p) throw new NuthatchError('PartitionNotFound', `partition '${n}' does not exist in '${rec.name}'`);
    return p.id;
  });
}

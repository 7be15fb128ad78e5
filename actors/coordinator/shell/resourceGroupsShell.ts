import { NuthatchError, ValidationError } from '../../../messages/errors.js';
import type { ResourceGroupConfig, ResourceGroupInfo, ResourceGroupProtocol } from '../../../messages/rpc/resourceGroups.js';
import type { Handlers } from '../../../runtime/rpc/typedBus.js';
import { allCollections, collectionAt } from '../core/databases.js';
import type { CollectionRef } from '../core/catalog.js';
import { checkGroupName, checkTransfers, configOf, DEFAULT_RESOURCE_GROUP, membersOf, specOf, type GroupSpec } from '../core/resourceGroups.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import type { CoordinatorContext } from './context.js';
import { save } from './ddl.js';
import { Keys, putRecord } from './metaCodec.js';
import { replan, replicaGroupsOf, scheduleRebalance } from './resourceGroupPlacement.js';

/** Milvus's cap on resource groups. */
const MAX_GROUPS = 1024;

/** The resource group api (ResourceGroupProtocol): specs kept in the meta store, the placement re-run after each change. */
export function resourceGroupHandlers(ctx: () => CoordinatorContext, refOf: (r: { dbName?: string | null }, name: string) => CollectionRef): Handlers<ResourceGroupProtocol> {
  return {
    createResourceGroup: ({ name, config }) => createGroup(ctx(), checkGroupName(name), config ?? undefined),
    dropResourceGroup: ({ name }) => dropGroup(ctx(), name),
    listResourceGroups: () => [...ctx().groups.specs.keys()].sort(),
    describeResourceGroup: ({ name }) => describeGroup(ctx(), name),
    updateResourceGroups: ({ configs }) => updateGroups(ctx(), configs),
    transferReplica: (r) => transferReplica(ctx(), r.sourceGroup, r.targetGroup, refOf(r, r.collection), r.numReplicas),
  };
}

function specAt(ctx: CoordinatorContext, name: string): GroupSpec {
  const s = ctx.groups.specs.get(name);
  if (!s) throw new NuthatchError('ResourceGroupNotFound', `resource group '${name}' does not exist`, { resourceGroup: name });
  return s;
}

/** Stores specs and re-runs the placement (nodes move in the background). */
async function commit(ctx: CoordinatorContext, specs: GroupSpec[]): Promise<void> {
  await ctx.lock(async () => {
    for (const s of specs) { await putRecord(ctx.opts.meta, Keys.resourceGroup(s.name), s); ctx.groups.specs.set(s.name, s); }
  });
  await replan(ctx);
  scheduleRebalance(ctx);
}

async function createGroup(ctx: CoordinatorContext, name: string, config: ResourceGroupConfig | undefined): Promise<null> {
  if (ctx.groups.specs.has(name)) throw new NuthatchError('ResourceGroupExists', `resource group '${name}' already exists`, { resourceGroup: name });
  if (ctx.groups.specs.size >= MAX_GROUPS) throw new ValidationError(`at most ${MAX_GROUPS} resource groups`);
  const spec = specOf(name, config);
  checkTransfers([...ctx.groups.specs.values(), spec]);
  await commit(ctx, [spec]);
  return null;
}

async function updateGroups(ctx: CoordinatorContext, configs: Record<string, ResourceGroupConfig>): Promise<null> {
  const names = Object.keys(configs);
  if (names.length === 0) throw new ValidationError('name at least one resource group to update', { field: 'resource_groups' });
  const specs = names.map((n) => specOf(n, configs[n], specAt(ctx, n)));
  const next = new Map(ctx.groups.specs);
  for (const s of specs) next.set(s.name, s);
  checkTransfers([...next.values()]);
  await commit(ctx, specs);
  return null;
}

/** Collections with a replica in `group`, loaded. */
function loadedIn(ctx: CoordinatorContext, group: string): Array<[CollectionRecord, number]> {
  return allCollections(ctx.catalog).filter((r) => r.loaded && r.state === 'created')
    .map((r): [CollectionRecord, number] => [r, replicaGroupsOf(ctx, r).filter((g) => g === group).length]).filter(([, n]) => n > 0);
}

async function dropGroup(ctx: CoordinatorContext, name: string): Promise<null> {
  if (name === DEFAULT_RESOURCE_GROUP) throw new ValidationError(`the default resource group '${DEFAULT_RESOURCE_GROUP}' cannot be dropped`, { resourceGroup: name });
  const spec = specAt(ctx, name);
  const loaded = loadedIn(ctx, name);
  if (loaded.length > 0) throw new NuthatchError('ResourceGroupNotEmpty', `resource group '${name}' holds replicas of ${loaded.map(([r]) => `'${r.name}'`).join(', ')}: release them or transfer them to another group first`, { resourceGroup: name });
  if (spec.limits > 0) throw new NuthatchError('ResourceGroupNotEmpty', `resource group '${name}' has limits.node_num ${spec.limits}: update it to requests and limits 0 before dropping it (as Milvus)`, { resourceGroup: name });
  const referers = [...ctx.groups.specs.values()].filter((s) => s.transferFrom.includes(name) || s.transferTo.includes(name)).map((s) => `'${s.name}'`);
  if (referers.length > 0) throw new ValidationError(`resource group '${name}' is named in the transfer_from or transfer_to of ${referers.join(', ')}`, { resourceGroup: name });
  await ctx.lock(async () => { await ctx.opts.meta.delete(Keys.resourceGroup(name)); ctx.groups.specs.delete(name); });
  await replan(ctx);
  scheduleRebalance(ctx);
  return null;
}

function describeGroup(ctx: CoordinatorContext, name: string): ResourceGroupInfo {
  const spec = specAt(ctx, name);
  const nodes = membersOf(ctx.groups.placement).get(name) ?? [];
  return {
    name, capacity: spec.requests, num_available_node: nodes.filter((n) => ctx.queryNodes.has(n)).length,
    num_loaded_replica: Object.fromEntries(loadedIn(ctx, name).map(([r, n]) => [r.name, n])),
    num_outgoing_node: {}, num_incoming_node: {},
    config: configOf(spec),
    nodes: nodes.map((node_id) => ({ node_id, address: '', hostname: '' })),
  };
}

/**
 * Each replica's group for a load: none named, the ones it has (or the default
 * group); one, every replica there; several, one replica each (the replica
 * number must match). Each group must exist and hold a node per replica it gets.
 */
export function loadGroups(ctx: CoordinatorContext, rec: CollectionRecord, replicas: number, named: readonly string[] | undefined): string[] | undefined {
  if (named === undefined || named.length === 0) return rec.resourceGroups?.length === replicas ? rec.resourceGroups : undefined;
  for (const g of named) specAt(ctx, checkGroupName(g));
  if (named.length > 1 && named.length !== replicas) throw new ValidationError(`${replicas} replicas cannot go to ${named.length} resource groups: name one group, or as many as replicas`, { field: 'resourceGroups' });
  const groups = named.length === 1 ? Array.from({ length: replicas }, () => named[0]!) : [...named];
  checkRoom(ctx, groups);
  return groups;
}

/** Refuses replicas a group has too few live nodes for (replicas of one collection never share a node). */
function checkRoom(ctx: CoordinatorContext, groups: readonly string[]): void {
  const members = membersOf(ctx.groups.placement);
  for (const g of new Set(groups)) {
    const want = groups.filter((x) => x === g).length;
    const have = (members.get(g) ?? []).filter((n) => ctx.queryNodes.has(n)).length;
    if (have < want) throw new NuthatchError('ResourceGroupNodeNotEnough', `resource group '${g}' has ${have} query node(s) for ${want} replica(s); each replica needs a node of its own`, { resourceGroup: g, nodes: have, replicas: want });
  }
}

async function transferReplica(ctx: CoordinatorContext, source: string, target: string, ref: CollectionRef, count: number): Promise<null> {
  specAt(ctx, source); specAt(ctx, target);
  if (!Number.isInteger(count) || count < 1) throw new ValidationError('num_replicas must be a positive integer', { field: 'num_replicas' });
  if (source === target) throw new ValidationError(`source and target resource group are both '${source}'`, { field: 'target_group' });
  const rec = collectionAt(ctx.catalog, ref);
  if (!rec.loaded) throw new NuthatchError('CollectionNotLoaded', `collection '${rec.name}' is not loaded`);
  const groups = replicaGroupsOf(ctx, rec);
  const inSource = groups.filter((g) => g === source).length;
  if (inSource < count) throw new ValidationError(`collection '${rec.name}' has ${inSource} replica(s) in resource group '${source}', fewer than ${count}`, { field: 'num_replicas' });
  let left = count;
  const next = groups.map((g) => (g === source && left-- > 0 ? target : g));
  checkRoom(ctx, next);
  await ctx.lock(async () => { rec.resourceGroups = next; await save(ctx, rec); });
  await replan(ctx);
  scheduleRebalance(ctx);
  return null;
}

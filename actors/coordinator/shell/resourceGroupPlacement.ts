import { allCollections } from '../core/databases.js';
import { partitionLoaded } from '../core/partitionLoad.js';
import { placeReplicas, sameReplicaNodes, type ReplicaNodes } from '../core/replicaNodes.js';
import { DEFAULT_GROUP_SPEC, DEFAULT_RESOURCE_GROUP, placeNodes, type GroupSpec } from '../core/resourceGroups.js';
import type { CollectionRecord } from '../../../messages/rpc/records.js';
import type { CoordinatorContext } from './context.js';
import { getRecord, Keys, listRecords, putRecord } from './metaCodec.js';
import { desiredNodes, loadSegment, replicasOf } from './segmentFlow.js';

/**
 * The effect side of resource groups: keeps the placement (each live query
 * node's group, each loaded replica's nodes) from core/resourceGroups.ts and
 * core/replicaNodes.ts in the meta store, re-runs it when query nodes come and
 * go or groups and loads change, and moves segments to the nodes it picks
 * through the ordinary segment load path (loadSegment).
 */
export interface ResourceGroupState {
  specs: Map<string, GroupSpec>;
  /** Live query node -> its group. */
  placement: Map<string, string>;
  /** Loaded collection -> its replicas' nodes. */
  replicas: ReplicaNodes;
  /** Bumped whenever the placement changes. */
  version: number;
  /** A rebalance is running, and whether another was asked for meanwhile. */
  running: boolean;
  again: boolean;
  /** Segments being moved now. */
  moving: Set<number>;
}

interface StoredPlacement { nodes: Record<string, string>; replicas: Record<string, string[][]> }

export function initialGroupState(): ResourceGroupState {
  return { specs: new Map([[DEFAULT_RESOURCE_GROUP, DEFAULT_GROUP_SPEC]]), placement: new Map(), replicas: new Map(), version: 0, running: false, again: false, moving: new Set() };
}

/** Reads the groups and the last placement (so a restarted coordinator keeps nodes where they were). */
export async function loadGroupState(ctx: CoordinatorContext): Promise<void> {
  for (const s of await listRecords<GroupSpec>(ctx.opts.meta, Keys.resourceGroups)) ctx.groups.specs.set(s.name, s);
  const stored = await getRecord<StoredPlacement>(ctx.opts.meta, Keys.resourceGroupPlacement);
  if (!stored) return;
  ctx.groups.placement = new Map(Object.entries(stored.nodes));
  ctx.groups.replicas = new Map(Object.entries(stored.replicas).map(([id, nodes]) => [Number(id), nodes]));
}

/** Each replica's group: the load's, or the default group for every replica. */
export function replicaGroupsOf(ctx: CoordinatorContext, rec: CollectionRecord): string[] {
  return rec.resourceGroups ?? Array.from({ length: replicasOf(ctx, rec) }, () => DEFAULT_RESOURCE_GROUP);
}

/** Runs the placement on the live nodes; persists it when it changed. Returns whether it did. */
export async function replan(ctx: CoordinatorContext): Promise<boolean> {
  return ctx.lock(async () => {
    const g = ctx.groups;
    const placement = placeNodes([...g.specs.values()], [...ctx.queryNodes], g.placement);
    const loaded = allCollections(ctx.catalog).filter((r) => r.loaded && r.state === 'created');
    const replicas = placeReplicas(placement, loaded.map((r) => ({ collectionId: r.collectionId, groups: replicaGroupsOf(ctx, r) })), g.replicas);
    if (JSON.stringify([...placement]) === JSON.stringify([...g.placement]) && sameReplicaNodes(replicas, g.replicas)) return false;
    for (const [n, group] of placement) if (g.placement.get(n) !== group) ctx.log(`query node ${n} -> resource group ${group}`);
    g.placement = placement;
    g.replicas = replicas;
    g.version++;
    const stored: StoredPlacement = { nodes: Object.fromEntries(placement), replicas: Object.fromEntries([...replicas].map(([id, n]) => [String(id), n])) };
    await putRecord(ctx.opts.meta, Keys.resourceGroupPlacement, stored);
    return true;
  });
}

/**
 * Re-runs the placement and moves every loaded segment whose replicas' nodes no
 * longer match what it serves on. Calls made while one runs are folded into one more run.
 */
export function scheduleRebalance(ctx: CoordinatorContext): void {
  const g = ctx.groups;
  if (g.running) { g.again = true; return; }
  g.running = true;
  void (async () => {
    do {
      g.again = false;
      await replan(ctx).catch((e) => ctx.log('resource group placement failed:', (e as Error).message));
      if (!ctx.stopped) moveSegments(ctx);
    } while (g.again && !ctx.stopped);
  })().finally(() => { g.running = false; });
}

/** Loads each segment served elsewhere than its replicas' nodes say, there (loadSegment releases the copies not wanted). */
function moveSegments(ctx: CoordinatorContext): void {
  const g = ctx.groups;
  for (const rec of allCollections(ctx.catalog)) {
    if (!rec.loaded || rec.state !== 'created') continue;
    for (const seg of ctx.segments.values()) {
      if (seg.collectionId !== rec.collectionId || !partitionLoaded(rec, seg.partitionId) || g.moving.has(seg.segmentId)) continue;
      const serving = new Set(ctx.distributions.get(seg.vchannel)?.segments.filter((s) => s.segmentId === seg.segmentId && ctx.queryNodes.has(s.nodeId)).map((s) => s.nodeId));
      const want = desiredNodes(ctx, rec, seg);
      if (want.length === serving.size && want.every((n) => serving.has(n))) continue;
      const version = g.version;
      g.moving.add(seg.segmentId);
      void loadSegment(ctx, rec, seg)
        .catch((e) => ctx.log('move of segment', seg.segmentId, 'failed:', (e as Error).message))
        .finally(() => { g.moving.delete(seg.segmentId); if (g.version !== version && !ctx.stopped) scheduleRebalance(ctx); });
    }
  }
}
